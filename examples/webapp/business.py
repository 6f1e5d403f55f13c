"""The business pages: customers, invitations, history, settings.

They sit behind one demo password (``ADMIN_PASSWORD``); a real application
uses its own staff accounts instead.  The pages speak English, Spanish, French
and German (the language switch in the header, else the browser's language).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from babel.lists import format_list
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from invitekit import Audience, Status
from invitekit.access import LoginMode
from invitekit.exceptions import (
    DeliveryError,
    InvalidPolicy,
    InvitationRefused,
    InviteKitError,
    TemplateError,
)
from invitekit.i18n import available_locales
from invitekit.model import Email
from invitekit.policy import CancellationPolicy, DurationCutoff, Outcome, Rule

from .app import Page, page_locale, refusal, studio, t, tn, w

__all__ = ["bp"]

bp = Blueprint("business", __name__, url_prefix="/admin")

P = ParamSpec("P")
R = TypeVar("R")

#: The list's filters: status and archived, as ``kit.list_customers`` takes them.
FILTERS: dict[str, tuple[Status | None, bool]] = {
    "added": (Status.ADDED, False),
    "invited": (Status.INVITED, False),
    "accepted": (Status.ACCEPTED, False),
    "archived": (None, True),
}


def admin_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Send visitors who have not given the admin password to the admin login."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if not session.get("admin"):
            return redirect(url_for("business.login", next=request.path), code=303)
        return view(*args, **kwargs)

    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    """The demo admin password."""
    if request.method == "POST":
        given = request.form.get("password", "").encode()
        expected = str(current_app.config["ADMIN_PASSWORD"]).encode()
        if hmac.compare_digest(given, expected):
            session["admin"] = True
            target = request.args.get("next", "")
            # Only paths of this site: never redirect to another host (browsers
            # read "//host" and "/\\host" as one).
            if not target.startswith("/") or target.startswith("//") or "\\" in target:
                target = url_for("business.customers")
            return redirect(target, code=303)
        return render_template("admin/login.html", error=t("b_wrong_password")), 401
    return render_template("admin/login.html", error=None)


@bp.post("/logout")
def logout() -> Response:
    """Leave the business pages."""
    session.pop("admin", None)
    return redirect(url_for("business.login"), code=303)


@bp.get("/")
@admin_required
def customers() -> Page:
    """The customer list, filtered by status or archived, with counts."""
    kit = studio().kit
    chosen = request.args.get("filter", "")
    status, archived = FILTERS.get(chosen, (None, False))
    customers = kit.list_customers(status=status, archived=archived)
    found = kit.status_counts()
    counts = {status.value: found.get(status, 0) for status in Status}
    counts["archived"] = len(kit.list_customers(archived=True))
    return render_template(
        "admin/customers.html",
        customers=customers,
        counts=counts,
        chosen=chosen,
        total=sum(n for key, n in counts.items() if key != "archived"),
        locales=sorted(available_locales()),
        groups=kit.list_groups(),
    )


@bp.post("/customers")
@admin_required
def add_customer() -> Response:
    """Add a customer, and invite them at once when asked."""
    kit = studio().kit
    form = request.form
    try:
        customer = kit.add_customer(
            form.get("email", ""),
            first_name=form.get("first_name") or None,
            last_name=form.get("last_name") or None,
            locale=form.get("locale") or None,
            invite=bool(form.get("invite")),
        )
    except InviteKitError as err:
        flash(t("b_not_added", error=refusal(err)), "error")
    else:
        studio().deliver_if_inline()
        key = "b_added_invited" if form.get("invite") else "b_added"
        flash(t(key, email=customer.email), "success")
    return redirect(url_for("business.customers"), code=303)


@bp.get("/customers/<customer_id>")
@admin_required
def customer(customer_id: str) -> Page:
    """One customer: details, history, outbox messages."""
    return customer_page(customer_id)


def customer_page(customer_id: str, **extra: Any) -> str:
    """The customer's page, with ``extra`` values for its template."""
    kit = studio().kit
    found = kit.get_customer(customer_id)
    return render_template(
        "admin/customer.html",
        customer=found,
        history=kit.history(customer_id),
        messages=kit.outbox_messages(customer_id=customer_id),
        bookings=studio().data.bookings(customer_id),
        now=studio().now(),
        **extra,
    )


@bp.post("/customers/<customer_id>/<action>")
@admin_required
def customer_action(customer_id: str, action: str) -> Response:
    """Invite, archive or restore one customer."""
    kit = studio().kit
    try:
        if action == "invite":
            kit.invite(customer_id)
            studio().deliver_if_inline()
            flash(t("b_invitation_sent"), "success")
        elif action == "archive":
            kit.archive_customer(customer_id)
            flash(t("b_archived_done"), "success")
        elif action == "restore":
            kit.restore_customer(customer_id)
            flash(t("b_restored_done"), "success")
        else:
            flash(t("r_failed"), "error")
    except InvitationRefused as err:
        flash(t("b_not_invited", error=refusal(err)), "error")
    return redirect(url_for("business.customer", customer_id=customer_id), code=303)


# Inviting --------------------------------------------------------------------------------


def _audience(choice: str) -> Audience:
    if choice.startswith("group:"):
        return Audience.group(choice.removeprefix("group:"))
    if choice in {"added", "invited"}:
        return Audience.status(Status(choice))
    return Audience.all()


@bp.route("/invite", methods=["GET", "POST"])
@admin_required
def invite() -> Page:
    """The invite dialog: whom, the text (pre-filled, editable), preview, test, send.

    The subject and body are passed to invitekit only when the business
    changed them: an unchanged text lets every customer get the saved or
    shipped text of their own language.
    """
    kit = studio().kit
    source = request.form if request.method == "POST" else request.args
    audience_choice = source.get("audience", "all")
    locale = source.get("locale") or kit.business.default_locale
    template = kit.invitation_template(locale)
    subject = source.get("subject", template.subject)
    body = source.get("body", template.body)
    one_off: dict[str, Any] = {}
    if subject != template.subject:
        one_off["subject"] = subject
    if body.replace("\r\n", "\n") != template.body:
        one_off["body"] = body.replace("\r\n", "\n")
    error: str | None = None
    preview: Email | None = None
    try:
        plan = kit.plan_invitations(_audience(audience_choice))
    except InviteKitError as err:
        flash(refusal(err), "error")
        return redirect(url_for("business.invite"), code=303)
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "preview" and not plan.recipients:
                error = t("b_nothing_to_preview")
            elif action == "preview":
                preview = kit.preview_invitation(plan.recipients[0].id, **one_off)
            elif action == "test":
                sent = kit.send_test_invitation(_admin_email(), locale=locale, **one_off)
                flash(t("b_test_sent", email=sent.to), "success")
            elif action == "send":
                report = kit.invite_audience(
                    _audience(audience_choice), save=bool(request.form.get("save")), **one_off
                )
                studio().deliver_if_inline()
                skipped = ", ".join(f"{n} {w('skip', r)}" for r, n in report.skipped.items())
                flash(
                    tn("b_invitations_sent", report.queued)
                    + ("; " + t("b_skipped_list", list=skipped) if skipped else "")
                    + ".",
                    "success",
                )
                return redirect(url_for("business.customers"), code=303)
        except TemplateError as err:
            error = refusal(err)
        except DeliveryError as err:
            error = t("b_test_failed", error=refusal(err))
    return render_template(
        "admin/invite.html",
        audience=audience_choice,
        locale=locale,
        locales=sorted(available_locales()),
        groups=kit.list_groups(),
        subject=subject,
        body=body,
        plan=plan,
        preview=preview,
        error=error,
        admin_email=_admin_email(),
        customised=template.customised,
    )


def _admin_email() -> str:
    return str(current_app.config["ADMIN_EMAIL"])


@bp.get("/deliver")
@admin_required
def deliver_page() -> Response:
    """Opening the address sends nothing: say where the button is instead of a bare 405."""
    flash(t("b_deliver_hint"), "info")
    return redirect(url_for("business.customers"), code=303)


@bp.post("/deliver")
@admin_required
def deliver() -> Response:
    """Send everything queued now (the work a delivery worker does in production)."""
    report = studio().kit.deliver()
    flash(
        t(
            "b_delivered",
            sent=report.sent,
            retrying=report.retrying,
            failed=report.failed,
            cancelled=report.cancelled,
        ),
        "success",
    )
    return redirect(request.referrer or url_for("business.customers"), code=303)


# Settings --------------------------------------------------------------------------------

RULE_MODES = ("always", "never", "windowed")
LATE_OUTCOMES = (Outcome.REFUSED, Outcome.NEEDS_STAFF, Outcome.FORFEIT, Outcome.FREE)


def _rule_from_form(prefix: str) -> Rule:
    mode = request.form.get(f"{prefix}_mode", "windowed")
    if mode == "always":
        return Rule.always()
    if mode == "never":
        return Rule.never()
    try:
        hours = int(request.form.get(f"{prefix}_hours", "24"))
    except ValueError as err:
        raise InvalidPolicy(f"{prefix}: hours must be a whole number", field=prefix) from err
    late = Outcome(request.form.get(f"{prefix}_late", Outcome.REFUSED.value))
    return Rule.windowed(DurationCutoff(before=timedelta(hours=hours)), late=late)


def _rule_fields(rule: Rule) -> dict[str, Any]:
    hours = 24
    if isinstance(rule.cutoff, DurationCutoff):
        hours = int(rule.cutoff.before.total_seconds() // 3600)
    return {"mode": rule.mode.value, "hours": hours, "late": rule.late.value}


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings() -> Page:
    """The cancellation policy and the booking page's login mode."""
    app = studio()
    zone = app.kit.business.timezone
    error = None
    if request.method == "POST":
        try:
            maximum = request.form.get("max_reschedules", "").strip()
            policy = CancellationPolicy(
                timezone=zone,
                cancel=_rule_from_form("cancel"),
                reschedule=_rule_from_form("reschedule"),
                max_reschedules=int(maximum) if maximum.isdigit() else None,
            )
            mode = LoginMode(request.form.get("login_mode", LoginMode.OPTIONAL.value))
        except ValueError as err:  # InvalidPolicy, or a value no form of this page sends
            error = refusal(err)
        else:
            app.data.save_policy(policy)
            app.data.save_login_mode(mode)
            flash(t("b_settings_saved"), "success")
            return redirect(url_for("business.settings"), code=303)
    policy = app.data.policy(zone)
    page = render_template(
        "admin/settings.html",
        cancel=_rule_fields(policy.cancel),
        reschedule=_rule_fields(policy.reschedule),
        max_reschedules=policy.max_reschedules,
        login_mode=app.data.login_mode().value,
        login_modes=[m.value for m in LoginMode],
        rule_modes=RULE_MODES,
        late_outcomes=[o.value for o in LATE_OUTCOMES],
        error=error,
        policy_json=policy.to_dict(),
        reminder_days=format_list(
            [str(d.days) for d in app.kit.business.reminders.after], locale=page_locale()
        ),
    )
    return (page, 422) if error else page
