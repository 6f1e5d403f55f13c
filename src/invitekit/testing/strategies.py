"""Hypothesis strategies for addresses, customers, audiences, policies and bookings.

For property-based tests of code that uses invitekit::

    from hypothesis import given
    from invitekit.testing import email_addresses

    @given(email_addresses())
    def test_any_address_can_be_added(address):
        assert make_kit().add_customer(address).email

Every value drawn is valid: an address :func:`~invitekit.addresses.parse_email`
accepts, a :class:`~invitekit.model.Customer` a Store accepts, a policy and a
booking their constructors accept.  It needs hypothesis
(``pip install invitekit[testing]``); without it, importing this module raises
:class:`~invitekit.exceptions.MissingDependency`.
"""

from __future__ import annotations

import functools
import string
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from invitekit.exceptions import MissingDependency

try:
    from hypothesis import strategies as st
except ImportError as err:  # pragma: no cover - the test environment has hypothesis
    raise MissingDependency(
        "invitekit.testing.strategies needs hypothesis: pip install invitekit[testing]"
    ) from err

from invitekit.addresses import parse_email
from invitekit.audience import Audience
from invitekit.i18n import available_locales
from invitekit.model import Customer, Status
from invitekit.policy import (
    Booking,
    BookingStatus,
    CancellationPolicy,
    DurationCutoff,
    FixedFee,
    Money,
    Outcome,
    PercentFee,
    Rule,
    RuleMode,
    WallClockCutoff,
)
from invitekit.testing.crypto import TEST_PASSWORD, fast_password_hasher

__all__ = [
    "audiences",
    "bookings",
    "cancellation_policies",
    "customers",
    "email_addresses",
    "instants_near_clock_changes",
    "time_zones",
]

# Addresses ---------------------------------------------------------------------------------

# RFC 5322 atext: what a local part's dot-separated atoms are made of.
_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
# Letters of several scripts, one script per domain label.  None of them is
# invisible or changes direction, and none is encoded differently by IDNA 2003 and
# IDNA 2008 (so no "ß" or "ς", which one maps and the other keeps).
_SCRIPTS = (
    "abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ",
    "αβγδεζηθικλμνξοπρστυφχψω",
    "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    "中文字例题日本東京語",
    "あいうえおかきくけこさしすせそ",
)
_INTERNATIONAL = "".join(_SCRIPTS) + "ÀÉÖÜÑÆØΑΒΓΔΩАБВГДЖЯ"
_TOP_LEVEL = ("com", "org", "net", "de", "es", "fr", "at", "ORG")


def _label(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=1, max_size=10)


def _ascii_label() -> st.SearchStrategy[str]:
    # Inner single hyphens only: "--" at the third place would read as an IDNA prefix.
    part = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
    return st.lists(part, min_size=1, max_size=2).map("-".join)


def email_addresses(
    *, unicode_local_part: bool = True, unicode_domain: bool = True
) -> st.SearchStrategy[str]:
    """Valid email addresses, internationalised ones included, in NFC.

    Local parts are dot-separated atoms of RFC 5322 characters (``'``, ``+``,
    ``/`` and the like included) and letters of several scripts; domains are one
    or two labels, ASCII or in one script each (``bücher``, ``пример``, ``例題``),
    under a short ASCII top-level domain.  Case varies.

    Args:
        unicode_local_part: allow letters beyond ASCII before the ``@``.
        unicode_domain: allow internationalised domain labels.
    """
    atoms = st.text(
        _ATEXT + (_INTERNATIONAL if unicode_local_part else ""), min_size=1, max_size=12
    )
    local = (
        st.lists(atoms, min_size=1, max_size=3)
        .map(".".join)
        .map(lambda text: unicodedata.normalize("NFC", text))
        .filter(lambda text: len(text.encode()) <= 64)
    )
    labels = [_ascii_label()]
    if unicode_domain:
        labels += [_label(script) for script in _SCRIPTS]
    domain = st.builds(
        "{}.{}".format,
        st.lists(st.one_of(labels), min_size=1, max_size=2).map(".".join),
        st.sampled_from(_TOP_LEVEL),
    )
    return st.builds("{}@{}".format, local, domain)


# Customers and audiences -------------------------------------------------------------------

_MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
_NAMES = st.one_of(
    st.none(),
    st.text(st.characters(categories=["L", "M", "Nd", "Pd", "Po", "Zs"]), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool),
)


@functools.cache
def _test_password_hash() -> str:
    return fast_password_hasher().hash(TEST_PASSWORD)


@st.composite
def _customers(draw: st.DrawFn, business_id: str) -> Customer:
    address = parse_email(draw(email_addresses()))
    status = draw(st.sampled_from(Status))
    created = draw(_MOMENTS)
    later = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))
    invited = None if status is Status.ADDED else created + draw(later)
    provider = None
    if status is Status.ACCEPTED:
        provider = draw(st.sampled_from([None, None, None, "google", "facebook"]))
        if provider is not None:
            invited = None  # a profile made through the provider was never invited
    accepted = None if status is not Status.ACCEPTED else (invited or created) + draw(later)
    updated = max(moment for moment in (created, invited, accepted) if moment is not None)
    return Customer(
        id="cus_" + draw(st.text("0123456789abcdefghjkmnpqrstvwxyz", min_size=26, max_size=26)),
        business_id=business_id,
        email=address.address,
        email_key=address.key,
        first_name=draw(_NAMES),
        last_name=draw(_NAMES),
        locale=draw(st.none() | st.sampled_from(sorted(available_locales()))),
        status=status,
        archived=draw(st.booleans()),
        unsubscribed=draw(st.booleans()),
        password_hash=_test_password_hash() if accepted and provider is None else None,
        auth_provider=provider,
        created_at=created,
        updated_at=updated,
        invited_at=invited,
        accepted_at=accepted,
        link_epoch=draw(st.integers(0, 5)),
        version=draw(st.integers(1, 10)),
    )


def customers(*, business_id: str = "studio-1") -> st.SearchStrategy[Customer]:
    """:class:`~invitekit.model.Customer` values in every status, consistent with it.

    The address is any of :func:`email_addresses`, stored and keyed as
    :func:`~invitekit.addresses.parse_email` does; an Invited customer has an
    ``invited_at``, an Accepted one an ``accepted_at`` and either an external
    ``auth_provider`` or the hash of :data:`~invitekit.testing.TEST_PASSWORD`
    (made by :func:`~invitekit.testing.fast_password_hasher`), so a stored one
    can log in.  Archived and unsubscribed vary; times are aware UTC, 2020-2030.

    Args:
        business_id: the business they belong to; ``"studio-1"``, as
            :func:`~invitekit.testing.make_business`, by default.
    """
    return _customers(business_id)


def audiences(
    *, groups: Sequence[str] = (), customer_ids: Sequence[str] = ()
) -> st.SearchStrategy[Audience]:
    """Audiences: everyone, each status (Accepted too, which yields nobody), and more.

    Args:
        groups: names of existing groups; when given, ``Audience.group`` of them too.
        customer_ids: ids of existing customers; when given, ``Audience.customer``
            of them too.
    """
    choices = [st.just(Audience.all()), st.sampled_from(Status).map(Audience.status)]
    if groups:
        choices.append(st.sampled_from(list(groups)).map(Audience.group))
    if customer_ids:
        choices.append(st.sampled_from(list(customer_ids)).map(Audience.customer))
    return st.one_of(choices)


# Policies and bookings ---------------------------------------------------------------------

# Zones with every kind of clock change: none, the usual hour, half an hour (Lord
# Howe), odd offsets (Kathmandu, Chatham), changes at midnight (Santiago, Tehran),
# a "negative" summer time (Dublin), Ramadan breaks (Casablanca), a skipped day (Apia).
_TIME_ZONES = (
    "Europe/Vienna",
    "America/New_York",
    "Australia/Lord_Howe",
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "America/St_Johns",
    "America/Santiago",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Africa/Casablanca",
    "Pacific/Chatham",
    "Pacific/Apia",
)
# Local times at and around the hours at which clocks change somewhere.
_WALL_TIMES = st.one_of(
    st.builds(time, st.integers(0, 3), st.sampled_from([0, 15, 30, 45, 59])),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
_DURATIONS = st.integers(0, 10 * 86400).map(lambda s: timedelta(seconds=s))
_CUTOFFS = st.one_of(
    st.builds(DurationCutoff, before=_DURATIONS),
    st.builds(WallClockCutoff, days_before=st.integers(0, 3), at=_WALL_TIMES),
)
_FEES = st.one_of(
    st.builds(
        FixedFee,
        amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2),
        currency=st.sampled_from(["EUR", "USD", "JPY", "CHF"]),
    ),
    st.builds(PercentFee, percent=st.decimals(min_value=Decimal(1), max_value=Decimal(100))),
)


def time_zones() -> st.SearchStrategy[str]:
    """IANA zone names with every kind of clock change, and UTC."""
    return st.sampled_from(_TIME_ZONES)


@functools.cache
def _clock_changes(zone_name: str) -> tuple[datetime, ...]:
    """Every UTC instant in 2008-2032 at which the zone's offset changes."""
    zone = ZoneInfo(zone_name)
    found = []
    day = datetime(2008, 1, 1, tzinfo=UTC)
    offset = day.astimezone(zone).utcoffset()
    while day.year < 2033:
        following = day + timedelta(days=1)
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset:
            low, high = int(day.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append(datetime.fromtimestamp(high, UTC))
            offset = new_offset
        day = following
    return tuple(found)


@st.composite
def _instants_near_changes(draw: st.DrawFn, zone_name: str) -> datetime:
    changes = _clock_changes(zone_name)
    near_a_change = draw(st.integers(0, 4)) > 0
    if changes and near_a_change:
        anchor = draw(st.sampled_from(changes))
        return anchor + timedelta(seconds=draw(st.integers(-4 * 86400, 4 * 86400)))
    moment = draw(st.datetimes(min_value=datetime(2008, 1, 1), max_value=datetime(2032, 1, 1)))
    return moment.replace(tzinfo=UTC)


def instants_near_clock_changes(timezone: str) -> st.SearchStrategy[datetime]:
    """Aware UTC instants in 2008-2032, four in five within four days of a clock change.

    Args:
        timezone: the IANA zone whose clock changes (daylight saving time and
            others) the instants gather around.
    """
    return _instants_near_changes(timezone)


@st.composite
def _rules(draw: st.DrawFn) -> Rule:
    mode = draw(st.sampled_from([RuleMode.ALWAYS, RuleMode.WINDOWED, RuleMode.NEVER]))
    if mode is RuleMode.ALWAYS:
        return Rule.always()
    if mode is RuleMode.NEVER:
        return Rule.never()
    late = draw(st.sampled_from(list(Outcome)))
    return Rule.windowed(
        draw(_CUTOFFS),
        late=late,
        fee=draw(_FEES) if late is Outcome.FEE else None,
        grace_period=draw(
            st.none() | st.integers(1, 2 * 86400).map(lambda s: timedelta(seconds=s))
        ),
    )


@st.composite
def _policies(draw: st.DrawFn, zone_name: str | None) -> CancellationPolicy:
    cancel = draw(_rules())
    reschedule = draw(_rules())
    never = reschedule.mode is RuleMode.NEVER
    late_ban_possible = cancel.mode is RuleMode.WINDOWED and not never
    return CancellationPolicy(
        timezone=zone_name or draw(time_zones()),
        cancel=cancel,
        reschedule=reschedule,
        max_reschedules=None if never else draw(st.none() | st.integers(0, 3)),
        no_reschedule_when_late=late_ban_possible and draw(st.booleans()),
        staff_override=draw(st.booleans()),
        inclusive=draw(st.booleans()),
    )


def cancellation_policies(*, timezone: str | None = None) -> st.SearchStrategy[CancellationPolicy]:
    """Cancellation policies with every kind of rule, cutoff, late outcome and fee.

    Each action is allowed always, never or until a cutoff (a duration, or a
    wall-clock time up to three days before, often at the hours clocks change),
    with a late outcome (a fixed or percent fee among them), an optional grace
    period, a maximum of reschedules, staff override and inclusive deadlines.

    Args:
        timezone: the policy's zone; any of :func:`time_zones` by default.
    """
    return _policies(timezone)


@st.composite
def _bookings(draw: st.DrawFn, zone_name: str | None) -> Booking:
    start = draw(instants_near_clock_changes(zone_name or draw(time_zones())))
    created = start - timedelta(seconds=draw(st.integers(0, 20 * 86400)))
    return Booking(
        start=start,
        end=start + timedelta(minutes=draw(st.integers(1, 600))),
        created_at=created,
        status=draw(st.sampled_from([BookingStatus.BOOKED] * 5 + [BookingStatus.CANCELLED])),
        reschedule_count=draw(st.integers(0, 4)),
        price=Money(amount=draw(st.decimals(0, 1000, places=2)), currency="EUR"),
    )


def bookings(*, timezone: str | None = None) -> st.SearchStrategy[Booking]:
    """Bookings that start near the clock changes of a zone, made up to 20 days before.

    One in six is already cancelled; up to four reschedules; a price in euros.

    Args:
        timezone: the zone whose clock changes the starts gather around (the
            policy's, to test it across them); any of :func:`time_zones` by default.
    """
    return _bookings(timezone)
