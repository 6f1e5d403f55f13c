"""The business's campaigns: each one's funnel, and the addresses that bounced.

A campaign is one "send" of the invite dialog (or one invitation from a
customer's page).  Its page shows :meth:`invitekit.InviteKit.campaign_report`:
the funnel as bars (plain HTML and CSS, no script), then the same counts per
group and per language.  The undeliverable addresses are the customers the
library marked so (``Customer.undeliverable``: a hard bounce, or repeated soft
ones, until the address changes or is cleared), with the mail server's reason
from their last bounce.
"""

from __future__ import annotations

from typing import Any

import attrs
from flask import abort, render_template

from invitekit import Campaign, CampaignNotFound, CampaignReport, Customer, EventKind, FunnelCounts

from .app import Page, studio, t, w
from .business import admin_required, bp

__all__ = ["STEPS", "audience", "bars", "campaign", "campaigns", "undeliverable"]

#: The funnel's steps in the order the bars and the tables show them: the counts
#: of :class:`~invitekit.FunnelCounts`, in the order it declares them.
STEPS = tuple(field.name for field in attrs.fields(FunnelCounts))


def bars(report: CampaignReport) -> list[dict[str, Any]]:
    """Each step with its count and its bar's width in percent of the queued messages."""
    whole = max(report.queued, 1)
    steps = [(step, getattr(report, step)) for step in STEPS]
    steps.append(("reminders_sent", report.reminders_sent))
    return [{"step": step, "n": n, "width": min(100, round(100 * n / whole))} for step, n in steps]


def audience(campaign: Campaign) -> str:
    """Whom ``campaign`` was for, in the page's language."""
    kind, _, value = campaign.audience.partition(":")
    if kind == "status":
        return t("b_for_status", status=w("status", value))
    if kind == "group":
        return t("b_for_group", group=value)
    if kind == "customer":
        return t("b_for_customer")
    if kind == "import":
        return t("b_for_import")
    return t("b_for_all")


def undeliverable(campaign_id: str | None = None) -> list[tuple[Customer, str]]:
    """Undeliverable customers (whose bounce was of ``campaign_id``, or any), with the reason.

    The reason is the mail server's, from the last bounce in the customer's
    history (its detail without the ``"hard:"`` / ``"soft:"`` prefix).
    """
    kit = studio().kit
    found: list[tuple[Customer, str]] = []
    for customer in kit.list_customers(archived=None):
        if not customer.undeliverable:
            continue
        bounces = [
            e
            for e in kit.history(customer.id)
            if e.kind is EventKind.BOUNCED
            and (campaign_id is None or e.campaign_id == campaign_id)
        ]
        if bounces:
            # "hard: <the server's words> (message msg_...)": the server's words.
            words = bounces[-1].detail.partition(":")[2]
            reason = words.rpartition(" (message ")[0] if " (message " in words else words
            found.append((customer, reason.strip()))
    return found


@bp.get("/campaigns")
@admin_required
def campaigns() -> Page:
    """Every campaign, newest first, with its main counts; then the undeliverable addresses."""
    kit = studio().kit
    rows = [(c, kit.campaign_report(c.id)) for c in kit.list_campaigns()]
    return render_template(
        "admin/campaigns.html", rows=rows, audience=audience, undeliverable=undeliverable()
    )


@bp.get("/campaigns/<campaign_id>")
@admin_required
def campaign(campaign_id: str) -> Page:
    """One campaign: the funnel as bars, a table per group and per language."""
    kit = studio().kit
    try:
        report = kit.campaign_report(campaign_id)
    except CampaignNotFound:
        abort(404)
    (found,) = [c for c in kit.list_campaigns() if c.id == campaign_id]
    return render_template(
        "admin/campaign.html",
        campaign=found,
        audience=audience(found),
        report=report,
        bars=bars(report),
        steps=STEPS,
        tables=[("group", report.by_group), ("locale", report.by_locale)],
        empty=FunnelCounts(),
        undeliverable=undeliverable(campaign_id),
    )
