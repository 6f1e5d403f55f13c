"""Locales and message catalogs.

The catalogs live in ``invitekit/locales/<lang>/LC_MESSAGES/invitekit.po`` (the
sources, in the repository) and ``invitekit.mo`` beside them (compiled by the
build, or by ``python -m invitekit.i18n compile``).  When a compiled catalog is
missing, as in a fresh checkout, the ``.po`` source is compiled in memory, so the
library works the same either way.

Locale negotiation follows the usual chain: the customer's locale
(``de_AT``), its language (``de``), the business default, then English.
"""

from __future__ import annotations

import functools
import gettext
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from invitekit.exceptions import InvalidLocale
from invitekit.text import quoted

__all__ = [
    "DOMAIN",
    "FALLBACK_LOCALE",
    "LOCALES_DIR",
    "available_locales",
    "clean_locale",
    "negotiate_locale",
    "parse_locale",
    "translations",
]

DOMAIN = "invitekit"
FALLBACK_LOCALE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"


def parse_locale(identifier: str) -> Locale:
    """Parse ``"de_AT"``, ``"de-AT"`` or ``"es"`` into a :class:`babel.Locale`.

    Raises:
        InvalidLocale: the identifier is not a known locale.
    """
    try:
        return Locale.parse(identifier.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError, AttributeError) as err:
        raise InvalidLocale(f"unknown locale {quoted(identifier)}", field="locale") from err


def clean_locale(locale: str | None) -> str | None:
    """A customer's locale as stored: ``None`` when blank, else its canonical name.

    Raises:
        InvalidLocale: the identifier is not a known locale.
    """
    if locale is None or not locale.strip():
        return None
    return str(parse_locale(locale.strip()))


@functools.cache
def available_locales() -> frozenset[str]:
    """The languages invitekit ships a catalog for (``{"de", "en", "es", "fr"}`` and more)."""
    if not LOCALES_DIR.is_dir():
        return frozenset({FALLBACK_LOCALE})
    found = {p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return frozenset(found | {FALLBACK_LOCALE})


def negotiate_locale(preferred: Iterable[str | None], *, default: str) -> Locale:
    """Choose the best shipped locale for a customer.

    Each of ``preferred`` is tried in order, first as given and then as its bare
    language (``de_AT`` then ``de``), then ``default`` the same way, then English.
    The result keeps the customer's territory when its language is shipped, so
    dates are formatted for ``de_AT`` even though the texts come from ``de``.
    """
    shipped = available_locales()
    for candidate in [*preferred, default]:
        if not candidate:
            continue
        try:
            locale = parse_locale(candidate)
        except InvalidLocale:
            continue
        if str(locale) in shipped or locale.language in shipped:
            return locale
    return Locale.parse(FALLBACK_LOCALE)


def translations(locale: Locale | str) -> gettext.NullTranslations:
    """The message catalog for ``locale``, falling back to its language, then English."""
    if isinstance(locale, str):
        locale = parse_locale(locale)
    return _translations(str(locale))


@functools.cache
def _translations(identifier: str) -> gettext.NullTranslations:
    locale = Locale.parse(identifier)
    chain = [identifier, locale.language]
    result: gettext.NullTranslations | None = None
    for name in chain:
        catalog = _load(name)
        if catalog is None:
            continue
        if result is None:
            result = catalog
        else:
            result.add_fallback(catalog)
    return result if result is not None else gettext.NullTranslations()


def _load(name: str) -> Translations | None:
    folder = LOCALES_DIR / name / "LC_MESSAGES"
    compiled, source = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if compiled.exists() and (
        not source.exists() or compiled.stat().st_mtime >= source.stat().st_mtime
    ):
        with compiled.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if source.exists():
        return Translations(io.BytesIO(compile_catalog(source)), domain=DOMAIN)
    return None


def compile_catalog(source: Path) -> bytes:
    """Compile one ``.po`` file to ``.mo`` bytes (fuzzy entries are left out)."""
    with source.open("rb") as fp:
        catalog = read_po(fp, locale=source.parent.parent.name, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_all() -> list[Path]:
    """Compile every shipped ``.po`` file to the ``.mo`` beside it; return the paths written."""
    written = []
    for source in sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        target = source.with_suffix(".mo")
        target.write_bytes(compile_catalog(source))
        written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover - a developer command
    if sys.argv[1:] == ["compile"]:
        for path in compile_all():
            print(path)
    else:
        print("usage: python -m invitekit.i18n compile", file=sys.stderr)
        sys.exit(2)
