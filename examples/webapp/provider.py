"""Sign in with an OpenID Connect provider: Authlib runs the protocol, invitekit decides.

Configured by ``OIDC_ISSUER`` (the provider's address; its
``/.well-known/openid-configuration`` tells the rest), ``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET``, ``OIDC_PROVIDER`` (the name invitekit stores,
``"google"``) and ``OIDC_PROVIDER_LABEL`` (the name the pages show).  Without
an issuer the login page offers no provider.  The demo (``python3 dev.py
serve``) runs a real provider on this machine (see :mod:`.demo_provider`).

Authlib checks ``state`` (bound to this browser's session), the ``nonce``, the
ID token's signature, issuer, audience and expiry; the callback then hands the
claims to ``kit.sign_in_with_provider``, which links, signs in or refuses (an
unverified address attaches nothing: the page offers the sign-up form instead).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for

from invitekit.access import LoginMode
from invitekit.exceptions import (
    IdentityNotFound,
    LastWayIn,
    ProviderEmailNotVerified,
    ProviderSignInRefused,
    ValidationError,
)

from .app import Page, page_locale, studio, t
from .customer import _current_customer, _log_in

__all__ = ["bp", "init_provider"]

bp = Blueprint("provider", __name__)

PROVIDER_DEFAULTS: dict[str, Any] = {
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": "studio-one",
    "OIDC_CLIENT_SECRET": None,
    "OIDC_PROVIDER": "demo-id",
    "OIDC_PROVIDER_LABEL": "Demo ID",
}


def init_provider(app: Flask) -> None:
    """Register the provider's client when ``OIDC_ISSUER`` is set, and the pages."""
    for key, value in PROVIDER_DEFAULTS.items():
        app.config.setdefault(key, value)
    issuer = app.config["OIDC_ISSUER"]
    if issuer:
        oauth = OAuth(app)
        oauth.register(
            "provider",
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile"},
        )
        app.extensions["oidc"] = oauth
    app.register_blueprint(bp)
    app.context_processor(
        lambda: {
            "provider_label": app.config["OIDC_PROVIDER_LABEL"] if issuer else None,
            "linked_providers": _linked_providers,
            "provider_name": _provider_name,
        }
    )


def _linked_providers(customer_id: str) -> list[str]:
    """The providers linked to a customer, each once, oldest link first."""
    identities = studio().kit.identities(customer_id)
    return list(dict.fromkeys(i.provider for i in identities))


def _provider_name(provider: str) -> str:
    """How the pages name a provider: the configured label for ours."""
    if provider == current_app.config["OIDC_PROVIDER"]:
        return str(current_app.config["OIDC_PROVIDER_LABEL"])
    return provider.title()


def _client() -> Any:
    oauth = current_app.extensions.get("oidc")
    return None if oauth is None else oauth.provider


def _not_found() -> tuple[str, int]:
    return render_template("message.html", title="404", message=t("not_found")), 404


@bp.get("/login/provider")
def start() -> Page:
    """Send the visitor to the provider (a GET: it changes nothing here but the session)."""
    client = _client()
    if client is None:
        return _not_found()
    base = current_app.config["BASE_URL"].rstrip("/")
    return client.authorize_redirect(f"{base}{url_for('provider.callback')}")


@bp.get("/login/provider/callback")
def callback() -> Page:
    """Back from the provider: check what it says, then let invitekit decide."""
    client = _client()
    if client is None:
        return _not_found()
    label = current_app.config["OIDC_PROVIDER_LABEL"]
    try:
        token = client.authorize_access_token()  # state, nonce, the ID token's signature
    except OAuthError:
        return _message(t("provider_failed", provider=label), 400)
    claims = token.get("userinfo") or {}
    app = studio()
    try:
        customer = app.kit.sign_in_with_provider(
            current_app.config["OIDC_PROVIDER"],
            str(claims.get("sub", "")),
            email=str(claims.get("email") or ""),
            email_verified=claims.get("email_verified") is True,
            first_name=claims.get("given_name"),
            last_name=claims.get("family_name"),
            locale=claims.get("locale") or str(page_locale()),
            allow_signup=app.data.login_mode() is not LoginMode.DISABLED,
        )
    except ProviderEmailNotVerified as err:
        signup = None
        if err.can_sign_up:
            signup = url_for("customer.signup") + "?" + urlencode({"email": err.email})
        page = render_template(
            "provider_refused.html",
            message=t("provider_unverified", provider=label, email=err.email),
            email=err.email,
            signup=signup,
        )
        return page, 403
    except ProviderSignInRefused as err:
        key = "provider_archived" if err.reason == "archived" else "provider_signup_disabled"
        return _message(t(key, email=err.email or ""), 403)
    except ValidationError:  # no usable address or subject in the claims
        return _message(t("provider_failed", provider=label), 400)
    _log_in(customer)
    return redirect(url_for("customer.portal"), code=303)


@bp.post("/portal/providers/<provider>/unlink")
def unlink(provider: str) -> Page:
    """Unlink a provider from the logged-in customer, who keeps a way to sign in."""
    customer = _current_customer()
    if customer is None:
        return redirect(url_for("customer.login"), code=303)
    name = _provider_name(provider)
    try:
        studio().kit.unlink_provider(customer.id, provider)
    except LastWayIn:
        flash(t("provider_last_way_in", provider=name), "error")
    except (IdentityNotFound, ValidationError):
        return _not_found()
    else:
        flash(t("provider_unlinked", provider=name), "success")
    return redirect(url_for("customer.portal"), code=303)


def _message(message: str, status: int) -> tuple[str, int]:
    return render_template("message.html", title=str(status), message=message), status
