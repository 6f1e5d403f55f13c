"""Invitations: texts, campaigns and delivery, as methods of :class:`~invitekit.InviteKit`."""

from __future__ import annotations

from datetime import datetime

from invitekit.audience import Audience, InvitationPlan
from invitekit.facade import FacadePart
from invitekit.flows import (
    campaigns,
    delivery,
    feed,
    funnel,
    templates,
    worker,
)
from invitekit.funnel import Campaign, CampaignReport
from invitekit.model import (
    Email,
    InvitationTemplate,
    OutboxMessage,
    OutboxState,
)
from invitekit.reports import DeliveryReport, InvitationReport

__all__ = ["InvitationMethods"]


class InvitationMethods(FacadePart):
    """Invitation templates, previews and tests, campaigns, delivery."""

    # Invitation templates ----------------------------------------------------------

    def save_invitation_template(
        self, locale: str, *, subject: str, body: str
    ) -> InvitationTemplate:
        """Store the business's own invitation text for customers of ``locale``.

        Used from then on for every invitation to a customer whose language
        negotiates to ``locale``: a text saved for ``"de"`` serves ``de`` and
        ``de_AT`` customers (unless one is saved for ``"de_AT"``).  Both are jinja2
        templates checked now: only the placeholders of
        :data:`invitekit.sandbox.PLACEHOLDERS` and the filters of
        :data:`invitekit.sandbox.FILTERS`, and ``{% if %}``, are allowed.  The
        subject must be one line (a line break is refused, not joined).

        Args:
            locale: a locale invitekit ships a catalog for (``"es"``, ``"de_AT"``).
            subject: the subject line template.
            body: the body template; a blank line separates paragraphs.

        Returns:
            the saved template.

        Raises:
            InvalidLocale: unknown locale, or one without a shipped catalog.
            TemplateError: the text uses something not allowed; the message says
                what and on which line.  Nothing is stored.
        """
        return templates.save_invitation_template(self._ctx, locale, subject=subject, body=body)

    def invitation_template(self, locale: str) -> InvitationTemplate:
        """The invitation text customers of ``locale`` receive: saved, else the shipped one.

        Use it to pre-fill an editor.

        Raises:
            InvalidLocale: unknown locale, or one without a shipped catalog.
        """
        return templates.invitation_template(self._ctx, locale)

    def save_reminder_template(
        self, locale: str, *, subject: str, body: str
    ) -> InvitationTemplate:
        """Store the business's own reminder text for customers of ``locale``.

        A reminder (see :class:`~invitekit.Reminders`) is composed as an
        invitation is, with this text in place of the invitation's: the same
        greeting, a fresh activation link, its validity, the footer and the
        unsubscribe link.  The same rules as :meth:`save_invitation_template`
        apply (the sandbox's placeholders and filters, a one-line subject, a
        text for ``"de"`` serving ``de_AT``).

        Args:
            locale: a locale invitekit ships a catalog for (``"es"``, ``"de_AT"``).
            subject: the subject line template.
            body: the body template; a blank line separates paragraphs.

        Returns:
            the saved template.

        Raises:
            InvalidLocale: unknown locale, or one without a shipped catalog.
            TemplateError: the text uses something not allowed; nothing is stored.
        """
        return templates.save_reminder_template(self._ctx, locale, subject=subject, body=body)

    def reminder_template(self, locale: str) -> InvitationTemplate:
        """The reminder text customers of ``locale`` receive: saved, else the shipped one.

        The shipped texts (English, Spanish, French, German) follow
        ``Business.formal`` as the invitation's do.

        Raises:
            InvalidLocale: unknown locale, or one without a shipped catalog.
        """
        return templates.reminder_template(self._ctx, locale)

    def preview_invitation(
        self, customer_id: str, *, subject: str | None = None, body: str | None = None
    ) -> Email:
        """The invitation ``customer_id`` would receive now; nothing is stored or sent.

        The email is the customer's, but its links are test links, as in
        :meth:`send_test_invitation`: :meth:`check_activation`,
        :meth:`accept_invitation` and :meth:`unsubscribe` refuse them with
        :class:`~invitekit.exceptions.TestInvitationToken`, so whoever previews
        cannot activate the profile with a password of their own.

        Args:
            customer_id: the customer.
            subject: a one-off subject to preview instead of the effective one.
            body: a one-off body to preview instead of the effective one.

        Raises:
            CustomerNotFound: no such customer.
            TemplateError: the one-off text uses something not allowed.
        """
        return templates.preview_invitation(self._ctx, customer_id, subject=subject, body=body)

    def send_test_invitation(
        self,
        address: str,
        *,
        locale: str | None = None,
        subject: str | None = None,
        body: str | None = None,
    ) -> Email:
        """Send the invitation, composed exactly as a real one, to ``address`` (the business's).

        Sent at once through the mailer, not through the outbox: the business
        waits for it and sees a delivery failure as an exception.  No customer is
        read or changed and nothing is stored.  The links are signed as a test:
        :meth:`check_activation`, :meth:`accept_invitation` and :meth:`unsubscribe`
        refuse them with :class:`~invitekit.exceptions.TestInvitationToken`.

        Args:
            address: where to send it.
            locale: the language to test; the business default when ``None``.
            subject: a one-off subject to test instead of the effective one.
            body: a one-off body to test instead of the effective one.

        Returns:
            the email sent.

        Raises:
            InvalidEmail: ``address`` is not an email address.
            InvalidLocale: ``locale`` is unknown.
            TemplateError: the one-off text uses something not allowed.
            DeliveryError: the mailer could not send it.
        """
        return templates.send_test_invitation(
            self._ctx, address, locale=locale, subject=subject, body=body
        )

    # Campaigns ---------------------------------------------------------------------

    def plan_invitations(self, audience: Audience) -> InvitationPlan:
        """Who an invitation campaign would reach, and who it would skip and why.

        Nothing is stored or sent.

        Raises:
            GroupNotFound, CustomerNotFound: the audience names something unknown.
        """
        return campaigns.plan_invitations(self._ctx, audience)

    def invite(
        self,
        customer_id: str,
        *,
        subject: str | None = None,
        body: str | None = None,
        save: bool = False,
        by: str | None = None,
        send_at: datetime | None = None,
    ) -> OutboxMessage:
        """Queue an invitation to one customer (Added or Invited).

        The invitation is a campaign of its own (see :meth:`list_campaigns`);
        its id is the message's ``campaign_id``.  A reminder pending for the
        customer (see :class:`~invitekit.Reminders`) is withdrawn: the new
        invitation replaces it.

        Args:
            customer_id: whom to invite.
            subject: a one-off subject for this invitation instead of the saved (or
                shipped) one of the customer's language.
            body: a one-off body, likewise; either may be given alone.
            save: also store the one-off text as the invitation template of the
                customer's language (see :meth:`save_invitation_template`).
            by: who sent it (a member of staff's id, up to 64 characters),
                kept as the campaign's ``by`` and the events' :attr:`~invitekit.Event.by`.
            send_at: an aware datetime: the invitation waits until then (a
                moment already past means now); at once when ``None``.

        Returns:
            the queued message; :meth:`deliver` sends it.

        Raises:
            TemplateError: the one-off text uses something not allowed; nothing is queued.
            ValidationError: ``by`` is not a short line of text, or ``send_at``
                is not an aware datetime.
            CustomerNotFound: no such customer.
            InvitationRefused: the customer is accepted, archived, unsubscribed,
                already has an invitation queued, or was invited too recently;
                ``reason`` says which.
        """
        return campaigns.invite(
            self._ctx, customer_id, subject=subject, body=body, save=save, by=by, send_at=send_at
        )

    def invite_audience(
        self,
        audience: Audience,
        *,
        subject: str | None = None,
        body: str | None = None,
        save: bool = False,
        by: str | None = None,
        send_at: datetime | None = None,
    ) -> InvitationReport:
        """Queue invitations for everyone in ``audience`` who can be invited.

        A one-off ``subject``/``body`` is used for every recipient of this call,
        whatever their language (the greeting, links and footer stay in each
        recipient's language); with ``save=True`` it is also stored as the
        template of the business's default language.

        Customers are read and queued in batches, each batch in one transaction
        together with the decision of whom to queue; a customer never gets a second
        invitation while one is pending, even from a campaign running at the same
        moment in another process.

        The call is one campaign (see :meth:`list_campaigns`), whose id the
        report gives; its invitations and the events they cause carry that id.

        Args:
            audience: whom to invite.
            subject: a one-off subject for every recipient of this call.
            body: a one-off body, likewise; either may be given alone.
            save: also store the one-off text as the template of the business's
                default language.
            by: who started the campaign (a member of staff's id, up to 64
                characters), kept as the campaign's ``by`` and the events'
                :attr:`~invitekit.Event.by`.
            send_at: an aware datetime: the invitations wait until then (a
                moment already past means now; the campaign keeps it as its
                ``send_at``); at once when ``None``.  Pacing still applies
                from then on.

        Returns:
            how many were queued, how many skipped per reason, and the campaign's id.

        Raises:
            TemplateError: the one-off text uses something not allowed; nothing is queued.
            ValidationError: ``by`` is not a short line of text, or ``send_at``
                is not an aware datetime.
            GroupNotFound, CustomerNotFound: the audience names something unknown.
        """
        return campaigns.invite_audience(
            self._ctx, audience, subject=subject, body=body, save=save, by=by, send_at=send_at
        )

    def list_campaigns(self) -> list[Campaign]:
        """The business's campaigns, newest first.

        Every call of :meth:`invite` and :meth:`invite_audience` (and of
        :meth:`add_customer` or :meth:`import_customers` with ``invite=True``)
        that queued something, or whose audience exists, is one.
        """
        return campaigns.list_campaigns(self._ctx)

    def campaign_report(self, campaign_id: str) -> CampaignReport:
        """How a campaign did: its funnel in total, per group and per locale.

        Counts the campaign's invitations as queued, scheduled (held back by a
        ``send_at``, pacing, quiet hours or a pause), sent (one that later
        bounced still counts), failed; the customers who bounced, complained,
        opened their link (see :meth:`check_activation`), accepted and
        unsubscribed, each once; the reminders sent; and whether the campaign
        is paused and why.  ``by_group`` is per group the customers are in now,
        ``by_locale`` per language their invitation was written in.  The store
        counts in SQL (``GROUP BY``), so a report on a campaign of 100,000
        customers reads no row into Python.

        Raises:
            CampaignNotFound: the business has no campaign with this id.
        """
        return funnel.campaign_report(self._ctx, campaign_id)

    # Delivery ----------------------------------------------------------------------

    def deliver(self, *, limit: int | None = None) -> DeliveryReport:
        """Hand due messages from the outbox to the mailer, until none is left (or ``limit``).

        First the reminders that are due are queued (with a
        ``Business(reminders=...)`` schedule).  Invitations and reminders obey
        the business's :class:`~invitekit.Pacing`: one claimed above a limit or
        in the quiet hours goes back to pending, due at the next allowed moment
        (``held_back`` in the report); account emails are never held back.

        Each message is claimed with a lease, so several workers (threads,
        processes, machines) can deliver from one Store without sending a message
        twice while its claim holds.  After the mail server accepts a message, the
        message is marked sent and the customer becomes Invited, in one
        transaction.  A temporary failure (4xx, connection trouble) is retried
        later with exponential backoff, up to ``OutboxSettings.max_attempts``; a
        permanent one (5xx) gives up at once.  Failures are recorded on the
        customer (``delivery_failure``) and in their history.

        The outbox holds what to send, not emails: each message is composed, and
        its links signed, just before it is handed to the mail server, as of the
        moment it was first claimed.  Delivery is at-least-once: if the process
        dies after the server accepted a message but before the commit, the
        message is sent again later, the same bytes with the same ``Message-ID``.

        Then, for a kit given a ``webhook_sender``, the business's webhooks
        receive the feed's new events (:meth:`add_webhook`;
        ``webhooks_sent`` and ``webhooks_failed`` in the report); ``limit`` also
        caps the POSTs of one call, and the next call goes on from there.

        Returns:
            counts of what happened.
        """
        ctx = self._ctx
        return feed.with_webhooks(
            delivery.deliver(ctx, limit=limit),
            store=ctx.store,
            clock=ctx.clock,
            outbox=ctx.outbox,
            sender=ctx.webhooks,
            business_id=ctx.business.id,
            limit=limit,
        )

    def store_business(self) -> int:
        """Store the business's settings now; the version stored (a new one if they changed).

        Queueing an email stores them too, so a :class:`~invitekit.Worker`, which
        composes for every business of a store, finds them; call this to store
        them before anything is queued (at deploy, say).
        """
        return worker.store_business(self._ctx)

    def outbox_messages(
        self, *, customer_id: str | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]:
        """The outbox of this business (oldest first), e.g. to show failed deliveries."""
        return delivery.outbox_messages(self._ctx, customer_id=customer_id, state=state)

    def render_message(self, message_id: str) -> Email:
        """A queued or sent message as its recipient got it, with links that work nowhere.

        The outbox keeps only what to send, never the email (see
        :class:`~invitekit.model.OutboxMessage`), so this composes it again from
        the row: the same template revision, locale, greeting, ``Message-ID`` and
        date.  An invitation's links are test links (they answer
        :class:`~invitekit.exceptions.TestInvitationToken`, as a preview's do);
        an account email's link carries ``preview`` instead of a token.  Nothing
        is stored or sent.

        Args:
            message_id: the row's id (``OutboxMessage.id``).

        Returns:
            the email, for a business to read what was (or will be) sent.

        Raises:
            MessageNotFound: no message with this id in this business.
            CustomerNotFound: an invitation whose customer is gone.
        """
        return delivery.render_message(self._ctx, message_id)
