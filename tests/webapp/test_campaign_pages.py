"""The campaign pages: the list, one campaign's funnel and tables, undeliverable addresses."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit import Audience
from invitekit.testing import TEST_PASSWORD, FakeClock
from invitekit.tokens import Purpose
from tests.webapp.conftest import BASE
from tests.webapp.support import ADMIN_PASSWORD, csrf_token, make_app


def bar(page: str, step: str) -> tuple[int, int]:
    """A funnel bar's count and width (percent of the queued invitations)."""
    found = re.search(
        rf'data-step="{step}">\s*<span role="rowheader">[^<]*</span>\s*'
        r'<span class="track" role="cell"><span class="bar[^"]*" '
        r'style="display: block; width: (\d+)%"></span></span>\s*'
        r'<span class="n" role="cell">(\d+)</span>',
        page,
    )
    assert found is not None, step
    return int(found.group(2)), int(found.group(1))


def cell(page: str, table: str, row: str, step: str) -> int:
    """A number of the per-group or per-language table."""
    body = page.split(f'id="by-{table}"', 1)[1].split("</table>", 1)[0]
    line = body.split(f'data-{table}="{row}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(rf'data-step="{step}">(\d+)<', line)
    assert found is not None, (table, row, step)
    return int(found.group(1))


def run_campaign(studio: Studio) -> str:
    """Three customers invited; Ana opens her link and activates; Cleo's address bounces hard."""
    kit = studio.kit
    kit.create_group("Monday class")
    ana = kit.add_customer("ana@example.com", locale="es", groups=["Monday class"])
    kit.add_customer("ben@example.com", locale="de", groups=["Monday class"])
    cleo = kit.add_customer("cleo@example.com", first_name="Cleo", locale="es")
    campaign_id = kit.invite_audience(Audience.all(), by="owner").campaign_id
    assert campaign_id is not None
    kit.deliver()
    token = kit.tokens.sign(kit.get_customer(ana.id), Purpose.ACTIVATION)
    kit.check_activation(token)
    kit.accept_invitation(token, TEST_PASSWORD)
    (sent,) = kit.outbox_messages(customer_id=cleo.id)
    assert sent.message_id is not None
    kit.record_bounce(sent.message_id, "hard", detail="5.1.1 mailbox does not exist")
    return campaign_id


def test_the_campaign_page_shows_the_funnel_as_bars_and_tables(
    admin: FlaskClient, studio: Studio
) -> None:
    campaign_id = run_campaign(studio)

    listing = admin.get("/admin/campaigns?lang=en").text
    page = admin.get(f"/admin/campaigns/{campaign_id}").text

    assert f'data-campaign="{campaign_id}"' in listing
    assert "all customers" in listing
    assert "by owner" in page
    assert bar(page, "queued") == (3, 100)
    assert bar(page, "sent") == (3, 100)
    assert bar(page, "link_opened") == (1, 33)
    assert bar(page, "accepted") == (1, 33)
    assert bar(page, "bounced") == (1, 33)
    assert bar(page, "failed") == (0, 0)
    assert cell(page, "group", "Monday class", "queued") == 2
    assert cell(page, "group", "Monday class", "accepted") == 1
    assert cell(page, "locale", "es", "queued") == 2
    assert cell(page, "locale", "es", "bounced") == 1
    assert cell(page, "locale", "de", "link_opened") == 0


def test_undeliverable_addresses_are_listed_with_the_servers_reason(
    admin: FlaskClient, studio: Studio
) -> None:
    campaign_id = run_campaign(studio)

    for path in ("/admin/campaigns", f"/admin/campaigns/{campaign_id}"):
        section = admin.get(path).text.split('id="undeliverable"', 1)[1]
        assert 'data-email="cleo@example.com"' in section
        assert "5.1.1 mailbox does not exist" in section
        assert "ana@example.com" not in section


def test_the_campaign_pages_speak_the_chosen_language(admin: FlaskClient, studio: Studio) -> None:
    campaign_id = run_campaign(studio)

    for lang, words in {
        "es": ("Campañas", "enlace abierto", "Por idioma"),
        "fr": ("Campagnes", "lien ouvert", "Par langue"),
        "de": ("Kampagnen", "Link geöffnet", "Nach Sprache"),
    }.items():
        page = admin.get(f"/admin/campaigns/{campaign_id}?lang={lang}").text
        for word in words:
            assert word in page, (lang, word)


def test_an_unknown_campaign_is_a_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/campaigns/cmp_unknown").status_code == 404


def test_the_campaign_pages_need_the_admin_password(client: FlaskClient) -> None:
    response = client.get("/admin/campaigns")
    assert response.status_code == 303
    assert "/admin/login" in response.headers["Location"]


def test_the_settings_page_shows_the_reminder_schedule(tmp_path: Path, clock: FakeClock) -> None:
    for days, expected in (
        ((), "No automatic reminders."),
        ((3, 10), "get a reminder 3 and 10 days after"),
    ):
        app = make_app(
            tmp_path / f"r{len(days)}", base_url=BASE, clock=clock, BUSINESS_REMINDER_DAYS=days
        )
        browser = app.test_client()
        token = csrf_token(browser.get("/admin/login").text)
        browser.post("/admin/login", data={"password": ADMIN_PASSWORD, "csrf_token": token})
        page = browser.get("/admin/settings?lang=en").text
        assert expected in page
