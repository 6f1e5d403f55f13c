"""Customers and groups: the part of :class:`~invitekit.InviteKit` that keeps the customer file."""

from __future__ import annotations

from collections.abc import Iterable

from invitekit.exceptions import InvalidName
from invitekit.facade import FacadePart
from invitekit.flows import (
    customers,
)
from invitekit.i18n import clean_locale
from invitekit.importing import ImportReport
from invitekit.model import (
    Customer,
    Event,
    Group,
    Status,
    clean_name,
)

__all__ = ["CustomerMethods"]

_UNSET: object = object()


class CustomerMethods(FacadePart):
    """Adding, importing, finding, changing and archiving customers; groups."""

    # Customers ---------------------------------------------------------------------------

    def add_customer(
        self,
        email: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str | None = None,
        invite: bool = False,
        groups: Iterable[str] = (),
        auth_provider: str | None = None,
    ) -> Customer:
        """Add a customer (status Added), optionally inviting them in the same step.

        Args:
            email: the address; see :mod:`invitekit.emails` for what counts as the same.
            first_name: optional; used in the greeting.
            last_name: optional.
            locale: the customer's language (``"es"``, ``"de_AT"``); ``None`` for the
                business default.
            invite: queue an invitation at once (in the same transaction).
            groups: names of existing groups to add the customer to.
            auth_provider: for a customer who signs in with an external provider
                (``"google"``, ``"facebook"``...): the profile is active through it,
                so the customer is Accepted at once, has no password and cannot be
                invited; "forgot password" tells them to sign in with the provider.

        Returns:
            the stored customer.

        Raises:
            InvalidEmail, InvalidName, InvalidLocale: bad input; nothing is stored.
            DuplicateCustomer: the business already has this address (in any case
                or Unicode form).
            GroupNotFound: one of ``groups`` does not exist; nothing is stored.
            InvitationRefused: ``invite=True`` with an ``auth_provider``.
        """
        return customers.add_customer(
            self._ctx,
            email,
            first_name=first_name,
            last_name=last_name,
            locale=locale,
            invite=invite,
            groups=groups,
            auth_provider=auth_provider,
        )

    def import_customers(
        self,
        source: str | Iterable[str],
        *,
        group: str | None = None,
        invite: bool = False,
    ) -> ImportReport:
        """Add the customers of a CSV export (see :mod:`invitekit.importing` for the columns).

        Lines with errors are reported, not raised; addresses that are already
        customers are reported and left unchanged, so importing the same file
        twice adds nobody the second time.  Groups named in the file, and
        ``group``, are created when missing.  Customers are added in batches,
        each in one transaction together with their group memberships and (with
        ``invite=True``) their invitations.

        Args:
            source: the CSV text, or an open text file.
            group: a group to put every imported customer in.
            invite: queue an invitation for each new customer.

        Raises:
            ValidationError: the file is not CSV or has no ``email`` column;
                nothing is stored.
        """
        return customers.import_customers(self._ctx, source, group=group, invite=invite)

    def get_customer(self, customer_id: str) -> Customer:
        """The customer with this id.

        Raises:
            CustomerNotFound: no such customer in this business.
        """
        return customers.get_customer(self._ctx, customer_id)

    def find_customer(self, email: str) -> Customer | None:
        """The customer with this address (any case of the local part), or ``None``.

        Raises:
            InvalidEmail: ``email`` is not an address.
        """
        return customers.find_customer(self._ctx, email)

    def list_customers(
        self,
        *,
        status: Status | None = None,
        group: str | None = None,
        archived: bool | None = False,
    ) -> list[Customer]:
        """Customers in creation order, filtered.

        Args:
            status: only this status.
            group: only members of the group with this name.
            archived: ``False`` (default) active customers only, ``True`` archived
                only, ``None`` both.

        Raises:
            GroupNotFound: no group with this name.
        """
        return customers.list_customers(self._ctx, status=status, group=group, archived=archived)

    def update_customer(
        self,
        customer_id: str,
        *,
        email: str | object = _UNSET,
        first_name: str | object | None = _UNSET,
        last_name: str | object | None = _UNSET,
        locale: str | object | None = _UNSET,
        by: str | None = None,
    ) -> Customer:
        """Change a customer's details; only the arguments given change.

        Changing the email address invalidates every link already sent and
        withdraws a queued invitation (it was addressed to the old address).

        Args:
            by: who made the change (a member of staff's id, up to 64
                characters), recorded as :attr:`~invitekit.Event.by`.

        Raises:
            CustomerNotFound, InvalidEmail, InvalidName, InvalidLocale: nothing changes.
            ValidationError: ``by`` is not a short line of text.
            DuplicateCustomer: another customer has the new address.
        """
        changes: dict[str, str | None] = {}
        if first_name is not _UNSET:
            changes["first_name"] = clean_name(_str_or_none(first_name), field="first_name")
        if last_name is not _UNSET:
            changes["last_name"] = clean_name(_str_or_none(last_name), field="last_name")
        if locale is not _UNSET:
            changes["locale"] = clean_locale(_str_or_none(locale))
        address = None if email is _UNSET else _str_or_none(email) or ""
        return customers.update_customer(
            self._ctx, customer_id, email=address, changes=changes, by=by
        )

    def archive_customer(self, customer_id: str, *, by: str | None = None) -> Customer:
        """Archive a customer: no invitations, no login, every link already sent dies.

        A queued invitation is withdrawn.  Archiving an archived customer changes nothing.

        Args:
            by: who made the change (a member of staff's id, up to 64
                characters), recorded as :attr:`~invitekit.Event.by`.

        Raises:
            CustomerNotFound: no such customer.
            ValidationError: ``by`` is not a short line of text.
        """
        return customers.archive_customer(self._ctx, customer_id, by=by)

    def restore_customer(self, customer_id: str, *, by: str | None = None) -> Customer:
        """Bring an archived customer back with the status they had.

        Links sent before archiving stay dead; invite again if needed.

        Args:
            by: who made the change (a member of staff's id, up to 64
                characters), recorded as :attr:`~invitekit.Event.by`.

        Raises:
            CustomerNotFound: no such customer.
            ValidationError: ``by`` is not a short line of text.
        """
        return customers.restore_customer(self._ctx, customer_id, by=by)

    def history(self, customer_id: str) -> list[Event]:
        """A customer's event log, oldest first.

        Raises:
            CustomerNotFound: no such customer.
        """
        return customers.history(self._ctx, customer_id)

    def can_use_portal(self, customer_id: str) -> bool:
        """Whether the customer may see their bookings and products (Accepted, not archived).

        Only Accepted, non-archived customers may; an unknown id may not.
        """
        return customers.can_use_portal(self._ctx, customer_id)

    def status_counts(self) -> dict[Status, int]:
        """How many active (non-archived) customers have each status."""
        return customers.status_counts(self._ctx)

    # Groups ------------------------------------------------------------------------

    def create_group(self, name: str) -> Group:
        """Create a named group of customers.

        Raises:
            InvalidName: an empty or unusable name.
            DuplicateGroup: a group with this name (in any case) exists.
        """
        return customers.create_group(self._ctx, name)

    def add_to_group(self, name: str, customer_ids: Iterable[str]) -> None:
        """Add customers to the group called ``name``.

        Raises:
            GroupNotFound, CustomerNotFound: nothing is added.
        """
        customers.add_to_group(self._ctx, name, customer_ids)

    def list_groups(self) -> list[Group]:
        """Every group of the business, by name."""
        return customers.list_groups(self._ctx)


def _str_or_none(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidName("expected text", field=None, code="not_text")
