"""The whole invitation lifecycle through the facade, on every store."""

from __future__ import annotations

from invitekit import Audience, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.ports import Store
from invitekit.testing import extract_link, make_business, make_kit

ACTIVATE = "https://studio.example/activate/"


BUSINESS = make_business(default_locale="en", signature="")


def test_customers_are_invited_delivered_and_accept(store: Store) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer, business=BUSINESS)
    ana = kit.add_customer("Ana@Example.com", first_name="Ana", locale="es")
    kit.add_customer("jonas@example.com", first_name="Jonas", locale="de")
    kit.add_customer("sam@example.com")

    report = kit.invite_audience(Audience.all())
    again = kit.invite_audience(Audience.all())
    delivered = kit.deliver()
    link = extract_link(mailer.to(ana.email)[0], ACTIVATE)
    accepted = kit.accept_invitation(link.removeprefix(ACTIVATE), "a long enough passphrase")

    assert (report.queued, again.queued, again.total_skipped) == (3, 0, 3)
    assert delivered.sent == 3
    assert sorted(email.to for email in mailer.outbox) == sorted(
        [ana.email, "jonas@example.com", "sam@example.com"]
    )
    assert accepted.id == ana.id
    assert kit.get_customer(ana.id).status is Status.ACCEPTED
    assert kit.status_counts() == {Status.ADDED: 0, Status.INVITED: 2, Status.ACCEPTED: 1}
