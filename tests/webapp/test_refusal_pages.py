"""What the library refuses, and a customer's history, on the pages in the page's language.

The example app translates by exception type, ``ValidationError.code`` and
``Event.note``, never by reading the library's English messages: each case here
is raised by the library itself, and no English message may reach a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from babel import Locale
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from examples.webapp.refusals import describe_refusal
from examples.webapp.texts import text
from invitekit import (
    DuplicateCustomer,
    GroupNotFound,
    InvitationRefused,
    InviteKitError,
    LoginThrottled,
    PermanentDeliveryError,
    SkipReason,
    TemporaryDeliveryError,
)
from invitekit.addresses import parse_email
from invitekit.dates import format_moment
from invitekit.exceptions import InvalidPolicy
from invitekit.model import clean_signup_name
from invitekit.passwords import PasswordRules
from invitekit.sandbox import check_body, check_subject
from tests.webapp.support import csrf_token


def _raised(action: Callable[[], object]) -> InviteKitError:
    try:
        action()
    except InviteKitError as err:
        return err
    raise AssertionError("the library accepted it")


RULES = PasswordRules.with_common_passwords(min_length=10)
REFUSALS: dict[str, Callable[[], InviteKitError]] = {
    "password too short": lambda: _raised(lambda: RULES.check("short")),
    "password too common": lambda: _raised(lambda: RULES.check("password123")),
    "password personal": lambda: _raised(
        lambda: RULES.check("ana@example.com", context=["ana@example.com"])
    ),
    "password too long": lambda: _raised(lambda: RULES.check("x" * 300)),
    "email empty": lambda: _raised(lambda: parse_email(" ")),
    "email without @": lambda: _raised(lambda: parse_email("ana.example.com")),
    "email with a space": lambda: _raised(lambda: parse_email("ana @example.com")),
    "email reserved domain": lambda: _raised(lambda: parse_email("ana@example.invalid")),
    "name with a link": lambda: _raised(lambda: clean_signup_name("bit.ly/x", field="first_name")),
    "name too long": lambda: _raised(lambda: clean_signup_name("A" * 60, field="first_name")),
    "name with a line break": lambda: _raised(
        lambda: clean_signup_name("Ana\nBcc: x", field="last_name")
    ),
    "subject of two lines": lambda: _raised(lambda: check_subject("Hello\nthere")),
    "unknown placeholder": lambda: _raised(lambda: check_body("Hi\n\n{{ password }}")),
    "broken placeholder": lambda: _raised(lambda: check_body("Hi {{ first_name ")),
    "throttled": lambda: LoginThrottled(
        "too many failed attempts", retry_at=datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    ),
    "duplicate": lambda: DuplicateCustomer("a customer with this email exists"),
    "not invitable": lambda: InvitationRefused(
        "the customer has accepted", reason=SkipReason.ACCEPTED, customer_id="cus_1"
    ),
    "no such group": lambda: GroupNotFound("no group named 'x'"),
    "mail server away": lambda: TemporaryDeliveryError("could not connect to smtp.example:587"),
    "mail server refused": lambda: PermanentDeliveryError("550 5.1.1 no such mailbox"),
    "bad policy": lambda: InvalidPolicy("cancel: hours must be a whole number", field="cancel"),
}


def _describe(error: InviteKitError, language: str) -> str:
    locale = Locale.parse(language)

    def t(key: str, **values: object) -> str:
        return text(locale, key, business="Studio One", **values)

    def when(moment: datetime) -> str:
        return format_moment(moment, locale=locale, timezone="Europe/Vienna")

    return describe_refusal(error, t=t, when=when)


@pytest.mark.parametrize("case", sorted(REFUSALS))
@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_every_refusal_is_said_in_the_pages_language(case: str, language: str) -> None:
    error = REFUSALS[case]()
    english = _describe(error, "en")
    said = _describe(error, language)
    assert said != english
    assert str(error) not in said
    assert "{" not in said
    assert str(error) not in english  # English pages do not show the library's message either


def test_a_refusal_names_the_limit_and_the_line() -> None:
    assert _describe(REFUSALS["password too short"](), "de") == (
        "Dieses Passwort ist zu kurz: Nimm mindestens 10 Zeichen."
    )
    assert _describe(REFUSALS["unknown placeholder"](), "fr") == (
        "Texte, ligne 3 : utilisez seulement les variables indiquées."
    )
    assert _describe(REFUSALS["name too long"](), "es") == "Nombre: como máximo 50 caracteres."
    assert _describe(REFUSALS["throttled"](), "es") == (
        "Demasiados intentos fallidos. Vuelve a intentarlo a partir del lunes, 5 de enero"
        " de 2026, a las 10:15."
    )


def test_a_spanish_sign_up_with_a_short_password_is_refused_in_spanish(
    client: FlaskClient,
) -> None:
    headers = {"Accept-Language": "es"}
    token = csrf_token(client.get("/signup", headers=headers).text)
    response = client.post(
        "/signup",
        data={
            "email": "noa@example.com",
            "first_name": "Noa",
            "password": "corta",
            "csrf_token": token,
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert "Esta contraseña es demasiado corta: usa al menos" in response.text
    assert 'value="Noa"' in response.text
    assert "password must have" not in response.text


def test_a_sign_up_name_with_a_link_is_refused_in_german(client: FlaskClient) -> None:
    headers = {"Accept-Language": "de"}
    token = csrf_token(client.get("/signup", headers=headers).text)
    response = client.post(
        "/signup",
        data={
            "email": "noa@example.com",
            "first_name": "Gewinn auf bit.ly",
            "password": "a long enough password",
            "csrf_token": token,
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert "Vorname: keine Web- oder E-Mail-Adresse und kein Link." in response.text


def test_a_throttled_login_says_until_when_in_french(client: FlaskClient, studio: Studio) -> None:
    studio.kit.add_customer("ana@example.com", locale="fr")
    headers = {"Accept-Language": "fr"}
    statuses = []
    for _ in range(12):
        token = csrf_token(client.get("/login", headers=headers).text)
        response = client.post(
            "/login",
            data={"email": "ana@example.com", "password": "not it", "csrf_token": token},
            headers=headers,
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    assert "Trop de tentatives échouées. Réessayez à partir du lundi 5 janvier 2026" in (
        response.text
    )


def test_the_history_in_french_says_why_in_french(admin: FlaskClient, studio: Studio) -> None:
    ana = studio.kit.add_customer("ana@example.com", locale="es", invite=True)
    studio.kit.update_customer(ana.id, first_name="Ana")
    studio.kit.archive_customer(ana.id)  # withdraws the queued invitation
    page = admin.get(f"/admin/customers/{ana.id}?lang=fr").text
    assert "<td>invitation retirée</td><td>le client a été archivé</td>" in page
    assert "<td>coordonnées modifiées</td><td>Prénom</td>" in page
    assert "the customer was archived" not in page


def test_adding_a_customer_twice_is_refused_in_spanish(admin: FlaskClient, studio: Studio) -> None:
    studio.kit.add_customer("ana@example.com")
    token = csrf_token(admin.get("/admin/?lang=es").text)
    response = admin.post(
        "/admin/customers",
        data={"email": "ANA@example.com", "csrf_token": token},
        follow_redirects=True,
    )
    assert "No se ha añadido: Otro cliente ya tiene esta dirección de correo electrónico." in (
        response.text
    )
