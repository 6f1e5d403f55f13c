"""Privacy requests and retention: export a customer, erase one, purge what is past retention.

See docs/privacy.md for what is stored, for how long, and what each of these
leaves behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from invitekit.facade import FacadePart
from invitekit.flows import privacy
from invitekit.privacy import PurgeReport, Retention

__all__ = ["PrivacyMethods"]


class PrivacyMethods(FacadePart):
    """Exporting and erasing a customer on request, purging what is past its retention."""

    retention: Retention

    def export_customer(self, customer_id: str) -> dict[str, Any]:
        """Everything stored about a customer, for a request of access or portability.

        The profile, status, groups, history (``events``), the metadata of the
        emails sent or queued to them, failed logins, account-email requests,
        and sign-ups waiting for one of their addresses; every key is documented
        in docs/privacy.md.  Times are ISO 8601 strings (UTC); the result is
        JSON-serialisable as it is (``json.dumps``).  The password hash is never
        exported, only whether there is one.

        Args:
            customer_id: the customer's id.

        Returns:
            a dict of plain values (str, int, bool, None, lists and dicts).

        Raises:
            CustomerNotFound: no such customer (an erased one included).
        """
        return privacy.export_customer(self._ctx, customer_id)

    def erase_customer(self, customer_id: str, *, by: str | None = None) -> None:
        """Remove every personal datum of a customer, on request (the right to erasure).

        In one transaction: the profile (address, names, password hash...),
        group memberships, sign-ups and throttle attempts of any address the
        customer has had, the addresses and server texts of their emails, and
        the details of their history are removed; queued emails are withdrawn.
        What stays is anonymous: the outbox rows and funnel events a campaign
        report counts (so its figures stay right), and an
        :attr:`EventKind.ERASED <invitekit.EventKind.ERASED>` event without
        personal data.  Afterwards the customer is no longer listed, found or
        counted (:meth:`status_counts`), every link already sent to them is
        refused (:class:`~invitekit.TokenInvalid`), and the address may be added
        again as a new customer.

        Args:
            customer_id: the customer's id.
            by: who asked for it (a member of staff), kept in the ``ERASED`` event.

        Raises:
            CustomerNotFound: no such customer (already erased included).
            ConcurrentUpdate: a worker is sending an email to the customer right
                now (its claim is live); nothing changed: try again after the
                worker's lease (``OutboxSettings.lease``, 5 minutes at most).
        """
        privacy.erase_customer(self._ctx, customer_id, by=by)

    def purge(self, now: datetime | None = None) -> PurgeReport:
        """Remove this business's data that is past its retention (:attr:`retention`).

        Unconfirmed sign-ups, old throttle attempts, the address and server
        text of old finished emails (old account-email rows entirely), and old
        history events (those a campaign's funnel counts stay, anonymised), in
        batches of ``retention.batch_size``, one short transaction each, so it
        can run beside live traffic.  Running it again removes nothing more.

        Args:
            now: the moment retention is counted from; the clock's time by default.

        Returns:
            how many records of each kind were removed or changed.
        """
        ctx = self._ctx
        return privacy.purge(
            ctx.store, ctx.business.id, self.retention, now=now or ctx.clock.now()
        )
