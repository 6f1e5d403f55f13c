"""The front desk's activation link on the customer's page: a QR code, refusals, history."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit import EventKind, Status
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, read_emails


def _issue(admin: FlaskClient, customer_id: str, lang: str = "en") -> str:
    page = admin.get(f"/admin/customers/{customer_id}?lang={lang}").text
    token = csrf_token(page)
    response = admin.post(
        f"/admin/customers/{customer_id}/front-desk-link", data={"csrf_token": token}
    )
    assert response.status_code in (200, 303)
    return response.text


def test_the_link_is_shown_as_an_inline_qr_code_and_recorded(
    admin: FlaskClient, studio: Studio
) -> None:
    ana = studio.kit.add_customer("ana@example.com")
    page = _issue(admin, ana.id)
    link = re.search(r'<code id="front-desk-link"[^>]*>([^<]+)</code>', page)
    assert link is not None
    assert link.group(1).startswith(f"{BASE}/activate/")
    assert re.search(
        r"<svg[^>]*>.*<title>QR code of the activation link for ana@example.com", page, re.S
    )
    assert ".png" not in page and "<img" not in page  # inline, no file
    assert studio.kit.history(ana.id)[-1].kind is EventKind.ACTIVATION_LINK_ISSUED
    assert studio.kit.history(ana.id)[-1].by == "front desk"
    assert studio.kit.get_customer(ana.id).status is Status.ADDED
    assert read_emails(studio.outbox) == []


def test_the_page_speaks_the_business_language(admin: FlaskClient, studio: Studio) -> None:
    ana = studio.kit.add_customer("ana@example.com")
    page = _issue(admin, ana.id, lang="de")
    assert "Am Empfang aktivieren" in page
    assert "Oder den Link per SMS senden:" in page
    assert "Aktivierungslink ohne E-Mail ausgegeben" in page  # the history line


def test_an_archived_or_accepted_customer_has_no_front_desk_link(
    admin: FlaskClient, studio: Studio
) -> None:
    ana = studio.kit.add_customer("ana@example.com")
    studio.kit.archive_customer(ana.id)
    assert 'id="front-desk"' not in admin.get(f"/admin/customers/{ana.id}").text
    token = csrf_token(admin.get("/admin/").text)
    response = admin.post(
        f"/admin/customers/{ana.id}/front-desk-link",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "No link:" in response.text
    assert [e.kind for e in studio.kit.history(ana.id)] == [EventKind.ADDED, EventKind.ARCHIVED]


def test_issuing_needs_the_business_login_and_the_form_token(
    app: Flask, admin: FlaskClient, studio: Studio
) -> None:
    ana = studio.kit.add_customer("ana@example.com")
    response = admin.post(f"/admin/customers/{ana.id}/front-desk-link", data={})
    assert response.status_code == 400  # no CSRF token
    stranger = app.test_client()
    token = csrf_token(stranger.get("/admin/login").text)
    response = stranger.post(
        f"/admin/customers/{ana.id}/front-desk-link", data={"csrf_token": token}
    )
    assert response.status_code != 200
    assert [e.kind for e in studio.kit.history(ana.id)] == [EventKind.ADDED]
