"""The whole facade against a reference model, on memory, SQLite and PostgreSQL.

A hypothesis ``RuleBasedStateMachine`` drives every flow a business and its
customers go through -- adding and archiving customers, changing addresses,
inviting one or many, delivering through a mailer that fails when told to,
activating, logging in (with throttling), resetting a password, unsubscribing,
signing up and verifying the address, signing in with a provider (verified
address or not, several providers, unlinking), a customer changing their own address
(re-authenticated, confirmed by a link to the new one), erasing a customer on
request, purging what is past its retention, and the clock moving on -- and keeps its
own plain model of what must be true: each customer's status, which emails are
queued, which links still work and why the others are refused, which logins
succeed and when the throttle lifts.  After every step the facade must agree
with the model; any disagreement fails the run, so a passing run reports zero
divergences with the number of examples and steps it tried.

The model knows the rules of DESIGN.md, not the code: a link works while the
state it was issued for holds (an activation link until the profile is
activated, a reset link until the password changes, every link until the
customer is archived or changes address, an email-change link until a newer
request or the password changes), within its validity; every link to an erased
customer is refused, and a sign-up erased or purged is gone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from invitekit import (
    Audience,
    Business,
    CustomerArchived,
    DuplicateCustomer,
    EmailAddressTaken,
    IdentityNotFound,
    InvalidCredentials,
    InvalidEmail,
    InvitationRefused,
    LastWayIn,
    LoginThrottled,
    OutboxSettings,
    OutboxState,
    ProviderEmailNotVerified,
    ProviderSignInRefused,
    PurgeReport,
    ReauthenticationRequired,
    Retention,
    SkipReason,
    Status,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
    VerificationSuperseded,
)
from invitekit.model import Email
from invitekit.testing import FakeClock, FlakyMailer, audiences, make_kit
from invitekit.throttle import LoginThrottle, MailThrottle
from tests.helpers import ACTIVATE, RESET, UNSUBSCRIBE, VERIFY, token_in
from tests.stores import SERVER_KINDS, open_store, server_url, store_params

from .conftest import Figures
from .world import EMAIL_CHANGE

ADDRESSES = ["ana@example.com", "ANA@example.com", "bob@example.com", "cem@example.com"]
PASSWORDS = ["first secret phrase", "second secret phrase", "third secret phrase"]
CLIENTS = [None, "203.0.113.7", "198.51.100.9"]
MAX_ATTEMPTS = 3
ACTIVATION_VALIDITY = timedelta(days=14)
RESET_VALIDITY = timedelta(hours=1)
VERIFICATION_VALIDITY = timedelta(hours=24)
EMAIL_CHANGE_VALIDITY = timedelta(hours=24)
LOGIN = LoginThrottle(max_failures=3, window=timedelta(minutes=15), client_max_failures=4)
MAIL = MailThrottle(max_emails=3, window=timedelta(hours=1))
# Short, so that a run's few days reach past every retention; small batches.
RETENTION = Retention(
    signups=timedelta(days=1),
    attempts=timedelta(days=1),
    messages=timedelta(days=1),
    events=timedelta(days=2),
    batch_size=2,
)

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
EMAIL_VERIFICATION = "email_verification"
ACCOUNT_EXISTS = "account_exists"
PROVIDER_HINT = "provider_hint"
PROVIDERS = ["google", "facebook"]
SUBJECTS = ["s-1", "s-2", "S-1"]  # subjects are case-sensitive: S-1 is not s-1
CHANGE = "email_change"
CHANGE_NOTICE = "email_change_notice"
# How a request for an email change proves the customer is there.
PROOFS = ["right password", "right password", "wrong password", "none", "recent sign-in"]


def key_of(address: str) -> str:
    """The canonical key of one of :data:`ADDRESSES` (plain ASCII: lower-cased)."""
    return address.lower()


@attrs.define
class Person:
    """The model of one customer."""

    id: str
    email: str
    status: Status = Status.ADDED
    archived: bool = False
    unsubscribed: bool = False
    epoch: int = 0  # every link dies when it moves: archive, address change
    password: str | None = None
    password_generation: int = 0  # reset links die when it moves
    change: int | None = None  # the pending email change (its request number)
    change_email: str | None = None  # and the address it asks for
    change_at: datetime | None = None  # and when it was asked (purged with sign-ups)


@attrs.define
class Queued:
    """The model of one pending email."""

    kind: str
    customer_id: str | None
    to: str
    link: str  # which link it carries: "activation", "reset", "verification"
    issued_at: datetime
    epoch: int = 0
    password_generation: int = 0
    signup: int | None = None  # the sign-up it confirms, for a verification
    change: int | None = None  # the request it confirms, for an email change
    attempts: int = 0


@attrs.define
class SignUp:
    """The model of one kept sign-up (a registration waiting for its address to be proved)."""

    number: int
    email: str
    password: str
    customer_id: str | None  # the existing customer it activates, when there was one
    at: datetime  # when it was stored (a purge removes it a day later)
    epoch: int = 0
    used: bool = False
    gone: bool = False  # erased with its customer, or purged


@attrs.frozen
class Mail:
    """An email that reached the mail server, with what the model expects of its links."""

    queued: Queued
    email: Email


class FacadeModel(RuleBasedStateMachine):
    """Subclasses set ``store_kind`` (see ``tests/stores.py``) and ``counts``."""

    store_kind = "memory"
    counts: dict[str, int] = {}  # noqa: RUF012 - replaced per store by the test

    def __init__(self) -> None:
        super().__init__()
        self.counts["examples"] = self.counts.get("examples", 0) + 1
        self.clock = FakeClock()
        self.failing: dict[str, str] = {}
        self.mailer = FlakyMailer(fail=lambda email: self.failing.get(email.to))
        self._store = open_store(self.store_kind)
        self.kit = make_kit(
            store=self._store.__enter__(),
            mailer=self.mailer,
            clock=self.clock,
            business=Business(
                id="studio-1",
                name="Studio One",
                sender="hello@studio.example",
                activation_url=ACTIVATE + "{token}",
                unsubscribe_url=UNSUBSCRIBE + "{token}",
                reset_url=RESET + "{token}",
                verify_url=VERIFY + "{token}",
                email_change_url=EMAIL_CHANGE + "{token}",
            ),
            outbox=OutboxSettings(
                max_attempts=MAX_ATTEMPTS,
                retry_base=timedelta(minutes=1),
                retry_max=timedelta(minutes=2),
                batch_size=3,
            ),
            login_throttle=LOGIN,
            mail_throttle=MAIL,
            retention=RETENTION,
        )
        self.people: dict[str, Person] = {}
        self.queued: list[Queued] = []
        self.mails: list[Mail] = []
        self.signups: list[SignUp] = []
        self.login_failures: dict[str, list[datetime]] = {}
        self.mail_requests: dict[str, list[datetime]] = {}
        self.identities: dict[tuple[str, str], str] = {}  # (provider, subject) -> customer
        self.erased: set[str] = set()
        self.change_requests = 0

    def teardown(self) -> None:
        self._store.__exit__(None, None, None)

    def _step(self) -> None:
        self.counts["steps"] = self.counts.get("steps", 0) + 1

    def _saw(self, outcome: str) -> None:
        """Count an outcome, to show which paths the run reached."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    # The model's helpers ----------------------------------------------------------------

    def _owner(self, address: str) -> Person | None:
        return next((p for p in self.people.values() if key_of(p.email) == key_of(address)), None)

    def _pick(self, index: int) -> Person:
        ids = sorted(self.people)
        return self.people[ids[index % len(ids)]]

    def _active(self, index: int) -> Person | None:
        """One of the customers who can log in, if there is one."""
        ids = sorted(i for i, p in self.people.items() if p.password and not p.archived)
        return self.people[ids[index % len(ids)]] if ids else None

    def _pending(self, customer_id: str, kind: str) -> Queued | None:
        return next(
            (q for q in self.queued if q.customer_id == customer_id and q.kind == kind), None
        )

    def _block(self, p: Person) -> SkipReason | None:
        if p.status is Status.ACCEPTED:
            return SkipReason.ACCEPTED
        if p.archived:
            return SkipReason.ARCHIVED
        if p.unsubscribed:
            return SkipReason.UNSUBSCRIBED
        if self._pending(p.id, INVITATION) is not None:
            return SkipReason.ALREADY_PENDING
        return None

    def _queue(self, p: Person, kind: str, link: str, signup: int | None = None) -> None:
        self.queued.append(
            Queued(
                kind=kind,
                customer_id=p.id,
                to=p.email,
                link=link,
                issued_at=self.clock.now(),
                epoch=p.epoch,
                password_generation=p.password_generation,
                signup=signup,
            )
        )

    def _withdraw(self, p: Person, kinds: tuple[str, ...] | None = None) -> None:
        self.queued = [
            q
            for q in self.queued
            if q.customer_id != p.id or (kinds is not None and q.kind not in kinds)
        ]

    def _kill_links(self, p: Person) -> None:
        p.epoch += 1
        self._withdraw(p)

    def _set_password(self, p: Person, password: str) -> None:
        p.password = password
        p.password_generation += 1

    def _recent(self, times: list[datetime], window: timedelta) -> list[datetime]:
        since = self.clock.now() - window
        return [t for t in times if t >= since]

    def _mail_allowed(self, address: str) -> bool:
        """Count a request for an account email to ``address``; whether it may be sent."""
        times = self.mail_requests.setdefault(key_of(address), [])
        allowed = len(self._recent(times, MAIL.window)) < MAIL.max_emails
        times.append(self.clock.now())
        return allowed

    def _activation_error(self, q: Queued) -> type[Exception] | None:
        p = self.people.get(q.customer_id or "")
        if p is None:  # erased
            expired = self.clock.now() - q.issued_at > ACTIVATION_VALIDITY
            return TokenExpired if expired else TokenInvalid
        if self.clock.now() - q.issued_at > ACTIVATION_VALIDITY:
            return TokenUsed if p.status is Status.ACCEPTED else TokenExpired
        if p.archived:
            return CustomerArchived
        if p.epoch != q.epoch or p.status is Status.ACCEPTED:
            return TokenUsed
        return None

    def _reset_error(self, q: Queued) -> type[Exception] | None:
        p = self.people.get(q.customer_id or "")
        if self.clock.now() - q.issued_at > RESET_VALIDITY:
            return TokenExpired
        if p is None:  # erased
            return TokenInvalid
        if p.archived:
            return CustomerArchived
        if p.epoch != q.epoch or p.password_generation != q.password_generation:
            return TokenUsed
        return None

    def _unsubscribe_error(self, q: Queued) -> type[Exception] | None:
        p = self.people.get(q.customer_id or "")
        if p is None:  # erased
            return TokenInvalid
        if p.archived:
            return CustomerArchived
        if p.epoch != q.epoch:
            return TokenUsed
        return None

    # Customers --------------------------------------------------------------------------

    @initialize(active=st.booleans(), reset=st.booleans(), change=st.booleans())
    def start(self, active: bool, reset: bool, change: bool) -> None:
        """Half the runs start with an active customer, so the account flows are reached.

        With ``reset``, that customer has also asked for a password reset and been
        sent the link; with ``change``, asked to change their address and been
        sent the confirmation (through the rules, so the model follows).
        """
        if not active:
            return
        customer = self.kit.add_customer("cem@example.com", invite=True)
        self.kit.deliver()
        (email,) = self.mailer.sent
        accepted = self.kit.accept_invitation(token_in(email, ACTIVATE), PASSWORDS[0])
        assert accepted.status is Status.ACCEPTED
        p = self.people[customer.id] = Person(id=customer.id, email="cem@example.com")
        p.status = Status.ACCEPTED
        self._set_password(p, PASSWORDS[0])
        if reset:
            self.request_password_reset("cem@example.com", own=False, pick=0)
            self.deliver({})
        if change:
            self.request_email_change(0, "bob@example.com", "right password", own=True)
            self.deliver({})

    @rule(email=st.sampled_from(ADDRESSES), invite=st.booleans())
    def add(self, email: str, invite: bool) -> None:
        self._step()
        if self._owner(email) is not None:
            with pytest.raises(DuplicateCustomer):
                self.kit.add_customer(email, invite=invite)
            return
        customer = self.kit.add_customer(email, invite=invite)
        p = self.people[customer.id] = Person(id=customer.id, email=email)
        if invite:
            self._queue(p, INVITATION, "activation")

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 99), email=st.sampled_from(ADDRESSES))
    def update_email(self, pick: int, email: str) -> None:
        self._step()
        p = self._pick(pick)
        owner = self._owner(email)
        if owner is not None and owner.id != p.id:
            with pytest.raises(DuplicateCustomer):
                self.kit.update_customer(p.id, email=email)
            return
        self.kit.update_customer(p.id, email=email)
        if email != p.email:
            p.email = email
            self._kill_links(p)

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 99))
    def archive(self, pick: int) -> None:
        self._step()
        p = self._pick(pick)
        self.kit.archive_customer(p.id)
        if not p.archived:
            p.archived = True
            self._kill_links(p)

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 99))
    def restore(self, pick: int) -> None:
        self._step()
        p = self._pick(pick)
        self.kit.restore_customer(p.id)
        p.archived = False

    # Invitations and delivery -----------------------------------------------------------

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 99))
    def invite(self, pick: int) -> None:
        self._step()
        p = self._pick(pick)
        reason = self._block(p)
        if reason is not None:
            with pytest.raises(InvitationRefused) as caught:
                self.kit.invite(p.id)
            assert caught.value.reason is reason
            return
        self.kit.invite(p.id)
        self._queue(p, INVITATION, "activation")

    @rule(audience=audiences())
    def invite_audience(self, audience: Audience) -> None:
        self._step()
        status = audience.status_filter
        members = [p for p in self.people.values() if status is None or p.status is status]
        expected = [p for p in members if self._block(p) is None]
        report = self.kit.invite_audience(audience)
        assert report.queued == len(expected)
        assert report.total_skipped == len(members) - len(expected)
        for p in expected:
            self._queue(p, INVITATION, "activation")

    @rule(
        failing=st.dictionaries(
            st.sampled_from(ADDRESSES), st.sampled_from(["temporary", "permanent"]), max_size=2
        )
    )
    def deliver(self, failing: dict[str, str]) -> None:
        self._step()
        # Past every backoff (at most two minutes here), so everything queued is due.
        self.clock.advance(minutes=5)
        self.failing = failing
        before = len(self.mailer.sent)
        report = self.kit.deliver()
        sent = self.mailer.sent[before:]

        expected = {"sent": 0, "retrying": 0, "failed": 0}
        delivered: list[Queued] = []
        cancelled = 0
        for q in list(self.queued):
            owner = self.people.get(q.customer_id or "")
            if q.kind == CHANGE and owner is not None and q.change != owner.change:
                cancelled += 1  # its request was purged: withdrawn at delivery
                self.queued.remove(q)
                continue
            if q.attempts == 0:  # links are issued when a row is first claimed
                q.issued_at = self.clock.now()
                if q.kind == CHANGE:  # and signed for the customer's state then
                    q.password_generation = self.people[q.customer_id or ""].password_generation
            q.attempts += 1
            verdict = failing.get(q.to)
            if verdict is None:
                expected["sent"] += 1
                delivered.append(q)
                self.queued.remove(q)
                p = self.people.get(q.customer_id or "")
                if q.kind == INVITATION and p is not None and p.status is Status.ADDED:
                    p.status = Status.INVITED
            elif verdict == "permanent" or q.attempts >= MAX_ATTEMPTS:
                expected["failed"] += 1
                self.queued.remove(q)
            else:
                expected["retrying"] += 1
        assert (report.sent, report.retrying, report.failed, report.cancelled) == (
            expected["sent"],
            expected["retrying"],
            expected["failed"],
            cancelled,
        )
        assert sorted(e.to for e in sent) == sorted(q.to for q in delivered)
        self.mails += self._match(sent, delivered)
        for name, count in expected.items():
            self.counts[f"emails_{name}"] = self.counts.get(f"emails_{name}", 0) + count

    def _match(self, sent: list[Email], delivered: list[Queued]) -> list[Mail]:
        """Pair each email the mailer took with the model's queued email it is."""
        kinds = {m.message_id: m for m in self.kit.outbox_messages()}
        mails = []
        for email in sent:
            stored = kinds[email.message_id]
            signup = re.search(r"Visitor(\d+)", email.text)
            candidates = [
                q
                for q in delivered
                if q.kind == stored.kind
                and q.customer_id == stored.customer_id
                and q.to == email.to
                and (q.customer_id is not None or (signup and q.signup == int(signup[1])))
            ]
            assert candidates, f"an email the model did not expect: {stored.kind} to {email.to}"
            delivered.remove(candidates[0])
            mails.append(Mail(queued=candidates[0], email=email))
        return mails

    # Links ------------------------------------------------------------------------------

    def _mail(self, pick: int, link: str, usable: bool) -> Mail | None:
        """One of the emails with a ``link`` link; with ``usable``, one the model says works."""
        found = [m for m in self.mails if m.queued.link == link]
        if usable:
            check = {
                "activation": self._activation_error,
                "reset": self._reset_error,
                "email change": self._change_error,
            }.get(link)
            working = [m for m in found if check is None or check(m.queued) is None]
            found = working or found
        return found[pick % len(found)] if found else None

    @rule(pick=st.integers(0, 99), password=st.sampled_from(PASSWORDS), usable=st.booleans())
    def accept(self, pick: int, password: str, usable: bool) -> None:
        self._step()
        mail = self._mail(pick, "activation", usable)
        if mail is None:
            return
        token = token_in(mail.email, ACTIVATE)
        error = self._activation_error(mail.queued)
        if error is not None:
            with pytest.raises(error):
                self.kit.check_activation(token)
            with pytest.raises(error):
                self.kit.accept_invitation(token, password)
            self._saw("links_refused")
            return
        assert self.kit.check_activation(token).customer_id == mail.queued.customer_id
        self.kit.accept_invitation(token, password)
        self._saw("activations")
        p = self.people[mail.queued.customer_id or ""]
        p.status = Status.ACCEPTED
        self._set_password(p, password)
        self._withdraw(p)

    @rule(pick=st.integers(0, 99))
    def unsubscribe(self, pick: int) -> None:
        self._step()
        found = [m for m in self.mails if m.queued.kind == INVITATION]
        if not found:
            return
        mail = found[pick % len(found)]
        token = token_in(mail.email, UNSUBSCRIBE)
        error = self._unsubscribe_error(mail.queued)
        if error is not None:
            with pytest.raises(error):
                self.kit.unsubscribe(token)
            self._saw("links_refused")
            return
        self.kit.unsubscribe(token)
        self._saw("unsubscribes")
        if any(q.customer_id == mail.queued.customer_id for q in self.queued):
            self._saw("unsubscribes_with_account_mail_queued")
        p = self.people[mail.queued.customer_id or ""]
        p.unsubscribed = True
        # What DESIGN.md and the docstring promise: the queued invitation is
        # withdrawn; an account email the customer asked for is not.
        self._withdraw(p, kinds=(INVITATION,))

    # Accounts ---------------------------------------------------------------------------

    @rule(
        email=st.sampled_from(ADDRESSES),
        password=st.sampled_from(PASSWORDS),
        own=st.booleans(),
        pick=st.integers(0, 99),
        client=st.sampled_from(CLIENTS),
    )
    def login(self, email: str, password: str, own: bool, pick: int, client: str | None) -> None:
        """Log in with a typed address and password, or (``own``) an active customer's own."""
        self._step()
        active = self._active(pick)
        if own and active is not None:
            email, password = active.email, active.password or password
        now = self.clock.now()
        keys = [(f"email:{key_of(email)}", LOGIN.max_failures)]
        if client is not None:
            keys.append((f"client:{client}", LOGIN.client_max_failures or 0))
        retry_at = None
        for key, limit in keys:
            recent = sorted(self._recent(self.login_failures.get(key, []), LOGIN.window))
            if len(recent) >= limit:
                # Allowed again one second after the limit-th latest failure leaves the window.
                until = recent[-limit] + LOGIN.window + timedelta(seconds=1)
                retry_at = until if retry_at is None else max(retry_at, until)
        if retry_at is not None:
            with pytest.raises(LoginThrottled) as caught:
                self.kit.login(email, password, client=client)
            assert caught.value.retry_at == retry_at
            self._saw("logins_throttled")
            return
        p = self._owner(email)
        if (
            p is not None
            and p.status is Status.ACCEPTED
            and not p.archived
            and p.password == password
        ):
            assert self.kit.login(email, password, client=client).id == p.id
            self._saw("logins")
            self.login_failures.pop(keys[0][0], None)
            return
        with pytest.raises(InvalidCredentials):
            self.kit.login(email, password, client=client)
        self._saw("logins_refused")
        for key, _limit in keys:
            self.login_failures.setdefault(key, []).append(now)

    @rule(email=st.sampled_from(ADDRESSES), own=st.booleans(), pick=st.integers(0, 99))
    def request_password_reset(self, email: str, own: bool, pick: int) -> None:
        """Ask for a reset for a typed address, or (``own``) an active customer's."""
        self._step()
        active = self._active(pick)
        if own and active is not None:
            email = active.email
        self.kit.request_password_reset(email)
        p = self._owner(email)
        allowed = self._mail_allowed(email)
        if not allowed or p is None or p.archived:
            return
        if p.status is Status.ACCEPTED and p.password is None:  # signs in with a provider
            if self._pending(p.id, PROVIDER_HINT) is None:
                self._queue(p, PROVIDER_HINT, "none")
        elif self._pending(p.id, PASSWORD_RESET) is None:
            link = "reset" if p.status is Status.ACCEPTED else "activation"
            self._queue(p, PASSWORD_RESET, link)

    @rule(pick=st.integers(0, 99), password=st.sampled_from(PASSWORDS), usable=st.booleans())
    def reset_password(self, pick: int, password: str, usable: bool) -> None:
        self._step()
        mail = self._mail(pick, "reset", usable)
        if mail is None:
            return
        token = token_in(mail.email, RESET)
        error = self._reset_error(mail.queued)
        if error is not None:
            with pytest.raises(error):
                self.kit.check_password_reset(token)
            with pytest.raises(error):
                self.kit.reset_password(token, password)
            self._saw("links_refused")
            return
        assert self.kit.check_password_reset(token).customer_id == mail.queued.customer_id
        self.kit.reset_password(token, password)
        self._saw("password_resets")
        p = self.people[mail.queued.customer_id or ""]
        self._set_password(p, password)
        self._withdraw(p, (PASSWORD_RESET, ACCOUNT_EXISTS))  # their links would be new ones
        self.login_failures.pop(f"email:{key_of(p.email)}", None)

    @rule(email=st.sampled_from(ADDRESSES), password=st.sampled_from(PASSWORDS))
    def register(self, email: str, password: str) -> None:
        self._step()
        number = len(self.signups)
        self.kit.register(email, first_name=f"Visitor{number}", password=password)
        p = self._owner(email)
        if not self._mail_allowed(email) or (p is not None and p.archived):
            return
        if p is None:
            self.signups.append(
                SignUp(number, email, password, customer_id=None, at=self.clock.now())
            )
            self.queued.append(
                Queued(
                    kind=EMAIL_VERIFICATION,
                    customer_id=None,
                    to=email,
                    link="verification",
                    issued_at=self.clock.now(),
                    signup=number,
                )
            )
        elif p.status is Status.ACCEPTED and p.password is None:
            if self._pending(p.id, PROVIDER_HINT) is None:
                self._queue(p, PROVIDER_HINT, "none")
        elif p.status is Status.ACCEPTED:
            if self._pending(p.id, ACCOUNT_EXISTS) is None:
                self._queue(p, ACCOUNT_EXISTS, "reset")
        elif self._pending(p.id, EMAIL_VERIFICATION) is None:
            self.signups.append(
                SignUp(
                    number, email, password, customer_id=p.id, at=self.clock.now(), epoch=p.epoch
                )
            )
            self._queue(p, EMAIL_VERIFICATION, "verification", signup=number)

    @rule(pick=st.integers(0, 99), right_password=st.booleans())
    def verify_email(self, pick: int, right_password: bool) -> None:
        self._step()
        mail = self._mail(pick, "verification", usable=False)
        if mail is None:
            return
        token = token_in(mail.email, VERIFY)
        signup = next(s for s in self.signups if s.number == mail.queued.signup)
        password = signup.password if right_password else "not the chosen password"
        if self.clock.now() - mail.queued.issued_at > VERIFICATION_VALIDITY:
            with pytest.raises(TokenExpired):
                self.kit.verify_email(token, password=password)
            self._saw("links_refused")
            return
        if signup.used or signup.gone:
            with pytest.raises(TokenUsed):
                self.kit.verify_email(token, password=password)
            self._saw("links_refused")
            return
        bound = None if signup.customer_id is None else self.people[signup.customer_id]
        target = bound or self._owner(signup.email)
        error: type[Exception] | None = None
        if target is not None and target.archived:
            error = CustomerArchived
        elif (bound is not None and bound.epoch != signup.epoch) or (
            target is not None and target.status is Status.ACCEPTED
        ):
            error = TokenUsed
        elif not right_password:
            error = InvalidCredentials
        elif bound is None and target is not None:
            error = VerificationSuperseded
        if error is not None:
            with pytest.raises(error):
                self.kit.verify_email(token, password=password)
            self._saw("links_refused")
            if error is VerificationSuperseded:
                assert target is not None
                self._supersede(signup, target)
            return
        customer = self.kit.verify_email(token, password=password)
        self._saw("sign_ups_verified")
        signup.used = True
        if target is None:
            target = self.people[customer.id] = Person(id=customer.id, email=signup.email)
        assert customer.id == target.id
        target.status = Status.ACCEPTED
        self._set_password(target, signup.password)
        self._withdraw(target)

    def _supersede(self, signup: SignUp, target: Person) -> None:
        """A link for a new address, refused because ``target`` got the address since.

        The sign-up is answered anew, as if made now: a link bound to ``target``,
        to its stored address, replaces the old one (unless the mail cap is
        reached or one is pending already).
        """
        self._saw("sign_ups_superseded")
        if not self._mail_allowed(signup.email):
            return
        if self._pending(target.id, EMAIL_VERIFICATION) is not None:
            return
        signup.used = True
        number = len(self.signups)
        self.signups.append(
            SignUp(
                number,
                signup.email,
                signup.password,
                customer_id=target.id,
                at=self.clock.now(),
                epoch=target.epoch,
            )
        )
        self._queue(target, EMAIL_VERIFICATION, "verification", signup=number)

    # Signing in with a provider ---------------------------------------------------------

    def _providers(self, p: Person) -> set[str]:
        return {provider for (provider, _), owner in self.identities.items() if owner == p.id}

    @rule(
        provider=st.sampled_from(PROVIDERS),
        subject=st.sampled_from(SUBJECTS),
        email=st.sampled_from(ADDRESSES),
        verified=st.booleans(),
    )
    def sign_in_with_provider(
        self, provider: str, subject: str, email: str, verified: bool
    ) -> None:
        """The rules of issue 19: a linked identity decides; else only a verified address."""
        self._step()
        owner_id = self.identities.get((provider, subject))
        p = self.people[owner_id] if owner_id is not None else self._owner(email)

        def sign_in() -> str:
            return self.kit.sign_in_with_provider(
                provider, subject, email=email, email_verified=verified
            ).id

        if owner_id is None and not verified:
            with pytest.raises(ProviderEmailNotVerified):
                sign_in()
            self._saw("provider_refusals")
            return
        if p is not None and p.archived:
            with pytest.raises(ProviderSignInRefused) as refused:
                sign_in()
            assert refused.value.reason == "archived"
            self._saw("provider_refusals")
            return
        signed_in = sign_in()
        if owner_id is not None:
            assert signed_in == owner_id
            self._saw("provider_sign_ins")
            return
        self._saw("provider_links")
        if p is None:
            p = self.people[signed_in] = Person(id=signed_in, email=email)
        assert signed_in == p.id
        if p.status is not Status.ACCEPTED:
            p.status = Status.ACCEPTED
            self._withdraw(p)
        self.identities[(provider, subject)] = p.id

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 99), provider=st.sampled_from(PROVIDERS))
    def unlink_provider(self, pick: int, provider: str) -> None:
        self._step()
        p = self._pick(pick)
        linked = self._providers(p)
        if provider not in linked:
            with pytest.raises(IdentityNotFound):
                self.kit.unlink_provider(p.id, provider)
            return
        if p.password is None and not linked - {provider}:
            with pytest.raises(LastWayIn):
                self.kit.unlink_provider(p.id, provider)
            self._saw("provider_unlinks_refused")
            return
        self.kit.unlink_provider(p.id, provider)
        self._saw("provider_unlinks")
        for key in [k for k, owner in self.identities.items() if owner == p.id]:
            if key[0] == provider:
                del self.identities[key]

    # Privacy ----------------------------------------------------------------------------

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 99), now=st.integers(0, 3))
    def erase(self, pick: int, now: int) -> None:
        """Erase a customer: gone, with their queued emails, sign-ups and attempts.

        One draw in four: an erasure ends a customer's story, which the other
        rules need to run long enough to reach theirs.
        """
        self._step()
        if now:
            return
        p = self._pick(pick)
        self.kit.erase_customer(p.id, by="front-desk")
        self._saw("erasures")
        del self.people[p.id]
        self.erased.add(p.id)
        self.identities = {k: owner for k, owner in self.identities.items() if owner != p.id}
        # The current address's records, and the pending change's; those of an
        # address it left may be another's.
        keys = {key_of(p.email)} | ({key_of(p.change_email)} if p.change_email else set())
        self.queued = [
            q
            for q in self.queued
            if q.customer_id != p.id and (q.customer_id is not None or key_of(q.to) not in keys)
        ]
        for signup in self.signups:
            if key_of(signup.email) in keys or signup.customer_id == p.id:
                signup.gone = True
        for key in keys:
            self.login_failures.pop(f"email:{key}", None)
            self.mail_requests.pop(key, None)

    @rule(now=st.integers(0, 3))
    def purge(self, now: int) -> None:
        """Purge what is past RETENTION: old sign-ups go, with their queued verification.

        One draw in four, as an erasure.
        """
        self._step()
        if now:
            return
        report = self.kit.purge()
        cutoff = self.clock.now() - RETENTION.signups
        for signup in self.signups:
            if not signup.used and not signup.gone and signup.at < cutoff:
                signup.gone = True
                self.queued = [q for q in self.queued if q.signup != signup.number]
        for p in self.people.values():  # an email change never confirmed goes the same way
            if p.change_at is not None and p.change_at < cutoff:
                # Its confirmation, if still queued, is withdrawn at delivery.
                p.change, p.change_email, p.change_at = None, None, None
        if report.total:
            self._saw("purges_removing")
        assert self.kit.purge() == PurgeReport()  # nothing more to remove at the same moment

    # Email changes ------------------------------------------------------------------------

    def _change_error(self, q: Queued) -> type[Exception] | None:
        p = self.people.get(q.customer_id or "")
        if self.clock.now() - q.issued_at > EMAIL_CHANGE_VALIDITY:
            return TokenExpired
        if p is None:  # erased
            return TokenInvalid
        if p.archived:
            return CustomerArchived
        if (p.epoch, p.password_generation, p.change) != (
            q.epoch,
            q.password_generation,
            q.change,
        ):
            return TokenUsed
        owner = self._owner(q.to)
        if owner is not None and owner.id != p.id:
            return EmailAddressTaken
        return None

    def _proof_error(self, p: Person, proof: str) -> type[Exception] | None:
        """What re-authenticating ``p`` with ``proof`` raises; a failed password is counted."""
        if proof == "right password" and p.password is None:
            proof = "none"  # the request carries no password then
        if proof == "recent sign-in" or (proof == "none" and p.password is None):
            return None
        if proof == "none":
            return ReauthenticationRequired
        key = f"email:{key_of(p.email)}"
        if len(self._recent(self.login_failures.get(key, []), LOGIN.window)) >= LOGIN.max_failures:
            return LoginThrottled
        if proof == "right password" and p.password is not None:
            self.login_failures.pop(key, None)
            return None
        self.login_failures.setdefault(key, []).append(self.clock.now())
        return InvalidCredentials

    @precondition(lambda self: self.people)
    @rule(
        pick=st.integers(0, 99),
        email=st.sampled_from(ADDRESSES),
        proof=st.sampled_from(PROOFS),
        own=st.booleans(),
    )
    def request_email_change(self, pick: int, email: str, proof: str, own: bool) -> None:
        """A customer (``own``: one who can log in) asks to change their address to ``email``."""
        self._step()
        p = (self._active(pick) if own else None) or self._pick(pick)
        password = p.password if proof == "right password" else None
        if proof == "wrong password":
            password = "not the password"
        request = {
            "password": password,
            "reauthenticated_at": self.clock.now() if proof == "recent sign-in" else None,
        }
        error: type[Exception] | None = None
        if p.archived:
            error = CustomerArchived
        elif key_of(email) == key_of(p.email):
            error = InvalidEmail
        else:
            error = self._proof_error(p, proof)
        if error is not None:
            with pytest.raises(error):
                self.kit.request_email_change(p.id, email, **request)  # type: ignore[arg-type]
            self._saw("email_changes_refused")
            return
        self.kit.request_email_change(p.id, email, **request)  # type: ignore[arg-type]
        self._saw("email_changes_requested")
        to_new, to_old = self._mail_allowed(email), self._mail_allowed(p.email)
        if not (to_new and to_old):
            return
        self.change_requests += 1
        p.change, p.change_email, p.change_at = self.change_requests, email, self.clock.now()
        self._withdraw(p, (CHANGE,))
        if self._pending(p.id, CHANGE_NOTICE) is None:
            self._queue(p, CHANGE_NOTICE, "none")
        self._queue(p, CHANGE, "email change")
        self.queued[-1].to, self.queued[-1].change = email, p.change

    @rule(pick=st.integers(0, 99), usable=st.booleans())
    def confirm_email_change(self, pick: int, usable: bool) -> None:
        self._step()
        mail = self._mail(pick, "email change", usable)
        if mail is None:
            return
        token = token_in(mail.email, EMAIL_CHANGE)
        error = self._change_error(mail.queued)
        if error is not None:
            with pytest.raises(error):
                self.kit.check_email_change(token)
            with pytest.raises(error):
                self.kit.confirm_email_change(token)
            self._saw("email_changes_taken" if error is EmailAddressTaken else "links_refused")
            return
        assert self.kit.check_email_change(token).email == mail.queued.to
        assert self.kit.confirm_email_change(token).email == mail.queued.to
        self._saw("email_changes")
        p = self.people[mail.queued.customer_id or ""]
        p.email, p.change, p.change_email, p.change_at = mail.queued.to, None, None, None
        p.epoch += 1  # every older link dies
        self.queued = [q for q in self.queued if q.customer_id != p.id or q.kind == CHANGE_NOTICE]

    # Time -------------------------------------------------------------------------------

    @rule(minutes=st.integers(0, 30))
    def minutes_pass(self, minutes: int) -> None:
        self._step()
        self.clock.advance(minutes=minutes)

    @rule(days=st.integers(0, 4), hours=st.integers(0, 23))
    def days_pass(self, days: int, hours: int) -> None:
        self._step()
        self.clock.advance(days=days, hours=hours)

    # Invariants -------------------------------------------------------------------------

    @invariant()
    def customers_match_the_model(self) -> None:
        stored = {c.id: c for c in self.kit.list_customers(archived=None)}
        assert set(stored) == set(self.people)
        for customer_id, p in self.people.items():
            s = stored[customer_id]
            assert (s.email, s.status, s.archived, s.unsubscribed) == (
                p.email,
                p.status,
                p.archived,
                p.unsubscribed,
            ), customer_id
            usable = p.status is Status.ACCEPTED and not p.archived
            assert self.kit.can_use_portal(customer_id) is usable

    @invariant()
    def identities_match_the_model(self) -> None:
        for customer_id in self.people:
            stored = {(i.provider, i.subject) for i in self.kit.identities(customer_id)}
            assert stored == {k for k, owner in self.identities.items() if owner == customer_id}

    @invariant()
    def counts_match_the_model(self) -> None:
        expected = dict.fromkeys(Status, 0)
        for p in self.people.values():
            if not p.archived:
                expected[p.status] += 1
        assert self.kit.status_counts() == expected

    @invariant()
    def queued_emails_match_the_model(self) -> None:
        pending = self.kit.outbox_messages(state=OutboxState.PENDING)
        assert sorted((m.kind, m.customer_id or "", m.recipient) for m in pending) == sorted(
            (q.kind, q.customer_id or "", q.to) for q in self.queued
        )


OUTCOMES = [
    "activations",
    "erasures",
    "email_changes",
    "email_changes_refused",
    "email_changes_requested",
    "email_changes_taken",
    "links_refused",
    "logins",
    "logins_refused",
    "logins_throttled",
    "password_resets",
    "provider_links",
    "provider_refusals",
    "provider_sign_ins",
    "provider_unlinks",
    "provider_unlinks_refused",
    "purges_removing",
    "sign_ups_superseded",
    "sign_ups_verified",
    "unsubscribes",
    "unsubscribes_with_account_mail_queued",
]
EXAMPLES = {"memory": 300, "sqlite": 60, "postgresql": 40}
STEPS = 50
LONG_FACTOR = 10


@pytest.mark.parametrize("kind", store_params(tuple(EXAMPLES)))
def test_the_whole_facade_agrees_with_the_model(
    kind: str, figures: Figures, long_run: bool
) -> None:
    if kind in SERVER_KINDS:
        server_url(kind)  # skip, or fail on CI, before hypothesis starts
    # Every outcome is reported, a zero too.
    counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)

    class Machine(FacadeModel):
        store_kind = kind

    Machine.counts = counts
    examples = EXAMPLES[kind] * (LONG_FACTOR if long_run else 1)
    try:
        run_state_machine_as_test(
            Machine, settings=settings(max_examples=examples, stateful_step_count=STEPS)
        )
    except BaseException:
        figures.record("model", divergences=1)
        raise
    figures.record(
        "model",
        divergences=0,
        **counts,
        **{f"{kind}_examples": counts.get("examples", 0), f"{kind}_steps": counts.get("steps", 0)},
    )
