"""Sign-up on the booking page and the confirmation link."""

from __future__ import annotations

from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit import Status
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, customer_at, latest_link

PASSWORD = "my own sign-up password"


def sign_up(client: FlaskClient, email: str, **headers: str) -> int:
    token = csrf_token(client.get("/signup", headers=headers).text)
    response = client.post(
        "/signup",
        data={"email": email, "first_name": "Noa", "password": PASSWORD, "csrf_token": token},
        headers=headers,
    )
    return response.status_code


def verification_path(studio: Studio, email: str) -> str:
    return latest_link(studio.outbox, email, f"{BASE}/verify/").removeprefix(BASE)


def test_a_new_address_becomes_a_customer_once_confirmed(
    client: FlaskClient, studio: Studio
) -> None:
    assert sign_up(client, "noa@example.com") == 303
    assert studio.kit.find_customer("noa@example.com") is None
    path = verification_path(studio, "noa@example.com")
    token = csrf_token(client.get(path).text)
    response = client.post(path, data={"password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/portal"
    assert customer_at(studio.kit, "noa@example.com").status is Status.ACCEPTED
    assert "Morning yoga" in client.get("/portal").text


def test_confirming_with_another_password_is_refused(client: FlaskClient, studio: Studio) -> None:
    studio.kit.add_customer("noa@example.com", invite=True)
    studio.kit.deliver()
    sign_up(client, "noa@example.com")
    path = verification_path(studio, "noa@example.com")
    token = csrf_token(client.get(path).text)
    response = client.post(path, data={"password": "somebody else's guess", "csrf_token": token})
    assert response.status_code == 401
    assert "Enter the password you chose when you signed up." in response.text
    assert customer_at(studio.kit, "noa@example.com").status is Status.INVITED


def test_signing_up_with_an_invited_customers_address_activates_that_profile(
    client: FlaskClient, studio: Studio
) -> None:
    invited = studio.kit.add_customer("noa@example.com", invite=True)
    studio.kit.deliver()
    sign_up(client, "noa@example.com")
    path = verification_path(studio, "noa@example.com")
    token = csrf_token(client.get(path).text)
    client.post(path, data={"password": PASSWORD, "csrf_token": token})
    assert [c.id for c in studio.kit.list_customers()] == [invited.id]
    assert studio.kit.get_customer(invited.id).status is Status.ACCEPTED


def test_the_sign_up_page_answers_alike_for_existing_profiles(
    client: FlaskClient, studio: Studio
) -> None:
    assert sign_up(client, "noa@example.com") == 303
    first = client.get("/login").text
    studio.kit.add_customer("ana@example.com")
    assert sign_up(client, "ana@example.com") == 303
    assert "we sent you a link to confirm your address" in first
    assert "we sent you a link to confirm your address" in client.get("/login").text


def test_the_confirmation_email_and_page_speak_the_sign_up_pages_language(
    client: FlaskClient, studio: Studio
) -> None:
    sign_up(client, "noa@example.com", **{"Accept-Language": "fr-FR,fr"})
    path = verification_path(studio, "noa@example.com")
    assert "Confirmez votre adresse e-mail" in client.get(path).text


def test_a_link_for_an_address_the_studio_added_since_is_replaced_by_a_new_one(
    client: FlaskClient, studio: Studio
) -> None:
    sign_up(client, "noa@example.com")
    old = verification_path(studio, "noa@example.com")
    added = studio.kit.add_customer("noa@example.com", first_name="Noa")
    token = csrf_token(client.get(old).text)
    response = client.post(old, data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 409
    assert "We sent a new link to it" in response.text
    assert studio.kit.get_customer(added.id).status is Status.ADDED
    new = verification_path(studio, "noa@example.com")
    assert new != old
    token = csrf_token(client.get(new).text)
    response = client.post(new, data={"password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/portal"
    assert studio.kit.get_customer(added.id).status is Status.ACCEPTED


def test_a_refused_sign_up_keeps_what_was_typed_in_the_page_s_language(
    client: FlaskClient, studio: Studio
) -> None:
    headers = {"Accept-Language": "de"}
    token = csrf_token(client.get("/signup", headers=headers).text)
    response = client.post(
        "/signup",
        data={
            "email": "noa@example.com",
            "first_name": "Nóa",
            "password": "x",
            "csrf_token": token,
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert 'value="Nóa"' in response.text
    assert 'value="noa@example.com"' in response.text
    assert '<html lang="de' in response.text
