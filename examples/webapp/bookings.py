"""Booking confirmation emails with a link to the booking, and the page that link opens.

The studio sends a confirmation from the customer's page ("Email the booking
link"): the app's own email, in the customer's language, sent through the kit's
mailer, carrying :meth:`invitekit.InviteKit.booking_link` for that booking,
valid until the class starts.  The link opens ``/booking/<token>`` without a
login: :meth:`~invitekit.InviteKit.check_booking_link` says whose booking it is
(it changes nothing, so a mail scanner's GET is harmless), the app loads that
booking *of that customer*, and the studio's
:class:`~invitekit.policy.CancellationPolicy` decides which buttons the page
shows.  The POST checks the link and asks the policy again; a rescheduled
booking gets a new confirmation, since the old link ends at the old start.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from email.utils import formataddr, make_msgid

import attrs
from flask import flash, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response

from invitekit import Customer, Email, Purpose
from invitekit.dates import format_moment
from invitekit.exceptions import (
    CustomerArchived,
    InviteKitError,
    PolicyRefused,
    TokenError,
    TokenExpired,
    TokenUsed,
)
from invitekit.policy import Action, BookingStatus, explain

from . import business as business_pages
from . import customer as customer_pages
from .app import Page, page_locale, refusal, studio, t, use_locale
from .data import StudioBooking
from .texts import choose_locale, text

__all__ = [
    "Opened",
    "booking_action",
    "booking_page",
    "send_confirmation",
    "send_confirmation_page",
]


def send_confirmation(customer: Customer, booking: StudioBooking) -> None:
    """Email ``customer`` the confirmation of ``booking`` with its link, in their language.

    Raises:
        InviteKitError: no link can be made (the start is past, the customer is
            archived...) or the mailer refused the email.
    """
    kit = studio().kit
    business = kit.business
    link = kit.booking_link(customer.id, booking.id, valid_until=booking.start)
    locale = choose_locale([customer.locale], default=business.default_locale)
    date = format_moment(booking.start, locale=locale, timezone=business.timezone)

    def say(key: str, **values: object) -> str:
        return text(locale, key, formal=business.formal, business=business.name, **values)

    greeting = (
        say("bk_mail_greeting", name=customer.first_name)
        if customer.first_name
        else say("bk_mail_greeting_anonymous")
    )
    body = say("bk_mail_body", title=booking.title, date=date, link=link)
    kit.mailer.send(
        Email(
            sender=formataddr((business.name, business.sender)),
            to=customer.email,
            subject=say("bk_mail_subject", title=booking.title, date=date),
            text=f"{greeting}\n\n{body}\n\n{business.signature}\n",
            message_id=make_msgid(domain=business.sender.rpartition("@")[2]),
        )
    )


@business_pages.bp.post("/customers/<customer_id>/bookings/<booking_id>/confirmation")
@business_pages.admin_required
def send_confirmation_page(customer_id: str, booking_id: str) -> Response:
    """The studio emails a booking's confirmation (with its link) to the customer."""
    app = studio()
    customer = app.kit.get_customer(customer_id)
    booking = app.data.booking(customer.id, booking_id)
    if booking is None:
        flash(t("not_found"), "error")
    else:
        try:
            send_confirmation(customer, booking)
        except InviteKitError as err:
            flash(t("b_booking_not_sent", error=refusal(err)), "error")
        else:
            flash(t("b_booking_sent", email=customer.email), "success")
    return redirect(url_for("business.customer", customer_id=customer_id), code=303)


def _problem(token: str, error: TokenError) -> tuple[str, int]:
    """The page for a refused link, in its customer's language when the link is genuine."""
    kit = studio().kit
    with contextlib.suppress(TokenError, LookupError):
        # peek() checks the signature and the business, not the age or the state.
        customer_id = kit.tokens.peek(token, Purpose.BOOKING).customer_id
        if customer_id is not None:
            use_locale(kit.get_customer(customer_id).locale)
    if isinstance(error, TokenExpired):
        key, status = "bk_expired", 410
    elif isinstance(error, TokenUsed):
        key, status = "bk_used", 409
    elif isinstance(error, CustomerArchived):
        key, status = "err_archived", 403
    else:  # TokenInvalid, TokenWrongPurpose, TokenWrongBusiness: a damaged or foreign link
        return customer_pages.link_problem(error, purpose="booking")
    return render_template("link_problem.html", message=t(key), purpose="booking"), status


@attrs.frozen(kw_only=True)
class Opened:
    """What a valid booking link opens."""

    customer: Customer
    booking: StudioBooking
    valid_until: datetime


def _open(token: str) -> Opened | tuple[str, int]:
    """The customer and booking a link opens (in their language), or the page saying why not."""
    try:
        check = studio().kit.check_booking_link(token)
    except TokenError as err:
        return _problem(token, err)
    use_locale(check.customer.locale)
    # The link names a customer and a booking id: load the booking *of that customer*.
    booking = studio().data.booking(check.customer.id, check.booking_id)
    if booking is None:
        return render_template("message.html", title="404", message=t("bk_gone")), 404
    return Opened(customer=check.customer, booking=booking, valid_until=check.valid_until)


@customer_pages.bp.get("/booking/<token>")
def booking_page(token: str) -> Page:
    """The booking, with the cancel and reschedule buttons the policy allows now."""
    opened = _open(token)
    if not isinstance(opened, Opened):
        return opened
    booking = opened.booking
    app = studio()
    now = app.now()
    row = None
    if booking.status is BookingStatus.BOOKED and booking.end > now:
        policy = app.data.policy(app.kit.business.timezone)
        judged = booking.for_policy()
        row = customer_pages.Row(
            booking=booking,
            cancel=policy.evaluate(judged, Action.CANCEL, now=now),
            reschedule=policy.evaluate(judged, Action.RESCHEDULE, now=now),
        )
    response = make_response(
        render_template(
            "booking.html",
            customer=opened.customer,
            booking=booking,
            row=row,
            token=token,
            until=opened.valid_until,
        )
    )
    # The link works more than once: its URL must not leave in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@customer_pages.bp.post("/booking/<token>/<action>")
def booking_action(token: str, action: str) -> Page:
    """Cancel or reschedule from the link: the link and the policy are checked again."""
    try:
        wanted = Action(action)
    except ValueError:
        return render_template("message.html", title="404", message=t("not_found")), 404
    opened = _open(token)
    if not isinstance(opened, Opened):
        return opened
    booking = opened.booking
    app = studio()
    policy = app.data.policy(app.kit.business.timezone)
    try:
        policy.ensure_allowed(booking.for_policy(), wanted, now=app.now())
    except PolicyRefused as err:
        sentence = explain(err.decision, locale=page_locale(), formal=app.kit.business.formal)
        return render_template("refused.html", booking=booking, sentence=sentence), 409
    changed = customer_pages.apply_change(booking, wanted)
    if wanted is Action.RESCHEDULE:
        # The link ends at the old start: the moved booking gets a new confirmation.
        send_confirmation(opened.customer, changed)
    return redirect(url_for("customer.booking_page", token=token), code=303)
