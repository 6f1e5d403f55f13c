"""Hostile input: every public entry point that takes outside data, fuzzed with hypothesis.

For each entry point, on memory, SQLite and PostgreSQL:

* only the library's own errors (:class:`~invitekit.InviteKitError`) escape;
* a refusal stores nothing: everything a business can see through the facade
  (customers, their histories, the outbox, groups, saved templates) is the same
  before and after;
* an email built from accepted input carries exactly the intended headers when
  parsed back from its bytes (no injected ``Bcc:``, one ``To:``, the stored address);
* a template that is accepted renders nothing of Python's insides.

Each test runs on a business of its own per example (a fresh business id on the
shared store), so a refusal is compared against a small, known state.
"""

from __future__ import annotations

import csv
import io
import itertools
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invitekit import Audience, Business, InviteKit, InviteKitError, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.addresses import parse_email
from invitekit.compose import to_mime
from invitekit.i18n import available_locales
from invitekit.model import Email, EventKind
from invitekit.policy import (
    Action,
    Booking,
    BookingStatus,
    CancellationPolicy,
    DurationCutoff,
    FixedFee,
    Money,
    Outcome,
    Rule,
)
from invitekit.ports import Store
from invitekit.testing import TEST_SECRET, make_kit
from tests.helpers import ACTIVATE, PASSWORD, RESET, UNSUBSCRIBE, VERIFY, snapshot, token_in
from tests.stores import SERVER_KINDS, open_store, server_url, store_params

from .conftest import Figures

SECTION = "hostile_input"
EXAMPLES = {"memory": 150, "sqlite": 40, "postgresql": 25}
LONG_FACTOR = 10

BUSINESS = Business(
    id="fuzz",
    name="Studio One",
    sender="hello@studio.example",
    timezone="Europe/Vienna",
    activation_url=ACTIVATE + "{token}",
    unsubscribe_url=UNSUBSCRIBE + "{token}",
    reset_url=RESET + "{token}",
    verify_url=VERIFY + "{token}",
)

# Strings that have broken web applications and mail systems before.
NASTY = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u202e",
    "\ud800",
    "\udfff",
    "\r\nBcc: evil@attacker.example",
    "ana@example.com\r\nBcc: evil@attacker.example",
    "ana@example.com\nSubject: pwned",
    "=?utf-8?b?QmNjOiBldmlsQGF0dGFja2VyLmV4YW1wbGU=?=",
    "{{ 7*7 }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(99) %}x{% endfor %}",
    "<script>alert(1)</script>",
    "'; DROP TABLE invitekit_customers; --",
    "%s%s%n",
    "\uff41\uff4e\uff41@example.com",  # fullwidth "ana"
    "ana@exämple.com",
    "ana@example.com",
    "ANA@EXAMPLE.COM",
    "Ana <ana@example.com>",
    "ana@example.com, bob@example.com",
    "a@b",
    "@",
    "a@@b.example",
    "ana.@example.com",
    "xn--@xn--.com",
    "😀",
    "a" * 300,
    "de_AT",
    "es",
    "zz_ZZ",
    "../../etc/passwd",
    "None",
]

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"]), max_size=5),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4)), max_size=4).map("".join),
)
optional_text = st.one_of(st.none(), hostile_text)
addresses = st.one_of(
    hostile_text,
    st.emails(),
    st.builds("{}@example.com".format, hostile_text),
    st.builds("ana@{}".format, hostile_text),
)

_PIECES = [
    "Hello ",
    "{{ first_name }}",
    "{{ last_name|upper }}",
    "{{ business_name|title }}",
    "{% if first_name %}x{% endif %}",
    "{% if not last_name %}y{% else %}z{% endif %}",
    "{{ first_name.__class__ }}",
    "{{ first_name.upper() }}",
    "{{ self }}",
    "{{ config }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum }}",
    "{{ range(10) }}",
    "{{ namespace() }}",
    "{{ first_name|attr('__class__') }}",
    "{{ '%s'|format(first_name) }}",
    "{{ first_name[0] }}",
    "{{ first_name ~ last_name }}",
    "{% set x = 1 %}",
    "{% for c in first_name %}{{ c }}{% endfor %}",
    "{% include 'x' %}",
    "{% import 'x' as y %}",
    "{% macro m() %}{% endmacro %}",
    "{% raw %}{{ raw }}{% endraw %}",
    "{{",
    "}}",
    "{%",
    "{#",
    "\n\n",
    "\r\nBcc: evil@attacker.example",
]
template_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=6).map("".join),
    hostile_text,
)
# What rendering Python objects looks like; none may reach an email.
LEAKS = ("<class '", "<function ", "<built-in", "<module '", " object at 0x", "<bound method")


@attrs.define
class World:
    """One store for the module, and a fresh business on it for each example."""

    kind: str
    store: Store
    examples: int
    figures: Figures
    numbers: Iterator[int] = attrs.field(factory=itertools.count)

    def kit(self) -> tuple[InviteKit, MemoryMailer]:
        mailer = MemoryMailer()
        business_id = f"fuzz-{next(self.numbers)}-{secrets.token_hex(3)}"
        kit = make_kit(
            store=self.store, mailer=mailer, business=attrs.evolve(BUSINESS, id=business_id)
        )
        return kit, mailer

    def run(self, strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
        """Run ``check`` on ``self.examples`` values drawn from ``strategy``."""

        @settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        )
        @given(strategy)
        def fuzz(value: Any) -> None:
            check(value)

        fuzz()


@pytest.fixture(scope="module", params=store_params(tuple(EXAMPLES)))
def world(request: pytest.FixtureRequest, figures: Figures, long_run: bool) -> Iterator[World]:
    kind = request.param
    if kind in SERVER_KINDS:
        server_url(kind)
    with open_store(kind) as store:
        examples = EXAMPLES[kind] * (LONG_FACTOR if long_run else 1)
        yield World(kind=kind, store=store, examples=examples, figures=figures)


def state(kit: InviteKit, ignored: tuple[EventKind, ...] = ()) -> dict[str, Any]:
    """What the business can see, saved templates included (events of ``ignored`` kinds not)."""
    seen = snapshot(kit)
    seen["events"] = {
        customer_id: [e for e in events if e.kind not in ignored]
        for customer_id, events in seen["events"].items()
    }
    seen["templates"] = {
        locale: kit.invitation_template(locale) for locale in sorted(available_locales())
    }
    return seen


def attempt(
    world: World,
    entry: str,
    kit: InviteKit,
    call: Callable[[], Any],
    *,
    records: tuple[EventKind, ...] = (),
) -> Any:
    """Call an entry point; only invitekit's errors may escape, and a refusal stores nothing.

    A refusal may only add events of the ``records`` kinds (a failed login is
    recorded: that is how throttling works).  Returns the result, or ``None``
    when the call was refused.
    """
    before = state(kit, records)
    try:
        result = call()
    except InviteKitError:
        assert state(kit, records) == before, f"{entry} stored something and then refused"
        world.figures.record(SECTION, inputs=1, refused=1, **{entry: 1})
        return None
    world.figures.record(SECTION, inputs=1, accepted=1, **{entry: 1})
    return result


def header_names(email: Email) -> list[str]:
    """The header names of ``email`` as a mail program reads them from its bytes."""
    parsed = BytesParser(policy=email_policy.default).parsebytes(to_mime(email).as_bytes())
    for name, value in parsed.items():
        assert "\r" not in str(value) and "\n" not in str(value), name
    (to,) = parsed.get_all("To")
    assert len(to.addresses) == 1
    assert to.addresses[0].addr_spec == email.to
    return sorted(name.lower() for name in parsed)


def assert_well_formed(world: World, email: Email, expected: list[str], address: str) -> None:
    """Exactly the intended headers, to exactly the intended address, and no leaks."""
    assert header_names(email) == expected
    assert email.to == address
    for leak in LEAKS:
        assert leak not in email.text and leak not in (email.html or ""), leak
    assert TEST_SECRET not in email.text
    world.figures.record(SECTION, emails_parsed_back=1, header_injections=0, template_escapes=0)


def plain_invitation_headers(world: World) -> list[str]:
    kit, _mailer = world.kit()
    customer = kit.add_customer("plain@example.com", first_name="Plain")
    return header_names(kit.preview_invitation(customer.id))


# Customers ------------------------------------------------------------------------------


def test_adding_customers(world: World) -> None:
    expected = plain_invitation_headers(world)

    def check(value: tuple[str, str | None, str | None, str | None]) -> None:
        email, first, last, locale = value
        kit, _mailer = world.kit()
        add = lambda: kit.add_customer(email, first_name=first, last_name=last, locale=locale)  # noqa: E731
        customer = attempt(world, "add_customer", kit, add)
        if customer is not None:
            assert parse_email(customer.email).address == customer.email
            assert kit.find_customer(email) == customer
            preview = kit.preview_invitation(customer.id)
            assert_well_formed(world, preview, expected, customer.email)

    world.run(st.tuples(addresses, optional_text, optional_text, optional_text), check)


def test_changing_customers(world: World) -> None:
    def check(value: tuple[str, str | None, str | None]) -> None:
        email, first, locale = value
        kit, _mailer = world.kit()
        ana = kit.add_customer("ana@example.com", first_name="Ana")
        kit.add_customer("bob@example.com")
        for change in ({"email": email}, {"first_name": first}, {"locale": locale}):
            update = lambda c=change: kit.update_customer(ana.id, **c)  # noqa: E731
            attempt(world, "update_customer", kit, update)

    world.run(st.tuples(addresses, optional_text, optional_text), check)


def test_looking_customers_and_groups_up(world: World) -> None:
    def check(text: str) -> None:
        kit, _mailer = world.kit()
        kit.add_customer("ana@example.com")
        attempt(world, "find_customer", kit, lambda: kit.find_customer(text))
        attempt(world, "get_customer", kit, lambda: kit.get_customer(text))
        assert kit.can_use_portal(text) is False
        attempt(world, "create_group", kit, lambda: kit.create_group(text))
        attempt(world, "add_to_group", kit, lambda: kit.add_to_group(text, [text]))
        attempt(world, "list_customers", kit, lambda: kit.list_customers(group=text))
        attempt(world, "invite", kit, lambda: kit.invite(text))
        attempt(world, "plan_invitations", kit, lambda: kit.plan_invitations(Audience.group(text)))

    world.run(hostile_text, check)


def csv_files() -> st.SearchStrategy[str]:
    header = st.lists(
        st.sampled_from(["email", "first_name", "last_name", "locale", "groups", "EMAIL", "x"]),
        min_size=1,
        max_size=5,
    )

    def write(parts: tuple[list[str], list[list[str]]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(parts[0])
        writer.writerows(parts[1])
        return out.getvalue()

    rows = st.lists(st.lists(hostile_text, max_size=6), max_size=5)
    return st.one_of(st.tuples(header, rows).map(write), hostile_text)


def test_importing_csv(world: World) -> None:
    def check(source: str) -> None:
        kit, _mailer = world.kit()
        report = attempt(world, "import_customers", kit, lambda: kit.import_customers(source))
        if report is not None:
            added = [kit.get_customer(customer_id) for customer_id in report.added]
            for customer in added:
                assert parse_email(customer.email).address == customer.email
            world.figures.record(SECTION, csv_lines_refused=len(report.errors))

    world.run(csv_files(), check)


# Templates and one-off texts -----------------------------------------------------------


def test_saving_templates(world: World) -> None:
    expected = plain_invitation_headers(world)

    def check(value: tuple[str, str, str]) -> None:
        locale, subject, body = value
        kit, _mailer = world.kit()
        customer = kit.add_customer("ana@example.com", first_name="Ana", last_name="Ruiz")
        save = lambda: kit.save_invitation_template(locale, subject=subject, body=body)  # noqa: E731
        saved = attempt(world, "save_invitation_template", kit, save)
        if saved is None:
            return
        for locale_of_customer in (saved.locale, None):
            kit.update_customer(customer.id, locale=locale_of_customer)
            email = kit.preview_invitation(customer.id)
            assert_well_formed(world, email, expected, "ana@example.com")

    locales = st.one_of(st.sampled_from(sorted(available_locales())), hostile_text)
    world.run(st.tuples(locales, template_text, template_text), check)


def test_one_off_texts(world: World) -> None:
    expected = plain_invitation_headers(world)

    def check(value: tuple[str | None, str | None, str, str | None]) -> None:
        subject, body, address, locale = value
        kit, mailer = world.kit()
        customer = kit.add_customer("ana@example.com", first_name="Ana")
        preview = attempt(
            world,
            "preview_invitation",
            kit,
            lambda: kit.preview_invitation(customer.id, subject=subject, body=body),
        )
        if preview is not None:
            assert_well_formed(world, preview, expected, "ana@example.com")
        attempt(world, "invite", kit, lambda: kit.invite(customer.id, subject=subject, body=body))
        attempt(
            world,
            "invite_audience",
            kit,
            lambda: kit.invite_audience(Audience.all(), subject=subject, body=body),
        )
        kit.deliver()
        for sent in mailer.outbox:
            assert_well_formed(world, sent, expected, "ana@example.com")
        test = lambda: kit.send_test_invitation(address, locale=locale, subject=subject, body=body)  # noqa: E731
        email = attempt(world, "send_test_invitation", kit, test)
        if email is not None:
            assert mailer.outbox[-1] == email
            assert_well_formed(world, email, expected, parse_email(address).address)

    world.run(st.tuples(optional_text, optional_text, addresses, optional_text), check)


# Links --------------------------------------------------------------------------------


@attrs.frozen
class Links:
    activation: str
    unsubscribe: str
    reset: str
    verification: str


def links(kit: InviteKit, mailer: MemoryMailer) -> Links:
    """A live link of every purpose: Bob is invited, Ana is active, Cem signed up."""
    ana = kit.add_customer("ana@example.com")
    kit.invite(ana.id)
    kit.add_customer("bob@example.com", invite=True)
    kit.deliver()
    kit.accept_invitation(token_in(mailer.to("ana@example.com")[-1], ACTIVATE), PASSWORD)
    kit.request_password_reset("ana@example.com")
    kit.register("cem@example.com", password=PASSWORD)
    kit.deliver()
    bob = mailer.to("bob@example.com")[-1]
    return Links(
        activation=token_in(bob, ACTIVATE),
        unsubscribe=token_in(bob, UNSUBSCRIBE),
        reset=token_in(mailer.to("ana@example.com")[-1], RESET),
        verification=token_in(mailer.to("cem@example.com")[-1], VERIFY),
    )


@st.composite
def mutated(draw: st.DrawFn, token: str) -> str:
    """``token`` damaged the way a mail client, a copy-paste or an attacker would."""
    how = draw(st.sampled_from(["cut", "change", "insert", "swap", "append", "case", "noise"]))
    # A position as a fraction of the length: tokens differ in length between examples.
    at = draw(st.integers(0, 999)) * len(token) // 1000
    if how == "cut":
        return token[:at]
    if how == "change":
        return token[:at] + draw(st.characters()) + token[at + 1 :]
    if how == "insert":
        return token[:at] + draw(hostile_text) + token[at:]
    if how == "swap":
        parts = token.split(".")
        return ".".join(draw(st.permutations(parts)))
    if how == "append":
        return token + draw(hostile_text)
    if how == "case":
        return token.swapcase()
    return draw(hostile_text)


TOKEN_ENTRIES: dict[str, Callable[[InviteKit, str], Any]] = {
    "check_activation": lambda kit, t: kit.check_activation(t),
    "accept_invitation": lambda kit, t: kit.accept_invitation(t, "a long new password"),
    "check_password_reset": lambda kit, t: kit.check_password_reset(t),
    "reset_password": lambda kit, t: kit.reset_password(t, "a long new password"),
    "check_email_verification": lambda kit, t: kit.check_email_verification(t),
    "verify_email": lambda kit, t: kit.verify_email(t, password=PASSWORD),
    "check_unsubscribe": lambda kit, t: kit.check_unsubscribe(t),
    "unsubscribe": lambda kit, t: kit.unsubscribe(t),
}


def test_damaged_and_foreign_tokens(world: World) -> None:
    def check(value: tuple[str, str, st.DataObject]) -> None:
        entry, source, data = value
        kit, mailer = world.kit()
        live = links(kit, mailer)
        original = getattr(live, source)
        token = data.draw(mutated(original))
        if token == original:
            return
        result = attempt(world, entry, kit, lambda: TOKEN_ENTRIES[entry](kit, token))
        if result is not None:
            # Only a damage that decodes to the very same signed bytes may pass.
            world.figures.record(SECTION, tokens_equivalent_after_damage=1)

    sources = st.sampled_from(["activation", "unsubscribe", "reset", "verification"])
    world.run(st.tuples(st.sampled_from(sorted(TOKEN_ENTRIES)), sources, st.data()), check)


# Accounts ----------------------------------------------------------------------------


def test_passwords_logins_and_sign_ups(world: World) -> None:
    def check(value: tuple[str, str, str | None, str | None]) -> None:
        email, password, client, name = value
        kit, mailer = world.kit()
        live = links(kit, mailer)
        login = lambda: kit.login(email, password, client=client)  # noqa: E731
        attempt(world, "login", kit, login, records=(EventKind.LOGIN_FAILED,))
        login = lambda: kit.login("ana@example.com", password)  # noqa: E731
        attempt(world, "login", kit, login, records=(EventKind.LOGIN_FAILED,))
        attempt(world, "request_password_reset", kit, lambda: kit.request_password_reset(email))
        attempt(
            world,
            "register",
            kit,
            lambda: kit.register(email, first_name=name, locale=client, password=password),
        )
        verify = lambda: kit.verify_email(live.verification, password=password)  # noqa: E731
        attempt(world, "verify_email", kit, verify)
        attempt(world, "reset_password", kit, lambda: kit.reset_password(live.reset, password))
        accept = lambda: kit.accept_invitation(live.activation, password)  # noqa: E731
        accepted = attempt(world, "accept_invitation", kit, accept)
        if accepted is not None:
            assert accepted.status is Status.ACCEPTED
            assert kit.login("bob@example.com", password).id == accepted.id

    world.run(st.tuples(addresses, hostile_text, optional_text, optional_text), check)


# Policies -------------------------------------------------------------------------------

VALID_POLICY = CancellationPolicy(
    timezone="Europe/Vienna",
    cancel=Rule.windowed(
        DurationCutoff(before=timedelta(hours=24)),
        late=Outcome.FEE,
        fee=FixedFee(amount=Decimal("5"), currency="EUR"),
    ),
    reschedule=Rule.always(),
    max_reschedules=2,
).to_dict()
KEYS = sorted({*VALID_POLICY, "mode", "cutoff", "kind", "seconds", "fee", "amount", "currency"})
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), hostile_text, st.sampled_from(KEYS)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), hostile_text), inner, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def policy_dicts(draw: st.DrawFn) -> Any:
    """A valid policy dict with some values replaced, or anything JSON can hold."""
    if draw(st.booleans()):
        return draw(json_values)
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in VALID_POLICY.items()}
    for _ in range(draw(st.integers(1, 3))):
        target = data
        if draw(st.booleans()) and isinstance(data.get("cancel"), dict):
            target = data["cancel"]
        target[draw(st.sampled_from([*KEYS, "extra"]))] = draw(json_values)
    return data


# Policies and bookings touch no store: fuzzed once, on the memory world.
@pytest.mark.parametrize("world", ["memory"], indirect=True)
def test_policies_from_outside(world: World) -> None:
    booking = Booking(
        start=datetime(2026, 3, 29, 9, tzinfo=UTC),
        end=datetime(2026, 3, 29, 10, tzinfo=UTC),
        created_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
    )

    def check(data: Any) -> None:
        try:
            policy = CancellationPolicy.from_dict(data)
        except InviteKitError:
            world.figures.record(SECTION, inputs=1, refused=1, policy_from_dict=1)
            return
        world.figures.record(SECTION, inputs=1, accepted=1, policy_from_dict=1)
        assert CancellationPolicy.from_dict(policy.to_dict()) == policy
        for action in Action:
            policy.evaluate(booking, action, now=datetime(2026, 3, 28, 12, tzinfo=UTC))

    world.run(policy_dicts(), check)


@pytest.mark.parametrize("world", ["memory"], indirect=True)
def test_bookings_from_outside(world: World) -> None:
    moments = st.one_of(
        st.datetimes(timezones=st.sampled_from([UTC, None])),
        st.none(),
        hostile_text,
        st.integers(),
    )
    values = st.fixed_dictionaries(
        {
            "start": moments,
            "end": moments,
            "created_at": moments,
            "status": st.one_of(st.sampled_from(list(BookingStatus)), hostile_text),
            "reschedule_count": st.one_of(st.integers(), st.booleans(), hostile_text),
            "price": st.one_of(st.none(), st.just(Money(amount=Decimal("10"), currency="EUR"))),
        }
    )
    policy = CancellationPolicy.from_dict(VALID_POLICY)

    def check(fields: dict[str, Any]) -> None:
        try:
            booking = Booking(**fields)
        except InviteKitError:
            world.figures.record(SECTION, inputs=1, refused=1, booking=1)
            return
        world.figures.record(SECTION, inputs=1, accepted=1, booking=1)
        for action in Action:
            try:
                policy.evaluate(booking, action, now=booking.start - timedelta(hours=1))
            except InviteKitError:
                continue

    world.run(values, check)
