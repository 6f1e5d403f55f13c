"""The sentence that tells a customer what a :class:`Decision` means, in their language.

The English texts are message ids of the ``invitekit`` catalog (``locales/``: English,
German, Spanish, French); dates are written in the locale's one date style
(:func:`invitekit.dates.format_moment`) in the policy's zone, fees with Babel.
"""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from babel.numbers import format_currency

from invitekit.dates import format_moment
from invitekit.i18n import gettext_noop as _
from invitekit.i18n import negotiate_locale, translate, translations
from invitekit.policy._values import Action, Decision, Outcome, Reason

_TEXTS: dict[tuple[Action | None, Reason, Outcome | None], str] = {
    (Action.CANCEL, Reason.WITHIN_WINDOW, None): _(
        "You can cancel free of charge until {deadline}."
    ),
    (Action.CANCEL, Reason.ALWAYS, None): _(
        "You can cancel free of charge until the booking starts."
    ),
    (Action.CANCEL, Reason.LATE, Outcome.FREE): _(
        "You can cancel free of charge until the booking starts."
    ),
    (Action.CANCEL, Reason.GRACE_PERIOD, None): _(
        "You booked only recently, so you can cancel free of charge until {grace_ends}."
    ),
    (Action.CANCEL, Reason.LATE, Outcome.FEE): _(
        "The free cancellation period ended on {deadline}; if you cancel now, a fee of"
        " {fee} applies."
    ),
    (Action.CANCEL, Reason.LATE, Outcome.FORFEIT): _(
        "The free cancellation period ended on {deadline}; if you cancel now, you lose the"
        " credit for this booking."
    ),
    (Action.CANCEL, Reason.LATE, Outcome.NEEDS_STAFF): _(
        "The free cancellation period ended on {deadline}; please contact us to cancel."
    ),
    (Action.CANCEL, Reason.OUTSIDE_WINDOW, None): _(
        "It is too late to cancel: cancelling was possible until {deadline}."
    ),
    (Action.CANCEL, Reason.DISABLED, None): _("This booking cannot be cancelled online."),
    (Action.CANCEL, Reason.STAFF_OVERRIDE, None): _(
        "Staff override: you can cancel this booking although the policy would not allow it."
    ),
    (Action.RESCHEDULE, Reason.WITHIN_WINDOW, None): _(
        "You can reschedule free of charge until {deadline}."
    ),
    (Action.RESCHEDULE, Reason.ALWAYS, None): _(
        "You can reschedule free of charge until the booking starts."
    ),
    (Action.RESCHEDULE, Reason.LATE, Outcome.FREE): _(
        "You can reschedule free of charge until the booking starts."
    ),
    (Action.RESCHEDULE, Reason.GRACE_PERIOD, None): _(
        "You booked only recently, so you can reschedule free of charge until {grace_ends}."
    ),
    (Action.RESCHEDULE, Reason.LATE, Outcome.FEE): _(
        "The free rescheduling period ended on {deadline}; if you reschedule now, a fee of"
        " {fee} applies."
    ),
    (Action.RESCHEDULE, Reason.LATE, Outcome.FORFEIT): _(
        "The free rescheduling period ended on {deadline}; if you reschedule now, you lose"
        " the credit for this booking."
    ),
    (Action.RESCHEDULE, Reason.LATE, Outcome.NEEDS_STAFF): _(
        "The free rescheduling period ended on {deadline}; please contact us to reschedule."
    ),
    (Action.RESCHEDULE, Reason.OUTSIDE_WINDOW, None): _(
        "It is too late to reschedule: rescheduling was possible until {deadline}."
    ),
    (Action.RESCHEDULE, Reason.LATE_RESCHEDULE, None): _(
        "It is too late to reschedule: rescheduling was possible until {deadline}."
    ),
    (Action.RESCHEDULE, Reason.DISABLED, None): _("This booking cannot be rescheduled online."),
    (Action.RESCHEDULE, Reason.LIMIT_REACHED, None): _(
        "This booking has already been rescheduled as often as allowed."
    ),
    (Action.RESCHEDULE, Reason.STAFF_OVERRIDE, None): _(
        "Staff override: you can reschedule this booking although the policy would not allow it."
    ),
    (None, Reason.ALREADY_CANCELLED, None): _("This booking has already been cancelled."),
    (None, Reason.ALREADY_STARTED, None): _("This booking has already started."),
    (None, Reason.ALREADY_ENDED, None): _("This booking has already ended."),
}


def explain(decision: Decision, *, locale: Locale | str, formal: bool = False) -> str:
    """One sentence telling a customer what ``decision`` means, in their language.

    Dates are in the policy's zone, in the locale's date style
    ("You can cancel free of charge until Thursday, March 5, 2026 at 6:00 PM.").

    Args:
        decision: from :meth:`CancellationPolicy.evaluate`.
        locale: the customer's locale (``"es"``, ``"de_AT"``); falls back to its
            language, then English, as :func:`invitekit.i18n.negotiate_locale` does.
        formal: address the customer formally (German "Sie", Spanish "usted"),
            as :attr:`invitekit.Business.formal` asks; French says "vous" and
            English "you" either way.

    Returns:
        The translated sentence.
    """
    chosen = negotiate_locale([str(locale)], default="en")
    catalog = translations(chosen)
    template = next(
        _TEXTS[key]
        for key in (
            (decision.action, decision.reason, decision.outcome),
            (decision.action, decision.reason, None),
            (None, decision.reason, None),
        )
        if key in _TEXTS
    )

    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_moment(moment, locale=chosen, timezone=decision.timezone)

    fee = decision.fee
    sentence = translate(catalog, template, formal=formal).format(
        deadline=when(decision.deadline),
        grace_ends=when(decision.grace_ends),
        fee="" if fee is None else format_currency(fee.amount, fee.currency, locale=chosen),
    )
    # A time ending in an abbreviation ("6:00 p.m.") ends the sentence too.
    return sentence[:-1] if sentence.endswith("..") else sentence
