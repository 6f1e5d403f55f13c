"""invitekit: bring a business's existing customers online."""

from __future__ import annotations
