"""The business pages: the list with counts, adding, the invite dialog, history, settings."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit import Status
from invitekit.access import LoginMode
from invitekit.policy import DurationCutoff, RuleMode
from invitekit.testing import FakeClock
from tests.webapp.conftest import BASE
from tests.webapp.support import ADMIN_PASSWORD, csrf_token, customer_at, make_app, read_emails


def test_the_list_filters_by_status_and_counts(admin: FlaskClient, studio: Studio) -> None:
    studio.kit.add_customer("ana@example.com")
    studio.kit.add_customer("ben@example.com", invite=True)
    studio.kit.deliver()
    studio.kit.archive_customer(studio.kit.add_customer("cy@example.com").id)
    page = admin.get("/admin/?filter=invited").text
    assert "ben@example.com" in page
    assert "ana@example.com" not in page
    assert "Added (1)" in page
    assert "Invited (1)" in page
    assert "Archived (1)" in page
    assert "cy@example.com" in admin.get("/admin/?filter=archived").text


def test_adding_with_invite_sends_the_invitation(admin: FlaskClient, studio: Studio) -> None:
    token = csrf_token(admin.get("/admin/").text)
    admin.post(
        "/admin/customers",
        data={"email": "ana@example.com", "first_name": "Ana", "invite": "1", "csrf_token": token},
    )
    assert customer_at(studio.kit, "ana@example.com").status is Status.INVITED
    assert [str(m["To"]) for m in read_emails(studio.outbox)] == ["ana@example.com"]


def test_the_invite_dialog_is_prefilled_with_the_template(
    admin: FlaskClient, studio: Studio
) -> None:
    template = studio.kit.invitation_template("en")
    page = admin.get("/admin/invite").text
    assert f'value="{template.subject}"' in page


def test_preview_shows_the_first_recipients_email_and_sends_nothing(
    admin: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com", first_name="Ana")
    page = admin.get("/admin/invite").text
    response = admin.post(
        "/admin/invite",
        data={"audience": "all", "action": "preview", "csrf_token": csrf_token(page)},
    )
    assert "Preview for ana@example.com" in response.text
    assert "Hello Ana," in response.text
    assert read_emails(studio.outbox) == []


def test_send_me_a_test_mails_the_owner_and_changes_no_customer(
    admin: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com")
    page = admin.get("/admin/invite").text
    admin.post("/admin/invite", data={"action": "test", "csrf_token": csrf_token(page)})
    assert [str(m["To"]) for m in read_emails(studio.outbox)] == ["owner@studio.example"]
    assert customer_at(studio.kit, "ana@example.com").status is Status.ADDED


def test_inviting_a_group_with_an_edited_subject(admin: FlaskClient, studio: Studio) -> None:
    studio.kit.create_group("Monday class")
    member = studio.kit.add_customer("ana@example.com", groups=["Monday class"])
    studio.kit.add_customer("ben@example.com")
    page = admin.get("/admin/invite?audience=group:Monday+class").text
    admin.post(
        "/admin/invite",
        data={
            "audience": "group:Monday class",
            "locale": "en",
            "subject": "Your studio is online",
            "body": studio.kit.invitation_template("en").body,
            "action": "send",
            "csrf_token": csrf_token(page),
        },
    )
    (mail,) = read_emails(studio.outbox)
    assert str(mail["To"]) == "ana@example.com"
    assert str(mail["Subject"]) == "Your studio is online"
    assert studio.kit.get_customer(member.id).status is Status.INVITED


def test_a_template_with_a_forbidden_placeholder_is_refused_with_the_reason(
    admin: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com")
    page = admin.get("/admin/invite").text
    response = admin.post(
        "/admin/invite",
        data={"subject": "{{ password }}", "action": "send", "csrf_token": csrf_token(page)},
    )
    assert 'role="alert"' in response.text
    assert read_emails(studio.outbox) == []


def test_history_archive_and_restore(admin: FlaskClient, studio: Studio) -> None:
    customer = studio.kit.add_customer("ana@example.com")
    page = admin.get(f"/admin/customers/{customer.id}").text
    admin.post(f"/admin/customers/{customer.id}/archive", data={"csrf_token": csrf_token(page)})
    assert studio.kit.get_customer(customer.id).archived
    history = admin.get(f"/admin/customers/{customer.id}").text
    assert "archived" in history
    admin.post(f"/admin/customers/{customer.id}/restore", data={"csrf_token": csrf_token(history)})
    assert not studio.kit.get_customer(customer.id).archived


def test_settings_store_the_policy_as_json_and_the_login_mode(
    admin: FlaskClient, studio: Studio, client: FlaskClient
) -> None:
    page = admin.get("/admin/settings").text
    admin.post(
        "/admin/settings",
        data={
            "cancel_mode": "windowed",
            "cancel_hours": "48",
            "cancel_late": "forfeit",
            "reschedule_mode": "never",
            "max_reschedules": "",
            "login_mode": "required",
            "csrf_token": csrf_token(page),
        },
    )
    policy = studio.data.policy("Europe/Vienna")
    assert policy.cancel.cutoff == DurationCutoff(before=timedelta(hours=48))
    assert policy.reschedule.mode is RuleMode.NEVER
    assert json.loads(json.dumps(policy.to_dict())) == policy.to_dict()
    assert studio.data.login_mode() is LoginMode.REQUIRED
    assert 'data-requirement="required"' in client.get("/").text


def test_contradictory_settings_are_refused_with_the_reason(
    admin: FlaskClient, studio: Studio
) -> None:
    page = admin.get("/admin/settings").text
    response = admin.post(
        "/admin/settings",
        data={
            "cancel_mode": "windowed",
            "cancel_hours": "24",
            "cancel_late": "refused",
            "reschedule_mode": "never",
            "max_reschedules": "2",
            "login_mode": "optional",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 422
    assert "max_reschedules" in response.text


def test_the_mailbox_lists_and_shows_emails_with_clickable_links(
    admin: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com", invite=True)
    studio.kit.deliver()
    listing = admin.get("/mailbox/").text
    assert 'data-to="ana@example.com"' in listing
    (name,) = [p.name for p in studio.outbox.glob("*.eml")]
    shown = admin.get(f"/mailbox/{name}").text
    assert '<a href="http://studio.test/activate/' in shown


def test_deliver_now_sends_what_was_queued_when_delivery_is_not_inline(
    tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(tmp_path, base_url=BASE, clock=clock, DELIVER_INLINE=False)
    client = app.test_client()
    token = csrf_token(client.get("/admin/login").text)
    client.post("/admin/login", data={"password": ADMIN_PASSWORD, "csrf_token": token})
    token = csrf_token(client.get("/admin/").text)
    client.post(
        "/admin/customers", data={"email": "ana@example.com", "invite": "1", "csrf_token": token}
    )
    studio: Studio = app.extensions["studio"]
    assert read_emails(studio.outbox) == []
    client.post("/admin/deliver", data={"csrf_token": token})
    assert [str(m["To"]) for m in read_emails(studio.outbox)] == ["ana@example.com"]


def test_a_customer_without_a_name_opens_from_the_list(admin: FlaskClient, studio: Studio) -> None:
    nameless = studio.kit.add_customer("noname@example.com")
    page = admin.get("/admin/").text
    assert f'<a href="/admin/customers/{nameless.id}">noname@example.com</a>' in page
    assert "noname@example.com" in admin.get(f"/admin/customers/{nameless.id}").text


def test_opening_the_deliver_address_says_where_the_button_is(admin: FlaskClient) -> None:
    response = admin.get("/admin/deliver")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert "Nothing was sent: delivery starts with the “Deliver now” button" in (
        admin.get("/admin/").text
    )


def test_the_plan_groups_skipped_customers_by_reason_with_counts(
    admin: FlaskClient, studio: Studio
) -> None:
    for n in range(3):
        studio.kit.archive_customer(studio.kit.add_customer(f"gone{n}@example.com").id)
    studio.kit.add_customer("ana@example.com")
    page = admin.get("/admin/invite").text
    assert 'data-invited="1" data-skipped="3">1 will be invited,' in page
    assert "3 skipped:" in page
    assert '<li data-reason="archived"><details>' in page
    assert "<summary>archived: 3</summary>" in page


def test_the_home_page_offers_no_guest_booking(client: FlaskClient, studio: Studio) -> None:
    for mode in LoginMode:
        studio.data.save_login_mode(mode)
        page = client.get("/").text.lower()
        assert "guest" not in page, mode


def test_the_mailbox_frame_grows_to_the_whole_email_and_runs_no_script(
    admin: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com", invite=True)
    studio.kit.deliver()
    (name,) = [p.name for p in studio.outbox.glob("*.eml")]
    shown = admin.get(f"/mailbox/{name}").text
    assert 'sandbox="allow-same-origin"' in shown
    assert "allow-scripts" not in shown
    assert "scrollHeight" in shown


def test_languages_are_named_and_invitations_counted_in_words(
    admin: FlaskClient, studio: Studio
) -> None:
    studio.kit.add_customer("ana@example.com", locale="es")
    studio.kit.add_customer("ben@example.com", invite=True)
    studio.kit.deliver()
    studio.kit.add_customer("cy@example.com")
    page = admin.get("/admin/invite").text
    assert ">Spanish</option>" in page
    assert ">es</option>" not in page
    response = admin.post(
        "/admin/invite",
        data={"audience": "all", "action": "send", "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "3 invitations sent." in response.text
    assert "(s)" not in response.text
    assert "<td>Spanish</td>" in response.text
