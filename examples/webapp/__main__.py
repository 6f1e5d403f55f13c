"""Run the demo studio: ``python3 dev.py serve [--port N] [--host H]``.

(Or ``.venv/bin/python -m examples.webapp`` from the repository root.)  Imports
the demo customers (``examples/customers.csv``) on first start, prints the
address, the admin password and the steps to try, and serves on
http://127.0.0.1:5000 until stopped.  Environment variables:
``INVITEKIT_WEBAPP_PORT`` (default 5000, ``--port`` wins),
``INVITEKIT_ADMIN_PASSWORD`` (default ``demo-admin``), ``INVITEKIT_WEBAPP_DATA``
(default ``demo-output/webapp``).
"""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import socket
import sys
from pathlib import Path

from flask import Flask

from . import create_app
from .app import studio
from .demo_provider import start_provider

ROOT = Path(__file__).resolve().parents[2]


def _secret(path: Path) -> str:
    """A random secret kept in ``path``, so sessions and links survive a restart."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_app(
    port: int,
    data_dir: Path,
    admin_password: str,
    *,
    host: str = "127.0.0.1",
    oidc_issuer: str | None = None,
) -> Flask:
    """The demo application, with the demo customers imported once.

    Its links point at ``host`` (the loopback address when it listens on every
    address) and ``port``.  With ``oidc_issuer`` (the demo provider's, see
    :mod:`.demo_provider`) the login page offers "Sign in with Demo ID".
    """
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 (a comparison)
    shown = f"[{shown}]" if ":" in shown else shown
    app = create_app(
        {
            "SECRET_KEY": _secret(data_dir / "flask-secret"),
            "INVITEKIT_SECRET_KEYS": [_secret(data_dir / "invitekit-secret")],
            "ADMIN_PASSWORD": admin_password,
            "DATA_DIR": str(data_dir),
            "BASE_URL": f"http://{shown}:{port}",
            # Plain http on the loopback address: a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": False,
            "OIDC_ISSUER": oidc_issuer,
            "OIDC_CLIENT_SECRET": secrets.token_urlsafe(24),
        }
    )
    with app.app_context():
        kit = studio().kit
        if not kit.list_customers(archived=None):
            csv = (ROOT / "examples" / "customers.csv").read_text(encoding="utf-8")
            report = kit.import_customers(csv)
            print(f"Imported {len(report.added)} demo customers from examples/customers.csv")
    return app


STEPS = """\
Try it as the studio and as a customer:
  1. Open {url}/admin/ and sign in with the admin password.
  2. Invite: choose "Group: Tennis", look at the preview, press "Invite 2".
  3. Mailbox: open the email to sam.taylor@example.com and follow its activation link.
  4. Choose a password: you are in Sam's portal; cancel "Morning yoga".
  5. Log out, then "Sign in with Demo ID" (a real OpenID Connect provider on this
     machine): choose "jonas-huber" (an address the provider verified): Jonas's
     invited profile is activated. "not-lea" (not verified) attaches to nothing.
Emails are written to {outbox} and shown on the Mailbox page.
Stop with Ctrl+C."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """``--port`` and ``--host``; the port defaults to ``INVITEKIT_WEBAPP_PORT`` or 5000."""
    parser = argparse.ArgumentParser(
        prog="python3 dev.py serve", description="Serve the example web app of invitekit."
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("INVITEKIT_WEBAPP_PORT", "5000")),
        help="the port to listen on (default: 5000, or INVITEKIT_WEBAPP_PORT)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, this machine only)",
    )
    return parser.parse_args(argv)


def port_in_use(host: str, port: int) -> bool:
    """Whether another program listens on ``host``:``port`` already."""
    try:
        with socket.create_server((host, port)):
            return False
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            return True
        raise


def main(argv: list[str] | None = None) -> int:
    """Serve the demo until Ctrl+C (or SIGTERM)."""
    args = parse_args(argv)
    if port_in_use(args.host, args.port):
        print(
            f"Port {args.port} is in use by another program (on macOS often AirPlay "
            f"Receiver). Choose another with --port, for example: "
            f"python3 dev.py serve --port {args.port + 1}",
            file=sys.stderr,
        )
        return 1
    data_dir = Path(os.environ.get("INVITEKIT_WEBAPP_DATA", ROOT / "demo-output" / "webapp"))
    password = os.environ.get("INVITEKIT_ADMIN_PASSWORD", "demo-admin")
    # The demo's OpenID Connect provider, in this process, on the loopback address.
    issuer = start_provider()
    app = demo_app(args.port, data_dir, password, host=args.host, oidc_issuer=issuer)
    url = app.config["BASE_URL"]
    print(f"The studio's web app: {url}/admin/  (admin password: {password})")
    print(STEPS.format(url=url, outbox=data_dir / "outbox"), flush=True)
    app.run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
