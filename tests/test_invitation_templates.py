"""The facade's invitation text: saving, one-off text, preview and test invitations."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.audience import Audience
from invitekit.exceptions import InvalidLocale, TemplateError, TestInvitationToken
from invitekit.model import Business, Email, Status, TemplateRevision
from invitekit.ports import Store
from invitekit.service import InviteKit
from invitekit.testing import FakeClock, extract_link, make_kit

from .stores import open_store, recipe_of, store_from_recipe, store_params

ACTIVATE = "https://studio.example/activate/"
UNSUBSCRIBE = "https://studio.example/unsubscribe/"


@pytest.fixture(params=store_params())
def stores(request: pytest.FixtureRequest) -> Iterator[tuple[Store, Callable[[], Store]]]:
    """A store of each kind, and a function that opens it anew as a restarted process would."""
    with open_store(request.param) as store:
        if isinstance(store, SQLStore):
            recipe = recipe_of(store)
            reopened: list[SQLStore] = []

            def reopen() -> Store:
                reopened.append(store_from_recipe(recipe))
                return reopened[-1]

            yield store, reopen
            for other in reopened:
                other.engine.dispose()
        else:
            yield store, lambda: store  # memory lives as long as the object


def test_a_saved_template_survives_a_restart(
    stores: tuple[Store, Callable[[], Store]],
    invitekit_business: Business,
    invitekit_clock: FakeClock,
    invitekit_mailer: MemoryMailer,
) -> None:
    store, reopen = stores
    first = make_kit(
        store=store, business=invitekit_business, clock=invitekit_clock, mailer=invitekit_mailer
    )
    first.save_invitation_template(
        "es", subject="Novedades de {{ business_name }}", body="Hola de nuevo {{ first_name }}."
    )
    customer = first.add_customer("ana@example.com", first_name="Ana", locale="es")

    restarted = make_kit(
        store=reopen(), business=invitekit_business, clock=invitekit_clock, mailer=invitekit_mailer
    )
    restarted.invite(customer.id)
    restarted.deliver()

    (sent,) = invitekit_mailer.outbox
    assert sent.subject == "Novedades de Studio One"
    assert "Hola de nuevo Ana." in sent.text.splitlines()
    assert restarted.invitation_template("es").customised


def test_the_template_serves_customers_negotiating_to_its_language(
    invitekit_kit: InviteKit,
) -> None:
    invitekit_kit.save_invitation_template("de", subject="Neu bei {{ business_name }}", body="B")
    austrian = invitekit_kit.add_customer("jonas@example.com", locale="de_AT")
    portuguese = invitekit_kit.add_customer("joao@example.com", locale="pt")
    spanish = invitekit_kit.add_customer("ana@example.com", locale="es")
    assert invitekit_kit.preview_invitation(austrian.id).subject == "Neu bei Studio One"
    assert invitekit_kit.preview_invitation(portuguese.id).subject == "Neu bei Studio One"
    assert (
        invitekit_kit.preview_invitation(spanish.id).subject
        == "Studio One te invita a reservar en línea"
    )


def test_without_a_saved_template_the_shipped_text_is_offered_for_editing(
    invitekit_kit: InviteKit,
) -> None:
    template = invitekit_kit.invitation_template("fr")
    assert template.customised is False
    assert template.subject == "{{ business_name }} vous invite à réserver en ligne"
    assert template.body.startswith("Vous pouvez désormais réserver")


def test_a_template_for_a_language_without_a_catalog_is_refused(invitekit_kit: InviteKit) -> None:
    with pytest.raises(InvalidLocale, match="no catalog for 'pt'"):
        invitekit_kit.save_invitation_template("pt", subject="Olá", body="Olá")


@pytest.mark.parametrize(
    "body", ["{{ first_name.__class__ }}", "{{ cycler() }}", "{% include 'email.html' %}"]
)
def test_an_unsafe_template_is_refused_when_saved_and_nothing_is_stored(
    invitekit_kit: InviteKit, body: str
) -> None:
    with pytest.raises(TemplateError, match="body, line 1"):
        invitekit_kit.save_invitation_template("en", subject="Hi", body=body)
    assert invitekit_kit.invitation_template("en").customised is False


def test_a_subject_with_a_line_break_is_refused_when_saved(invitekit_kit: InviteKit) -> None:
    with pytest.raises(TemplateError, match="single line"):
        invitekit_kit.save_invitation_template(
            "en", subject="Hi\r\nBcc: all@example.com", body="x"
        )


def test_a_one_off_text_is_used_once_and_not_stored(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    customer = invitekit_kit.add_customer("sam@example.com", first_name="Sam", locale="en")
    invitekit_kit.invite(customer.id, subject="Just for {{ first_name }}")
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox[0].subject == "Just for Sam"
    assert invitekit_kit.invitation_template("en").customised is False


def test_a_one_off_text_with_save_is_stored_for_the_customers_language(
    invitekit_kit: InviteKit,
) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", locale="es_MX")
    invitekit_kit.invite(customer.id, body="Texto nuevo", save=True)
    saved = invitekit_kit.invitation_template("es")
    assert saved.customised
    assert saved.body == "Texto nuevo"
    assert saved.subject == "{{ business_name }} te invita a reservar en línea"


def test_a_one_off_text_for_an_audience_reaches_everyone_and_saves_for_the_default(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    invitekit_kit.add_customer("ana@example.com", locale="es")
    invitekit_kit.add_customer("sam@example.com", locale="en")
    report = invitekit_kit.invite_audience(
        Audience.status(Status.ADDED), subject="Hallo von {{ business_name }}", save=True
    )
    invitekit_kit.deliver()
    assert report.queued == 2
    assert [e.subject for e in invitekit_mailer.outbox] == ["Hallo von Studio One"] * 2
    assert invitekit_kit.invitation_template("de").subject == "Hallo von {{ business_name }}"


def test_an_unsafe_one_off_text_queues_nothing(invitekit_kit: InviteKit) -> None:
    customer = invitekit_kit.add_customer("sam@example.com")
    with pytest.raises(TemplateError, match="loops"):
        invitekit_kit.invite(customer.id, body="{% for x in first_name %}{% endfor %}")
    with pytest.raises(TemplateError, match="calling a function"):
        invitekit_kit.invite_audience(Audience.all(), subject="{{ range(10**9) }}")
    assert invitekit_kit.outbox_messages() == []


def test_preview_is_the_email_and_stores_or_sends_nothing(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", first_name="Ana", locale="es")
    preview = invitekit_kit.preview_invitation(customer.id, subject="Prueba {{ first_name }}")
    assert preview.subject == "Prueba Ana"
    assert preview.text.splitlines()[0] == "Hola Ana:"
    assert invitekit_kit.outbox_messages() == []
    assert invitekit_mailer.outbox == []
    assert invitekit_kit.get_customer(customer.id).status is Status.ADDED


def assert_test_links(kit: InviteKit, email: Email) -> None:
    """Every link of ``email`` is refused as a test invitation's, on its page and its POST."""
    activation = extract_link(email, ACTIVATE)[len(ACTIVATE) :]
    unsubscribe = extract_link(email, UNSUBSCRIBE)[len(UNSUBSCRIBE) :]
    for use in (
        lambda: kit.check_activation(activation),
        lambda: kit.accept_invitation(activation, "whoever holds the link chooses this"),
        lambda: kit.check_unsubscribe(unsubscribe),
        lambda: kit.unsubscribe(unsubscribe),
    ):
        with pytest.raises(TestInvitationToken):
            use()


def test_the_links_of_a_preview_are_test_links(
    stores: tuple[Store, Callable[[], Store]],
    invitekit_business: Business,
    invitekit_clock: FakeClock,
) -> None:
    kit = make_kit(store=stores[0], business=invitekit_business, clock=invitekit_clock)
    customer = kit.add_customer("ana@example.com", first_name="Ana")
    assert_test_links(kit, kit.preview_invitation(customer.id))
    stored = kit.get_customer(customer.id)
    assert (stored.status, stored.password_hash, stored.unsubscribed) == (
        Status.ADDED,
        None,
        False,
    )


def test_a_test_invitation_goes_to_the_given_address_and_changes_no_customer(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", locale="es")
    sent = invitekit_kit.send_test_invitation("owner@studio.example", locale="es")
    assert invitekit_mailer.outbox == [sent]
    assert sent.to == "owner@studio.example"
    assert sent.subject == "[Prueba] Studio One te invita a reservar en línea"
    assert sent.text.splitlines()[0] == "Hola:"
    assert invitekit_kit.get_customer(customer.id).status is Status.ADDED
    assert invitekit_kit.outbox_messages() == []


def test_a_test_invitation_defaults_to_the_business_language(
    invitekit_kit: InviteKit,
) -> None:
    sent = invitekit_kit.send_test_invitation("owner@studio.example")
    assert sent.subject == "[Test] Studio One lädt dich ein, online zu buchen"


@pytest.mark.parametrize(
    ("locale", "subject"),
    [
        ("en", "[Test] Studio One invites you to book online"),
        ("es", "[Prueba] Studio One te invita a reservar en línea"),
        ("fr", "[Test] Studio One vous invite à réserver en ligne"),
        ("de", "[Test] Studio One lädt dich ein, online zu buchen"),
    ],
)
def test_a_test_invitation_says_so_in_its_subject_in_every_language(
    invitekit_kit: InviteKit, locale: str, subject: str
) -> None:
    assert invitekit_kit.send_test_invitation("o@studio.example", locale=locale).subject == subject


def test_a_preview_is_what_the_customer_gets_without_a_test_label(
    invitekit_kit: InviteKit,
) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", locale="es")
    preview = invitekit_kit.preview_invitation(customer.id)
    assert preview.subject == "Studio One te invita a reservar en línea"


def test_the_links_of_a_test_invitation_say_it_was_a_test(invitekit_kit: InviteKit) -> None:
    assert_test_links(invitekit_kit, invitekit_kit.send_test_invitation("owner@studio.example"))


def test_an_expired_test_link_still_says_it_was_a_test(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock
) -> None:
    sent = invitekit_kit.send_test_invitation("owner@studio.example")
    invitekit_clock.advance(days=30)
    with pytest.raises(TestInvitationToken):
        invitekit_kit.check_activation(extract_link(sent, ACTIVATE)[len(ACTIVATE) :])


def test_invitations_carry_a_stable_message_id_for_retries(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    customer = invitekit_kit.add_customer("sam@example.com")
    queued = invitekit_kit.invite(customer.id)
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox[0].message_id == f"<{queued.id}@studio.example>"


DEEP_BODIES = {
    "300-ifs": "{% if first_name %}" * 300 + "Hi" + "{% endif %}" * 300,
    "3000-parentheses": "{{ " + "(" * 3000 + "first_name" + ")" * 3000 + " }}",
}


@pytest.mark.parametrize("shape", sorted(DEEP_BODIES))
def test_a_deep_template_is_a_template_error_from_save_invite_and_preview(
    invitekit_kit: InviteKit, shape: str
) -> None:
    body = DEEP_BODIES[shape]
    customer = invitekit_kit.add_customer("ana@example.com", first_name="Ana")
    with pytest.raises(TemplateError, match="nested"):
        invitekit_kit.save_invitation_template("en", subject="Hi", body=body)
    with pytest.raises(TemplateError, match="nested"):
        invitekit_kit.invite(customer.id, body=body)
    with pytest.raises(TemplateError, match="nested"):
        invitekit_kit.preview_invitation(customer.id, body=body)
    with pytest.raises(TemplateError, match="nested"):
        invitekit_kit.send_test_invitation("owner@studio.example", body=body)
    assert not invitekit_kit.invitation_template("en").customised
    assert invitekit_kit.outbox_messages(customer_id=customer.id) == []


@pytest.mark.parametrize("shape", sorted(DEEP_BODIES))
def test_a_deep_template_stored_before_the_bounds_is_a_template_error_when_rendered(
    stores: tuple[Store, Callable[[], Store]], invitekit_business: Business, shape: str
) -> None:
    store, _reopen = stores
    clock = FakeClock()
    kit = make_kit(store=store, business=invitekit_business, clock=clock)
    customer = kit.add_customer("ana@example.com", first_name="Ana", locale="en")
    with store.transaction() as tx:  # as an older invitekit, without the bounds, saved it
        tx.insert_template_revision(
            TemplateRevision(
                id="tpl_old",
                business_id=invitekit_business.id,
                kind="invitation",
                locale="en",
                subject="Hi",
                body=DEEP_BODIES[shape],
                created_at=clock.now(),
            )
        )
    with pytest.raises(TemplateError, match="nested"):
        kit.preview_invitation(customer.id)
    kit.invite(customer.id)  # queued: the text is composed at delivery
    assert kit.deliver().failed == 1  # a permanent failure, not an error out of deliver()
    (message,) = kit.outbox_messages(customer_id=customer.id)
    assert message.last_error is not None and "nested" in message.last_error
