"""The account emails: addressed, escaped and header-safe."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from babel.messages.pofile import read_po

from invitekit import account_mail
from invitekit.account_mail import AccountEmail
from invitekit.compose import Recipient
from invitekit.model import Business, Email

BUSINESS = Business(
    id="studio-1",
    name="Studio\r\nBcc: everyone@example.com",
    sender="hello@studio.example",
    timezone="Europe/Vienna",
    activation_url="https://studio.example/activate/{token}",
    unsubscribe_url="https://studio.example/unsubscribe/{token}",
    reset_url="https://studio.example/reset/{token}",
    verify_url="https://studio.example/verify/{token}",
)
RECIPIENT = Recipient(email="ana@example.com", first_name="<b>Ana</b>")
LINK = "https://studio.example/reset/abc.def.ghi"


@pytest.mark.parametrize(
    "compose",
    [
        account_mail.compose_password_reset,
        account_mail.compose_activation_request,
        account_mail.compose_email_verification,
        account_mail.compose_account_exists,
    ],
)
def test_link_emails_carry_link_expiry_and_escape_names(compose) -> None:
    email = compose(
        business=BUSINESS,
        recipient=RECIPIENT,
        link=LINK,
        valid_until=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        message_id="<msg_1@studio.example>",
    )
    assert email.to == "ana@example.com"
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert LINK in email.text
    assert (
        "This link is valid until Monday, January 5, 2026 at 11:00\N{NARROW NO-BREAK SPACE}AM"
        " (Central European Time)."
    ) in email.text
    assert email.html is not None
    assert "<b>Ana</b>" not in email.html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in email.html
    assert email.message_id == "<msg_1@studio.example>"
    assert email.header("List-Unsubscribe") is None


def test_provider_hint_names_the_provider_and_has_no_link() -> None:
    email = account_mail.compose_provider_hint(
        business=BUSINESS, recipient=RECIPIENT, provider="github", message_id="<m@s.example>"
    )
    assert "Sign in with GitHub" in email.text
    assert "https://" not in email.text


@pytest.mark.parametrize(
    ("locale", "named"),
    [
        ("en", "Google, Facebook, or GitHub"),
        ("es", "Google, Facebook o GitHub"),
        ("fr", "Google, Facebook ou GitHub"),
        ("de", "Google, Facebook oder GitHub"),
    ],
)
def test_provider_hint_names_every_provider_as_a_list_of_the_language(
    locale: str, named: str
) -> None:
    email = account_mail.compose_provider_hint(
        business=BUSINESS,
        recipient=attrs.evolve(RECIPIENT, locale=locale),
        provider="google",
        providers=("google", "facebook", "github", "google"),
        message_id="<m@s.example>",
    )
    assert named in email.text
    assert email.text.count("GitHub") == 2  # "you sign in with ..." and "Sign in with ..."


def test_unknown_provider_is_shown_as_given_without_control_characters() -> None:
    assert account_mail.provider_label("Acme\nSSO") == "Acme SSO"


# --------------------------------------------------------------------------- languages

STUDIO = attrs.evolve(BUSINESS, name="Studio One", default_locale="en")
VALID_UNTIL = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # 11:00 in Vienna
ENGLISH_SOURCE = Path(account_mail.__file__).parent / "locales/en/LC_MESSAGES/invitekit.po"

# Per language: the greeting, how the link's validity reads, a word only that language uses.
LANGUAGE_SAMPLES = {
    "en": (
        "Hello Ana,",
        "Monday, January 5, 2026 at 11:00\N{NARROW NO-BREAK SPACE}AM (Central European Time)",
    ),
    "es": ("Hola Ana:", "lunes, 5 de enero de 2026, a las 11:00 (hora de Europa central)"),
    "fr": (
        "Bonjour Ana,",
        "lundi 5 janvier 2026 à 11:00 (heure d\N{RIGHT SINGLE QUOTATION MARK}Europe centrale)",
    ),
    "de": ("Hallo Ana,", "Montag, 5. Januar 2026 um 11:00 Uhr (Mitteleuropäische Zeit)"),
    "de_AT": ("Hallo Ana,", "Montag, 5. Jänner 2026 um 11:00 Uhr (Mitteleuropäische Zeit)"),
}
SUBJECTS = {
    AccountEmail.PASSWORD_RESET: {
        "en": "Reset your password for Studio One",
        "es": "Restablece tu contraseña de Studio One",
        "fr": "Réinitialisez votre mot de passe chez Studio One",
        "de": "Passwort für Studio One zurücksetzen",
    },
    AccountEmail.ACTIVATION_REQUEST: {
        "en": "Activate your profile with Studio One",
        "es": "Activa tu perfil en Studio One",
        "fr": "Activez votre profil chez Studio One",
        "de": "Aktiviere dein Profil bei Studio One",
    },
    AccountEmail.PROVIDER_HINT: {
        "en": "How to sign in to Studio One",
        "es": "Cómo iniciar sesión en Studio One",
        "fr": "Comment vous connecter à Studio One",
        "de": "So meldest du dich bei Studio One an",
    },
    AccountEmail.EMAIL_VERIFICATION: {
        "en": "Confirm your email address for Studio One",
        "es": "Confirma tu dirección de correo para Studio One",
        "fr": "Confirmez votre adresse e-mail pour Studio One",
        "de": "Bestätige deine E-Mail-Adresse für Studio One",
    },
    AccountEmail.ACCOUNT_EXISTS: {
        "en": "You already have a profile with Studio One",
        "es": "Ya tienes un perfil en Studio One",
        "fr": "Vous avez déjà un profil chez Studio One",
        "de": "Du hast bereits ein Profil bei Studio One",
    },
    AccountEmail.EMAIL_CHANGE: {
        "en": "Confirm your new email address for Studio One",
        "es": "Confirma tu nueva dirección de correo para Studio One",
        "fr": "Confirmez votre nouvelle adresse e-mail chez Studio One",
        "de": "Bestätige deine neue E-Mail-Adresse bei Studio One",
    },
    AccountEmail.EMAIL_CHANGE_NOTICE: {
        "en": "Your email address with Studio One is being changed",
        "es": "Estamos cambiando tu dirección de correo en Studio One",
        "fr": "Votre adresse e-mail chez Studio One va être changée",
        "de": "Deine E-Mail-Adresse bei Studio One wird geändert",
    },
}


def _english_phrases() -> set[str]:
    """Every English text of the catalog, cut at its placeholders, long enough to be a phrase."""
    with ENGLISH_SOURCE.open("rb") as fp:
        catalog = read_po(fp, locale="en")
    phrases = set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        for piece in re.split(r"\{\{?[^}]*\}?\}", message.id):
            for line in piece.split("\n"):
                if len(line.strip()) >= 12:
                    phrases.add(line.strip())
    return phrases


_NO_LINK = {AccountEmail.PROVIDER_HINT, AccountEmail.EMAIL_CHANGE_NOTICE}


def _compose_kind(kind: AccountEmail, locale: str, **extra: object) -> Email:
    return account_mail.compose_account_email(
        kind,
        business=STUDIO,
        recipient=Recipient(email="ana@example.com", first_name="Ana", locale=locale),
        message_id="<m@studio.example>",
        link=None if kind in _NO_LINK else LINK,
        valid_until=None if kind in _NO_LINK else VALID_UNTIL,
        provider="google",
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("locale", ["en", "es", "fr", "de", "de_AT"])
@pytest.mark.parametrize("kind", list(AccountEmail))
def test_each_account_email_is_written_in_the_customers_language(
    kind: AccountEmail, locale: str
) -> None:
    email = _compose_kind(kind, locale)
    greeting, valid_until = LANGUAGE_SAMPLES[locale]
    assert email.subject == SUBJECTS[kind][locale[:2]]
    assert email.text.splitlines()[0] == greeting
    if kind is AccountEmail.PROVIDER_HINT:
        assert "Google" in email.text
    if kind in _NO_LINK:
        assert "https://" not in email.text
    else:
        assert valid_until in email.text
        assert LINK in email.text
    if locale != "en":
        left = [phrase for phrase in _english_phrases() if phrase in email.text]
        assert left == [], f"English left in the {locale} email"
    assert email.html is not None
    assert f'<html lang="{locale.replace("_", "-")}">' in email.html
    assert "max-width:560px" in email.html  # the shared layout
    if kind not in _NO_LINK:
        assert "display:inline-block;padding:12px 24px" in email.html  # the button


def test_the_page_locale_is_used_when_the_customer_has_none() -> None:
    email = account_mail.compose_password_reset(
        business=STUDIO,
        recipient=Recipient(email="ana@example.com"),
        message_id="<m@studio.example>",
        link=LINK,
        valid_until=VALID_UNTIL,
        page_locale="fr",
    )
    assert email.subject == "Réinitialisez votre mot de passe chez Studio One"
    assert email.text.splitlines()[0] == "Bonjour,"


def test_the_customers_own_locale_wins_over_the_page() -> None:
    email = _compose_kind(AccountEmail.PASSWORD_RESET, "es", page_locale="fr")
    assert email.subject == "Restablece tu contraseña de Studio One"


def test_without_any_locale_the_business_default_is_used() -> None:
    email = account_mail.compose_password_reset(
        business=attrs.evolve(STUDIO, default_locale="de"),
        recipient=Recipient(email="ana@example.com"),
        message_id="<m@studio.example>",
        link=LINK,
        valid_until=VALID_UNTIL,
    )
    assert email.subject == "Passwort für Studio One zurücksetzen"
    assert email.text.splitlines()[0] == "Hallo,"


# --------------------------------------------------------------------------- formal address

INFORMAL_WORDS = {
    "de": re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE),
    "es": re.compile(r"\b(tú|tu|tus|te|tuya|tienes|puedes|eres|recibes|elige|ignora)\b", re.I),
}


@pytest.mark.parametrize("locale", sorted(INFORMAL_WORDS))
@pytest.mark.parametrize("kind", list(AccountEmail))
def test_a_formal_business_addresses_customers_formally(kind: AccountEmail, locale: str) -> None:
    formal = attrs.evolve(STUDIO, formal=True)
    email = account_mail.compose_account_email(
        kind,
        business=formal,
        recipient=Recipient(email="ana@example.com", first_name="Ana", locale=locale),
        message_id="<m@studio.example>",
        link=LINK,
        valid_until=VALID_UNTIL,
        provider="google",
    )
    assert INFORMAL_WORDS[locale].findall(f"{email.subject}\n{email.text}") == []
    assert INFORMAL_WORDS[locale].search(_compose_kind(kind, locale).text)  # informal by default


def test_formal_german_and_spanish_read_as_such() -> None:
    formal = attrs.evolve(STUDIO, formal=True)
    for locale, subject in [
        ("de", "Bestätigen Sie Ihre E-Mail-Adresse für Studio One"),
        ("es", "Confirme su dirección de correo para Studio One"),
        ("fr", "Confirmez votre adresse e-mail pour Studio One"),
    ]:
        email = account_mail.compose_email_verification(
            business=formal,
            recipient=Recipient(email="ana@example.com", locale=locale),
            message_id="<m@studio.example>",
            link=LINK,
        )
        assert email.subject == subject
