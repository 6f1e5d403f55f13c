"""Security checks at campaign scale: many random cases of each promise, on every store.

* A link works only at the business that issued it, only while the state it was
  issued for holds (acceptance, a new password, archiving, a new address each
  kill the links DESIGN.md says they kill), and after a key rotation while the
  key that signed it is still listed.
* Login throttling holds across two ``InviteKit`` instances sharing one Store.
* "Forgot password" and sign-up answer the same for every kind of address, and
  mail only ever reaches the mailbox on file; a look-alike address never
  receives a link to somebody else's profile.
* No password, hash, secret key or token appears in a ``repr`` or in the log,
  with every logger at DEBUG.

The unit tests in ``tests/test_security.py`` state each rule once; these run
them over random populations and sequences and count what they tried.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invitekit import (
    Business,
    CustomerArchived,
    InvalidCredentials,
    InvalidEmail,
    InviteKit,
    LoginThrottled,
    TokenError,
    TokenInvalid,
    TokenUsed,
    TokenWrongBusiness,
    WeakPassword,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.addresses import parse_email
from invitekit.model import Customer, Email
from invitekit.ports import Store
from invitekit.testing import FakeClock, email_addresses, make_kit
from invitekit.throttle import LoginThrottle
from tests.helpers import ACTIVATE, PASSWORD, RESET, UNSUBSCRIBE, VERIFY, token_in
from tests.stores import SERVER_KINDS, open_store, server_url, store_params

from .conftest import Figures

SECTION = "security"
EXAMPLES = {"memory": 150, "sqlite": 50, "postgresql": 40}
LONG_FACTOR = 10
NEW_PASSWORD = "a brand new password"


# Short enough that the "new." an address change puts in front keeps the part
# before the @ within its 64 bytes.
addresses = email_addresses().filter(lambda address: len(address.encode()) < 60)


def key() -> str:
    return secrets.token_urlsafe(32)


@attrs.define
class Bench:
    """One store for the module; fresh businesses on it for each case."""

    kind: str
    store: Store
    examples: int
    figures: Figures

    def kit(
        self,
        business_id: str | None = None,
        *,
        keys: list[str] | None = None,
        clock: FakeClock | None = None,
        mailer: MemoryMailer | None = None,
        throttle: LoginThrottle | None = None,
    ) -> InviteKit:
        return make_kit(
            store=self.store,
            mailer=mailer,
            clock=clock,
            business=Business(
                id=business_id or f"sec-{secrets.token_hex(6)}",
                name="Studio One",
                sender="hello@studio.example",
                activation_url=ACTIVATE + "{token}",
                unsubscribe_url=UNSUBSCRIBE + "{token}",
                reset_url=RESET + "{token}",
                verify_url=VERIFY + "{token}",
            ),
            secret_keys=keys or [key()],
            login_throttle=throttle,
        )

    def run(self, strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
        @settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        )
        @given(strategy)
        def case(value: Any) -> None:
            check(value)

        case()


@pytest.fixture(scope="module", params=store_params(tuple(EXAMPLES)))
def bench(request: pytest.FixtureRequest, figures: Figures, long_run: bool) -> Iterator[Bench]:
    kind = request.param
    if kind in SERVER_KINDS:
        server_url(kind)
    with open_store(kind) as store:
        examples = EXAMPLES[kind] * (LONG_FACTOR if long_run else 1)
        yield Bench(kind=kind, store=store, examples=examples, figures=figures)


def mailer_of(kit: InviteKit) -> MemoryMailer:
    assert isinstance(kit.mailer, MemoryMailer)
    return kit.mailer


@attrs.frozen
class Links:
    """A live link of every purpose for one customer."""

    customer: Customer
    activation: str
    unsubscribe: str
    reset: str | None = None


def invited(kit: InviteKit, email: str) -> Links:
    """An invited customer and the links of the invitation."""
    customer = kit.add_customer(email, invite=True)
    kit.deliver()
    mail = mailer_of(kit).to(customer.email)[-1]
    return Links(
        customer=customer,
        activation=token_in(mail, ACTIVATE),
        unsubscribe=token_in(mail, UNSUBSCRIBE),
    )


def active(kit: InviteKit, email: str) -> Links:
    """An accepted customer with a live reset link (and the old invitation's links)."""
    links = invited(kit, email)
    kit.accept_invitation(links.activation, PASSWORD)
    kit.request_password_reset(email)
    kit.deliver()
    reset = token_in(mailer_of(kit).to(links.customer.email)[-1], RESET)
    return attrs.evolve(links, reset=reset)


LINK_ENTRIES: dict[str, list[Callable[[InviteKit, str], Any]]] = {
    "activation": [
        lambda kit, t: kit.check_activation(t),
        lambda kit, t: kit.accept_invitation(t, NEW_PASSWORD),
    ],
    "unsubscribe": [lambda kit, t: kit.check_unsubscribe(t), lambda kit, t: kit.unsubscribe(t)],
    "reset": [
        lambda kit, t: kit.check_password_reset(t),
        lambda kit, t: kit.reset_password(t, NEW_PASSWORD),
    ],
}


def refused(call: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


# Tokens across businesses ------------------------------------------------------------------


def test_links_work_only_at_the_business_that_issued_them(bench: Bench) -> None:
    def check(value: tuple[bool, str, bool, str]) -> None:
        shared_key, purpose, same_customer_id, email = value
        keys = [key()]
        home = bench.kit(keys=keys)
        other = bench.kit(keys=keys if shared_key else [key()])
        links = (invited if purpose == "activation" else active)(home, email)
        # The other business may even have a customer with the same address.
        if same_customer_id:
            other.add_customer(email)
        token = getattr(links, purpose)
        for entry in LINK_ENTRIES[purpose]:
            error = TokenWrongBusiness if shared_key else TokenInvalid
            refused(lambda entry=entry: entry(other, token), error)
            bench.figures.record(SECTION, cross_business_attempts=1)
        # ... and still works at home.
        LINK_ENTRIES[purpose][0](home, token)

    bench.run(
        st.tuples(st.booleans(), st.sampled_from(sorted(LINK_ENTRIES)), st.booleans(), addresses),
        check,
    )


# Tokens after each state change ----------------------------------------------------------

# What each change does to each link, as DESIGN.md states it (None: still works).
AFTER: dict[str, dict[str, type[Exception] | None]] = {
    "accept": {"activation": TokenUsed, "unsubscribe": None},
    "reset": {"activation": TokenUsed, "unsubscribe": None, "reset": TokenUsed},
    "archive": {"activation": CustomerArchived, "unsubscribe": CustomerArchived},
    "archive_restore": {"activation": TokenUsed, "unsubscribe": TokenUsed},
    "email_change": {"activation": TokenUsed, "unsubscribe": TokenUsed},
    "login": {"activation": TokenUsed, "unsubscribe": None, "reset": None},
    "rename": {"activation": None, "unsubscribe": None},
}


def change(kit: InviteKit, links: Links, what: str) -> None:
    customer_id = links.customer.id
    if what == "accept":
        kit.accept_invitation(links.activation, PASSWORD)
    elif what == "reset":
        assert links.reset is not None
        kit.reset_password(links.reset, NEW_PASSWORD)
    elif what == "archive":
        kit.archive_customer(customer_id)
    elif what == "archive_restore":
        kit.archive_customer(customer_id)
        kit.restore_customer(customer_id)
    elif what == "email_change":
        kit.update_customer(customer_id, email="new." + links.customer.email)
    elif what == "login":
        kit.login(links.customer.email, PASSWORD)
    elif what == "rename":
        kit.update_customer(customer_id, first_name="Renamed")


def test_links_die_exactly_when_their_state_changes(bench: Bench) -> None:
    def check(value: tuple[str, bool, str]) -> None:
        what, accepted_first, email = value
        kit = bench.kit()
        uses_reset = "reset" in AFTER[what]
        needs_active = uses_reset or (accepted_first and what != "accept")
        links = (active if needs_active else invited)(kit, email)
        change(kit, links, what)
        for purpose, expected in AFTER[what].items():
            if purpose == "activation" and needs_active:
                expected = TokenUsed if what not in ("archive",) else CustomerArchived
            token = getattr(links, purpose)
            check_link = LINK_ENTRIES[purpose][0]
            if expected is None:
                check_link(kit, token)
                bench.figures.record(SECTION, links_kept_alive=1)
            else:
                for entry in LINK_ENTRIES[purpose]:
                    refused(lambda entry=entry, token=token: entry(kit, token), expected)
                bench.figures.record(SECTION, links_killed=1)

    bench.run(st.tuples(st.sampled_from(sorted(AFTER)), st.booleans(), addresses), check)


# Key rotation ------------------------------------------------------------------------------


def test_rotated_keys_verify_until_removed(bench: Bench) -> None:
    def check(value: tuple[str, int, str]) -> None:
        purpose, extra_keys, email = value
        old = key()
        business_id = f"sec-{secrets.token_hex(6)}"
        clock = FakeClock()
        mailer = MemoryMailer()
        before = bench.kit(business_id, keys=[old], clock=clock, mailer=mailer)
        links = (invited if purpose == "activation" else active)(before, email)
        token = getattr(links, purpose)
        newer = [key() for _ in range(extra_keys)]
        rotated = bench.kit(business_id, keys=[*newer, old], clock=clock, mailer=mailer)
        LINK_ENTRIES[purpose][0](rotated, token)
        removed = bench.kit(business_id, keys=newer, clock=clock, mailer=mailer)
        for entry in LINK_ENTRIES[purpose]:
            refused(lambda entry=entry: entry(removed, token), TokenInvalid)
        # The newest key signs: a fresh link works with the rotated list and the new key alone.
        rotated.request_password_reset(email)
        rotated.deliver()
        # (A customer not yet active is sent an activation link instead of a reset link.)
        prefix, check_fresh = (
            (ACTIVATE, removed.check_activation)
            if purpose == "activation"
            else (RESET, removed.check_password_reset)
        )
        check_fresh(token_in(mailer.to(links.customer.email)[-1], prefix))
        bench.figures.record(SECTION, rotation_cases=1)

    purposes = st.sampled_from(["activation", "unsubscribe", "reset"])
    bench.run(st.tuples(purposes, st.integers(1, 3), addresses), check)


# Throttling across two processes' kits ---------------------------------------------------


def test_the_login_throttle_holds_across_two_kits_on_one_store(bench: Bench) -> None:
    def check(value: tuple[int, list[bool], bool, str]) -> None:
        limit, which, known, email = value
        business_id = f"sec-{secrets.token_hex(6)}"
        throttle = LoginThrottle(
            max_failures=limit, window=timedelta(minutes=15), client_max_failures=None
        )
        clock = FakeClock()
        kits = [bench.kit(business_id, clock=clock, throttle=throttle) for _ in range(2)]
        if known:
            kits[0].add_customer(email)
        for attempt, second in enumerate(which):
            kit = kits[int(second)]
            expected = InvalidCredentials if attempt < limit else LoginThrottled
            refused(lambda kit=kit: kit.login(email, "not the password"), expected)
            bench.figures.record(SECTION, throttled_logins=int(expected is LoginThrottled))
            bench.figures.record(SECTION, login_attempts=1)
        # The window passes: both kits let an attempt through again.
        clock.advance(throttle.window + timedelta(seconds=1))
        refused(lambda: kits[1].login(email, "not the password"), InvalidCredentials)

    bench.run(
        st.tuples(
            st.integers(1, 5),
            st.lists(st.booleans(), min_size=1, max_size=9),
            st.booleans(),
            addresses,
        ),
        check,
    )


# Enumeration -----------------------------------------------------------------------------

CASES = ["accepted", "provider", "invited", "added", "archived", "unknown"]


def population(kit: InviteKit, cases: list[str]) -> dict[str, str]:
    """One address per case, each of its kind; returns case -> address typed."""
    addresses = {}
    for n, case in enumerate(cases):
        email = f"person{n}@example.com"
        addresses[f"{case}{n}"] = email
        if case == "accepted":
            active(kit, email)
        elif case == "provider":
            kit.add_customer(email, auth_provider="google")
        elif case == "invited":
            invited(kit, email)
        elif case == "added":
            kit.add_customer(email)
        elif case == "archived":
            kit.archive_customer(kit.add_customer(email).id)
    mailer_of(kit).clear()
    return addresses


def test_account_forms_answer_alike_and_mail_only_the_mailbox_on_file(bench: Bench) -> None:
    def check(cases: list[str]) -> None:
        kit = bench.kit()
        addresses = population(kit, cases)
        on_file = {c.email for c in kit.list_customers(archived=None)}
        answers = set()
        for label, email in addresses.items():
            answers.add(repr(kit.request_password_reset(email.upper())))
            answers.add(repr(kit.register(email, password="a sign-up password")))
            with pytest.raises(InvalidCredentials) as caught:
                kit.login(email, "not the password")
            answers.add(str(caught.value))
            bench.figures.record(SECTION, enumeration_probes=1, **{f"probe_{label[:-1]}": 1})
        kit.deliver()
        assert len(answers) == 2, answers  # "None" and the one login refusal
        for mail in mailer_of(kit).outbox:
            case = next(k for k, v in addresses.items() if v == mail.to)[:-1]
            assert case != "archived", mail.subject
            # An unknown address only ever gets the confirmation of its own sign-up.
            assert mail.to in on_file or VERIFY in mail.text
            bench.figures.record(SECTION, account_mails_checked=1)

    bench.run(st.lists(st.sampled_from(CASES), min_size=1, max_size=6), check)


# Look-alike addresses --------------------------------------------------------------------

HOMOGLYPHS = {"a": ["\u0430", "\uff41", "\u00e0", "a\u0300"], "o": ["\u043e", "0", "\u00f6"]}


@st.composite
def look_alikes(draw: st.DrawFn, address: str) -> str:
    local, domain = address.split("@")
    how = draw(st.sampled_from(["glyph", "dot", "plus", "domain", "case", "nfd", "width"]))
    if how == "glyph":
        letters = [i for i, ch in enumerate(local) if ch in HOMOGLYPHS]
        i = draw(st.sampled_from(letters))
        local = local[:i] + draw(st.sampled_from(HOMOGLYPHS[local[i]])) + local[i + 1 :]
    elif how == "dot":
        i = draw(st.integers(1, len(local) - 1))
        local = local[:i] + "." + local[i:]
    elif how == "plus":
        local += "+" + draw(st.sampled_from(["x", "reset", "ana"]))
    elif how == "domain":
        domain = draw(st.sampled_from(["examp1e.com", "example.co", "exampIe.com", "éxample.com"]))
    elif how == "case":
        local = local.swapcase()
    elif how == "nfd":
        local = unicodedata.normalize("NFD", local + "\u00e9")
    else:
        local = unicodedata.normalize("NFKC", local).translate({0x61: 0xFF41})
    return f"{local}@{domain}"


def links_in(mail: Email) -> list[str]:
    return [
        token_in(mail, prefix)
        for prefix in (ACTIVATE, RESET, VERIFY, UNSUBSCRIBE)
        if prefix in mail.text
    ]


def whose(kit: InviteKit, token: str) -> str | None:
    """The customer a link opens, if any."""
    for check_link in (
        kit.check_activation,
        kit.check_password_reset,
        kit.check_unsubscribe,
        kit.check_email_verification,
    ):
        try:
            return check_link(token).customer_id
        except TokenError:
            continue
    return None


def test_look_alike_addresses_never_receive_anothers_link(bench: Bench) -> None:
    victim_address = "anna.roos@example.com"

    def check(value: tuple[bool, st.DataObject]) -> None:
        victim_active, data = value
        kit = bench.kit()
        links = (active if victim_active else invited)(kit, victim_address)
        victim = links.customer
        mailer_of(kit).clear()
        for _ in range(3):
            fake = data.draw(look_alikes(victim_address))
            try:
                parse_email(fake)
            except InvalidEmail:
                bench.figures.record(SECTION, look_alikes_refused_as_invalid=1)
                continue
            kit.request_password_reset(fake)
            kit.register(fake, password="the attackers password")
            bench.figures.record(SECTION, look_alikes_tried=1)
        kit.deliver()
        for mail in mailer_of(kit).outbox:
            for token in links_in(mail):
                if whose(kit, token) == victim.id:
                    assert mail.to == victim.email, f"{victim.email}'s link went to {mail.to}"
            bench.figures.record(SECTION, look_alike_mails_checked=1)

    bench.run(st.tuples(st.booleans(), st.data()), check)


# Secrets never in repr or logs -----------------------------------------------------------


class Collect(logging.Handler):
    """Every record formatted, with its arguments and traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def every_log_line() -> Iterator[Collect]:
    collect = Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    try:
        yield collect
    finally:
        root.removeHandler(collect)
        root.setLevel(level)


def test_no_secret_in_any_log_line_or_repr(bench: Bench, every_log_line: Collect) -> None:
    secret_key = key()
    kit = bench.kit(keys=[secret_key])
    mailer = mailer_of(kit)
    links = active(kit, "ana@example.com")
    other = invited(kit, "bob@example.com")
    kit.login("ana@example.com", PASSWORD)
    errors: list[Exception] = []  # what an application would log of each refusal
    for _ in range(3):
        with pytest.raises(InvalidCredentials) as caught:
            kit.login("ana@example.com", "a wrong password")
        errors.append(caught.value)
    assert links.reset is not None
    with pytest.raises(WeakPassword) as weak:
        kit.reset_password(links.reset, "ana@example.com")
    errors.append(weak.value)
    kit.reset_password(links.reset, NEW_PASSWORD)
    for token in (links.reset, links.reset[:-3], links.activation + "x"):
        with pytest.raises(TokenError) as refusal:
            kit.reset_password(token, "a wrong password")
        errors.append(refusal.value)
    kit.register("neu@example.com", first_name="Neu", password="the sign-up secret")
    kit.deliver()
    verification = token_in(mailer.to("neu@example.com")[-1], VERIFY)
    kit.verify_email(verification, password="the sign-up secret")
    kit.accept_invitation(other.activation, "bob's own password")

    customers = kit.list_customers(archived=None)
    hashes = [c.password_hash for c in customers if c.password_hash]
    tokens = [t for mail in mailer.outbox for t in links_in(mail)]
    forbidden = [
        secret_key,
        PASSWORD,
        NEW_PASSWORD,
        "a wrong password",
        "the sign-up secret",
        "bob's own password",
        *hashes,
        *tokens,
    ]
    texts = list(every_log_line.texts) + [f"{type(e).__name__}: {e!s} {e!r}" for e in errors]
    texts += [repr(o) for o in (kit, kit.tokens, kit.store, kit.password_hasher, *customers)]
    for text in texts:
        assert "$argon2" not in text
        for secret in forbidden:
            assert secret not in text
    # A queued email's repr shows the email, links included (that is its content);
    # never a password, a hash or the key.
    messages = [repr(m) for m in kit.outbox_messages()]
    for text in messages:
        assert "$argon2" not in text
        for secret in forbidden[: len(forbidden) - len(tokens)]:
            assert secret not in text
    bench.figures.record(
        SECTION,
        log_lines_checked=len(every_log_line.texts),
        error_messages_checked=len(errors),
        reprs_checked=len(texts) + len(messages) - len(every_log_line.texts) - len(errors),
        secrets_looked_for=len(forbidden),
        secrets_found=0,
    )
