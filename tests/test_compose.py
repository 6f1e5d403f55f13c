"""Composing the invitation: languages, fallback, parts, headers and escaping."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invitekit.compose import (
    InvitationText,
    Recipient,
    compose_invitation,
    to_mime,
)
from invitekit.model import Business, Email
from invitekit.testing import make_business

from .test_account_mail import _english_phrases

ACTIVATE = "https://studio.example/activate/TOKEN-A"
UNSUBSCRIBE = "https://studio.example/unsubscribe/TOKEN-U"
# 09:00 UTC is 10:00 in Vienna (winter time).
VALID_UNTIL = datetime(2026, 1, 19, 9, 0, tzinfo=UTC)
SENT_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

BUSINESS = make_business()


def _compose(
    locale: str | None,
    first_name: str | None = None,
    *,
    business: Business = BUSINESS,
    text: InvitationText | None = None,
) -> Email:
    return compose_invitation(
        business=business,
        recipient=Recipient(email="customer@example.com", first_name=first_name, locale=locale),
        activation_link=ACTIVATE,
        unsubscribe_link=UNSUBSCRIBE,
        valid_until=VALID_UNTIL,
        message_id="<msg_1@studio.example>",
        text=text,
    )


LANGUAGES = {
    "en": (
        "Sam",
        "Studio One invites you to book online",
        "Hello Sam,",
        "You can now book and manage your appointments with Studio One online.",
        "This link is valid until Monday, January 19, 2026 at 10:00\N{NARROW NO-BREAK SPACE}AM"
        " (Central European Time).",
        f"Activate my profile: {ACTIVATE}",
        f"Unsubscribe from these emails: {UNSUBSCRIBE}",
    ),
    "es": (
        "Ana",
        "Studio One te invita a reservar en línea",
        "Hola Ana:",
        "Ya puedes reservar y gestionar tus citas con Studio One en línea.",
        "Este enlace es válido hasta el lunes, 19 de enero de 2026, a las 10:00"
        " (hora de Europa central).",
        f"Activar mi perfil: {ACTIVATE}",
        f"Darme de baja de estos correos: {UNSUBSCRIBE}",
    ),
    "fr": (
        "Marie",
        "Studio One vous invite à réserver en ligne",
        "Bonjour Marie,",
        "Vous pouvez désormais réserver et gérer vos rendez-vous avec Studio One en ligne.",
        "Ce lien est valable jusqu\N{RIGHT SINGLE QUOTATION MARK}au lundi 19 janvier 2026 à 10:00"
        " (heure d\N{RIGHT SINGLE QUOTATION MARK}Europe centrale).",
        f"Activer mon profil : {ACTIVATE}",
        f"Me désabonner de ces e-mails : {UNSUBSCRIBE}",
    ),
    "de": (
        "Jonas",
        "Studio One lädt dich ein, online zu buchen",
        "Hallo Jonas,",
        "Ab sofort kannst du deine Termine bei Studio One online buchen und verwalten.",
        "Dieser Link ist gültig bis Montag, 19. Januar 2026 um 10:00 Uhr"
        " (Mitteleuropäische Zeit).",
        f"Mein Profil aktivieren: {ACTIVATE}",
        f"Keine Einladungen mehr erhalten: {UNSUBSCRIBE}",
    ),
}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_the_invitation_is_in_the_customers_language(locale: str) -> None:
    name, subject, greeting, body, valid, action, unsubscribe = LANGUAGES[locale]
    sent = _compose(locale, name)
    lines = sent.text.splitlines()
    assert sent.subject == subject
    assert lines[0] == greeting
    assert body in lines
    assert valid in lines
    assert action in lines
    assert unsubscribe in lines


@pytest.mark.parametrize("locale", ["es", "fr", "de", "de_AT"])
def test_no_english_is_left_in_the_invitation_and_it_uses_the_shared_layout(locale: str) -> None:
    sent = _compose(locale, "Ana")
    assert [phrase for phrase in _english_phrases() if phrase in sent.text] == []
    assert sent.html is not None
    assert f'<html lang="{locale.replace("_", "-")}">' in sent.html
    assert "max-width:560px" in sent.html  # the shared layout
    assert "display:inline-block;padding:12px 24px" in sent.html  # the button


@pytest.mark.parametrize("formal", [False, True])
def test_german_never_says_abmelden_for_unsubscribing(formal: bool) -> None:
    sent = _compose("de", "Jonas", business=attrs.evolve(BUSINESS, formal=formal))
    assert "Keine Einladungen mehr erhalten" in sent.text
    assert "abmelden" not in sent.text.lower()
    assert sent.html is not None
    assert "abmelden" not in sent.html.lower()


@pytest.mark.parametrize(
    ("locale", "greeting"),
    [("en", "Hello,"), ("es", "Hola:"), ("fr", "Bonjour,"), ("de", "Hallo,")],
)
def test_without_a_first_name_the_greeting_falls_back(locale: str, greeting: str) -> None:
    assert _compose(locale, None).text.splitlines()[0] == greeting


def test_an_austrian_customer_gets_german_with_the_austrian_date() -> None:
    sent = _compose("de_AT", "Jonas")
    assert sent.subject == "Studio One lädt dich ein, online zu buchen"
    assert (
        "Dieser Link ist gültig bis Montag, 19. Jänner 2026 um 10:00 Uhr (Mitteleuropäische Zeit)."
    ) in sent.text.splitlines()
    assert '<html lang="de-AT">' in (sent.html or "")


def test_a_language_without_a_catalog_gets_the_business_default() -> None:
    sent = _compose("pt", "João")
    assert sent.subject == "Studio One lädt dich ein, online zu buchen"
    assert sent.text.splitlines()[0] == "Hallo João,"


def test_an_unknown_business_default_falls_back_to_english() -> None:
    business = attrs.evolve(BUSINESS, default_locale="pt")
    assert (
        _compose(None, None, business=business).subject == "Studio One invites you to book online"
    )


def test_the_validity_is_shown_in_the_business_time_zone() -> None:
    business = attrs.evolve(BUSINESS, timezone="America/New_York")
    assert (
        "This link is valid until Monday, January 19, 2026 at 4:00\N{NARROW NO-BREAK SPACE}AM"
        " (Eastern Time)."
    ) in _compose("en", business=business).text.splitlines()


def test_the_signature_ends_the_message() -> None:
    lines = _compose("en").text.splitlines()
    assert lines[lines.index("--") - 2] == "Studio One, Hauptstraße 1, Wien"


def test_the_business_text_replaces_the_default_and_keeps_its_paragraphs() -> None:
    text = InvitationText(
        subject="News from {{ business_name }}",
        body="Dear {{ first_name }},\nwe moved online.\n\nSee you soon!",
    )
    sent = _compose("en", "Sam", text=text)
    assert sent.subject == "News from Studio One"
    assert "Dear Sam,\nwe moved online.\n\nSee you soon!" in sent.text
    assert '<p style="margin:0 0 16px;">Dear Sam,<br>we moved online.</p>' in (sent.html or "")
    assert '<p style="margin:0 0 16px;">See you soon!</p>' in (sent.html or "")


def test_the_html_part_links_the_button_and_the_unsubscribe_page() -> None:
    html = _compose("en").html or ""
    assert f'<a href="{ACTIVATE}"' in html
    assert f'<a href="{UNSUBSCRIBE}"' in html


def test_deliverability_headers() -> None:
    business = attrs.evolve(
        BUSINESS, reply_to="desk@studio.example", unsubscribe_mailto="leave@studio.example"
    )
    parsed = _parse(_compose("en", business=business))
    assert parsed["From"].addresses[0].display_name == "Studio One"
    assert parsed["From"].addresses[0].addr_spec == "hello@studio.example"
    assert parsed["Reply-To"] == "desk@studio.example"
    assert parsed["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE}>, <mailto:leave@studio.example?subject=unsubscribe>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"] == "<msg_1@studio.example>"
    assert parsed["Date"].datetime == SENT_AT


def test_the_message_is_multipart_alternative_text_then_html() -> None:
    parsed = _parse(_compose("en"))
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def _parse(sent: Email) -> email.message.EmailMessage:
    raw = to_mime(sent, date=SENT_AT).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


EXPECTED_HEADERS = sorted(
    [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "Date",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Auto-Submitted",
        "MIME-Version",
        "Content-Type",
    ]
)
MARKER = '<i onclick="x">&amp;'
nasty = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="{}%#"),
    max_size=300,
) | st.sampled_from(
    [
        "\r\nBcc: victim@example.com",
        "x\nSubject: spoofed",
        "a\x00b",
        "\u2028\u2029\x85",
        "Ωμέγα 漢字 العربية " * 30,
        "=?utf-8?q?Bcc=3A_x?=",
    ]
)


@settings(max_examples=150, deadline=None)
@given(name=nasty, business_name=nasty, subject=nasty, body=nasty)
def test_no_input_adds_a_header_or_unescaped_html(
    name: str, business_name: str, subject: str, body: str
) -> None:
    business = attrs.evolve(BUSINESS, name=business_name + MARKER, signature=MARKER + body)
    text = InvitationText(
        subject=subject + MARKER + "{{ first_name }}",
        body=body + MARKER + "\n\n{{ first_name }} {{ business_name }}",
    )
    sent = _compose("en", name + MARKER, business=business, text=text)
    parsed = _parse(sent)

    assert sorted(parsed.keys()) == EXPECTED_HEADERS
    assert parsed["Subject"] == sent.subject
    assert not set("\r\n") & set(sent.subject)
    assert parsed["To"] == "customer@example.com"
    assert parsed["From"].addresses[0].addr_spec == "hello@studio.example"
    html_part = parsed.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "<i " not in html
    assert "&lt;i onclick=&#34;x&#34;&gt;&amp;amp;" in html


def test_a_long_unsubscribe_url_stays_a_plain_ascii_header() -> None:
    import email as email_lib
    import email.policy as email_policy

    from invitekit.compose import to_mime
    from invitekit.model import Email

    url = "https://studio.example/unsubscribe/" + "A1b2C3d4" * 30
    message = Email(
        sender="Studio <hi@studio.example>",
        to="ana@example.com",
        subject="Hello",
        text="Hi",
        message_id="<m1@studio.example>",
        headers=(("List-Unsubscribe", f"<{url}>"),),
    )
    raw = to_mime(message).as_bytes()
    line = next(x for x in raw.split(b"\n") if x.startswith(b"List-Unsubscribe:"))
    assert line.rstrip(b"\r") == f"List-Unsubscribe: <{url}>".encode()
    parsed = email_lib.message_from_bytes(raw, policy=email_policy.default)
    assert parsed["List-Unsubscribe"] == f"<{url}>"


@pytest.mark.parametrize(
    ("locale", "subject", "footer"),
    [
        (
            "de",
            "Studio One lädt Sie ein, online zu buchen",
            "Sie erhalten diese E-Mail, weil Sie Kundin oder Kunde von Studio One sind.",
        ),
        (
            "es",
            "Studio One le invita a reservar en línea",
            "Recibe este correo porque es cliente de Studio One.",
        ),
        (
            "fr",
            "Studio One vous invite à réserver en ligne",
            "Vous recevez cet e-mail parce que vous êtes client de Studio One.",
        ),
    ],
)
def test_a_formal_business_invites_formally(locale: str, subject: str, footer: str) -> None:
    sent = _compose(locale, "Jonas", business=attrs.evolve(BUSINESS, formal=True))
    assert sent.subject == subject
    assert footer in sent.text.splitlines()


def _header_line_by_the_rule(value: str, limit: int) -> str:
    """What header_safe is meant to give: control characters to spaces, runs collapsed."""
    import re

    text = " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]+", " ", value).split())
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


@given(
    value=st.text(alphabet=st.sampled_from("ab é\t\n\r\x00\x85\u2028\u3000\xa0\u200b")),
    limit=st.integers(min_value=1, max_value=12),
)
def test_a_header_line_is_one_clean_line_whatever_the_text(value: str, limit: int) -> None:
    from invitekit.compose import header_safe

    assert header_safe(value, limit=limit) == _header_line_by_the_rule(value, limit)
    clean = _header_line_by_the_rule(value, 10_000)
    assert header_safe(clean, limit=10_000) == clean


def test_each_line_of_a_paragraph_and_the_signature_is_escaped_between_breaks() -> None:
    text = InvitationText(subject="Hi", body="<b>Sam</b> & co\n<i>line</i>\n\nA < B")
    business = attrs.evolve(BUSINESS, signature="Studio <One>\nStreet 1 & 2")
    html = _compose("en", text=text, business=business).html or ""

    assert (
        '<p style="margin:0 0 16px;">&lt;b&gt;Sam&lt;/b&gt; &amp; co<br>'
        "&lt;i&gt;line&lt;/i&gt;</p>"
    ) in html
    assert '<p style="margin:0 0 16px;">A &lt; B</p>' in html
    assert '<p style="margin:24px 0 0;">Studio &lt;One&gt;<br>Street 1 &amp; 2</p>' in html
