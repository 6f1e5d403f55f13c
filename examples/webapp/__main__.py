"""Run the demo studio: ``.venv/bin/python -m examples.webapp`` from the repository root.

Imports the demo customers (``examples/customers.csv``) on first start, prints
the address and the admin password, and serves on http://127.0.0.1:5000.
Environment variables: ``INVITEKIT_WEBAPP_PORT`` (default 5000),
``INVITEKIT_ADMIN_PASSWORD`` (default ``demo-admin``), ``INVITEKIT_WEBAPP_DATA``
(default ``demo-output/webapp``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from . import create_app
from .app import studio

ROOT = Path(__file__).resolve().parents[2]


def _secret(path: Path) -> str:
    """A random secret kept in ``path``, so sessions and links survive a restart."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_app(port: int, data_dir: Path, admin_password: str) -> Flask:
    """The demo application, with the demo customers imported once."""
    app = create_app(
        {
            "SECRET_KEY": _secret(data_dir / "flask-secret"),
            "INVITEKIT_SECRET_KEYS": [_secret(data_dir / "invitekit-secret")],
            "ADMIN_PASSWORD": admin_password,
            "DATA_DIR": str(data_dir),
            "BASE_URL": f"http://127.0.0.1:{port}",
            # Plain http on the loopback address: a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        kit = studio().kit
        if not kit.list_customers(archived=None):
            csv = (ROOT / "examples" / "customers.csv").read_text(encoding="utf-8")
            report = kit.import_customers(csv)
            print(f"Imported {len(report.added)} demo customers from examples/customers.csv")
    return app


def main() -> None:
    """Serve the demo until Ctrl+C."""
    port = int(os.environ.get("INVITEKIT_WEBAPP_PORT", "5000"))
    data_dir = Path(os.environ.get("INVITEKIT_WEBAPP_DATA", ROOT / "demo-output" / "webapp"))
    password = os.environ.get("INVITEKIT_ADMIN_PASSWORD", "demo-admin")
    app = demo_app(port, data_dir, password)
    print(f"The studio's web app: http://127.0.0.1:{port}/admin/  (admin password: {password})")
    print(f"Emails are written to {data_dir / 'outbox'} and shown on the Mailbox page.")
    app.run(host="127.0.0.1", port=port, debug=False)


if __name__ == "__main__":
    main()
