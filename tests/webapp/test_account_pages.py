"""Login, logout, forgot password, the reset page and the unsubscribe page."""

from __future__ import annotations

from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit.testing import FakeClock
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, customer_at, latest_link, read_emails

PASSWORD = "correct horse battery"


def accepted(client: FlaskClient, studio: Studio, locale: str | None = None) -> str:
    """Invite and activate ana@example.com through the activation page; log out again."""
    customer = studio.kit.add_customer(
        "ana@example.com", first_name="Ana", locale=locale, invite=True
    )
    studio.kit.deliver()
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/activate/").removeprefix(BASE)
    client.post(path, data={"password": PASSWORD, "csrf_token": csrf_token(client.get(path).text)})
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/portal").text)})
    return customer.id


def log_in(client: FlaskClient, email: str, password: str) -> int:
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code


def test_logging_in_opens_the_portal_and_logging_out_closes_it(
    client: FlaskClient, studio: Studio
) -> None:
    accepted(client, studio)
    assert client.get("/portal").status_code == 303
    assert log_in(client, "ANA@example.com", PASSWORD) == 303
    assert client.get("/portal").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/portal").text)})
    assert client.get("/portal").status_code == 303


def test_a_wrong_password_gets_the_same_answer_as_an_unknown_address(
    client: FlaskClient, studio: Studio
) -> None:
    accepted(client, studio)
    wrong = client.post(
        "/login",
        data={
            "email": "ana@example.com",
            "password": "not it at all",
            "csrf_token": csrf_token(client.get("/login").text),
        },
    )
    unknown = client.post(
        "/login",
        data={
            "email": "nobody@example.com",
            "password": "not it at all",
            "csrf_token": csrf_token(client.get("/login").text),
        },
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "The email address or the password is not right." in wrong.text
    assert "The email address or the password is not right." in unknown.text


def test_forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(
    client: FlaskClient, studio: Studio
) -> None:
    token = csrf_token(client.get("/forgot").text)
    response = client.post("/forgot", data={"email": "nobody@example.com", "csrf_token": token})
    assert response.status_code == 303
    assert "an email is on its way" in client.get("/login").text
    assert read_emails(studio.outbox) == []


def test_the_reset_link_sets_a_new_password(client: FlaskClient, studio: Studio) -> None:
    accepted(client, studio)
    token = csrf_token(client.get("/forgot").text)
    client.post("/forgot", data={"email": "ana@example.com", "csrf_token": token})
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/reset/").removeprefix(BASE)
    form = client.get(path)
    assert "Choose a new password" in form.text
    client.post(path, data={"password": "a brand new secret", "csrf_token": csrf_token(form.text)})
    assert log_in(client, "ana@example.com", PASSWORD) == 401
    assert log_in(client, "ana@example.com", "a brand new secret") == 303


def test_an_expired_reset_link_says_to_ask_for_a_new_one(
    client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    accepted(client, studio)
    studio.kit.request_password_reset("ana@example.com")
    studio.kit.deliver()
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/reset/").removeprefix(BASE)
    clock.advance(hours=2)
    page = client.get(path)
    assert page.status_code == 410
    assert "Ask for a new one" in page.text


def test_a_used_reset_link_says_so(client: FlaskClient, studio: Studio) -> None:
    accepted(client, studio)
    studio.kit.request_password_reset("ana@example.com")
    studio.kit.deliver()
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/reset/").removeprefix(BASE)
    client.post(
        path,
        data={"password": "a brand new secret", "csrf_token": csrf_token(client.get(path).text)},
    )
    page = client.get(path)
    assert page.status_code == 409
    assert "already used" in page.text


def test_the_unsubscribe_link_shows_a_button_and_changes_nothing_until_posted(
    client: FlaskClient, studio: Studio
) -> None:
    customer_id = accepted(client, studio, locale="de")
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/unsubscribe/").removeprefix(BASE)
    page = client.get(path)
    assert "Keine Einladungen von Studio One mehr an ana@example.com senden?" in page.text
    assert not studio.kit.get_customer(customer_id).unsubscribed
    client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert studio.kit.get_customer(customer_id).unsubscribed
    assert customer_at(studio.kit, "ana@example.com").unsubscribed


def test_a_reset_asked_on_a_spanish_page_is_written_in_spanish(
    client: FlaskClient, studio: Studio
) -> None:
    accepted(client, studio)
    page = client.get("/forgot", headers={"Accept-Language": "es"}).text
    client.post(
        "/forgot",
        data={"email": "ana@example.com", "csrf_token": csrf_token(page)},
        headers={"Accept-Language": "es"},
    )
    subjects = [str(m["Subject"]) for m in read_emails(studio.outbox)]
    assert subjects[-1] == "Restablece tu contraseña de Studio One"
