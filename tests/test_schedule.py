"""Pacing and reminder settings: validation, storage form, and the send-time decision.

Quiet hours are checked across the clock changes of three zones: Vienna and New
York (one hour) and Lord Howe Island (half an hour).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import ConfigurationError
from invitekit.schedule import (
    DAY,
    HOUR,
    MAX_REMINDERS,
    Pacing,
    Reminders,
    allowance,
    is_quiet,
    next_send_time,
    quiet_period,
)
from invitekit.settings import business_from_json, business_json
from invitekit.testing import make_business

ZONES = ["Europe/Vienna", "America/New_York", "Australia/Lord_Howe", "UTC"]
NIGHT = (time(21), time(8))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


# Settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"per_hour": 0}, "per_hour must be a whole number of messages, 1 or more"),
        ({"per_day": -5}, "per_day must be a whole number"),
        ({"per_hour": True}, "per_hour must be a whole number"),
        ({"per_day": 2.5}, "per_day must be a whole number"),
        ({"quiet_hours": (time(21),)}, "must be a pair"),
        ({"quiet_hours": (time(21), time(21))}, "both 21:00:00"),
        ({"quiet_hours": (time(21, tzinfo=UTC), time(8))}, "without tzinfo"),
        ({"quiet_hours": (time(21, 0, 30), time(8))}, "whole minutes"),
        ({"quiet_hours": ("21:00", "08:00")}, "without tzinfo"),
    ],
)
def test_a_pacing_that_makes_no_sense_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Pacing(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("after", "message"),
    [
        ((timedelta(days=3), timedelta(days=3)), "each later than the one before"),
        ((timedelta(days=10), timedelta(days=3)), "each later than the one before"),
        ((timedelta(0),), "must be positive"),
        ((timedelta(days=400),), "at most 366 days"),
        ((timedelta(days=1, microseconds=5),), "whole seconds"),
        ((3,), "must be datetime.timedelta delays"),
        ("3 days", "must be datetime.timedelta delays"),
        (tuple(timedelta(days=d) for d in range(1, MAX_REMINDERS + 2)), "at most 10"),
    ],
)
def test_reminders_that_make_no_sense_are_refused(after: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Reminders(after=after)


def test_the_settings_are_written_as_the_issue_shows_them() -> None:
    pacing = Pacing(per_hour=200, per_day=1000, quiet_hours=[time(21), time(8)])
    reminders = Reminders(after=[timedelta(days=3), timedelta(days=10)])
    assert pacing.quiet_hours == (time(21), time(8)) and pacing.paced
    assert reminders.after == (timedelta(days=3), timedelta(days=10))
    assert Reminders(after=timedelta(days=2)).after == (timedelta(days=2),)
    assert not Pacing().paced and Reminders().after == ()


def test_a_business_paces_and_reminds_nobody_by_default() -> None:
    business = make_business()
    assert (business.pacing, business.reminders) == (Pacing(), Reminders())
    assert attrs.evolve(business, pacing=None, reminders=None) == business  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["pacing", "reminders"])
def test_a_business_setting_of_the_wrong_kind_is_refused(field: str) -> None:
    with pytest.raises(ConfigurationError, match=f"Business {field} must be a"):
        make_business(**{field: {"per_hour": 5}})


def test_the_stored_form_reads_back_the_same_business() -> None:
    business = make_business(
        pacing=Pacing(per_day=50, quiet_hours=(time(22, 30), time(6, 15))),
        reminders=Reminders(after=(timedelta(hours=36), timedelta(days=7, seconds=9))),
        invitation_cooldown=timedelta(days=2),
    )
    assert business_from_json(business_json(business)) == business


def test_settings_stored_before_pacing_and_reminders_still_load_and_keep_their_text() -> None:
    business = make_business(invitation_cooldown=timedelta(days=7))
    # What the store wrote before these fields existed: every field but them.
    old = attrs.asdict(
        business, filter=lambda a, _: a.name not in {"pacing", "reminders", "booking_url"}
    )
    old["invitation_cooldown"] = 7 * 86400.0
    old_text = json.dumps(old, sort_keys=True, ensure_ascii=False)
    assert business_from_json(old_text) == business
    # Unchanged settings are unchanged text: saving them again adds no version.
    assert business_json(business) == old_text


def test_settings_a_newer_version_wrote_load_without_what_it_added() -> None:
    text = json.loads(business_json(make_business(pacing=Pacing(per_hour=5))))
    text["something_new"] = {"a": 1}
    assert business_from_json(json.dumps(text)).pacing == Pacing(per_hour=5)


def test_stored_settings_that_no_longer_make_sense_are_a_configuration_error() -> None:
    text = json.loads(business_json(make_business()))
    text["pacing"] = {"quiet_hours": ["25:99", "08:00"]}
    with pytest.raises(ConfigurationError, match="quiet_hours cannot be read"):
        business_from_json(json.dumps(text))
    text["pacing"] = {}
    text["reminders"] = {"after": ["soon"]}
    with pytest.raises(ConfigurationError, match="Reminders after cannot be read"):
        business_from_json(json.dumps(text))


# Quiet hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        # Vienna, clocks 02:00 -> 03:00 on 29 March 2026: a night ending at 02:30
        # ends at the jump, 01:00 UTC.
        ("Europe/Vienna", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0)),
        # Vienna, clocks 03:00 -> 02:00 on 25 October 2026: it ends at the first
        # 02:30 (CEST, 00:30 UTC), and the second 02:00-02:30 is not quiet.
        ("Europe/Vienna", utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30)),
        ("Europe/Vienna", utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 1, 10)),
        # Lord Howe, clocks 02:00 -> 02:30 on 4 October 2026 (15:30 UTC the day before).
        ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 0), utc(2026, 10, 3, 15, 30)),
        # New York in summer: 02:30 EDT is 06:30 UTC.
        ("America/New_York", utc(2026, 7, 1, 3, 0), utc(2026, 7, 1, 6, 30)),
    ],
)
def test_quiet_hours_end_on_the_local_clock(
    zone: str, moment: datetime, expected: datetime
) -> None:
    pacing = Pacing(quiet_hours=(time(21), time(2, 30)))
    assert next_send_time(pacing, timezone=zone, now=moment, sent=[]) == expected


def test_quiet_hours_within_one_day() -> None:
    lunch = Pacing(quiet_hours=(time(12), time(13, 30)))
    zone = "Europe/Vienna"  # UTC+1 in January
    assert not is_quiet(lunch, zone, utc(2026, 1, 5, 10, 59))
    assert is_quiet(lunch, zone, utc(2026, 1, 5, 11, 0))
    assert quiet_period((time(12), time(13, 30)), zone, utc(2026, 1, 5, 12)) == (
        utc(2026, 1, 5, 11),
        utc(2026, 1, 5, 12, 30),
    )
    assert not is_quiet(lunch, zone, utc(2026, 1, 5, 12, 30))


def local_minutes(moment: datetime, zone: str) -> int:
    local = moment.astimezone(ZoneInfo(zone))
    return local.hour * 60 + local.minute


def unambiguous(moment: datetime, zone: str) -> bool:
    """Whether the local time of ``moment`` is shown once that day (not in the autumn fold)."""
    local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    first = local.replace(tzinfo=ZoneInfo(zone), fold=0).utcoffset()
    return first == local.replace(tzinfo=ZoneInfo(zone), fold=1).utcoffset()


minutes_of_day = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
quiet_hours = st.tuples(minutes_of_day, minutes_of_day).filter(lambda q: q[0] != q[1])
# Instants around the clock changes of 2026 in the three zones, and anywhere.
near_changes = st.sampled_from(
    [
        utc(2026, 3, 8, 7),  # New York spring
        utc(2026, 11, 1, 6),  # New York autumn
        utc(2026, 3, 29, 1),  # Vienna spring
        utc(2026, 10, 25, 1),  # Vienna autumn
        utc(2026, 4, 4, 15),  # Lord Howe autumn (02:00 -> 01:30)
        utc(2026, 10, 3, 15, 30),  # Lord Howe spring (02:00 -> 02:30)
    ]
).flatmap(
    lambda change: st.integers(-36 * 3600, 36 * 3600).map(
        lambda seconds: change + timedelta(seconds=seconds)
    )
)
instants = near_changes | st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(quiet_hours, st.sampled_from(ZONES), instants)
def test_quiet_hours_match_the_local_clock_wherever_it_shows_a_time_once(
    hours: tuple[time, time], zone: str, moment: datetime
) -> None:
    start, end = (t.hour * 60 + t.minute for t in hours)
    minute = local_minutes(moment, zone)
    on_the_clock = start <= minute < end if start < end else minute >= start or minute < end
    if unambiguous(moment, zone):
        assert is_quiet(Pacing(quiet_hours=hours), zone, moment) == on_the_clock


@given(quiet_hours, st.sampled_from(ZONES), instants)
def test_a_quiet_period_contains_the_moment_and_ends_when_the_clock_shows_the_end(
    hours: tuple[time, time], zone: str, moment: datetime
) -> None:
    period = quiet_period(hours, zone, moment)
    if period is None:
        return
    begins, ends = period
    assert begins <= moment < ends
    assert ends - begins <= DAY + HOUR
    # The end is the first instant the clocks show the end time or later: a
    # minute before it they showed an earlier time of that day, or the day before.
    just_before = ends - timedelta(minutes=1)
    end_minute = hours[1].hour * 60 + hours[1].minute
    shown = local_minutes(ends, zone)
    assert shown >= end_minute
    before = just_before.astimezone(ZoneInfo(zone))
    assert before.date() < ends.astimezone(ZoneInfo(zone)).date() or (
        before.hour * 60 + before.minute < end_minute
    )


# Limits ----------------------------------------------------------------------------------

NOW = utc(2026, 5, 4, 12)


def test_the_hourly_limit_holds_back_until_the_oldest_send_leaves_the_hour() -> None:
    pacing = Pacing(per_hour=3)
    sent = [NOW - timedelta(minutes=m) for m in (50, 20, 5)]
    assert next_send_time(pacing, timezone="UTC", now=NOW, sent=sent) == NOW + timedelta(
        minutes=10
    )
    assert next_send_time(pacing, timezone="UTC", now=NOW, sent=sent[1:]) == NOW
    older = [NOW - timedelta(minutes=61), *sent[1:]]
    assert next_send_time(pacing, timezone="UTC", now=NOW, sent=older) == NOW


def test_a_send_exactly_an_hour_ago_has_left_the_window() -> None:
    pacing = Pacing(per_hour=1)
    assert next_send_time(pacing, timezone="UTC", now=NOW, sent=[NOW - HOUR]) == NOW


def test_a_limit_that_ends_inside_quiet_hours_waits_for_their_end() -> None:
    pacing = Pacing(per_day=2, quiet_hours=(time(21), time(8)))
    evening = utc(2026, 5, 4, 20, 30)  # Vienna, UTC+2: 22:30, quiet
    sent = [evening - timedelta(hours=23, minutes=50), evening - timedelta(hours=2)]
    # The day's first send leaves the window at 20:40 UTC, still quiet; 08:00
    # local is 06:00 UTC.
    assert next_send_time(pacing, timezone="Europe/Vienna", now=evening, sent=sent) == utc(
        2026, 5, 5, 6
    )


def test_a_send_recorded_after_now_counts_in_the_window() -> None:
    # Another worker's clock runs a second ahead: its send still takes a slot.
    pacing = Pacing(per_hour=1)
    ahead = NOW + timedelta(seconds=1)
    assert next_send_time(pacing, timezone="UTC", now=NOW, sent=[ahead]) == ahead + HOUR


def test_send_times_must_be_aware() -> None:
    with pytest.raises(ConfigurationError, match="aware"):
        next_send_time(Pacing(per_hour=1), timezone="UTC", now=datetime(2026, 1, 1), sent=[])


def test_the_allowance_is_the_smaller_room() -> None:
    pacing = Pacing(per_hour=200, per_day=1000)
    assert allowance(pacing, sent_last_hour=150, sent_last_day=990) == 10
    assert allowance(pacing, sent_last_hour=199, sent_last_day=10) == 1
    assert allowance(pacing, sent_last_hour=250, sent_last_day=10) == 0
    assert allowance(Pacing(quiet_hours=NIGHT), sent_last_hour=5, sent_last_day=5) is None


def allowed(pacing: Pacing, zone: str, moment: datetime, sent: list[datetime]) -> bool:
    """The rule, written plainly: not quiet, and room in the hour and in the day."""

    def count(window: timedelta) -> int:
        return sum(moment - window < t <= moment for t in sent)

    return (
        not is_quiet(pacing, zone, moment)
        and (pacing.per_hour is None or count(HOUR) < pacing.per_hour)
        and (pacing.per_day is None or count(DAY) < pacing.per_day)
    )


@st.composite
def paced_histories(draw: st.DrawFn) -> tuple[Pacing, str, datetime, list[datetime]]:
    pacing = Pacing(
        per_hour=draw(st.none() | st.integers(1, 6)),
        per_day=draw(st.none() | st.integers(1, 12)),
        quiet_hours=draw(st.none() | quiet_hours),
    )
    now = draw(near_changes)
    offsets = st.integers(0, 24 * 3600 - 1).map(lambda s: now - timedelta(seconds=s))
    return pacing, draw(st.sampled_from(ZONES)), now, draw(st.lists(offsets, max_size=15))


@given(paced_histories())
def test_the_next_send_time_is_the_first_moment_the_rules_allow(
    history: tuple[Pacing, str, datetime, list[datetime]],
) -> None:
    pacing, zone, now, sent = history
    answer = next_send_time(pacing, timezone=zone, now=now, sent=sent)
    assert answer >= now
    assert allowed(pacing, zone, answer, sent)
    if answer > now:
        assert not allowed(pacing, zone, answer - timedelta(microseconds=1), sent)
        # No earlier moment is allowed either: every minute from now on, and
        # every moment at which a send leaves a window, is refused.
        step = now
        while step < answer:
            assert not allowed(pacing, zone, step, sent)
            step += timedelta(minutes=1)
        for leaving in [t + w for t in sent for w in (HOUR, DAY)]:
            if now <= leaving < answer:
                assert not allowed(pacing, zone, leaving, sent)


@given(paced_histories(), st.integers(1, 40))
def test_sending_whenever_allowed_never_breaks_a_limit(
    history: tuple[Pacing, str, datetime, list[datetime]], count: int
) -> None:
    pacing, zone, now, _ = history
    sent: list[datetime] = []
    moment = now
    for _ in range(count):
        moment = next_send_time(pacing, timezone=zone, now=moment, sent=sent)
        sent.append(moment)
    for t in sent:
        window = [s for s in sent if t - HOUR < s <= t]
        day = [s for s in sent if t - DAY < s <= t]
        assert pacing.per_hour is None or len(window) <= pacing.per_hour
        assert pacing.per_day is None or len(day) <= pacing.per_day
        assert not is_quiet(pacing, zone, t)
