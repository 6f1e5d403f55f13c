"""The read-only view of a transaction that every shipped Store hands out for ``readonly=True``."""

from __future__ import annotations

import operator
from typing import NoReturn, cast

from invitekit.exceptions import ReadOnlyViolation
from invitekit.ports import Transaction

__all__ = ["READS", "read_only"]

# The Transaction methods that change nothing: the reads, and ``savepoint``, which only
# marks a point.  Listed, rather than the writes, so that a method added to the Protocol
# is refused here until someone decides that it changes nothing.
READS = frozenset(
    {
        "campaign_sends",
        "attempt_times",
        "business_ids",
        "campaign_counts",
        "count_attempts",
        "count_customers",
        "customer_and_unopened_campaign",
        "feed_head",
        "find_customer",
        "find_group",
        "find_identity",
        "get_customer",
        "get_email_change",
        "get_outbox",
        "get_business",
        "get_campaign",
        "get_registration",
        "get_template_revision",
        "group_ids_of",
        "identities_of",
        "last_campaign_of",
        "latest_template",
        "list_campaigns",
        "list_customers",
        "list_events",
        "list_groups",
        "list_outbox",
        "list_webhooks",
        "pending_customer_ids",
        "registrations_for",
        "read_feed",
        "reminder_candidates",
        "savepoint",
    }
)


class _ReadOnlyTransaction:
    """``tx``'s methods that change nothing, as they are; any other raises ReadOnlyViolation."""

    __slots__ = ("_tx",)

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> NoReturn:
        # Reached only for names that are not among the READS properties below.
        if name.startswith("_"):
            raise AttributeError(name)
        raise ReadOnlyViolation(f"{name}() changes the store: this transaction is read-only")


# One property per read, ``tx``'s own method: the cheapest way there, on every call.
for _name in READS:
    setattr(_ReadOnlyTransaction, _name, property(operator.attrgetter(f"_tx.{_name}")))


def read_only(tx: Transaction) -> Transaction:
    """A view of ``tx`` that reads through it and refuses every change."""
    return cast(Transaction, _ReadOnlyTransaction(tx))
