"""The customer pages: activation, sign-up, login, password reset, the portal, unsubscribing.

Every page speaks the customer's language (see ``app._choose_language``).  The
pattern for every emailed link is the same: the GET only *checks* the token
(``check_activation``, ``check_email_verification``, ``check_password_reset``,
``check_unsubscribe``, ``check_email_change``) and
shows a form, so mail scanners that open links change nothing; the form's POST
performs the change.  Each refusal of a link gets a page saying what to do.
"""

from __future__ import annotations

from datetime import timedelta

import attrs
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from invitekit.access import LoginRequirement, login_requirement
from invitekit.exceptions import (
    CustomerArchived,
    EmailAddressTaken,
    InvalidCredentials,
    InvalidEmail,
    LoginThrottled,
    PolicyRefused,
    TestInvitationToken,
    TokenError,
    TokenExpired,
    TokenUsed,
    ValidationError,
    VerificationSuperseded,
    WeakPassword,
)
from invitekit.model import Customer
from invitekit.policy import Action, BookingStatus, Decision, explain

from .app import Page, page_locale, refusal, studio, t, use_locale, when
from .data import StudioBooking

__all__ = ["Row", "apply_change", "bp", "link_problem"]

bp = Blueprint("customer", __name__)

_LOGIN_SHOWN = {LoginRequirement.OFFERED, LoginRequirement.REQUIRED}


# Links and their refusals ----------------------------------------------------------------


def link_problem(error: TokenError, *, purpose: str) -> tuple[str, int]:
    """The page for a refused link: what happened and what to do, with a fitting status."""
    if isinstance(error, TestInvitationToken):
        key, status = "err_test", 400
    elif isinstance(error, TokenExpired):
        expired = {
            "reset": "err_reset_expired",
            "verification": "err_verify_expired",
            "email change": "err_email_change_expired",
        }
        key, status = expired.get(purpose, "err_expired"), 410
    elif isinstance(error, TokenUsed):
        # A used activation or confirmation link means the profile is active: log in.
        activating = purpose in {"activation", "verification"}
        key, status = ("err_used" if activating else "err_reset_used"), 409
        if purpose == "email change":
            key = "err_email_change_used"
    elif isinstance(error, EmailAddressTaken):
        key, status = "err_email_taken", 409
    elif isinstance(error, CustomerArchived):
        key, status = "err_archived", 403
    elif isinstance(error, VerificationSuperseded):
        key, status = "err_verify_superseded", 409
    else:  # TokenInvalid, TokenWrongPurpose, TokenWrongBusiness: a damaged or foreign link
        key, status = "err_invalid", 400
    return render_template("link_problem.html", message=t(key), purpose=purpose), status


@bp.get("/")
def home() -> Page:
    """The studio's booking page, reduced to what the login mode means for the visitor."""
    mode = studio().data.login_mode()
    logged_in = _current_customer() is not None
    requirement = login_requirement(mode, logged_in=logged_in)
    return render_template(
        "home.html", requirement=requirement.value, offers_login=requirement in _LOGIN_SHOWN
    )


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str) -> Page:
    """GET: check the link and show the password form.  POST: activate the profile."""
    kit = studio().kit
    try:
        check = kit.check_activation(token)
    except TokenError as err:
        return link_problem(err, purpose="activation")
    use_locale(check.locale)
    error = None
    if request.method == "POST":
        try:
            customer = kit.accept_invitation(token, request.form.get("password", ""))
        except WeakPassword as err:
            error = refusal(err)
        except TokenError as err:
            return link_problem(err, purpose="activation")
        else:
            _log_in(customer)
            flash(t("activated"), "success")
            return redirect(url_for("customer.portal"), code=303)
    page = render_template("activate.html", check=check, error=error, token=token)
    return (page, 422) if error else page


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    """Log in with email and password."""
    error, status = None, 200
    if request.method == "POST":
        try:
            customer = studio().kit.login(
                request.form.get("email", ""),
                request.form.get("password", ""),
                client=request.remote_addr,
            )
        except LoginThrottled as err:
            error, status = refusal(err), 429
        except InvalidCredentials:
            error, status = t("login_failed"), 401
        else:
            _log_in(customer)
            return redirect(url_for("customer.portal"), code=303)
    return render_template("login.html", error=error), status


@bp.post("/logout")
def logout() -> Response:
    """Forget the logged-in customer (the business pages' login stays)."""
    session.pop("customer_id", None)
    flash(t("logged_out"), "success")
    return redirect(url_for("customer.login"), code=303)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> Page:
    """Ask for a password-reset link; the answer is the same whoever asks."""
    if request.method == "POST":
        try:
            studio().kit.request_password_reset(
                request.form.get("email", ""), locale=str(page_locale())
            )
        except InvalidEmail as err:
            return render_template("forgot.html", error=refusal(err)), 422
        studio().deliver_if_inline()
        flash(t("forgot_sent"), "success")
        return redirect(url_for("customer.login"), code=303)
    return render_template("forgot.html", error=None)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Page:
    """GET: check the reset link and show the form.  POST: set the new password."""
    kit = studio().kit
    try:
        check = kit.check_password_reset(token)
    except TokenError as err:
        return link_problem(err, purpose="reset")
    use_locale(check.locale)
    error = None
    if request.method == "POST":
        try:
            kit.reset_password(token, request.form.get("password", ""))
        except WeakPassword as err:
            error = refusal(err)
        except TokenError as err:
            return link_problem(err, purpose="reset")
        else:
            session.pop("customer_id", None)
            flash(t("reset_done"), "success")
            return redirect(url_for("customer.login"), code=303)
    page = render_template("reset.html", check=check, error=error, token=token)
    return (page, 422) if error else page


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Page:
    """Create a profile from the booking page; the address is confirmed by an emailed link.

    ``kit.register`` answers the same whatever the address (new, an invited
    customer's, an existing profile's), so the page cannot be used to find out
    who is a customer.
    """
    error = None
    if request.method == "POST":
        kit = studio().kit
        try:
            kit.register(
                request.form.get("email", ""),
                first_name=request.form.get("first_name") or None,
                locale=str(page_locale()),
                password=request.form.get("password", ""),
            )
        except ValidationError as err:  # the address, the password, the first name
            error = refusal(err)
        else:
            studio().deliver_if_inline()
            flash(t("signup_sent"), "success")
            return redirect(url_for("customer.login"), code=303)
    page = render_template("signup.html", error=error)
    return (page, 422) if error else page


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Page:
    """GET: check the confirmation link.  POST: confirm with the sign-up password.

    ``verify_email`` always needs the sign-up password: it proves that whoever
    confirms also signed up.  When the studio added the address since the
    sign-up, the link is refused and a new one is queued: send it at once.
    """
    kit = studio().kit
    try:
        check = kit.check_email_verification(token)
    except TokenError as err:
        return link_problem(err, purpose="verification")
    use_locale(check.locale)
    error = None
    if request.method == "POST":
        try:
            customer = kit.verify_email(token, password=request.form.get("password", ""))
        except InvalidCredentials:
            error = t("verify_wrong_password")
        except VerificationSuperseded as err:
            studio().deliver_if_inline()
            return link_problem(err, purpose="verification")
        except TokenError as err:
            return link_problem(err, purpose="verification")
        else:
            _log_in(customer)
            flash(t("activated"), "success")
            return redirect(url_for("customer.portal"), code=303)
    page = render_template("verify.html", check=check, error=error)
    return (page, 401) if error else page


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Page:
    """GET: a page with a button.  POST: unsubscribe (the button, or a one-click POST).

    This view is exempt from CSRF protection: RFC 8058 has mail programs POST
    ``List-Unsubscribe=One-Click`` to this URL without any page, cookie or form
    token.  That is safe because the signed token in the URL is itself the
    secret a forged request would lack, and the only thing it can do is opt
    its own customer out of invitation emails.
    """
    kit = studio().kit
    try:
        if request.method == "POST":
            customer = kit.unsubscribe(token)
            use_locale(customer.locale)
            return render_template("unsubscribed.html", email=customer.email)
        check = kit.check_unsubscribe(token)
    except TokenError as err:
        return link_problem(err, purpose="unsubscribe")
    use_locale(check.locale)
    return render_template("unsubscribe.html", email=check.email, token=token)


# The portal ------------------------------------------------------------------------------


def _log_in(customer: Customer) -> None:
    session["customer_id"] = customer.id
    studio().data.seed_demo_bookings(customer.id, studio().now())


def _current_customer() -> Customer | None:
    """The logged-in customer, if they may use the portal (Accepted and not archived)."""
    customer_id = session.get("customer_id")
    if customer_id is None or not studio().kit.can_use_portal(customer_id):
        return None
    return studio().kit.get_customer(customer_id)


@attrs.frozen(kw_only=True)
class Row:
    """A booking as the portal shows it, with the policy's answers for it."""

    booking: StudioBooking
    cancel: Decision
    reschedule: Decision

    @property
    def sentences(self) -> list[str]:
        """The policy's explanation of both answers (once when they say the same)."""
        texts = [
            explain(d, locale=page_locale(), formal=studio().kit.business.formal)
            for d in (self.cancel, self.reschedule)
        ]
        return list(dict.fromkeys(texts))


@bp.get("/portal")
def portal() -> Page:
    """Upcoming and past bookings, with cancel/reschedule buttons where the policy allows."""
    customer = _current_customer()
    if customer is None:
        flash(t("please_log_in"), "info")
        return redirect(url_for("customer.login"), code=303)
    app = studio()
    now = app.now()
    policy = app.data.policy(app.kit.business.timezone)
    upcoming, past = [], []
    for booking in app.data.bookings(customer.id):
        if booking.status is BookingStatus.BOOKED and booking.end > now:
            judged = booking.for_policy()
            upcoming.append(
                Row(
                    booking=booking,
                    cancel=policy.evaluate(judged, Action.CANCEL, now=now),
                    reschedule=policy.evaluate(judged, Action.RESCHEDULE, now=now),
                )
            )
        else:
            past.append(booking)
    past.reverse()
    return render_template("portal.html", customer=customer, upcoming=upcoming, past=past)


@bp.post("/portal/bookings/<booking_id>/<action>")
def change_booking(booking_id: str, action: str) -> Page:
    """Cancel or reschedule: the server asks the policy again, whatever the page showed."""
    customer = _current_customer()
    if customer is None:
        return redirect(url_for("customer.login"), code=303)
    try:
        wanted = Action(action)
    except ValueError:
        return render_template("message.html", title="404", message=t("not_found")), 404
    app = studio()
    booking = app.data.booking(customer.id, booking_id)
    if booking is None:
        return render_template("message.html", title="404", message=t("not_found")), 404
    policy = app.data.policy(app.kit.business.timezone)
    try:
        policy.ensure_allowed(booking.for_policy(), wanted, now=app.now())
    except PolicyRefused as err:
        sentence = explain(err.decision, locale=page_locale(), formal=studio().kit.business.formal)
        return render_template("refused.html", booking=booking, sentence=sentence), 409
    apply_change(booking, wanted)
    return redirect(url_for("customer.portal"), code=303)


def apply_change(booking: StudioBooking, wanted: Action) -> StudioBooking:
    """Cancel ``booking`` or move it a week on (the policy allowed it), and say so."""
    if wanted is Action.CANCEL:
        changed = attrs.evolve(booking, status=BookingStatus.CANCELLED)
        studio().data.save_booking(changed)
        flash(t("cancel_done"), "success")
        return changed
    changed = attrs.evolve(
        booking,
        start=booking.start + timedelta(days=7),
        end=booking.end + timedelta(days=7),
        reschedule_count=booking.reschedule_count + 1,
    )
    studio().data.save_booking(changed)
    flash(t("reschedule_done", date=when(changed.start)), "success")
    return changed


@bp.post("/portal/email")
def email_change() -> Page:
    """Ask to change the address: the password again, then a link to the new address.

    The answer is the same whatever the new address (another customer's too):
    only the link, followed by the owner of that address, can say it is taken.
    """
    customer = _current_customer()
    if customer is None:
        return redirect(url_for("customer.login"), code=303)
    try:
        studio().kit.request_email_change(
            customer.id,
            request.form.get("new_email", ""),
            password=request.form.get("password", ""),
        )
    except InvalidCredentials:
        flash(t("email_change_wrong_password"), "error")
    except (LoginThrottled, ValidationError) as err:
        flash(refusal(err), "error")
    else:
        studio().deliver_if_inline()
        flash(t("email_change_sent"), "success")
    return redirect(url_for("customer.portal"), code=303)


@bp.route("/email-change/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str) -> Page:
    """GET: check the link and show the new address.  POST: switch to it."""
    kit = studio().kit
    try:
        check = kit.check_email_change(token)
    except TokenError as err:
        return link_problem(err, purpose="email change")
    use_locale(check.locale)
    if request.method == "POST":
        try:
            changed = kit.confirm_email_change(token)
        except TokenError as err:
            return link_problem(err, purpose="email change")
        flash(t("email_changed", email=changed.email), "success")
        target = (
            "customer.portal" if session.get("customer_id") == changed.id else "customer.login"
        )
        return redirect(url_for(target), code=303)
    return render_template("confirm_email.html", check=check)


@bp.post("/portal/details")
def details() -> Page:
    """Change name and language (the address has its own form: ``email_change``)."""
    customer = _current_customer()
    if customer is None:
        return redirect(url_for("customer.login"), code=303)
    locale = request.form.get("locale") or None
    try:
        studio().kit.update_customer(
            customer.id,
            first_name=request.form.get("first_name", ""),
            last_name=request.form.get("last_name", ""),
            locale=locale,
        )
    except ValidationError as err:
        flash(refusal(err), "error")
    else:
        use_locale(locale)
        flash(t("details_saved"), "success")
    return redirect(url_for("customer.portal"), code=303)
