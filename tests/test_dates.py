"""invitekit.dates: one way to write a moment per locale, in a given zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invitekit.dates import format_moment, zone_name

# 17:30 UTC is 18:30 in Vienna (winter time).
MOMENT = datetime(2026, 1, 8, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Thursday, January 8, 2026 at 6:30\N{NARROW NO-BREAK SPACE}PM"),
        ("es", "jueves, 8 de enero de 2026, a las 18:30"),
        ("fr", "jeudi 8 janvier 2026 à 18:30"),
        ("de", "Donnerstag, 8. Januar 2026 um 18:30 Uhr"),
        ("de_AT", "Donnerstag, 8. Jänner 2026 um 18:30 Uhr"),
    ],
)
def test_a_moment_is_written_the_locales_way(locale: str, expected: str) -> None:
    assert format_moment(MOMENT, locale=locale, timezone="Europe/Vienna") == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Central European Time"),
        ("es", "hora de Europa central"),
        ("fr", "heure d\N{RIGHT SINGLE QUOTATION MARK}Europe centrale"),
        ("de", "Mitteleuropäische Zeit"),
        ("de_AT", "Mitteleuropäische Zeit"),
    ],
)
def test_a_zone_is_named_as_people_read_it(locale: str, expected: str) -> None:
    assert zone_name("Europe/Vienna", locale) == expected
    assert format_moment(MOMENT, locale=locale, timezone="Europe/Vienna", with_zone=True).endswith(
        f" ({expected})"
    )


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC"])
def test_utc_is_utc_in_every_language(zone: str) -> None:
    assert {zone_name(zone, locale) for locale in ("en", "es", "fr", "de")} == {"UTC"}


def test_the_moment_is_shown_on_the_zones_clocks() -> None:
    assert format_moment(MOMENT, locale="de", timezone="America/New_York") == (
        "Donnerstag, 8. Januar 2026 um 12:30 Uhr"
    )


def test_24_hour_clocks_only_where_the_locale_reads_them() -> None:
    assert "18:30" in format_moment(MOMENT, locale="en_GB", timezone="Europe/Vienna")
    assert "6:30" in format_moment(MOMENT, locale="en_US", timezone="Europe/Vienna")
