"""One way to write a date and time per locale, for every email, policy sentence and page.

A moment is written as the locale's full date (CLDR) and its short time (CLDR,
so 24-hour where the locale expects it and ``6:00 PM`` in American English),
joined the way the catalog of the language says (``"{date} at {time}"``,
``"{date} um {time} Uhr"``), always in a given time zone:

    Thursday, March 5, 2026 at 6:00 PM
    jueves, 5 de marzo de 2026, a las 18:00
    jeudi 5 mars 2026 à 18:00
    Donnerstag, 5. März 2026 um 18:00 Uhr
    Donnerstag, 5. Jänner 2026 um 18:00 Uhr      (de_AT)

:func:`zone_name` names a zone as people read it ("Central European Time",
"Mitteleuropäische Zeit"), not as an IANA identifier.
"""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name

from invitekit.i18n import gettext_noop as _
from invitekit.i18n import parse_locale, translations

__all__ = ["format_moment", "zone_name"]


# The catalog decides how a language joins a date and a time, and how it shows
# the zone after them.
_JOIN = _("{date} at {time}")
_WITH_ZONE = _("{moment} ({zone})")
_UTC = frozenset(
    {
        "UTC",
        "Etc/UTC",
        "Etc/UCT",
        "UCT",
        "Etc/Universal",
        "Universal",
        "Zulu",
        "Etc/Zulu",
        "GMT",
        "Etc/GMT",
        "Etc/Greenwich",
        "Greenwich",
        "Etc/GMT0",
        "GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "GMT+0",
        "GMT-0",
    }
)


def format_moment(
    moment: datetime, *, locale: Locale | str, timezone: str, with_zone: bool = False
) -> str:
    """``moment`` in ``timezone``, written the ``locale``'s way.

    Args:
        moment: a timezone-aware instant.
        locale: the reader's locale (``"de_AT"``); texts come from its language.
        timezone: an IANA zone name; the moment is shown on its clocks.
        with_zone: add the zone's name in parentheses (for a reader who may be elsewhere).

    Returns:
        ``"Thursday, March 5, 2026 at 6:00 PM"``, ``"jeudi 5 mars 2026 à 18:00"``...
    """
    chosen = parse_locale(locale) if isinstance(locale, str) else locale
    return _format(moment, chosen, timezone, with_zone)


@functools.lru_cache(maxsize=512)
def _format(moment: datetime, locale: Locale, timezone: str, with_zone: bool) -> str:
    catalog = translations(locale)
    local = moment.astimezone(ZoneInfo(timezone))
    text = catalog.gettext(_JOIN).format(
        date=format_date(local, "full", locale=locale),
        time=format_time(local, "short", locale=locale),
    )
    if not with_zone:
        return text
    return catalog.gettext(_WITH_ZONE).format(moment=text, zone=zone_name(timezone, locale))


@functools.lru_cache(maxsize=256)
def zone_name(timezone: str, locale: Locale | str) -> str:
    """The zone as people read it: ``"Central European Time"``, ``"hora de Europa central"``.

    UTC (and its aliases) is ``UTC`` in every language, not CLDR's "unknown region".
    """
    if timezone in _UTC:
        return "UTC"
    chosen = parse_locale(locale) if isinstance(locale, str) else locale
    return str(get_timezone_name(ZoneInfo(timezone), "long", locale=chosen))
