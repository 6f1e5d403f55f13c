"""A message shown again to the business: the same email, with links that work nowhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invitekit import MessageNotFound, OutboxState, TestInvitationToken
from invitekit.adapters.memory import MemoryMailer
from invitekit.ports import Store
from invitekit.service import InviteKit
from invitekit.testing import FakeClock, extract_link, make_business, make_kit

from .stores import open_store, store_params

ACTIVATE = "https://studio.example/activate/"
RESET = "https://studio.example/reset/"


@pytest.fixture(params=store_params())
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with open_store(request.param) as opened:
        yield opened


def _kit(store: Store, mailer: MemoryMailer, business_id: str = "studio-1") -> InviteKit:
    return make_kit(
        store=store,
        mailer=mailer,
        clock=FakeClock(),
        business=make_business(id=business_id),
    )


def test_a_sent_invitation_is_shown_as_sent_with_test_links(store: Store) -> None:
    mailer = MemoryMailer()
    kit = _kit(store, mailer)
    ana = kit.add_customer("ana@example.com", first_name="Ana", locale="es")
    message = kit.invite(ana.id, subject="Hola {{ first_name }}", body="Te esperamos.")
    kit.save_invitation_template("es", subject="Otro asunto", body="Otro texto.")
    kit.deliver()
    (sent,) = mailer.outbox

    shown = kit.render_message(message.id)

    assert (shown.subject, shown.to, shown.message_id, shown.date) == (
        sent.subject,
        sent.to,
        sent.message_id,
        sent.date,
    )
    live = extract_link(sent, ACTIVATE)
    test = extract_link(shown, ACTIVATE)
    assert shown.text.replace(test, "LINK").split("LINK")[0] == sent.text.split(live)[0]
    with pytest.raises(TestInvitationToken):
        kit.accept_invitation(test[len(ACTIVATE) :], "whoever reads it chooses this")
    assert kit.get_customer(ana.id).password_hash is None


def test_a_queued_invitation_can_be_shown_before_it_is_sent(store: Store) -> None:
    kit = _kit(store, MemoryMailer())
    ana = kit.add_customer("ana@example.com", first_name="Ana")
    message = kit.invite(ana.id)

    shown = kit.render_message(message.id)

    assert shown.to == "ana@example.com"
    assert "Ana" in shown.text
    assert [m.state for m in kit.outbox_messages()] == [OutboxState.PENDING]


def test_an_account_email_is_shown_with_a_link_that_carries_no_token(store: Store) -> None:
    mailer = MemoryMailer()
    kit = _kit(store, mailer)
    ana = kit.add_customer("ana@example.com", first_name="Ana", locale="en")
    kit.invite(ana.id)
    kit.deliver()
    kit.accept_invitation(
        extract_link(mailer.outbox[0], ACTIVATE)[len(ACTIVATE) :], "a long passphrase"
    )
    kit.request_password_reset("ana@example.com")
    (reset,) = [m for m in kit.outbox_messages() if m.state is OutboxState.PENDING]

    shown = kit.render_message(reset.id)

    assert extract_link(shown, RESET) == RESET + "preview"
    assert shown.subject == "Reset your password for Studio One"


def test_an_unknown_id_or_another_business_s_message_is_not_found(store: Store) -> None:
    mine, theirs = _kit(store, MemoryMailer()), _kit(store, MemoryMailer(), "studio-2")
    message = theirs.invite(theirs.add_customer("bo@example.com").id)

    for message_id in ["msg_unknown", message.id, "x" * 10_000, "nul\x00"]:
        with pytest.raises(MessageNotFound) as refused:
            mine.render_message(message_id)
        assert len(str(refused.value)) < 200
