"""The :class:`InviteKit` facade: the public entry point, bound to one business.

Each method documents the use case and delegates to its flow in
:mod:`invitekit.flows`; the flows are the only code that calls the Store,
Mailer and Clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from invitekit.audience import Audience, InvitationPlan
from invitekit.clock import SystemClock
from invitekit.compose import Layout
from invitekit.exceptions import InvalidName
from invitekit.flows import (
    activation,
    campaigns,
    customers,
    delivery,
    login,
    password_reset,
    signup,
    templates,
)
from invitekit.flows.context import Context
from invitekit.i18n import clean_locale
from invitekit.importing import ImportReport
from invitekit.model import (
    ActivationCheck,
    Business,
    Customer,
    Email,
    Event,
    Group,
    InvitationTemplate,
    LinkCheck,
    OutboxMessage,
    OutboxState,
    Status,
    clean_name,
)
from invitekit.passwords import PasswordHasher, PasswordRules
from invitekit.ports import Clock, Mailer, Store
from invitekit.reports import DeliveryReport, InvitationReport
from invitekit.settings import OutboxSettings
from invitekit.throttle import LoginThrottle, MailThrottle
from invitekit.tokens import TokenExpiry, Tokens

__all__ = [
    "ActivationCheck",
    "DeliveryReport",
    "InvitationReport",
    "InvitationTemplate",
    "InviteKit",
    "OutboxSettings",
]

_UNSET: object = object()


class InviteKit:
    """Everything invitekit does, for one business.

    Args:
        store: where data lives (:class:`~invitekit.adapters.memory.MemoryStore`,
            ``SQLStore``...).
        mailer: how emails leave (:class:`~invitekit.adapters.memory.MemoryMailer`,
            :class:`~invitekit.adapters.files.FolderMailer`, ``SMTPMailer``...).
        business: the business this instance acts for.
        secret_keys: signing keys, newest first (see :class:`~invitekit.tokens.Tokens`).
        clock: the time source; the system clock by default.
        token_expiry: validity of each kind of link.
        password_rules: what a password must satisfy.
        password_hasher: argon2id parameters.
        outbox: delivery settings.
        layout: the email layout (:class:`~invitekit.compose.Layout`); the packaged
            one by default.
        login_throttle: how many failed logins are tolerated (see
            :class:`~invitekit.throttle.LoginThrottle` for the defaults).
        mail_throttle: how many account emails an address may be sent (see
            :class:`~invitekit.throttle.MailThrottle`).

    Raises:
        ConfigurationError: for unusable settings (short keys, a bad time zone...).
    """

    def __init__(
        self,
        *,
        store: Store,
        mailer: Mailer,
        business: Business,
        secret_keys: Sequence[str],
        clock: Clock | None = None,
        token_expiry: TokenExpiry | None = None,
        password_rules: PasswordRules | None = None,
        password_hasher: PasswordHasher | None = None,
        outbox: OutboxSettings | None = None,
        layout: Layout | None = None,
        login_throttle: LoginThrottle | None = None,
        mail_throttle: MailThrottle | None = None,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.business = business
        self.clock: Clock = clock or SystemClock()
        self.tokens = Tokens(
            business_id=business.id,
            secret_keys=tuple(secret_keys),
            clock=self.clock,
            expiry=token_expiry,
        )
        self.password_rules = password_rules or PasswordRules()
        self.password_hasher = password_hasher or PasswordHasher()
        self.outbox = outbox or OutboxSettings()
        self.layout = layout
        self.login_throttle = login_throttle or LoginThrottle()
        self.mail_throttle = mail_throttle or MailThrottle()

    @property
    def _ctx(self) -> Context:
        # Built on each call from the attributes, which an application (or a
        # test) may replace after construction.
        return Context(
            store=self.store,
            mailer=self.mailer,
            clock=self.clock,
            business=self.business,
            tokens=self.tokens,
            password_rules=self.password_rules,
            password_hasher=self.password_hasher,
            outbox=self.outbox,
            layout=self.layout,
            login_throttle=self.login_throttle,
            mail_throttle=self.mail_throttle,
        )

    def __repr__(self) -> str:
        return f"InviteKit(business={self.business.id!r}, store={self.store!r})"

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
    ) -> Customer:
        """Change a customer's details; only the arguments given change.

        Changing the email address invalidates every link already sent and
        withdraws a queued invitation (it was addressed to the old address).

        Raises:
            CustomerNotFound, InvalidEmail, InvalidName, InvalidLocale: nothing changes.
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
        return customers.update_customer(self._ctx, customer_id, email=address, changes=changes)

    def archive_customer(self, customer_id: str) -> Customer:
        """Archive a customer: no invitations, no login, every link already sent dies.

        A queued invitation is withdrawn.  Archiving an archived customer changes nothing.

        Raises:
            CustomerNotFound: no such customer.
        """
        return customers.archive_customer(self._ctx, customer_id)

    def restore_customer(self, customer_id: str) -> Customer:
        """Bring an archived customer back with the status they had.

        Links sent before archiving stay dead; invite again if needed.

        Raises:
            CustomerNotFound: no such customer.
        """
        return customers.restore_customer(self._ctx, customer_id)

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
    ) -> OutboxMessage:
        """Queue an invitation to one customer (Added or Invited).

        Args:
            customer_id: whom to invite.
            subject: a one-off subject for this invitation instead of the saved (or
                shipped) one of the customer's language.
            body: a one-off body, likewise; either may be given alone.
            save: also store the one-off text as the invitation template of the
                customer's language (see :meth:`save_invitation_template`).

        Returns:
            the queued message; :meth:`deliver` sends it.

        Raises:
            TemplateError: the one-off text uses something not allowed; nothing is queued.
            CustomerNotFound: no such customer.
            InvitationRefused: the customer is accepted, archived, unsubscribed,
                already has an invitation queued, or was invited too recently;
                ``reason`` says which.
        """
        return campaigns.invite(self._ctx, customer_id, subject=subject, body=body, save=save)

    def invite_audience(
        self,
        audience: Audience,
        *,
        subject: str | None = None,
        body: str | None = None,
        save: bool = False,
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

        Returns:
            how many were queued, and how many skipped per reason.

        Raises:
            TemplateError: the one-off text uses something not allowed; nothing is queued.
            GroupNotFound, CustomerNotFound: the audience names something unknown.
        """
        return campaigns.invite_audience(
            self._ctx, audience, subject=subject, body=body, save=save
        )

    # Delivery ----------------------------------------------------------------------

    def deliver(self, *, limit: int | None = None) -> DeliveryReport:
        """Hand due messages from the outbox to the mailer, until none is left (or ``limit``).

        Each message is claimed with a lease, so several workers (threads,
        processes, machines) can deliver from one Store without sending a message
        twice while its claim holds.  After the mail server accepts a message, the
        message is marked sent and the customer becomes Invited, in one
        transaction.  A temporary failure (4xx, connection trouble) is retried
        later with exponential backoff, up to ``OutboxSettings.max_attempts``; a
        permanent one (5xx) gives up at once.  Failures are recorded on the
        customer (``delivery_failure``) and in their history.

        Delivery is at-least-once: if the process dies after the server accepted a
        message but before the commit, the message is sent again later, with the
        same ``Message-ID``.

        Returns:
            counts of what happened.
        """
        return delivery.deliver(self._ctx, limit=limit)

    def outbox_messages(
        self, *, customer_id: str | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]:
        """The outbox of this business (oldest first), e.g. to show failed deliveries."""
        return delivery.outbox_messages(self._ctx, customer_id=customer_id, state=state)

    # Activation and unsubscribing --------------------------------------------------

    def check_activation(self, token: str) -> LinkCheck:
        """Who an activation link is for, and whether it still works.  Changes nothing.

        Call it when the activation page is opened (GET); mail scanners that
        pre-fetch links consume nothing.

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``TestInvitationToken``, ``CustomerArchived``).
        """
        return activation.check_activation(self._ctx, token)

    def accept_invitation(self, token: str, password: str) -> Customer:
        """Activate a profile: set the password and make the customer Accepted.

        Call it when the activation form is submitted (POST).  Of simultaneous
        submissions of one link exactly one succeeds; the others get
        :class:`TokenUsed`.

        Returns:
            the accepted customer.

        Raises:
            WeakPassword: the password breaks the rules; the link stays valid.
            TokenError: the link is refused; the subclass says why (see
                :meth:`check_activation`).
        """
        return activation.accept_invitation(self._ctx, token, password)

    def check_unsubscribe(self, token: str) -> LinkCheck:
        """Whom an unsubscribe link is for.  Changes nothing (the GET of the link).

        Show a page with a button whose POST calls :meth:`unsubscribe`.

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenUsed``, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``TestInvitationToken``,
                ``CustomerArchived``).
        """
        return activation.check_unsubscribe(self._ctx, token)

    def unsubscribe(self, token: str) -> Customer:
        """Opt the customer out of invitation emails (the one-click POST of RFC 8058).

        A queued invitation is withdrawn.  Unsubscribing twice changes nothing.
        The customer can still activate with a link they already hold.

        Raises:
            TokenError: the link is refused; the subclass says why.
        """
        return activation.unsubscribe(self._ctx, token)

    # Login -------------------------------------------------------------------------

    def login(self, email: str, password: str, *, client: str | None = None) -> Customer:
        """Check an email and password; return the customer if they match an active profile.

        Only Accepted, non-archived customers with a password can log in.  Every
        refusal is the same :class:`InvalidCredentials`, and an unknown address
        costs the same work as a known one (a dummy hash is verified).  Failures
        are counted in the Store per address, and per ``client`` when given
        (see :class:`~invitekit.throttle.LoginThrottle`); when a limit is reached,
        :class:`LoginThrottled` is raised before the password is checked.  A
        success forgets the address's failures and, when the hash was made with
        other argon2 parameters than the current ones, stores a new hash.

        Args:
            email: the address typed (any case of the local part).
            password: the password typed.
            client: an optional key for the client (its IP address, say).

        Returns:
            the customer, as stored after the login.

        Raises:
            LoginThrottled: too many recent failures; ``retry_at`` says when to retry.
            InvalidCredentials: the email and password do not match an active profile.
        """
        return login.login(self._ctx, email, password, client=client)

    # Password reset ----------------------------------------------------------------

    def request_password_reset(self, email: str) -> None:
        """Answer "forgot password": the same way, and with similar work, whatever the address.

        * An Accepted customer with a password gets a reset link (it dies when
          the password changes, and after :attr:`TokenExpiry.password_reset`).
        * A customer who signs in with an external provider gets an email telling
          them to sign in with it.
        * A customer who never activated the profile (Added or Invited) gets an
          activation link: choosing a password activates the profile.
        * An unknown or archived address gets nothing.

        The email is queued in the outbox (:meth:`deliver` sends it) and always
        goes to the address on file, never to the spelling typed.  At most one
        such email is pending per customer, and an address is sent at most
        :attr:`MailThrottle.max_emails` account emails per window.

        Raises:
            InvalidEmail: ``email`` is not an address at all (this says nothing
                about whether a customer has it).
        """
        password_reset.request_password_reset(self._ctx, email)

    def check_password_reset(self, token: str) -> LinkCheck:
        """Whom a password-reset link is for, and whether it still works.  Changes nothing.

        Call it when the reset page is opened (GET).

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return password_reset.check_password_reset(self._ctx, token)

    def reset_password(self, token: str, new_password: str) -> Customer:
        """Set a new password with a reset link (the POST of the reset page).

        The link dies, with every other reset link sent to the customer
        (unsubscribe links keep working), and the address's failed logins are
        forgotten.  Of simultaneous submissions of one link exactly one
        succeeds; the others get :class:`TokenUsed`.

        Returns:
            the customer with the new password.

        Raises:
            WeakPassword: the password breaks the rules; the link stays valid.
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return password_reset.reset_password(self._ctx, token, new_password)

    # Sign-up -----------------------------------------------------------------------

    def register(
        self,
        email: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str | None = None,
        password: str,
    ) -> None:
        """Sign a visitor up from the booking page; the address must be confirmed first.

        Answers the same way (``None``), with similar work (the password is
        always hashed), whatever the address:

        * A new address: the sign-up is kept and a verification link sent to it;
          :meth:`verify_email` then creates an Accepted customer (unless the
          business adds the address meanwhile: see :meth:`verify_email`).
        * The address of an Added or Invited customer: a verification link is
          sent to *that customer's stored address*; following it activates the
          existing profile with the password chosen here (nothing is attached
          without proof of the address, and bookings are not duplicated).
        * An Accepted customer with a password: an email saying they already
          have a profile, with a password-reset link.
        * A customer who signs in with an external provider: an email telling
          them to sign in with it.
        * An archived customer: nothing is sent.

        An address is sent at most :attr:`MailThrottle.max_emails` account
        emails per window; beyond that the call answers the same and sends nothing.

        Raises:
            InvalidEmail, InvalidName, InvalidLocale, WeakPassword: bad input,
                checked before anything is looked up.
        """
        signup.register(
            self._ctx,
            email,
            first_name=first_name,
            last_name=last_name,
            locale=locale,
            password=password,
        )

    def check_email_verification(self, token: str) -> LinkCheck:
        """Which sign-up a verification link confirms, and whether it still works.

        Changes nothing: call it when the verification page is opened (GET).

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return signup.check_email_verification(self._ctx, token)

    def verify_email(self, token: str, *, password: str | None = None) -> Customer:
        """Confirm a sign-up (the POST of the verification page): the profile becomes active.

        A new address becomes a new Accepted customer; an existing customer's
        profile is activated with the password chosen at sign-up.  The link
        works once; of simultaneous submissions exactly one succeeds.

        ``password`` must always be the one chosen at sign-up: otherwise anyone
        could sign up with someone else's address and a password of their own,
        and own the profile (the customer's, or a new one at their address) the
        moment the owner of the mailbox clicks "confirm".

        A link mailed for an address nobody had is bound to that fact: if the
        business has added a customer with the address since, it activates
        nothing and raises :class:`VerificationSuperseded`, and the sign-up is
        answered again, as if made now, at the customer's stored address (a new
        link bound to that customer, which replaces this one).  Every check is
        made again inside the transaction that writes.

        Args:
            token: from the link.
            password: the password typed on the verification page.

        Returns:
            the Accepted customer.

        Raises:
            InvalidCredentials: ``password`` is missing or not the one chosen at
                sign-up; the link stays valid.
            VerificationSuperseded: a customer got the address since the sign-up
                (checked after the password).
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return signup.verify_email(self._ctx, token, password=password)


def _str_or_none(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidName("expected text", field=None)
