"""The front desk: an activation link handed over as a QR code, without email.

A customer standing at the desk without their mailbox scans the code on the
customer's page with their phone and chooses a password there.  The link is
:meth:`invitekit.InviteKit.issue_activation_link`'s: the one an invitation
carries, under the same rules (once, until it expires, dead on archive or a new
address), recorded in the customer's history.  Asking for it changes state (an
event), so it is a POST; the page that answers shows the code as inline SVG
(``segno``), no file written, and the link as text for a message.
"""

from __future__ import annotations

import segno
from flask import flash, redirect, url_for
from markupsafe import Markup

from invitekit.exceptions import InvitationRefused

from .app import Page, refusal, studio, t, when
from .business import admin_required, bp, customer_page

__all__ = ["front_desk_link", "qr_svg"]


def qr_svg(url: str, *, title: str) -> Markup:
    """``url`` as a QR code: an inline ``<svg>`` element with ``title`` for screen readers."""
    code = segno.make(url, error="m", micro=False)
    svg: str = code.svg_inline(scale=5, border=4, title=title, dark="#111", light="#fff")
    return Markup(svg)  # noqa: S704 (segno's paths, and the title it escapes)


@bp.post("/customers/<customer_id>/front-desk-link")
@admin_required
def front_desk_link(customer_id: str) -> Page:
    """Issue an activation link and show it as a QR code on the customer's page."""
    kit = studio().kit
    try:
        url = kit.issue_activation_link(customer_id, by="front desk")
    except InvitationRefused as err:
        flash(t("b_no_front_desk_link", error=refusal(err)), "error")
        return redirect(url_for("business.customer", customer_id=customer_id), code=303)
    token = url.rsplit("/", 1)[-1]
    until = kit.check_activation(token).expires_at  # a handed link: no funnel count
    email = kit.get_customer(customer_id).email
    return customer_page(
        customer_id,
        desk_link=url,
        desk_qr=qr_svg(url, title=t("b_front_desk_qr", email=email)),
        desk_until=when(until),
    )
