"""Sign in with a provider in the example app: Authlib against a real local OIDC provider.

The provider is oidc-provider-mock served from a thread on 127.0.0.1 (the
demo's, :mod:`examples.webapp.demo_provider`); Flask's test client is the
browser, and :func:`choose` plays the visitor choosing an account on the
provider's page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from examples.webapp.demo_provider import running_provider
from invitekit import EventKind, Status
from invitekit.access import LoginMode
from invitekit.testing import FakeClock, make_accepted_customer
from tests.webapp.support import csrf_token, make_app

BASE = "http://studio.test"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider() as url:
        yield url


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock, issuer: str) -> Flask:
    return make_app(
        tmp_path,
        base_url=BASE,
        clock=clock,
        OIDC_ISSUER=issuer,
        OIDC_CLIENT_SECRET="test-client-secret",
    )


def choose(client: FlaskClient, sub: str, *, language: str = "en") -> tuple[int, str, str]:
    """Start "Sign in with Demo ID", choose the account ``sub``; the callback's answer."""
    headers = {"Accept-Language": language}
    start = client.get("/login/provider", headers=headers)
    assert start.status_code == 302
    back = httpx.post(start.headers["location"], data={"sub": sub}).headers["location"]
    assert back.startswith(f"{BASE}/login/provider/callback?")
    answer = client.get(back.removeprefix(BASE), headers=headers)
    return answer.status_code, answer.headers.get("location", ""), answer.text


def test_the_login_page_offers_the_provider(client: FlaskClient) -> None:
    assert "Sign in with Demo ID" in client.get("/login").text
    assert "Mit Demo ID anmelden" in client.get("/login", headers={"Accept-Language": "de"}).text


def test_without_an_issuer_there_is_no_provider(tmp_path: Path) -> None:
    plain = make_app(tmp_path, base_url=BASE).test_client()
    assert "Demo ID" not in plain.get("/login").text
    assert plain.get("/login/provider").status_code == 404


def test_a_verified_address_activates_the_invited_profile(
    client: FlaskClient, studio: Studio
) -> None:
    jonas = studio.kit.add_customer("jonas.huber@example.com", first_name="Jonas", invite=True)
    studio.kit.deliver()

    status, location, _ = choose(client, "jonas-huber")

    assert (status, location) == (303, "/portal")
    assert studio.kit.get_customer(jonas.id).status is Status.ACCEPTED
    assert [i.subject for i in studio.kit.identities(jonas.id)] == ["jonas-huber"]
    assert "Jonas" in client.get("/portal").text
    kinds = [event.kind for event in studio.kit.history(jonas.id)]
    assert EventKind.PROVIDER_LINKED in kinds


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Demo ID has not confirmed that lea.moser@example.com is your address"),
        ("es", "Demo ID no ha confirmado que lea.moser@example.com sea tu dirección"),
        ("fr", "Demo ID n\u2019a pas confirmé que lea.moser@example.com est votre adresse"),
        ("de", "Demo ID hat nicht bestätigt, dass lea.moser@example.com deine Adresse ist"),
    ],
)
def test_an_unverified_address_attaches_nothing_and_offers_the_sign_up(
    client: FlaskClient, studio: Studio, language: str, said: str
) -> None:
    lea = studio.kit.add_customer("lea.moser@example.com", first_name="Lea", invite=True)
    studio.kit.deliver()

    status, _, page = choose(client, "not-lea", language=language)

    assert status == 403
    assert said in page
    assert "/signup?email=lea.moser%40example.com" in page
    assert studio.kit.get_customer(lea.id).status is Status.INVITED
    assert studio.kit.identities(lea.id) == []
    assert client.get("/portal").status_code == 303  # not logged in
    signup = client.get("/signup?email=lea.moser%40example.com").text
    assert 'value="lea.moser@example.com"' in signup


def test_a_new_address_without_sign_ups_is_refused(client: FlaskClient, studio: Studio) -> None:
    studio.data.save_login_mode(LoginMode.DISABLED)

    status, _, page = choose(client, "jonas-huber")

    assert status == 403
    assert "takes no sign-ups online" in page
    assert studio.kit.find_customer("jonas.huber@example.com") is None


def test_a_new_verified_address_becomes_a_customer(client: FlaskClient, studio: Studio) -> None:
    status, location, _ = choose(client, "jonas-huber")

    assert (status, location) == (303, "/portal")
    jonas = studio.kit.find_customer("jonas.huber@example.com")
    assert jonas is not None
    assert (jonas.status, jonas.first_name, jonas.last_name) == (Status.ACCEPTED, "Jonas", "Huber")


def test_an_archived_customer_is_refused(client: FlaskClient, studio: Studio) -> None:
    jonas = studio.kit.add_customer("jonas.huber@example.com")
    studio.kit.archive_customer(jonas.id)

    status, _, page = choose(client, "jonas-huber")

    assert status == 403
    assert "no longer active" in page


def test_a_callback_from_another_browser_is_refused(
    client: FlaskClient, app: Flask, studio: Studio
) -> None:
    # The victim's browser is sent the attacker's callback URL: its state is not
    # in the victim's session, so nothing signs in (login CSRF).
    attacker = app.test_client()
    start = attacker.get("/login/provider")
    back = httpx.post(start.headers["location"], data={"sub": "jonas-huber"}).headers["location"]
    client.get("/login/provider")  # the victim has a sign-in of their own under way

    answer = client.get(back.removeprefix(BASE))

    assert answer.status_code == 400
    assert "did not complete" in answer.text
    assert studio.kit.find_customer("jonas.huber@example.com") is None


def _post_with_csrf(client: FlaskClient, page: str, action: str) -> Any:
    token = csrf_token(client.get(page).text)
    return client.post(action, data={"csrf_token": token})


def test_the_portal_lists_the_provider_and_keeps_the_last_way_in(
    client: FlaskClient, studio: Studio
) -> None:
    choose(client, "jonas-huber")  # a new profile, signed up through the provider
    portal = client.get("/portal").text
    assert "Demo ID: linked" in portal

    answer = _post_with_csrf(client, "/portal", "/portal/providers/demo-id/unlink")

    assert answer.status_code == 303
    assert "Demo ID is your only way to sign in, so it stays linked." in client.get("/portal").text
    jonas = studio.kit.find_customer("jonas.huber@example.com")
    assert jonas is not None and len(studio.kit.identities(jonas.id)) == 1


def test_a_customer_with_a_password_may_unlink_the_provider(
    client: FlaskClient, studio: Studio
) -> None:
    jonas = make_accepted_customer(studio.kit, "jonas.huber@example.com").customer
    choose(client, "jonas-huber")

    _post_with_csrf(client, "/portal", "/portal/providers/demo-id/unlink")

    assert "Demo ID is no longer linked to your profile." in client.get("/portal").text
    assert studio.kit.identities(jonas.id) == []
    assert (
        _post_with_csrf(client, "/portal", "/portal/providers/demo-id/unlink").status_code == 404
    )


def test_unlinking_needs_the_csrf_token_and_a_login(client: FlaskClient) -> None:
    # No ``studio`` fixture here: its application context would share Flask-WTF's
    # CSRF token (kept in ``g``) between the two browsers.
    kit = client.application.extensions["studio"].kit
    choose(client, "jonas-huber")
    assert client.post("/portal/providers/demo-id/unlink").status_code == 400
    stranger = client.application.test_client()
    answer = _post_with_csrf(stranger, "/login", "/portal/providers/demo-id/unlink")
    assert (answer.status_code, answer.headers.get("location")) == (303, "/login")
    jonas = kit.find_customer("jonas.huber@example.com")
    assert jonas is not None and len(kit.identities(jonas.id)) == 1
