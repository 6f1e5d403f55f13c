"""The portal's "My details": changing the address, confirmed from the new mailbox."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, latest_link, read_emails
from tests.webapp.test_account_pages import PASSWORD, accepted, log_in

NEW = "ana.neu@example.com"
CONFIRM = f"{BASE}/email-change/"


def ask(client: FlaskClient, new_email: str, password: str = PASSWORD) -> str:
    """Submit the portal's email-change form; the portal page shown after it."""
    token = csrf_token(client.get("/portal").text)
    response = client.post(
        "/portal/email",
        data={"new_email": new_email, "password": password, "csrf_token": token},
    )
    assert response.status_code == 303
    return client.get("/portal").text


def test_the_portal_offers_the_change_and_the_link_confirms_it(
    client: FlaskClient, studio: Studio
) -> None:
    customer_id = accepted(client, studio)
    log_in(client, "ana@example.com", PASSWORD)

    page = ask(client, NEW)
    assert "Check the inbox of the new address" in page
    notice = [m for m in read_emails(studio.outbox) if "ana@example.com" in str(m["To"])][-1]
    assert "is being changed" in str(notice["Subject"])
    path = latest_link(studio.outbox, NEW, CONFIRM).removeprefix(BASE)

    shown = client.get(path)
    assert NEW in shown.text
    assert studio.kit.get_customer(customer_id).email == "ana@example.com"  # GET: nothing
    done = client.post(path, data={"csrf_token": csrf_token(shown.text)})
    assert done.status_code == 303
    assert studio.kit.get_customer(customer_id).email == NEW
    assert client.get(path).status_code == 409  # used


def test_a_wrong_password_changes_nothing_and_says_so(client: FlaskClient, studio: Studio) -> None:
    accepted(client, studio)
    log_in(client, "ana@example.com", PASSWORD)

    page = ask(client, NEW, password="not my password")

    assert "That is not your password." in page
    assert not [m for m in read_emails(studio.outbox) if NEW in str(m["To"])]


def test_an_address_of_another_customer_is_refused_only_on_the_link(
    client: FlaskClient, studio: Studio
) -> None:
    customer_id = accepted(client, studio)
    studio.kit.add_customer("bo@example.com")
    log_in(client, "ana@example.com", PASSWORD)

    page = ask(client, "bo@example.com")
    assert "Check the inbox of the new address" in page  # the same answer
    path = latest_link(studio.outbox, "bo@example.com", CONFIRM).removeprefix(BASE)

    refused = client.get(path)
    assert refused.status_code == 409
    assert "already belongs to another profile" in refused.text
    assert studio.kit.get_customer(customer_id).email == "ana@example.com"


@pytest.mark.parametrize(
    ("locale", "sent", "title"),
    [
        ("es", "Revisa el buzón de la nueva dirección", "Confirma tu nueva dirección de correo"),
        ("fr", "Consultez la boîte de la nouvelle adresse", "Confirmez votre nouvelle adresse"),
        ("de", "Schau ins Postfach der neuen Adresse", "Neue E-Mail-Adresse bestätigen"),
    ],
)
def test_the_pages_speak_the_customers_language(
    client: FlaskClient, studio: Studio, locale: str, sent: str, title: str
) -> None:
    accepted(client, studio, locale=locale)
    log_in(client, "ana@example.com", PASSWORD)

    assert sent in ask(client, NEW)
    path = latest_link(studio.outbox, NEW, CONFIRM).removeprefix(BASE)
    assert title in client.get(path).text


def test_the_current_address_again_is_refused_with_its_reason(
    client: FlaskClient, studio: Studio
) -> None:
    accepted(client, studio)
    log_in(client, "ana@example.com", PASSWORD)

    assert "This is already the address of your profile." in ask(client, "ANA@example.com")
