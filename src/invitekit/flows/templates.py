"""Invitation texts: saved per locale, previewed, tested; and the invitation email itself."""

from __future__ import annotations

from datetime import datetime

import attrs
from babel import Locale

from invitekit.addresses import parse_email
from invitekit.compose import (
    InvitationText,
    Recipient,
    compose_invitation,
    default_invitation_text,
    locale_for,
    message_id_for,
)
from invitekit.exceptions import InvalidLocale
from invitekit.flows.context import Context
from invitekit.i18n import available_locales, clean_locale, parse_locale
from invitekit.ids import new_id
from invitekit.model import (
    Customer,
    Email,
    InvitationTemplate,
    MessageKind,
    OutboxMessage,
    Purpose,
    TemplateRevision,
)
from invitekit.ports import Transaction
from invitekit.sandbox import check_body, check_subject
from invitekit.text import quoted
from invitekit.tokens import link_url

__all__ = [
    "Override",
    "compose_invitation_message",
    "invitation_email",
    "invitation_revision",
    "invitation_template",
    "invitation_text",
    "preview_invitation",
    "save_invitation_template",
    "save_override",
    "send_test_invitation",
]


@attrs.frozen(kw_only=True)
class Override:
    """A one-off subject and/or body given to ``invite``/``invite_audience``."""

    subject: str | None = None
    body: str | None = None
    save: bool = False

    @classmethod
    def checked(cls, subject: str | None, body: str | None, save: bool) -> Override | None:
        """The override, its texts checked by the sandbox; ``None`` when nothing is given.

        Raises:
            TemplateError: a text uses something not allowed.
        """
        if subject is None and body is None:
            return None
        return cls(
            subject=None if subject is None else check_subject(subject),
            body=None if body is None else check_body(body),
            save=save,
        )


def save_invitation_template(
    ctx: Context, locale: str, *, subject: str, body: str
) -> InvitationTemplate:
    """Store the business's own invitation text for customers of ``locale``."""
    key = _template_locale(locale)
    text = InvitationText(subject=check_subject(subject), body=check_body(body))
    with ctx.store.transaction() as tx:
        stored = _insert_revision(ctx, tx, key, text, one_off=False)
    return _saved(stored)


def invitation_template(ctx: Context, locale: str) -> InvitationTemplate:
    """The invitation text customers of ``locale`` receive: saved, else the shipped one."""
    key = _template_locale(locale)
    with ctx.store.transaction(readonly=True) as tx:
        return _effective_template(ctx, tx, key)


def preview_invitation(
    ctx: Context, customer_id: str, *, subject: str | None, body: str | None
) -> Email:
    """The invitation ``customer_id`` would receive now, with test links; nothing is stored.

    The links are signed as a test's: a preview is seen by whoever runs it, not
    by the customer, so its activation link must not activate the profile.
    """
    override = Override.checked(subject, body, save=False)
    with ctx.store.transaction(readonly=True) as tx:
        customer = ctx.customer(tx, customer_id)
        locale = str(locale_for(customer.locale, ctx.business))
        text = invitation_text(ctx, tx, locale, override)
    return invitation_email(
        ctx,
        customer,
        message_id=message_id_for(new_id("msg"), ctx.business),
        text=text,
        test=True,
    )


def send_test_invitation(
    ctx: Context,
    address: str,
    *,
    locale: str | None,
    subject: str | None,
    body: str | None,
) -> Email:
    """Send the invitation, with test links, to the business's own ``address``."""
    recipient = parse_email(address)
    override = Override.checked(subject, body, save=False)
    wanted = clean_locale(locale)
    now = ctx.clock.now()
    stand_in = Customer(
        id=new_id("tst"),
        business_id=ctx.business.id,
        email=recipient.address,
        email_key=recipient.key,
        locale=wanted,
        created_at=now,
        updated_at=now,
    )
    with ctx.store.transaction(readonly=True) as tx:
        text = invitation_text(ctx, tx, str(locale_for(wanted, ctx.business)), override)
    email = invitation_email(
        ctx,
        stand_in,
        message_id=message_id_for(new_id("msg"), ctx.business),
        text=text,
        test=True,
        labelled=True,
    )
    with ctx.mailer.session() as session:
        session.send(email)
    return email


def invitation_email(
    ctx: Context,
    customer: Customer,
    *,
    message_id: str,
    text: InvitationText,
    test: bool = False,
    issued_at: datetime | None = None,
    locale: str | None = None,
    labelled: bool = False,
) -> Email:
    """The invitation to ``customer``, its links signed and dated ``issued_at`` (default: now).

    ``test`` signs test links; ``locale`` is the language decided when it was
    queued (the customer's, negotiated now, by default); ``labelled`` marks the
    subject as a test's, for a test sent to the business.
    """
    issued_at = issued_at or ctx.clock.now()
    activation = ctx.tokens.sign(customer, Purpose.ACTIVATION, test=test, issued_at=issued_at)
    unsubscribe = ctx.tokens.sign(customer, Purpose.UNSUBSCRIBE, test=test, issued_at=issued_at)
    email = compose_invitation(
        business=ctx.business,
        recipient=Recipient(
            email=customer.email,
            first_name=customer.first_name,
            last_name=customer.last_name,
            locale=customer.locale if locale is None else locale,
        ),
        activation_link=link_url(ctx.business, Purpose.ACTIVATION, activation),
        unsubscribe_link=link_url(ctx.business, Purpose.UNSUBSCRIBE, unsubscribe),
        valid_until=ctx.tokens.expires_at(Purpose.ACTIVATION, issued_at=issued_at),
        message_id=message_id,
        text=text,
        layout=ctx.layout,
        test=labelled,
    )
    return attrs.evolve(email, date=issued_at)


def compose_invitation_message(
    ctx: Context,
    message: OutboxMessage,
    customer: Customer,
    revision: TemplateRevision | None,
    issued_at: datetime,
    *,
    test: bool = False,
) -> Email:
    """The email of a queued invitation: its revision's text (or the shipped one), signed now.

    Args:
        ctx: the business's context.
        message: the queued intent.
        customer: its customer as stored now (still invitable).
        revision: the row's template revision, ``None`` for the shipped text.
        issued_at: the row's ``links_issued_at``: the links' and the email's date.
        test: sign test links (to show the email again, not to send it).
    """
    text = (
        default_invitation_text(message.locale, formal=ctx.business.formal)
        if revision is None
        else InvitationText(subject=revision.subject, body=revision.body)
    )
    return invitation_email(
        ctx,
        customer,
        message_id=ctx.sent_as(message, customer)[1],
        text=text,
        issued_at=issued_at,
        locale=message.locale,
        test=test,
    )


def invitation_revision(
    ctx: Context, tx: Transaction, locale: str, override: Override | None
) -> str | None:
    """The template revision invitations to ``locale`` are queued with, ``None``: shipped text.

    Without ``override`` it is the newest saved revision of the locale (or of
    its language); with one, a new one-off revision of the override completed
    from that text.
    """
    if override is None:
        parsed = parse_locale(locale)
        return next(
            (
                stored.id
                for key in dict.fromkeys([str(parsed), parsed.language])
                if (stored := tx.latest_template(ctx.business.id, MessageKind.INVITATION, key))
            ),
            None,
        )
    text = invitation_text(ctx, tx, locale, override)
    return _insert_revision(ctx, tx, locale, text, one_off=True).id


def invitation_text(
    ctx: Context, tx: Transaction, locale: str, override: Override | None = None
) -> InvitationText:
    """The text for customers negotiated to ``locale``: one-off, else saved, else shipped."""
    effective = _effective_template(ctx, tx, locale)
    if override is None:
        return InvitationText(subject=effective.subject, body=effective.body)
    return InvitationText(
        subject=override.subject if override.subject is not None else effective.subject,
        body=override.body if override.body is not None else effective.body,
    )


def save_override(ctx: Context, tx: Transaction, locale: Locale, override: Override) -> None:
    """Store a one-off text (completed from the effective one) for ``locale``'s language."""
    key = locale.language
    _insert_revision(ctx, tx, key, invitation_text(ctx, tx, key, override), one_off=False)


def _insert_revision(
    ctx: Context, tx: Transaction, locale: str, text: InvitationText, *, one_off: bool
) -> TemplateRevision:
    revision = TemplateRevision(
        id=new_id("tpl"),
        business_id=ctx.business.id,
        kind=MessageKind.INVITATION,
        locale=locale,
        subject=text.subject,
        body=text.body,
        created_at=ctx.clock.now(),
        one_off=one_off,
    )
    tx.insert_template_revision(revision)
    return revision


def _effective_template(ctx: Context, tx: Transaction, locale: str) -> InvitationTemplate:
    parsed = parse_locale(locale)
    for key in dict.fromkeys([str(parsed), parsed.language]):
        stored = tx.latest_template(ctx.business.id, MessageKind.INVITATION, key)
        if stored is not None:
            return _saved(stored)
    shipped = default_invitation_text(parsed, formal=ctx.business.formal)
    return InvitationTemplate(
        locale=str(parsed), subject=shipped.subject, body=shipped.body, customised=False
    )


def _saved(stored: TemplateRevision) -> InvitationTemplate:
    return InvitationTemplate(
        locale=stored.locale,
        subject=stored.subject,
        body=stored.body,
        customised=True,
        updated_at=stored.created_at,
    )


def _template_locale(locale: str) -> str:
    parsed = parse_locale(locale.strip() if isinstance(locale, str) else "")
    shipped = available_locales()
    if str(parsed) not in shipped and parsed.language not in shipped:
        raise InvalidLocale(
            f"invitekit has no catalog for {quoted(locale)}; it has {', '.join(sorted(shipped))}",
            field="locale",
            code="unknown_locale",
        )
    return str(parsed)
