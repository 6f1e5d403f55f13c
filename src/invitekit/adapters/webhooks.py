"""POSTing webhook messages over HTTP, signed per Standard Webhooks (``invitekit[webhooks]``).

:class:`HTTPWebhookSender` implements :class:`~invitekit.ports.WebhookSender`
with ``httpx`` and the ``standardwebhooks`` package.  What it guards against,
since a business's staff chooses the URL (server-side request forgery):

* the URL is checked again (:func:`~invitekit.webhooks.check_webhook_url`):
  ``https``, or ``http`` to loopback only; no credentials;
* the host name is resolved and every address must be public, or loopback for
  a loopback URL: a name pointing at a private, link-local (cloud metadata),
  multicast or reserved address is refused.  ``httpx`` resolves the name again
  when it connects, so a DNS answer that changes between the two (DNS
  rebinding) is not caught: on a network where that matters, also filter the
  worker's outgoing traffic;
* redirects are never followed (a 3xx is a failure), every request has a
  timeout, and the response body is never read into a message or stored.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from types import TracebackType
from typing import Any

from invitekit.clock import SystemClock
from invitekit.exceptions import InvalidWebhookURL, MissingDependency, TemporaryDeliveryError
from invitekit.ports import Clock
from invitekit.webhooks import check_webhook_url, is_loopback, is_public

try:
    import httpx
    import standardwebhooks
except ModuleNotFoundError as err:  # pragma: no cover - the extra is installed in tests
    _MISSING: ModuleNotFoundError | None = err
else:
    _MISSING = None

__all__ = ["HTTPWebhookSender"]


class HTTPWebhookSender:
    """POSTs signed webhook messages with ``httpx``; a :class:`~invitekit.ports.WebhookSender`.

    Each message is the JSON body, with the headers of the Standard Webhooks
    specification: ``webhook-id``, ``webhook-timestamp`` (this sender's clock, in
    seconds) and ``webhook-signature`` (``v1,`` and the HMAC-SHA256 of
    ``id.timestamp.body`` in base64), made by the ``standardwebhooks`` package.
    Only a 2xx answer counts as delivered.  One sender keeps one connection pool;
    :meth:`close` it (or use it as a context manager) when done.

    Args:
        timeout: seconds allowed for connecting, and for each read and write.
        clock: the time of ``webhook-timestamp``; the system clock by default (a
            receiver refuses a timestamp more than five minutes from its own clock).
        user_agent: the ``User-Agent`` header.

    Raises:
        MissingDependency: ``httpx`` or ``standardwebhooks`` is not installed
            (``pip install invitekit[webhooks]``).
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        clock: Clock | None = None,
        user_agent: str = "invitekit-webhooks",
    ) -> None:
        if _MISSING is not None:
            raise MissingDependency(
                f"webhooks need {_MISSING.name}: pip install invitekit[webhooks]"
            ) from _MISSING
        self.timeout = timeout
        self.clock: Clock = clock or SystemClock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment sees the payloads
            headers={"user-agent": user_agent},
        )

    def __enter__(self) -> HTTPWebhookSender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def post(self, url: str, *, secret: str, message_id: str, body: bytes) -> None:
        """Sign and POST one message (see :meth:`invitekit.ports.WebhookSender.post`).

        Raises:
            TemporaryDeliveryError: the URL or its addresses are refused, the
                request failed or timed out, or the answer was not 2xx.
        """
        try:
            check_webhook_url(url)
            _check_addresses(url)
        except InvalidWebhookURL as err:
            raise TemporaryDeliveryError(f"refused: {err}") from None
        text = body.decode("utf-8")
        timestamp = self.clock.now()
        signature = standardwebhooks.Webhook(secret).sign(message_id, timestamp, text)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise TemporaryDeliveryError("timed out") from None
        except httpx.HTTPError as err:
            raise TemporaryDeliveryError(f"request failed: {type(err).__name__}") from None
        response.close()
        if not 200 <= response.status_code < 300:
            raise TemporaryDeliveryError(f"HTTP {response.status_code}")


def _check_addresses(url: str) -> None:
    """Refuse a host name that resolves to an address that is not public (see above)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        return  # an address in the URL was checked by check_webhook_url
    except ValueError:
        pass
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos: list[Any] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as err:
        raise InvalidWebhookURL(
            f"the host does not resolve ({type(err).__name__})", field="url", code="host"
        ) from None
    loopback = is_loopback(host)
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not (is_public(address) or (loopback and address.is_loopback)):
            raise InvalidWebhookURL(
                "the host resolves to an address that is not public", field="url", code="host"
            )
