"""The business pages in English, Spanish, French and German; the page texts complete."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel import Locale
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from examples.webapp.formal_texts import FORMAL_TEXTS
from examples.webapp.texts import TEXTS, plural, word
from tests.webapp.support import csrf_token, make_app

#: Texts only the business reads (the business pages say "du" and "tú" to the studio).
BUSINESS_ONLY = {"r_not_allowed", "r_conflict", "r_policy", "r_mail_temporary", "r_mail_permanent"}

#: Texts spelled the same as in English on purpose (the word is the same word).
SAME_AS_ENGLISH: dict[str, set[str]] = {
    "es": set(),
    "fr": {"b_date", "kind_invitation"},  # "Date", "invitation"
    "de": {"b_name", "b_text"},  # "Name", "Text"
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_every_text_exists_in_every_language_and_no_other(language: str) -> None:
    assert sorted(set(TEXTS["en"]) - set(TEXTS[language])) == []
    assert sorted(set(TEXTS[language]) - set(TEXTS["en"])) == []


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_no_text_is_left_in_english(language: str) -> None:
    same = {key for key, value in TEXTS[language].items() if value == TEXTS["en"][key]}
    assert same == SAME_AS_ENGLISH[language]


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_every_translation_keeps_the_placeholders(language: str) -> None:
    for key, english in TEXTS["en"].items():
        assert placeholders(TEXTS[language][key]) == placeholders(english), key


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 invitation sent"),
        ("en", 2, "2 invitations sent"),
        ("en", 0, "0 invitations sent"),
        ("es", 1, "1 invitación enviada"),
        ("es", 2, "2 invitaciones enviadas"),
        ("fr", 0, "0 invitation envoyée"),
        ("fr", 1, "1 invitation envoyée"),
        ("fr", 2, "2 invitations envoyées"),
        ("fr", 1_000_000, "1000000 invitations envoyées"),
        ("de", 1, "1 Einladung gesendet"),
        ("de", 2, "2 Einladungen gesendet"),
    ],
)
def test_plural_forms_follow_the_language(language: str, n: int, expected: str) -> None:
    assert plural(Locale.parse(language), "b_invitations_sent", n) == expected


def test_enum_values_are_words() -> None:
    assert word(Locale.parse("es"), "status", "accepted") == "activo"
    assert word(Locale.parse("de"), "event", "invitation_queued") == "Einladung eingereiht"
    assert word(Locale.parse("fr"), "skip", "invited_recently") == "invités trop récemment"
    assert word(Locale.parse("en"), "event", "something_new") == "something new"


def test_the_list_in_spanish_from_the_browser(admin: FlaskClient, studio: Studio) -> None:
    studio.kit.add_customer("jonas@example.com", locale="de_AT")
    studio.kit.add_customer("ana@example.com", locale="es", invite=True)
    studio.kit.deliver()
    page = admin.get("/admin/", headers={"Accept-Language": "es-ES,es;q=0.9"}).text
    assert '<html lang="es">' in page
    assert "<h1>Clientes</h1>" in page
    assert "Añadidos (1)" in page and "Invitados (1)" in page
    assert "alemán (Austria)" in page  # the language's name, not "de_AT"
    assert ">invitado</span>" in page and ">añadido</span>" in page
    assert "de_AT" not in page.replace('value="de_AT"', "")


def test_the_language_switch_is_kept_for_the_next_pages(
    admin: FlaskClient, studio: Studio
) -> None:
    customer = studio.kit.add_customer("ana@example.com", locale="es", invite=True)
    studio.kit.deliver()
    assert "<h1>Kundschaft</h1>" in admin.get("/admin/?lang=de").text
    page = admin.get(f"/admin/customers/{customer.id}").text
    assert '<html lang="de">' in page
    assert "Einladung eingereiht" in page  # the history's event, as a word
    assert "<td>E-Mail zugestellt</td><td>Einladung</td>" in page  # what was delivered
    assert ">Einladung</td><td>gesendet</td>" in page  # the email's kind and state
    assert "Sprache: Spanisch" in page
    assert "<h1>Invitar a clientes</h1>" in admin.get("/admin/invite?lang=es").text


def test_the_invite_flash_in_french_counts_in_french(admin: FlaskClient, studio: Studio) -> None:
    studio.kit.add_customer("ana@example.com")
    studio.kit.add_customer("ben@example.com")
    dialog = admin.get("/admin/invite?lang=fr").text
    assert "2 personnes seront invitées." in dialog
    response = admin.post(
        "/admin/invite",
        data={"csrf_token": csrf_token(dialog), "audience": "all", "action": "send"},
        follow_redirects=True,
    )
    assert "2 invitations envoyées." in response.text


def test_a_wrong_admin_password_is_refused_in_the_readers_language(client: FlaskClient) -> None:
    page = client.get("/admin/login", headers={"Accept-Language": "es"}).text
    assert "Contraseña de administración" in page
    response = client.post(
        "/admin/login",
        data={"csrf_token": csrf_token(page), "password": "wrong"},
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 401
    assert "Esa no es la contraseña de administración." in response.text


def test_the_settings_in_german_name_modes_and_outcomes_as_words(admin: FlaskClient) -> None:
    page = admin.get("/admin/settings?lang=de").text
    assert "<h2>Stornieren</h2>" in page
    assert '<option value="windowed" selected>bis einige Stunden vorher</option>' in page
    assert ">nicht möglich</option>" in page and ">das Team entscheidet</option>" in page
    assert ">freiwillig</option>" in page
    assert "needs_staff</option>" not in page


# Words of the informal address, as the customer pages use them.
INFORMAL_WORDS = {
    "de": re.compile(
        r"\b(du|dich|dir|dein\w*|melde|gib|wähle|nimm|versuche? es|prüfe?|lade|bestätige|buche"
        r"|fordere|wende|leg|sieh|registriere)\b",
        re.IGNORECASE,
    ),
    "es": re.compile(
        r"\b(tú|tu|tus|te|tienes|puedes|eres|has|inicia|elige|escribe|usa|pide|comprueba"
        r"|ponte|vuelve|revisa|regístrate|recarga|abriste|elegiste)\b",
        re.IGNORECASE,
    ),
}


@pytest.mark.parametrize("language", sorted(INFORMAL_WORDS))
def test_every_informal_customer_text_has_a_formal_variant(language: str) -> None:
    informal = INFORMAL_WORDS[language]
    formal = FORMAL_TEXTS[language]
    for key, value in TEXTS[language].items():
        business_only = key in BUSINESS_ONLY or key.startswith(("b_", "note_", "answer_"))
        if business_only or not informal.search(value):
            continue
        assert key in formal, f"{language}: no formal variant for {key}: {value!r}"
    for key, value in formal.items():
        assert not informal.search(value), (key, value)
        assert placeholders(value) == placeholders(TEXTS["en"][key]), key


def test_a_formal_studio_says_sie_on_the_pages(tmp_path: Path) -> None:
    app = make_app(tmp_path, base_url="http://studio.test", BUSINESS_FORMAL=True)
    client = app.test_client()
    page = client.get("/", headers={"Accept-Language": "de"}).text
    assert "Buchen Sie Ihre Kurse bei Studio One." in page
    forgot = client.get("/forgot", headers={"Accept-Language": "es"}).text
    assert "Escriba su correo electrónico y le enviaremos un enlace" in forgot
    # French says "vous" either way.
    assert "Réservez vos cours" in client.get("/", headers={"Accept-Language": "fr"}).text


def test_german_says_abmelden_only_for_logging_out() -> None:
    german = {key: value.lower() for key, value in TEXTS["de"].items()}
    assert german["logout"] == "abmelden"
    assert german["unsubscribe_button"] == "keine einladungen mehr erhalten"
    saying_it = sorted(key for key, value in german.items() if "abmeld" in value)
    assert saying_it == ["logout"]
