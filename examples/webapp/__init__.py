"""A reference web application on invitekit: a studio's business pages and customer portal.

``create_app(config)`` builds it; ``python -m examples.webapp`` runs the demo.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
