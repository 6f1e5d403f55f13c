"""The dict form of a policy: plain JSON-able values, read back with every field checked.

:func:`to_dict` writes what :meth:`CancellationPolicy.to_dict` returns and
:func:`from_dict` reads it for :meth:`CancellationPolicy.from_dict`.  Reading refuses
unknown keys and names every problem by its dotted path (``"cancel.cutoff.seconds"``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from invitekit.exceptions import InvalidPolicy
from invitekit.policy._time import Cutoff, DurationCutoff, WallClockCutoff
from invitekit.policy._validation import fail
from invitekit.policy._values import Fee, FixedFee, Outcome, PercentFee, Rule, RuleMode

if TYPE_CHECKING:
    from invitekit.policy._policy import CancellationPolicy

#: The version of the dict form written by :meth:`CancellationPolicy.to_dict`.
DICT_VERSION = 1


def to_dict(policy: CancellationPolicy) -> dict[str, Any]:
    """``policy`` in the dict form, for :meth:`CancellationPolicy.to_dict`."""
    return {
        "version": DICT_VERSION,
        "timezone": policy.timezone,
        "cancel": _rule_to_dict(policy.cancel),
        "reschedule": _rule_to_dict(policy.reschedule),
        "max_reschedules": policy.max_reschedules,
        "no_reschedule_when_late": policy.no_reschedule_when_late,
        "staff_override": policy.staff_override,
        "inclusive": policy.inclusive,
    }


def from_dict(
    policy_class: type[CancellationPolicy], data: Mapping[str, Any]
) -> CancellationPolicy:
    """A ``policy_class`` built from the dict form, for :meth:`CancellationPolicy.from_dict`."""
    reader = _Reader(data, "")
    version = reader.optional("version", int, DICT_VERSION)
    if version != DICT_VERSION:
        raise fail(
            f"unsupported version {version!r} (this library reads {DICT_VERSION})", "version"
        )
    policy = policy_class(
        timezone=reader.required("timezone", str),
        cancel=_rule_from_dict(reader.optional("cancel", dict, None), "cancel"),
        reschedule=_rule_from_dict(reader.optional("reschedule", dict, None), "reschedule"),
        max_reschedules=reader.optional("max_reschedules", int, None),
        no_reschedule_when_late=reader.optional("no_reschedule_when_late", bool, False),
        staff_override=reader.optional("staff_override", bool, True),
        inclusive=reader.optional("inclusive", bool, True),
    )
    reader.done()
    return policy


def _rule_to_dict(rule: Rule) -> dict[str, Any]:
    cutoff: dict[str, Any] | None
    match rule.cutoff:
        case DurationCutoff(before=before):
            cutoff = {"kind": "duration", "seconds": before // timedelta(seconds=1)}
        case WallClockCutoff(days_before=days, at=at):
            cutoff = {"kind": "wall_clock", "days_before": days, "at": at.strftime("%H:%M")}
        case _:
            cutoff = None
    fee: dict[str, Any] | None
    match rule.fee:
        case FixedFee(amount=amount, currency=currency):
            fee = {"kind": "fixed", "amount": str(amount), "currency": currency}
        case PercentFee(percent=percent):
            fee = {"kind": "percent", "percent": str(percent)}
        case _:
            fee = None
    grace = rule.grace_period
    return {
        "mode": rule.mode.value,
        "cutoff": cutoff,
        "late": rule.late.value,
        "fee": fee,
        "grace_period": None if grace is None else grace // timedelta(seconds=1),
    }


class _Reader:
    """Reads one level of a policy dict, naming every problem by its dotted path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise fail(f"must be an object (dict), got {type(data).__name__}", path or None)
        self.data, self.path, self.seen = data, path, set[str]()

    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def required(self, key: str, kind: type[Any]) -> Any:
        if key not in self.data or self.data[key] is None:
            raise fail("is required", self.field(key))
        return self.optional(key, kind, None)

    def optional(self, key: str, kind: type[Any], default: Any) -> Any:
        self.seen.add(key)
        value = self.data.get(key)
        if value is None:
            return default
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise fail(f"must be {kind.__name__}, got {value!r}", self.field(key))
        return value

    def choice(self, key: str, enum_type: type[enum.StrEnum], default: Any) -> Any:
        value = self.optional(key, str, default)
        try:
            return enum_type(value)
        except ValueError as err:
            allowed = ", ".join(repr(m.value) for m in enum_type)
            raise fail(f"must be one of {allowed}, got {value!r}", self.field(key)) from err

    def decimal(self, key: str) -> Decimal:
        text = self.required(key, str)
        try:
            return Decimal(text)
        except InvalidOperation as err:
            raise fail(
                f"must be a decimal number as a string, got {text!r}", self.field(key)
            ) from err

    def done(self) -> None:
        unknown = sorted(str(k) for k in self.data if k not in self.seen)
        if unknown:
            raise fail(f"unknown key(s) {', '.join(unknown)}", self.field(unknown[0]))


_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_T = TypeVar("_T")


def _build(rule_path: str, factory: Callable[[], _T]) -> _T:
    """Call ``factory``; re-raise its :class:`InvalidPolicy` with the field under ``rule_path``."""
    try:
        return factory()
    except InvalidPolicy as err:
        if err.field is None:
            raise
        message = str(err).removeprefix(f"{err.field}: ")
        raise fail(message, f"{rule_path}.{err.field}") from err


def _rule_from_dict(data: object, path: str) -> Rule:
    if data is None:
        return Rule.always()
    reader = _Reader(data, path)
    mode = reader.choice("mode", RuleMode, None) if "mode" in reader.data else None
    if mode is None:
        raise fail("is required", reader.field("mode"))
    cutoff = _cutoff_from_dict(reader.optional("cutoff", dict, None), path)
    fee = _fee_from_dict(reader.optional("fee", dict, None), path)
    late = reader.choice("late", Outcome, Outcome.REFUSED.value)
    grace = reader.optional("grace_period", int, None)
    reader.done()
    return _build(
        path,
        lambda: Rule(
            mode=mode,
            cutoff=cutoff,
            late=late,
            fee=fee,
            grace_period=None if grace is None else timedelta(seconds=grace),
        ),
    )


def _cutoff_from_dict(data: object, rule_path: str) -> Cutoff | None:
    if data is None:
        return None
    reader = _Reader(data, f"{rule_path}.cutoff")
    kind = reader.required("kind", str)
    cutoff: Cutoff
    if kind == "duration":
        seconds = reader.required("seconds", int)
        if seconds < 0:
            raise fail(f"must not be negative, got {seconds}", reader.field("seconds"))
        cutoff = _build(rule_path, lambda: DurationCutoff(before=timedelta(seconds=seconds)))
    elif kind == "wall_clock":
        days = reader.required("days_before", int)
        text = reader.required("at", str)
        match = _HH_MM.fullmatch(text)
        if match is None:
            raise fail(f"must be 'HH:MM' (24-hour), got {text!r}", reader.field("at"))
        if days < 0:
            raise fail(f"must not be negative, got {days}", reader.field("days_before"))
        at = time(int(match.group(1)), int(match.group(2)))
        cutoff = _build(rule_path, lambda: WallClockCutoff(days_before=days, at=at))
    else:
        raise fail(f"must be 'duration' or 'wall_clock', got {kind!r}", reader.field("kind"))
    reader.done()
    return cutoff


def _fee_from_dict(data: object, rule_path: str) -> Fee | None:
    if data is None:
        return None
    reader = _Reader(data, f"{rule_path}.fee")
    kind = reader.required("kind", str)
    fee: Fee
    if kind == "fixed":
        amount, currency = reader.decimal("amount"), reader.required("currency", str)
        fee = _build(rule_path, lambda: FixedFee(amount=amount, currency=currency))
    elif kind == "percent":
        percent = reader.decimal("percent")
        fee = _build(rule_path, lambda: PercentFee(percent=percent))
    else:
        raise fail(f"must be 'fixed' or 'percent', got {kind!r}", reader.field("kind"))
    reader.done()
    return fee
