"""The activation page: GET checks the link, POST activates, every refusal explains itself."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit import Status
from invitekit.dates import format_moment
from invitekit.testing import FakeClock
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, customer_at, latest_link, read_emails


def invited(studio: Studio, email: str = "ana@example.com", locale: str | None = None) -> str:
    """Add and invite a customer; return the path of the activation link they received."""
    studio.kit.add_customer(email, first_name="Ana", locale=locale, invite=True)
    studio.kit.deliver()
    return latest_link(studio.outbox, email, f"{BASE}/activate/").removeprefix(BASE)


def test_opening_the_link_shows_the_form_and_changes_nothing(
    client: FlaskClient, studio: Studio
) -> None:
    path = invited(studio)
    page = client.get(path)
    assert page.status_code == 200
    assert "Hello Ana, choose a password for ana@example.com." in page.text
    assert customer_at(studio.kit, "ana@example.com").status is Status.INVITED


def test_submitting_a_password_activates_and_opens_the_portal(
    client: FlaskClient, studio: Studio
) -> None:
    path = invited(studio)
    token = csrf_token(client.get(path).text)
    response = client.post(path, data={"password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal"
    assert customer_at(studio.kit, "ana@example.com").status is Status.ACCEPTED
    portal = client.get("/portal")
    assert "Morning yoga" in portal.text


def test_a_weak_password_is_refused_and_the_link_keeps_working(
    client: FlaskClient, studio: Studio
) -> None:
    path = invited(studio)
    token = csrf_token(client.get(path).text)
    response = client.post(path, data={"password": "short", "csrf_token": token})
    assert response.status_code == 422
    assert "at least 8 characters" in response.text
    assert client.get(path).status_code == 200


def test_an_expired_link_says_to_ask_for_a_new_invitation(
    client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    path = invited(studio)
    clock.advance(days=15)
    page = client.get(path)
    assert page.status_code == 410
    assert "This link has expired. Ask Studio One to invite you again." in page.text


def test_a_used_link_says_to_log_in(client: FlaskClient, studio: Studio) -> None:
    path = invited(studio)
    token = csrf_token(client.get(path).text)
    client.post(path, data={"password": "correct horse battery", "csrf_token": token})
    page = client.get(path)
    assert page.status_code == 409
    assert "already activated" in page.text
    assert 'href="/login"' in page.text


def test_a_test_invitation_link_says_it_was_a_test(client: FlaskClient, studio: Studio) -> None:
    studio.kit.send_test_invitation("owner@studio.example")
    path = latest_link(studio.outbox, "owner@studio.example", f"{BASE}/activate/")
    page = client.get(path.removeprefix(BASE))
    assert page.status_code == 400
    assert "test invitation" in page.text


def test_an_archived_customers_link_says_to_contact_the_studio(
    client: FlaskClient, studio: Studio
) -> None:
    path = invited(studio)
    studio.kit.archive_customer(customer_at(studio.kit, "ana@example.com").id)
    page = client.get(path)
    assert page.status_code == 403
    assert "Please contact Studio One" in page.text


@pytest.mark.parametrize("damage", ["truncated", "tampered"])
def test_a_damaged_link_says_it_is_not_valid(
    client: FlaskClient, studio: Studio, damage: str
) -> None:
    path = invited(studio)
    replacement = "AAA" if path[-3:] != "AAA" else "BBB"
    broken = path[:-5] if damage == "truncated" else path[:-3] + replacement
    page = client.get(broken)
    assert page.status_code == 400
    assert "This link is not valid" in page.text


def test_the_page_speaks_the_customers_language_before_the_browsers(
    client: FlaskClient, studio: Studio
) -> None:
    path = invited(studio, locale="fr")
    page = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Activez votre profil" in page.text
    assert '<html lang="fr">' in page.text


@pytest.mark.parametrize(
    ("locale", "until"),
    [
        ("en", "This link works until "),
        ("es", "Este enlace funciona hasta el "),
        ("fr", "Ce lien fonctionne jusqu\N{RIGHT SINGLE QUOTATION MARK}au "),
        ("de_AT", "Dieser Link gilt bis "),
    ],
)
def test_the_page_and_the_email_write_the_links_validity_alike(
    client: FlaskClient, studio: Studio, locale: str, until: str
) -> None:
    path = invited(studio, locale=locale)
    check = studio.kit.check_activation(path.removeprefix("/activate/"))
    assert check.expires_at is not None
    written = format_moment(check.expires_at, locale=locale, timezone="Europe/Vienna")
    page = client.get(path).text
    assert html.escape(until + written) in page, written
    email = read_emails(studio.outbox)[-1].get_body(preferencelist=("plain",))
    assert email is not None
    # The same words (the email adds the zone), however the text part is wrapped.
    assert written in re.sub(r" *\n *", " ", email.get_content())
