"""The booking confirmation email's link and the page it opens, with the Flask test client."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit import Customer
from invitekit.policy import BookingStatus
from invitekit.testing import FakeClock
from tests.webapp.conftest import BASE
from tests.webapp.support import csrf_token, read_emails

BOOKING = f"{BASE}/booking/"


def _customer_with_bookings(
    studio: Studio, clock: FakeClock, locale: str | None = None
) -> Customer:
    customer = studio.kit.add_customer("ana@example.com", first_name="Ana", locale=locale)
    studio.data.seed_demo_bookings(customer.id, clock.now())
    return customer


def _booking_id(studio: Studio, customer: Customer, title: str) -> str:
    return next(b.id for b in studio.data.bookings(customer.id) if b.title == title)


def _confirm(admin: FlaskClient, customer: Customer, booking_id: str) -> str:
    token = csrf_token(admin.get(f"/admin/customers/{customer.id}").text)
    response = admin.post(
        f"/admin/customers/{customer.id}/bookings/{booking_id}/confirmation",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    return response.text


def _link(studio: Studio) -> str:
    body = read_emails(studio.outbox)[-1].get_content()
    found = re.search(re.escape(BOOKING) + r"\S+", body)
    assert found is not None, body
    return found.group(0)


def test_the_confirmation_is_in_the_customers_language_and_carries_the_link(
    admin: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    ana = _customer_with_bookings(studio, clock, locale="es")
    page = _confirm(admin, ana, _booking_id(studio, ana, "Morning yoga"))
    assert "Booking confirmation sent to ana@example.com." in page
    email = read_emails(studio.outbox)[-1]
    assert email["To"] == "ana@example.com"
    assert email["Subject"].startswith("Tu reserva en Studio One: Morning yoga, ")
    body = email.get_content()
    assert body.startswith("Hola Ana:\n\nTienes una reserva para Morning yoga el ")
    assert _link(studio).startswith(BOOKING)


def test_the_page_offers_what_the_policy_allows_in_the_customers_language(
    admin: FlaskClient, client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    ana = _customer_with_bookings(studio, clock, locale="de")
    _confirm(admin, ana, _booking_id(studio, ana, "Morning yoga"))  # in three days
    _confirm(admin, ana, _booking_id(studio, ana, "Lunchtime pilates"))  # in two hours
    morning = client.get(_link_of(studio, "Morning yoga")).text
    assert "<h1>Deine Buchung</h1>" in morning
    assert ">Stornieren</button>" in morning
    late = client.get(_link_of(studio, "Lunchtime pilates")).text
    assert "Für eine Stornierung ist es zu spät" in late or "zu spät" in late
    assert "</button>" not in late.split("<main", 1)[1]


def _link_of(studio: Studio, title: str) -> str:
    for email in reversed(read_emails(studio.outbox)):
        if title in email["Subject"]:
            found = re.search(re.escape(BOOKING) + r"\S+", email.get_content())
            assert found is not None
            return found.group(0)
    raise AssertionError(f"no email about {title}")


def test_cancelling_from_the_link_asks_the_policy_and_opening_changes_nothing(
    admin: FlaskClient, client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    ana = _customer_with_bookings(studio, clock)
    morning = _booking_id(studio, ana, "Morning yoga")
    soon = _booking_id(studio, ana, "Lunchtime pilates")
    _confirm(admin, ana, morning)
    _confirm(admin, ana, soon)
    link, late_link = _link_of(studio, "Morning yoga"), _link_of(studio, "Lunchtime pilates")
    before = studio.data.bookings(ana.id)
    opened = client.get(link)
    page = opened.text
    assert studio.data.bookings(ana.id) == before  # a GET changes nothing
    assert opened.headers["Referrer-Policy"] == "no-referrer"

    token = csrf_token(page)
    path = link.removeprefix(BASE)
    # Outside the window the server refuses, whatever the page showed.
    refused = client.post(f"{late_link.removeprefix(BASE)}/cancel", data={"csrf_token": token})
    assert refused.status_code == 409
    done = client.post(f"{path}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "Your booking is cancelled." in done.text
    assert "This booking is cancelled." in done.text
    cancelled = next(b for b in studio.data.bookings(ana.id) if b.id == morning)
    assert cancelled.status is BookingStatus.CANCELLED
    # The link still opens (it is not single-use), with nothing left to do.
    again = client.get(link).text
    assert 'action="/booking/' not in again


def test_rescheduling_moves_the_booking_and_sends_a_new_link(
    admin: FlaskClient, client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    ana = _customer_with_bookings(studio, clock, locale="fr")
    evening = _booking_id(studio, ana, "Evening flow")
    _confirm(admin, ana, evening)
    link = _link(studio)
    page = client.get(link).text
    response = client.post(
        f"{link.removeprefix(BASE)}/reschedule",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "Votre réservation est déplacée au" in response.text
    assert len(read_emails(studio.outbox)) == 2
    assert _link(studio) != link


def test_refused_links_say_why_in_the_customers_language(
    admin: FlaskClient, client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    ana = _customer_with_bookings(studio, clock, locale="fr")
    morning = next(b for b in studio.data.bookings(ana.id) if b.title == "Morning yoga")
    _confirm(admin, ana, morning.id)
    link = _link(studio)
    assert client.get(link[:-3] + "abc").status_code == 400
    clock.set(morning.start + timedelta(minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.text
    clock.set(morning.start - timedelta(hours=1))
    studio.kit.update_customer(ana.id, email="ana.new@example.com")
    used = client.get(link)
    assert used.status_code == 409
    assert "Ce lien ne fonctionne plus car le profil a changé." in used.text
    studio.kit.archive_customer(ana.id)
    assert client.get(link).status_code == 403


def test_a_link_opens_only_its_customers_booking(
    admin: FlaskClient, client: FlaskClient, studio: Studio, clock: FakeClock
) -> None:
    ana = _customer_with_bookings(studio, clock)
    ben = studio.kit.add_customer("ben@example.com")
    studio.data.seed_demo_bookings(ben.id, clock.now())
    bens_booking = _booking_id(studio, ben, "Morning yoga")
    # The studio's app signs a link naming Ana but Ben's booking id: the app finds nothing.
    link = studio.kit.booking_link(
        ana.id, bens_booking, valid_until=clock.now() + timedelta(days=1)
    )
    response = client.get(link.removeprefix(BASE))
    assert response.status_code == 404
    assert "This booking does not exist (any more)." in response.text
