"""Cancellation and rescheduling policies, and the decisions they make.

A :class:`CancellationPolicy` is a pure value: it reads no clock and performs no
I/O, so the page that decides whether to show a "cancel" button and the request
that performs the cancellation ask the same question, :meth:`~CancellationPolicy.evaluate`,
with the same ``now``, and get the same :class:`Decision`.

Time is exact in the policy's zone:

* A :class:`DurationCutoff` ("24 hours before") is elapsed time: the deadline is
  exactly that many real seconds before the start, even when the night between
  has 23 or 25 hours.
* A :class:`WallClockCutoff` ("1 day before at 18:00") is read on the clocks of
  the policy's zone: the deadline is the first moment at which those clocks show
  the stated local date and time or later.  So a time that exists twice (the
  autumn fold) means its *first* occurrence, and a time that does not exist (the
  spring gap) means the moment the clocks jump past it (02:30 in Vienna on the
  day clocks go from 02:00 to 03:00 means 03:00 CEST; 02:15 on Lord Howe Island,
  where they go from 02:00 to 02:30, means 02:30).
* Every datetime must be aware; naive ones are refused with :class:`InvalidBooking`.
"""

from __future__ import annotations

# The modules, bottom up; each imports at run time only those before it:
# _validation, _time, _values, _evaluate, _dictform, _policy, _explain.
from invitekit.policy._dictform import DICT_VERSION
from invitekit.policy._explain import explain
from invitekit.policy._policy import CancellationPolicy
from invitekit.policy._time import Cutoff, DurationCutoff, WallClockCutoff, resolve_wall_time
from invitekit.policy._values import (
    Action,
    Actor,
    Booking,
    BookingStatus,
    Decision,
    Fee,
    FixedFee,
    Money,
    Outcome,
    PercentFee,
    Reason,
    Rule,
    RuleMode,
)

__all__ = [
    "DICT_VERSION",
    "Action",
    "Actor",
    "Booking",
    "BookingStatus",
    "CancellationPolicy",
    "Cutoff",
    "Decision",
    "DurationCutoff",
    "Fee",
    "FixedFee",
    "Money",
    "Outcome",
    "PercentFee",
    "Reason",
    "Rule",
    "RuleMode",
    "WallClockCutoff",
    "explain",
    "resolve_wall_time",
]
