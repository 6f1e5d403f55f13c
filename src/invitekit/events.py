"""A customer's history: what happened (:class:`EventKind`), when, and a note.

The values here are stored: an event's kind and its fixed notes
(:class:`EventNote`) are stable, so an application can show a history line in
its reader's language without parsing English.  :mod:`invitekit.model`
re-exports them.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

__all__ = ["Event", "EventKind", "EventNote"]


class EventKind(enum.StrEnum):
    """What happened to a customer, as recorded in their event log.

    ``BOUNCED``: a bounce came back for a message to them (its detail says hard
    or soft, and the server's reason); ``COMPLAINED``: they marked a message as
    spam, which counts as unsubscribing.  Both are recorded from the bounce and
    complaint reports of :mod:`invitekit.bounces`.  ``UNDELIVERABLE_CLEARED``: the
    business said the address works again (``clear_undeliverable``).
    ``LINK_OPENED``: the customer
    (or a mail scanner fetching the link for them) first opened their activation
    link after an invitation of a campaign, recorded once per customer and
    campaign for the campaign's funnel.
    """

    ADDED = "added"
    UPDATED = "updated"
    EMAIL_CHANGED = "email_changed"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    INVITATION_QUEUED = "invitation_queued"
    INVITATION_CANCELLED = "invitation_cancelled"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    ACCEPTED = "accepted"
    ARCHIVED = "archived"
    RESTORED = "restored"
    UNSUBSCRIBED = "unsubscribed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    LOGIN_FAILED = "login_failed"
    LOGGED_IN = "logged_in"
    GROUP_JOINED = "group_joined"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    UNDELIVERABLE_CLEARED = "undeliverable_cleared"
    LINK_OPENED = "link_opened"
    ACTIVATION_LINK_ISSUED = "activation_link_issued"
    PROVIDER_LINKED = "provider_linked"
    PROVIDER_UNLINKED = "provider_unlinked"
    PROVIDER_SIGNED_IN = "provider_signed_in"
    ERASED = "erased"


class EventNote(enum.StrEnum):
    """The fixed notes an :class:`Event`'s ``detail`` holds, stable for an app to translate.

    Read them with :attr:`Event.note` (and :attr:`Event.note_value` for the
    provider of ``SIGNS_IN_WITH``).  Details that are data, not a note, are
    documented on :class:`Event`.

    * ``IMPORTED``, ``SIGNED_UP`` (``ADDED``): added by an import, by a sign-up.
    * ``VERIFIED_EMAIL`` (``ACCEPTED``): activated by confirming a sign-up's address.
    * ``HANDED_LINK`` (``ACCEPTED``): activated with a link issued without email
      (:meth:`~invitekit.InviteKit.issue_activation_link`).
    * ``SIGNS_IN_WITH`` (``ACCEPTED``, ``LOGIN_FAILED``): the customer signs in
      with an external provider, ``"signs in with google"``.
    * ``WRONG_PASSWORD``, ``NOT_ACTIVATED``, ``ARCHIVED``, ``THROTTLED``
      (``LOGIN_FAILED``): why a login failed.
    * ``HASH_UPGRADED`` (``LOGGED_IN``): the password hash was renewed.
    * ``CUSTOMER_ACCEPTED``, ``CUSTOMER_ARCHIVED``, ``EMAIL_CHANGED``,
      ``CUSTOMER_UNSUBSCRIBED`` (``INVITATION_CANCELLED``): why a queued
      invitation was withdrawn.

    A withdrawn outbox message (:class:`~invitekit.model.OutboxMessage` in state
    ``cancelled``) keeps its reason in ``last_error``, one of these notes too:
    the four above, ``PASSWORD_CHANGED`` (a pending reset link), and, when the
    delivery worker finds a queued email stale, ``NOT_INVITABLE``,
    ``NOT_REMINDABLE``, ``REPLACED_BY_INVITATION`` (a reminder), ``CUSTOMER_GONE``,
    ``ADDRESS_CHANGED``, ``SIGNUP_GONE`` or ``EMAIL_CHANGE_REPLACED`` (an email
    change's confirmation, replaced by a newer request or confirmed); a bounce or
    complaint report withdraws one with ``ADDRESS_BOUNCED`` or
    ``CUSTOMER_COMPLAINED``; erasing the customer withdraws one with
    ``CUSTOMER_ERASED``.
    """

    IMPORTED = "imported"
    SIGNED_UP = "signed up"
    VERIFIED_EMAIL = "verified the email address"
    HANDED_LINK = "with a link issued without email"
    SIGNS_IN_WITH = "signs in with"
    WRONG_PASSWORD = "wrong password"
    NOT_ACTIVATED = "profile not activated"
    ARCHIVED = "archived"
    THROTTLED = "throttled"
    HASH_UPGRADED = "password hash upgraded"
    CUSTOMER_ACCEPTED = "the customer accepted"
    CUSTOMER_ARCHIVED = "the customer was archived"
    EMAIL_CHANGED = "the email address changed"
    CUSTOMER_UNSUBSCRIBED = "the customer unsubscribed"
    PASSWORD_CHANGED = "the password changed"
    NOT_INVITABLE = "the customer can no longer be invited"
    NOT_REMINDABLE = "the customer can no longer be reminded"
    REPLACED_BY_INVITATION = "a new invitation replaces the reminder"
    CUSTOMER_COMPLAINED = "the customer complained"
    ADDRESS_BOUNCED = "the address bounced"
    CUSTOMER_GONE = "the customer is gone or archived"
    ADDRESS_CHANGED = "the customer's address changed"
    SIGNUP_GONE = "the sign-up is no longer waiting"
    CUSTOMER_ERASED = "the customer was erased"
    EMAIL_CHANGE_REPLACED = "the email change was replaced or confirmed"


@attrs.frozen(kw_only=True)
class Event:
    """One line of a customer's history.

    Attributes:
        business_id, customer_id: whose history it is.
        kind: :class:`EventKind`.
        at: when it happened (aware UTC, from the injected clock).
        detail: a short note.  Either one of :class:`EventNote` (see
            :attr:`note`), or data: the old address (``EMAIL_CHANGED``), the
            changed fields, ``"first_name, locale"`` (``UPDATED``), the
            :class:`MessageKind` value (``DELIVERED``), the group's name
            (``GROUP_JOINED``), the provider's name (``PROVIDER_LINKED``,
            ``PROVIDER_UNLINKED``, ``PROVIDER_SIGNED_IN``), the
            :class:`~invitekit.accounts.ResetAnswer` value
            (``PASSWORD_RESET_REQUESTED``), the mail server's answer and the
            attempt (``DELIVERY_FAILED``).
        by: who did it, for a change a member of staff made (the ``by=`` of
            :meth:`~invitekit.InviteKit.invite` and the like); ``None`` for the
            customer's own actions and the worker's.
        campaign_id: the :class:`~invitekit.Campaign` a customer's action
            counts for (accepted, unsubscribed: the campaign whose invitation
            reached them last); ``None`` otherwise.  What a campaign queued,
            sent or failed is read from its outbox rows, not from events.
    """

    business_id: str
    customer_id: str
    kind: EventKind
    at: datetime
    detail: str = ""
    by: str | None = None
    campaign_id: str | None = None

    @property
    def note(self) -> EventNote | None:
        """The :class:`EventNote` in :attr:`detail`, or ``None`` when it holds data."""
        if self.detail.startswith(f"{EventNote.SIGNS_IN_WITH} "):
            return EventNote.SIGNS_IN_WITH
        try:
            return EventNote(self.detail)
        except ValueError:
            return None

    @property
    def note_value(self) -> str:
        """What follows the note: the provider of ``SIGNS_IN_WITH`` (``"google"``), else ``""``."""
        if self.note is EventNote.SIGNS_IN_WITH:
            return self.detail.removeprefix(f"{EventNote.SIGNS_IN_WITH} ")
        return ""
