"""The application factory: one InviteKit for the studio, the pages, and their security.

Run it with ``python -m examples.webapp`` (see ``__main__.py``); build it in
tests with ``create_app({...})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias

import attrs
from babel import Locale
from flask import Flask, current_app, g, render_template, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect  # type: ignore[import-untyped]
from werkzeug.wrappers import Response

from invitekit import Business, InviteKit, Reminders
from invitekit.adapters.files import FolderMailer
from invitekit.adapters.sql import SQLStore
from invitekit.clock import SystemClock
from invitekit.dates import format_moment
from invitekit.events import Event
from invitekit.passwords import PasswordHasher
from invitekit.ports import Clock, Store

from .data import AppData
from .refusals import describe_event, describe_outbox_error, describe_refusal
from .texts import LANGUAGES, choose_locale, plural, text, word

__all__ = ["Page", "Studio", "create_app", "studio"]

#: What a view returns: a page, a page with its status, or a redirect.
Page: TypeAlias = str | tuple[str, int] | Response

#: Settings a deployment may change; ``SECRET_KEY``, ``INVITEKIT_SECRET_KEYS`` and
#: ``ADMIN_PASSWORD`` have no default and must be given.
DEFAULTS: dict[str, Any] = {
    "DATA_DIR": "demo-output/webapp",
    "DATABASE_URL": None,  # default: sqlite:///<DATA_DIR>/invitekit.db
    "BASE_URL": "http://127.0.0.1:5000",
    "BUSINESS_NAME": "Studio One",
    "BUSINESS_SENDER": "hello@studio.example",
    "BUSINESS_TIMEZONE": "Europe/Vienna",
    "BUSINESS_LOCALE": "en",
    # The formal address (German "Sie", Spanish "usted") on the customer pages, in
    # the emails and in the policy sentences; informal ("du", "tú") by default.
    "BUSINESS_FORMAL": False,
    "ADMIN_EMAIL": "owner@studio.example",
    # Days after the last delivered invitation when customers still Invited are
    # reminded (Business.reminders); none by default.
    "BUSINESS_REMINDER_DAYS": (),
    # Send queued emails at once, in the request that queued them; a production
    # application runs kit.deliver() in a worker instead (see docs/integrate.md).
    "DELIVER_INLINE": True,
    # Cookies only over HTTPS; python -m examples.webapp turns it off for http://127.0.0.1.
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "CLOCK": None,  # a Clock; the system clock by default (tests pass a FakeClock)
    "PASSWORD_HASHER": None,  # a PasswordHasher; tests pass a fast one
}


@attrs.frozen(kw_only=True)
class Studio:
    """What the pages of the application share.

    Attributes:
        kit: the studio's InviteKit.
        data: the application's own tables (bookings, settings).
        outbox: the folder the FolderMailer writes ``.eml`` files to.
        clock: the same clock the kit uses.
    """

    kit: InviteKit
    data: AppData
    outbox: Path
    clock: Clock

    def now(self) -> datetime:
        """The current time, from the kit's clock."""
        return self.clock.now()

    def deliver_if_inline(self) -> None:
        """Send what was just queued, when the app is configured to deliver inline."""
        if current_app.config["DELIVER_INLINE"]:
            self.kit.deliver()


BUSINESS_BLUEPRINTS = frozenset({"business", "mailbox"})


def studio() -> Studio:
    """The :class:`Studio` of the running application."""
    found: Studio = current_app.extensions["studio"]
    return found


def open_store(url: str) -> Store:
    """invitekit's Store: the SQL store at ``url`` (SQLite by default), tables created."""
    return SQLStore.from_url(url)


def create_app(config: Mapping[str, Any]) -> Flask:
    """Build the web application.

    Args:
        config: Flask settings and the ones in :data:`DEFAULTS`; ``SECRET_KEY``
            (signs the session cookie), ``INVITEKIT_SECRET_KEYS`` (a list; signs
            the links in emails) and ``ADMIN_PASSWORD`` (the business pages) are
            required.

    Raises:
        KeyError: a required setting is missing.
    """
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config)
    for required in ("SECRET_KEY", "INVITEKIT_SECRET_KEYS", "ADMIN_PASSWORD"):
        if not app.config.get(required):
            raise KeyError(f"create_app needs the setting {required}")

    data_dir = Path(app.config["DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    clock: Clock = app.config["CLOCK"] or SystemClock()
    base = app.config["BASE_URL"].rstrip("/")
    business = Business(
        id="studio-one",
        name=app.config["BUSINESS_NAME"],
        sender=app.config["BUSINESS_SENDER"],
        timezone=app.config["BUSINESS_TIMEZONE"],
        default_locale=app.config["BUSINESS_LOCALE"],
        formal=bool(app.config["BUSINESS_FORMAL"]),
        signature=f"{app.config['BUSINESS_NAME']} · {base}",
        activation_url=f"{base}/activate/{{token}}",
        unsubscribe_url=f"{base}/unsubscribe/{{token}}",
        reset_url=f"{base}/reset/{{token}}",
        verify_url=f"{base}/verify/{{token}}",
        booking_url=f"{base}/booking/{{token}}",
        email_change_url=f"{base}/email-change/{{token}}",
        reminders=Reminders(
            after=tuple(timedelta(days=d) for d in app.config["BUSINESS_REMINDER_DAYS"])
        ),
    )
    outbox = data_dir / "outbox"
    hasher: PasswordHasher | None = app.config["PASSWORD_HASHER"]
    kit = InviteKit(
        store=open_store(app.config["DATABASE_URL"] or f"sqlite:///{data_dir / 'invitekit.db'}"),
        mailer=FolderMailer(outbox, clock=clock),
        business=business,
        secret_keys=list(app.config["INVITEKIT_SECRET_KEYS"]),
        clock=clock,
        password_hasher=hasher,
    )
    app.extensions["studio"] = Studio(
        kit=kit, data=AppData(data_dir / "webapp.db"), outbox=outbox, clock=clock
    )

    # The language first: the CSRF check's refusal page needs it.
    app.before_request(_choose_language)
    # Every POST form carries a token bound to the session (Flask-WTF); the one
    # exception is the RFC 8058 one-click unsubscribe (see customer.unsubscribe).
    csrf = CSRFProtect(app)

    from . import bookings as _booking_pages  # noqa: F401 (its pages join both blueprints)
    from . import business as business_pages
    from . import campaigns as _campaign_pages  # noqa: F401 (its pages join business_pages.bp)
    from . import customer as customer_pages
    from . import front_desk as _front_desk  # noqa: F401 (its page joins business_pages.bp)
    from . import mailbox as mailbox_pages
    from . import provider as provider_pages

    app.register_blueprint(business_pages.bp)
    app.register_blueprint(mailbox_pages.bp)
    app.register_blueprint(customer_pages.bp)
    provider_pages.init_provider(app)  # "Sign in with a provider", when OIDC_ISSUER is set
    csrf.exempt(customer_pages.unsubscribe)

    app.context_processor(_template_helpers)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(404, _not_found)
    return app


def _choose_language() -> None:
    """Pick the customer pages' language: the customer's own, else the browser's."""
    if request.blueprint in BUSINESS_BLUEPRINTS:
        # The language switch (``?lang=es``, kept in the session), else the browser's.
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            session["business_lang"] = chosen
        business_preferred = [session.get("business_lang"), *request.accept_languages.values()]
        g.locale = choose_locale(business_preferred, default=studio().kit.business.default_locale)
        return
    preferred: list[str | None] = []
    customer_id = session.get("customer_id")
    if customer_id is not None:
        try:
            preferred.append(studio().kit.get_customer(customer_id).locale)
        except LookupError:
            session.pop("customer_id", None)
    preferred += list(request.accept_languages.values())
    g.locale = choose_locale(preferred, default=studio().kit.business.default_locale)


def page_locale() -> Locale:
    """The language of the current customer page."""
    chosen: Locale = g.locale
    return chosen


def use_locale(locale: str | None) -> None:
    """Prefer ``locale`` (a customer's stored one) for the rest of this request."""
    if locale:
        g.locale = choose_locale(
            [locale, *request.accept_languages.values()],
            default=studio().kit.business.default_locale,
        )


def t(key: str, **values: object) -> str:
    """A customer page text in the page's language."""
    business = studio().kit.business
    return text(page_locale(), key, formal=business.formal, business=business.name, **values)


def when(moment: datetime | None) -> str:
    """A date and time in the page's language and the studio's time zone."""
    if moment is None:
        return ""
    return format_moment(moment, locale=page_locale(), timezone=studio().kit.business.timezone)


def refusal(error: Exception) -> str:
    """What the library refused, in the page's language (see :mod:`.refusals`)."""
    return describe_refusal(error, t=t, when=when)


def history_detail(event: Event) -> str:
    """The detail of a history line in the page's language."""
    return describe_event(event, t=t, w=w)


def outbox_error(last_error: str | None) -> str:
    """Why an outbox message was withdrawn, in the page's language (a mail server's as is)."""
    return describe_outbox_error(last_error, t=t)


def tn(key: str, n: int, **values: object) -> str:
    """A page text for ``n`` things, in the plural form of the page's language."""
    return plural(page_locale(), key, n, business=studio().kit.business.name, **values)


def w(kind: str, value: object) -> str:
    """An enum value (``kind`` "status", "event", "skip"…) as a word of the page's language."""
    return word(page_locale(), kind, str(getattr(value, "value", value)))


def language_name(code: str) -> str:
    """A locale code as the reader names the language (``"de_AT"``: "German (Austria)")."""
    return str(Locale.parse(code).get_display_name(page_locale()) or code)


def _template_helpers() -> dict[str, Any]:
    return {
        "t": t,
        "tn": tn,
        "w": w,
        "when": when,
        "history_detail": history_detail,
        "outbox_error": outbox_error,
        "lang": page_locale().language,
        "languages": LANGUAGES,
        "language_name": language_name,
        "business_name": studio().kit.business.name,
        "is_admin": bool(session.get("admin")),
        "customer_id": session.get("customer_id"),
    }


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return render_template("message.html", title="400", message=t("csrf_error")), 400


def _not_found(error: Exception) -> tuple[str, int]:
    return render_template("message.html", title="404", message=t("not_found")), 404
