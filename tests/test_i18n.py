"""The shipped catalogs: complete, up to date, and chosen along the fallback chain."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from invitekit import compose, i18n
from invitekit.i18n import (
    DOMAIN,
    LOCALES_DIR,
    available_locales,
    compile_catalog,
    extract_messages,
    missing_messages,
    negotiate_locale,
)
from invitekit.sandbox import check_template
from invitekit.testing import make_business

SOURCES = sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
OTHER_LANGUAGES = sorted(p.parent.parent.name for p in SOURCES if p.parent.parent.name != "en")


def _catalog(language: str):  # type: ignore[no-untyped-def]
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fp:
        return read_po(fp, locale=language, domain=DOMAIN)


def _english_ids() -> list[str]:
    return [str(m.id) for m in _catalog("en") if m.id]


def test_at_least_the_four_documented_languages_are_shipped() -> None:
    assert {"en", "es", "fr", "de"} <= available_locales()


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_english_message_is_translated_and_not_fuzzy(language: str) -> None:
    catalog = _catalog(language)
    problems = []
    for msgid in _english_ids():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif not message.string:
            problems.append(f"untranslated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    assert problems == []


def test_english_translates_every_message_too() -> None:
    catalog = _catalog("en")
    assert [m.id for m in catalog if m.id and (not m.string or m.fuzzy)] == []


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english_text(language: str) -> None:
    catalog = _catalog(language)
    placeholders = re.compile(r"\{\{\s*\w+\s*\}\}|\{\w+\}")
    for msgid in _english_ids():
        message = catalog.get(msgid)
        assert message is not None
        assert sorted(placeholders.findall(str(message.string))) == sorted(
            placeholders.findall(msgid)
        ), msgid


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.parent.name)
def test_every_translated_template_passes_the_sandbox(source: Path) -> None:
    with source.open("rb") as fp:
        catalog = read_po(fp)
    for message in catalog:
        if message.id and "{{" in str(message.id):
            check_template(str(message.string))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.parent.name)
def test_the_wheel_ships_each_catalog_compiled_from_its_current_source(
    source: Path, built_wheel: Path
) -> None:
    relative = source.relative_to(source.parents[4]).with_suffix(".mo").as_posix()
    with zipfile.ZipFile(built_wheel) as wheel:
        assert relative in wheel.namelist(), f"{relative} is missing from the wheel"
        shipped = {m.id: m.string for m in read_mo(io.BytesIO(wheel.read(relative))) if m.id}
    with source.open("rb") as fp:
        wanted = {m.id: m.string for m in read_po(fp) if m.id and not m.fuzzy}
    assert shipped == wanted


def test_a_compiled_catalog_in_the_tree_is_not_stale() -> None:
    stale = [
        str(source)
        for source in SOURCES
        if source.with_suffix(".mo").exists()
        and source.with_suffix(".mo").stat().st_mtime < source.stat().st_mtime
    ]
    assert stale == [], "run python -m invitekit.i18n compile"


def test_compiling_a_catalog_gives_what_the_source_says(tmp_path: Path) -> None:
    source = tmp_path / "xx" / "LC_MESSAGES" / f"{DOMAIN}.po"
    source.parent.mkdir(parents=True)
    source.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello,"\nmsgstr "Hei,"\n\n#, fuzzy\nmsgid "Hello {first_name},"\n'
        'msgstr "Hei {first_name},"\n',
        encoding="utf-8",
    )
    compiled = tmp_path / "out.mo"
    compiled.write_bytes(compile_catalog(source))
    with compiled.open("rb") as fp:
        messages = {m.id: m.string for m in read_mo(fp) if m.id}
    assert messages == {"Hello,": "Hei,"}


@pytest.mark.parametrize(
    ("customer", "default", "expected"),
    [
        ("de_AT", "en", "de_AT"),
        ("de", "en", "de"),
        ("es_MX", "de", "es_MX"),
        ("pt", "fr", "fr"),
        (None, "es", "es"),
        ("pt", "pt_BR", "en"),
        ("not a locale", "de", "de"),
        (None, "xx", "en"),
    ],
)
def test_negotiation_follows_customer_language_business_default_english(
    customer: str | None, default: str, expected: str
) -> None:
    assert str(negotiate_locale([customer], default=default)) == expected


def test_the_wheel_ships_the_email_layout_and_the_type_marker(built_wheel: Path) -> None:
    with zipfile.ZipFile(built_wheel) as wheel:
        names = set(wheel.namelist())
    assert {
        "invitekit/templates/email.txt",
        "invitekit/templates/email.html",
        "invitekit/py.typed",
    } <= names


def test_every_message_marked_in_the_code_is_in_the_catalogs() -> None:
    assert missing_messages() == [], "run python -m invitekit.i18n extract, then translate"


def test_every_catalog_message_is_still_used_by_the_code() -> None:
    extracted = {m.id for m in extract_messages() if m.id}
    for language in ["en", *OTHER_LANGUAGES]:
        unused = [m.id for m in _catalog(language) if m.id and m.id not in extracted]
        assert unused == [], f"{language}: messages no code uses"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_formal_variants_are_complete_and_keep_the_placeholders(language: str) -> None:
    catalog = _catalog(language)
    english = set(_english_ids())
    placeholders = re.compile(r"\{\{\s*\w+\s*\}\}|\{\w+\}")
    for message in catalog:
        if not message.id or message.context is None:
            continue
        assert message.context == "formal", message.id
        assert message.id in english, message.id
        assert message.string, message.id
        assert not message.fuzzy, message.id
        assert sorted(placeholders.findall(str(message.string))) == sorted(
            placeholders.findall(str(message.id))
        ), message.id


# Words of the informal address: a text using them needs a formal variant, which must not.
INFORMAL = {
    "de": re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE),
    "es": re.compile(
        r"\b(tú|tu|tus|te|tuya|tienes|puedes|eres|recibes|has|cancelas|cambias|pierdes|ponte)\b",
        re.IGNORECASE,
    ),
}


@pytest.mark.parametrize("language", sorted(INFORMAL))
def test_every_informal_customer_text_has_a_formal_variant(language: str) -> None:
    catalog = _catalog(language)
    informal = INFORMAL[language]
    formal = {m.id: str(m.string) for m in catalog if m.id and m.context == "formal"}
    for message in catalog:
        comment = " ".join(message.auto_comments)
        if not message.id or message.context or not comment.startswith(("email", "policy")):
            continue
        if informal.search(str(message.string)):
            assert message.id in formal, f"no formal variant: {message.id!r}"
            assert not informal.search(formal[message.id]), formal[message.id]


ITALIAN = """\
msgid ""
msgstr ""
"Language: it\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "{{ business_name }} invites you to book online"
msgstr "{{ business_name }} ti invita a prenotare online"

msgid "Hello {first_name},"
msgstr "Ciao {first_name},"
"""


def test_a_catalog_dropped_in_is_offered_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for source in SOURCES:
        target = tmp_path / source.relative_to(LOCALES_DIR)
        target.parent.mkdir(parents=True)
        target.write_bytes(source.read_bytes())
    italian = tmp_path / "it" / "LC_MESSAGES" / f"{DOMAIN}.po"
    italian.parent.mkdir(parents=True)
    italian.write_text(ITALIAN, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    caches = [available_locales, i18n._translations, compose.locale_for]
    for cache in caches:
        cache.cache_clear()
    try:
        assert "it" in available_locales()
        assert str(negotiate_locale(["it_CH"], default="de")) == "it_CH"
        email = compose.compose_invitation(
            business=make_business(),
            recipient=compose.Recipient(email="gio@example.com", first_name="Gio", locale="it"),
            activation_link="https://studio.example/activate/t",
            unsubscribe_link="https://studio.example/unsubscribe/t",
            valid_until=None,
            message_id="<m@studio.example>",
        )
        assert email.subject == "Studio One ti invita a prenotare online"
        assert email.text.startswith("Ciao Gio,\n")
    finally:
        monkeypatch.undo()
        for cache in caches:
            cache.cache_clear()
