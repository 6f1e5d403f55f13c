"""CSRF on every form, the one-click unsubscribe exemption, cookies, admin protection, language."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from tests.webapp.conftest import BASE
from tests.webapp.support import ADMIN_PASSWORD, csrf_token, customer_at, latest_link


def test_a_form_posted_without_its_csrf_token_is_refused(
    client: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com", invite=True)
    studio.kit.deliver()
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/activate/").removeprefix(BASE)
    client.get(path)
    response = client.post(path, data={"password": "correct horse battery"})
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert customer_at(studio.kit, "ana@example.com").accepted_at is None


def test_the_csrf_refusal_speaks_the_browsers_language(client: FlaskClient) -> None:
    response = client.post(
        "/forgot", data={"email": "ana@example.com"}, headers={"Accept-Language": "es"}
    )
    assert response.status_code == 400
    assert "Este formulario ha caducado" in response.text


def test_a_csrf_token_of_another_session_is_refused(app: Flask, studio: Studio) -> None:
    other_token = csrf_token(app.test_client().get("/admin/login").text)
    response = app.test_client().post(
        "/admin/login", data={"password": ADMIN_PASSWORD, "csrf_token": other_token}
    )
    assert response.status_code == 400


def test_one_click_unsubscribe_needs_no_csrf_token(client: FlaskClient, studio: Studio) -> None:
    customer = studio.kit.add_customer("ana@example.com", invite=True)
    studio.kit.deliver()
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/unsubscribe/")
    response = client.post(path.removeprefix(BASE), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert studio.kit.get_customer(customer.id).unsubscribed


def test_the_session_cookie_is_http_only_and_same_site_lax(admin: FlaskClient) -> None:
    response = admin.get("/admin/login")
    cookie = admin.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert response.status_code == 200


def test_the_session_cookie_is_secure_unless_configured_otherwise(app: Flask) -> None:
    from examples.webapp.app import DEFAULTS

    assert DEFAULTS["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is False  # the tests run on plain http


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/invite", "/admin/settings", "/mailbox/", "/admin/customers/x"]
)
def test_business_pages_send_strangers_to_the_admin_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/login")


def test_a_wrong_admin_password_is_refused(client: FlaskClient) -> None:
    token = csrf_token(client.get("/admin/login").text)
    response = client.post("/admin/login", data={"password": "guess", "csrf_token": token})
    assert response.status_code == 401
    assert client.get("/admin/").status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\\evil.example/", "https://evil.example/", "admin"]
)
def test_the_admin_login_never_redirects_to_another_site(client: FlaskClient, target: str) -> None:
    token = csrf_token(client.get("/admin/login").text)
    response = client.post(
        "/admin/login",
        query_string={"next": target},
        data={"password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/"


def test_the_admin_login_returns_to_the_page_asked_for(client: FlaskClient) -> None:
    token = csrf_token(client.get("/admin/login").text)
    response = client.post(
        "/admin/login?next=/admin/settings",
        data={"password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/settings"


@pytest.mark.parametrize(
    ("accept", "heading", "lang"),
    [
        ("es-ES,es;q=0.9", "Bienvenido", "es"),
        ("fr-CH, fr;q=0.9, en;q=0.8", "Bienvenue", "fr"),
        ("de-AT", "Willkommen", "de"),
        ("it, de;q=0.5", "Willkommen", "de"),
        ("ja", "Welcome", "en"),
    ],
)
def test_customer_pages_follow_the_browsers_languages(
    client: FlaskClient, accept: str, heading: str, lang: str
) -> None:
    page = client.get("/", headers={"Accept-Language": accept})
    assert f"<h1>{heading}</h1>" in page.text
    assert f'<html lang="{lang}">' in page.text


def test_the_mailbox_serves_only_files_of_the_outbox(admin: FlaskClient, studio: Studio) -> None:
    (studio.outbox.parent / "secret.eml").write_text("Subject: not yours\n\n")
    assert admin.get("/mailbox/..%2Fsecret.eml").status_code == 404
    assert admin.get("/mailbox/missing.eml").status_code == 404


def test_business_pages_follow_the_readers_language_not_the_customers(
    admin: FlaskClient, studio: Studio
) -> None:
    customer = studio.kit.add_customer("ana@example.com", locale="es")
    page = admin.get(f"/admin/customers/{customer.id}", headers={"Accept-Language": "de"})
    assert '<html lang="de">' in page.text
    assert "Montag, 5. Januar 2026" in page.text
    english = admin.get(f"/admin/customers/{customer.id}")
    assert '<html lang="en">' in english.text
    assert "Monday, January 5, 2026" in english.text
