"""A real OpenID Connect provider on this machine, for the demo and the browser tests.

`oidc-provider-mock <https://pypi.org/project/oidc-provider-mock/>`_ serves the
whole protocol (discovery, authorization with a page to choose an account,
tokens signed with its own key, user info) from a thread of this process, on
the loopback address only.  Its accounts are the demo's:

* ``jonas-huber``: Jonas's address, which the provider has **verified**: his
  first sign-in links the provider to the profile the studio invited him to,
  and activates it.
* ``not-lea``: Lea's address, **not verified** by the provider (anyone can type
  an address there): it attaches to nothing, and the page offers the sign-up
  form instead.

Any other subject typed on the provider's page gets its own address (the
subject) unverified.  Not for production: use your provider's issuer there.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from werkzeug.serving import make_server

with warnings.catch_warnings():
    # It imports Authlib's deprecated authlib.jose: not the demo's concern.
    warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
    import oidc_provider_mock

__all__ = ["DEMO_ACCOUNTS", "running_provider", "start_provider"]

DEMO_ACCOUNTS = (
    oidc_provider_mock.User(
        sub="jonas-huber",
        claims={
            "email": "jonas.huber@example.com",
            "email_verified": True,
            "given_name": "Jonas",
            "family_name": "Huber",
        },
    ),
    oidc_provider_mock.User(
        sub="not-lea",
        claims={"email": "lea.moser@example.com", "email_verified": False, "given_name": "Lea"},
    ),
)


def start_provider(
    accounts: Sequence[oidc_provider_mock.User] = DEMO_ACCOUNTS, *, host: str = "127.0.0.1"
) -> str:
    """Serve the provider from a daemon thread, for as long as the process runs; its issuer."""
    server = make_server(
        host, 0, oidc_provider_mock.app(user_claims=accounts, require_nonce=True), threaded=True
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://{host}:{server.server_port}"


@contextmanager
def running_provider(
    accounts: Sequence[oidc_provider_mock.User] = DEMO_ACCOUNTS, *, host: str = "127.0.0.1"
) -> Iterator[str]:
    """The provider served from a thread while the ``with`` block runs; yields its issuer."""
    server = make_server(
        host, 0, oidc_provider_mock.app(user_claims=accounts, require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
