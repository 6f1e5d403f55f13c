"""Pacing at delivery: a claimed campaign message goes now, or waits for its moment.

A business's :class:`~invitekit.Pacing` holds for every process delivering
from one store: each invitation or reminder claimed for sending reserves a slot
in the business's hour and day windows with
:meth:`~invitekit.ports.Transaction.reserve_attempt` (an atomic count-and-record,
so that workers on several machines never pass a limit together).  A message
that gets no slot, or is claimed inside the quiet hours, is held back: it goes
back to pending, due at the next allowed moment
(:func:`invitekit.schedule.next_send_time`), its attempts as they were.
Account emails (a password reset, an address verification) are never held back:
they answer something the customer just did.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from invitekit.model import Business, MessageKind, OutboxMessage
from invitekit.ports import Transaction
from invitekit.schedule import DAY, HOUR, is_quiet, next_send_time

__all__ = ["DAY_KEY", "HOUR_KEY", "PACED", "held_back", "reserve_slot"]

#: The kinds of message pacing applies to: campaign mail.
PACED = frozenset({MessageKind.INVITATION, MessageKind.REMINDER})

#: The attempt keys (per business) the sends of the last hour and day are counted under.
HOUR_KEY = "pacing:hour"
DAY_KEY = "pacing:day"

# A window holds the sends made after its start (see invitekit.schedule), and
# reserve_attempt counts those at or after ``since``.
_TICK = timedelta(microseconds=1)
# One reservation in this many forgets the keys' sends older than a day.
_PRUNE_EVERY = 50


def reserve_slot(tx: Transaction, business: Business, now: datetime) -> datetime | None:
    """Reserve a slot for one campaign message of ``business`` sent ``now``.

    Returns:
        ``None`` when it may go now (the slot is recorded in ``tx``), else the
        moment it may go (nothing is recorded).
    """
    pacing = business.pacing
    if not pacing.paced:
        return None
    if not is_quiet(pacing, business.timezone, now):
        reserved: list[tuple[str, int]] = []
        for key, limit, window in (
            (HOUR_KEY, pacing.per_hour, HOUR),
            (DAY_KEY, pacing.per_day, DAY),
        ):
            if limit is None:
                continue
            number = tx.reserve_attempt(
                business.id, key, at=now, since=now - window + _TICK, limit=limit
            )
            if number is None:
                break
            reserved.append((key, number))
        else:
            if any(number % _PRUNE_EVERY == 0 for _key, number in reserved):
                # Now and then, forget the sends older than a day: they count no more.
                for key, _number in reserved:
                    tx.forget_attempts(business.id, key, before=now - DAY)
            return None
        for key, number in reserved:
            tx.release_attempt(business.id, key, number)
    # Every send reserves the day's key when there is a day limit, so its
    # times are all the sends of the last 24 hours; else the hour's key has them.
    key = DAY_KEY if pacing.per_day is not None else HOUR_KEY
    sent = tx.attempt_times(business.id, key, since=now - DAY)
    moment = next_send_time(pacing, timezone=business.timezone, now=now, sent=sent)
    # A limit lowered since the sends were counted could answer "now": wait a
    # little rather than spin (the next claim looks again).
    return moment if moment > now else now + timedelta(minutes=1)


def held_back(message: OutboxMessage, until: datetime) -> OutboxMessage:
    """``message`` (as claimed) back to pending until ``until``, as if never claimed.

    Its attempts are those it had before the claim, and its links, if the
    claim was its first, are issued when it is finally claimed to be sent.
    """
    attempts = message.attempts - 1
    return attrs.evolve(
        message,
        claimed_until=None,
        not_before=until,
        attempts=attempts,
        links_issued_at=message.links_issued_at if attempts else None,
    )
