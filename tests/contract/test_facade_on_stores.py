"""The whole invitation lifecycle through the facade, on every store."""

from __future__ import annotations

import pytest

from invitekit import Audience, Status, ValidationError
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


def test_every_store_keeps_international_addresses_apart_and_finds_them(store: Store) -> None:
    # IDNA2008 domains and look-alike local parts are distinct customers on every store
    # (binary collations), and each is found again by any spelling of its own address.
    kit = make_kit(store=store, business=BUSINESS)
    spellings = {
        "bob@faß.de": "bob@XN--FA-HIA.DE",
        "bob@fass.de": "BOB@fass.de",
        "sofia@σοφος.gr": "Sofia@σοφος.gr",
        "sofia@σοφοσ.gr": "sofia@ΣΟΦΟΣ.gr",
        "straße@example.com": "STRAßE@example.com",
        "strasse@example.com": "Strasse@example.com",
        "\U0001d4d0na@example.com": "\U0001d4d0NA@example.com",  # outside the BMP
        "jos\u00e9@bücher.example": "JOSE\u0301@B\u00dcCHER.example",
    }
    added = {raw: kit.add_customer(raw) for raw in spellings}
    assert len({c.id for c in added.values()}) == len(spellings)
    assert added["bob@faß.de"].email == "bob@xn--fa-hia.de"
    for raw, other_spelling in spellings.items():
        found = kit.find_customer(other_spelling)
        assert found is not None
        assert found.id == added[raw].id


def test_every_store_gets_no_group_from_a_line_or_a_file_naming_too_many(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    groups = ";".join(f"g{n}" for n in range(20_000))
    report = kit.import_customers(f"email,groups\nana@example.com,{groups}\n")
    assert [e.message for e in report.errors] == ["more than 20 groups on one line"]
    lines = "\n".join(
        f"c{n}@example.com," + ";".join(f"l{n}-{g}" for g in range(20)) for n in range(6)
    )
    with pytest.raises(ValidationError, match="more than 100 different groups"):
        kit.import_customers("email,groups\n" + lines)
    assert kit.list_groups() == []
    assert kit.list_customers() == []
