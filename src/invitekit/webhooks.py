"""Webhook endpoints: the value stored per endpoint, and which URLs are accepted.

A :class:`Webhook` is an endpoint a business registered; it holds where its
delivery stands in the business's feed (``delivered_through``), never an
event or a payload: the JSON body is composed from the feed at delivery
(:func:`invitekit.feed.payload_bytes`), so erasing a customer's events leaves
nothing of them in webhook rows.  Pure: no I/O (the HTTP sender is an adapter,
:mod:`invitekit.adapters.webhooks`).
"""

from __future__ import annotations

import ipaddress
import secrets
import urllib.parse
from datetime import datetime

import attrs

from invitekit.exceptions import InvalidWebhookURL

__all__ = ["DISABLE_AFTER", "Webhook", "check_webhook_url", "new_secret"]

DISABLE_AFTER = 10
"""Consecutive failed deliveries after which an endpoint is disabled (``enabled=False``)."""

_MAX_URL = 2000
_LOOPBACK_NAMES = ("localhost", "localhost.")


@attrs.frozen(kw_only=True)
class Webhook:
    """An endpoint that receives a business's feed as signed HTTP POSTs.

    Attributes:
        id: ``"whk_..."``.
        business_id: whose feed it receives.
        url: where events are POSTed.
        secret: the signing secret, ``"whsec_"`` and base64 (Standard Webhooks).
        created_at: when it was registered.
        enabled: ``False`` once :data:`DISABLE_AFTER` deliveries in a row failed.
        failures: consecutive failed deliveries (0 after a success).
        disabled_at: when it was disabled, or ``None``.
        last_error: what the last failure was (an HTTP status or an error class),
            never a response body.
        delivered_through: the feed position delivered up to; it starts at the
            feed's newest position when the endpoint is registered (an endpoint
            receives the events from then on).
        not_before: no delivery before this moment (the backoff after a failure).
        claimed_until: the lease of the worker delivering to it, or ``None``.
    """

    id: str
    business_id: str
    url: str
    secret: str = attrs.field(repr=False)
    created_at: datetime
    enabled: bool = True
    failures: int = 0
    disabled_at: datetime | None = None
    last_error: str | None = None
    delivered_through: int = 0
    not_before: datetime | None = None
    claimed_until: datetime | None = None


def new_secret() -> str:
    """A new signing secret: ``"whsec_"`` and 32 random bytes in base64 (``secrets``)."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def check_webhook_url(url: str) -> str:
    """``url`` if it may receive webhooks, else refuse it.

    Accepted: ``https://`` URLs, and ``http://`` only to a loopback address
    (``127.0.0.0/8``, ``::1``, ``localhost``), without user or password.  A host
    written as an IP address must be public or loopback: private, link-local
    (cloud metadata at ``169.254.169.254``), multicast, reserved and unspecified
    addresses are refused.  Host names are checked again at delivery, where the
    HTTP sender resolves them (see :mod:`invitekit.adapters.webhooks`).

    Raises:
        InvalidWebhookURL: with a ``code`` saying why.
    """
    if not isinstance(url, str) or not url:
        raise InvalidWebhookURL("a webhook needs a URL", field="url", code="malformed")
    if len(url) > _MAX_URL:
        raise InvalidWebhookURL(
            "the URL is too long", field="url", code="too_long", limit=_MAX_URL
        )
    if any(ord(c) <= 32 or ord(c) == 127 for c in url) or not url.isascii():
        raise InvalidWebhookURL(
            "the URL has spaces, control or non-ASCII characters (encode them)",
            field="url",
            code="malformed",
        )
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError as err:
        raise InvalidWebhookURL("not a URL", field="url", code="malformed") from err
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookURL(
            "a webhook URL must not hold a user or password", field="url", code="credentials"
        )
    if not host:
        raise InvalidWebhookURL("the URL has no host", field="url", code="host")
    loopback = is_loopback(host)
    if scheme == "http" and not loopback:
        raise InvalidWebhookURL(
            "http is allowed for loopback addresses only: use https",
            field="url",
            code="scheme",
        )
    if scheme not in ("http", "https"):
        raise InvalidWebhookURL("a webhook URL must be https", field="url", code="scheme")
    address = _ip(host)
    if address is not None and not loopback and not address.is_global:
        raise InvalidWebhookURL(
            "the URL's address is not public (private, link-local or reserved)",
            field="url",
            code="host",
        )
    return url


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, as in a URL) is this machine's loopback."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a resolved address may be connected to (public, not private or reserved)."""
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_global)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
