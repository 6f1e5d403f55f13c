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
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from invitekit.exceptions import InvalidLocale
from invitekit.text import quoted

__all__ = [
    "DOMAIN",
    "FALLBACK_LOCALE",
    "LOCALES_DIR",
    "available_locales",
    "clean_locale",
    "extract_messages",
    "gettext_noop",
    "missing_messages",
    "negotiate_locale",
    "parse_locale",
    "translate",
    "translations",
]

DOMAIN = "invitekit"
FALLBACK_LOCALE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"
PACKAGE_DIR = Path(__file__).parent

# What marks a message in the code: ``_()`` (``gettext_noop`` imported as ``_``)
# for texts translated later, and the catalog's own ``gettext`` calls.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is used.

    Import it as ``_`` so that ``python -m invitekit.i18n extract`` finds it.
    """
    return message


def parse_locale(identifier: str) -> Locale:
    """Parse ``"de_AT"``, ``"de-AT"`` or ``"es"`` into a :class:`babel.Locale`.

    Raises:
        InvalidLocale: the identifier is not a known locale.
    """
    try:
        return Locale.parse(identifier.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError, AttributeError) as err:
        raise InvalidLocale(
            f"unknown locale {quoted(identifier)}", field="locale", code="unknown_locale"
        ) from err


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


FORMAL = "formal"
"""The message context of the formal variant of a text (``msgctxt "formal"``)."""


def translate(catalog: gettext.NullTranslations, message: str, *, formal: bool = False) -> str:
    """``message`` from ``catalog``; with ``formal``, its formal variant if the language has one.

    A language that addresses everyone the same way (French "vous", English)
    has no ``msgctxt "formal"`` entries: the plain translation is used.
    """
    if formal:
        variant = catalog.pgettext(FORMAL, message)
        if variant != message:
            return variant
    return catalog.gettext(message)


def extract_messages() -> Catalog:
    """Every message the code marks (``_()``, ``gettext``...), extracted by Babel."""
    catalog = Catalog(domain=DOMAIN, project="invitekit", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("email:", "policy"),
        strip_comment_tags=False,
    ):
        catalog.add(
            message,
            locations=[(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def missing_messages(language: str = FALLBACK_LOCALE) -> list[str]:
    """The extracted messages that ``language``'s catalog does not have (new in the code)."""
    source = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as fp:
        known = read_po(fp, locale=language, domain=DOMAIN)
    return sorted(
        str(message.id)
        for message in extract_messages()
        if message.id and known.get(message.id, message.context) is None
    )


def _main(argv: list[str]) -> int:  # pragma: no cover - a developer command
    if argv == ["compile"]:
        for path in compile_all():
            print(path)
        return 0
    if argv[:1] == ["extract"] and len(argv) <= 2:
        target = Path(argv[1]) if len(argv) == 2 else LOCALES_DIR / f"{DOMAIN}.pot"
        with target.open("wb") as fp:
            write_po(fp, extract_messages(), width=88, omit_header=False)
        print(target)
        missing = missing_messages()
        for message in missing:
            print(f"not in the catalogs: {message!r}", file=sys.stderr)
        return 1 if missing else 0
    print("usage: python -m invitekit.i18n compile | extract [FILE.pot]", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover - a developer command
    sys.exit(_main(sys.argv[1:]))
