"""The portal: bookings with the policy's buttons and sentences; the server asks again."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit.policy import BookingStatus
from invitekit.testing import FakeClock
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, latest_link, make_app


def activated(client: FlaskClient, studio: Studio, locale: str | None = None) -> str:
    """Invite, activate and log in a customer through the pages; return their id."""
    customer = studio.kit.add_customer(
        "ana@example.com", first_name="Ana", locale=locale, invite=True
    )
    studio.kit.deliver()
    path = latest_link(studio.outbox, "ana@example.com", f"{BASE}/activate/").removeprefix(BASE)
    token = csrf_token(client.get(path).text)
    client.post(path, data={"password": "correct horse battery", "csrf_token": token})
    return customer.id


def booking_id(studio: Studio, customer_id: str, title: str) -> str:
    (found,) = [b for b in studio.data.bookings(customer_id) if b.title == title]
    return found.id


def block_of(page: str, booking: str) -> str:
    found = re.search(rf'data-booking="{booking}".*?</section>', page, re.DOTALL)
    assert found is not None
    return found.group()


def test_the_portal_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/portal")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"


def test_a_booking_inside_the_window_has_a_cancel_button_and_the_sentence(
    client: FlaskClient, studio: Studio
) -> None:
    customer_id = activated(client, studio)
    page = client.get("/portal").text
    block = block_of(page, booking_id(studio, customer_id, "Morning yoga"))
    assert ">Cancel</button>" in block
    assert "You can cancel free of charge until" in block


def test_a_booking_too_close_to_its_start_has_no_cancel_button(
    client: FlaskClient, studio: Studio
) -> None:
    customer_id = activated(client, studio)
    page = client.get("/portal").text
    block = block_of(page, booking_id(studio, customer_id, "Lunchtime pilates"))
    assert ">Cancel</button>" not in block
    assert "It is too late to cancel" in block


def test_cancelling_inside_the_window_cancels(client: FlaskClient, studio: Studio) -> None:
    customer_id = activated(client, studio)
    booking = booking_id(studio, customer_id, "Morning yoga")
    token = csrf_token(client.get("/portal").text)
    response = client.post(f"/portal/bookings/{booking}/cancel", data={"csrf_token": token})
    assert response.status_code == 303
    (stored,) = [b for b in studio.data.bookings(customer_id) if b.id == booking]
    assert stored.status is BookingStatus.CANCELLED


def test_a_forged_cancel_outside_the_window_is_refused_by_the_server(
    client: FlaskClient, studio: Studio
) -> None:
    customer_id = activated(client, studio)
    booking = booking_id(studio, customer_id, "Lunchtime pilates")
    token = csrf_token(client.get("/portal").text)
    response = client.post(f"/portal/bookings/{booking}/cancel", data={"csrf_token": token})
    assert response.status_code == 409
    assert "It is too late to cancel" in response.text
    (stored,) = [b for b in studio.data.bookings(customer_id) if b.id == booking]
    assert stored.status is BookingStatus.BOOKED


def test_rescheduling_moves_the_booking_a_week(client: FlaskClient, studio: Studio) -> None:
    customer_id = activated(client, studio)
    booking = booking_id(studio, customer_id, "Evening flow")
    (before,) = [b for b in studio.data.bookings(customer_id) if b.id == booking]
    token = csrf_token(client.get("/portal").text)
    client.post(f"/portal/bookings/{booking}/reschedule", data={"csrf_token": token})
    (after,) = [b for b in studio.data.bookings(customer_id) if b.id == booking]
    assert (after.start - before.start).days == 7
    assert after.reschedule_count == 1


def test_another_customers_booking_cannot_be_touched(client: FlaskClient, studio: Studio) -> None:
    activated(client, studio)
    other = studio.kit.add_customer("ben@example.com")
    studio.data.seed_demo_bookings(other.id, studio.now())
    booking = booking_id(studio, other.id, "Morning yoga")
    token = csrf_token(client.get("/portal").text)
    response = client.post(f"/portal/bookings/{booking}/cancel", data={"csrf_token": token})
    assert response.status_code == 404


def test_the_portal_is_in_the_customers_language_with_the_policy_sentence(
    client: FlaskClient, studio: Studio
) -> None:
    activated(client, studio, locale="es")
    page = client.get("/portal", headers={"Accept-Language": "en"}).text
    assert "Mis reservas" in page
    assert ">Cancelar</button>" in page
    assert "Puedes cancelar sin coste hasta el" in page


def test_editing_the_details_changes_the_customer(client: FlaskClient, studio: Studio) -> None:
    customer_id = activated(client, studio)
    token = csrf_token(client.get("/portal").text)
    client.post(
        "/portal/details",
        data={"first_name": "Anita", "last_name": "García", "locale": "de", "csrf_token": token},
    )
    customer = studio.kit.get_customer(customer_id)
    assert (customer.first_name, customer.last_name, customer.locale) == ("Anita", "García", "de")
    assert "Meine Buchungen" in client.get("/portal").text


def test_an_archived_customer_loses_the_portal(client: FlaskClient, studio: Studio) -> None:
    customer_id = activated(client, studio)
    studio.kit.archive_customer(customer_id)
    assert client.get("/portal").status_code == 303


def test_a_formal_studio_explains_its_policy_formally(tmp_path: Path, clock: FakeClock) -> None:
    app = make_app(tmp_path, base_url=BASE, clock=clock, BUSINESS_FORMAL=True)
    client = app.test_client()
    with app.app_context():
        activated(client, app.extensions["studio"], locale="de")
    page = client.get("/portal").text
    assert "Sie können bis" in page
    assert "Du kannst" not in page
