"""The read-only view of a transaction that every shipped Store hands out for ``readonly=True``."""

from __future__ import annotations

from typing import NoReturn, cast

from invitekit.exceptions import ReadOnlyViolation
from invitekit.ports import Transaction

__all__ = ["READS", "read_only"]

# The Transaction methods that change nothing: the reads, and ``savepoint``, which only
# marks a point.  Listed, rather than the writes, so that a method added to the Protocol
# is refused here until someone decides that it changes nothing.
READS = frozenset(
    {
        "count_attempts",
        "count_customers",
        "find_customer",
        "find_group",
        "get_customer",
        "get_outbox",
        "get_registration",
        "get_template",
        "group_ids_of",
        "list_customers",
        "list_events",
        "list_groups",
        "list_outbox",
        "pending_customer_ids",
        "savepoint",
    }
)


class _ReadOnlyTransaction:
    """``tx``'s reading methods, as they are; any other method raises ReadOnlyViolation."""

    def __init__(self, tx: Transaction) -> None:
        # Bound once here, so that a read costs no more than on ``tx`` itself.
        for name in READS:
            setattr(self, name, getattr(tx, name))

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("_"):
            raise AttributeError(name)
        raise ReadOnlyViolation(f"{name}() changes the store: this transaction is read-only")


def read_only(tx: Transaction) -> Transaction:
    """A view of ``tx`` that reads through it and refuses every change."""
    return cast(Transaction, _ReadOnlyTransaction(tx))
