"""The checks shared by the policy's values: each refusal is an InvalidPolicy naming its field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies

from invitekit.exceptions import InvalidPolicy


def fail(message: str, field: str | None = None) -> InvalidPolicy:
    """An :class:`InvalidPolicy` for ``field``, whose message starts with the field's name."""
    return InvalidPolicy(message if field is None else f"{field}: {message}", field=field)


def check_zone(_instance: object, _attribute: object, value: Any) -> None:
    """An attrs validator: ``value`` is the name of a time zone ``zoneinfo`` knows."""
    if not isinstance(value, str) or not value:
        raise fail("must be an IANA time zone name such as 'Europe/Vienna'", "timezone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise fail(f"unknown time zone {value!r}", "timezone") from err


def check_currency(value: object, field: str) -> None:
    """``value`` is an ISO 4217 currency code Babel knows."""
    if not isinstance(value, str) or value not in list_currencies():
        raise fail(f"unknown currency code {value!r} (use ISO 4217, e.g. 'EUR')", field)


def check_decimal(value: object, field: str) -> Decimal:
    """``value`` is a finite :class:`~decimal.Decimal`; returns it."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise fail(f"must be a finite Decimal, got {value!r}", field)
    return value


# A policy's durations (cutoffs, grace periods) are at most ten years.
_LONGEST = timedelta(days=3660)


def check_duration(value: object, field: str, *, allow_zero: bool) -> None:
    """``value`` is a :class:`~datetime.timedelta` of whole seconds, positive (or zero)."""
    if not isinstance(value, timedelta):
        raise fail(f"must be a timedelta, got {type(value).__name__}", field)
    if value < timedelta(0) or (value == timedelta(0) and not allow_zero):
        raise fail(f"must be {'zero or ' if allow_zero else ''}positive, got {value}", field)
    if value.microseconds:
        raise fail(f"must be a whole number of seconds, got {value}", field)
    if value > _LONGEST:
        raise fail(f"must be at most {_LONGEST.days} days, got {value}", field)
