"""A real HTTP server on 127.0.0.1 that receives webhooks and verifies their signatures.

For an application's tests (and invitekit's own): register
``server.url`` with :meth:`InviteKit.add_webhook <invitekit.InviteKit.add_webhook>`
and the server's ``secret``, deliver, and read :attr:`WebhookTestServer.received`.
It can answer with an error status, or go :meth:`~WebhookTestServer.down`
(stop listening) and come back :meth:`~WebhookTestServer.up` on the same port.
Needs ``standardwebhooks`` (``pip install invitekit[webhooks]``), imported when a
request is verified.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import attrs

__all__ = ["ReceivedWebhook", "WebhookTestServer"]


@attrs.frozen(kw_only=True)
class ReceivedWebhook:
    """One POST the server answered.

    Attributes:
        id: the ``webhook-id`` header.
        timestamp: the ``webhook-timestamp`` header.
        valid: whether the signature verified (with the server's secret,
            by ``standardwebhooks``).
        payload: the JSON body, parsed.
        status: the status the server answered.
    """

    id: str
    timestamp: str
    valid: bool
    payload: Any
    status: int


class WebhookTestServer:
    """Receives webhook POSTs on ``http://127.0.0.1:<port>/hook``.

    Args:
        secret: the endpoint's secret (``"whsec_..."``) to verify signatures with.
        status: what to answer every POST with (change :attr:`status` at any time).
        path: the URL's path.

    Attributes:
        received: every POST answered, in the order they came (a request the
            sender cut short, a killed worker's, is not answered nor kept).
        status: the status answered now.
    """

    def __init__(self, secret: str, *, status: int = 204, path: str = "/hook") -> None:
        self.secret = secret
        self.status = status
        self.path = path
        self.received: list[ReceivedWebhook] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def url(self) -> str:
        """The URL to register (known once started)."""
        return f"http://127.0.0.1:{self._port}{self.path}"

    def __enter__(self) -> WebhookTestServer:
        self.up()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    def up(self) -> None:
        """Start listening (on the same port as before, after :meth:`down`)."""
        if self._server is not None:
            return
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender went away mid-request (a killed worker): like any
                    # web framework, the receiver never sees a cut request.
                    self.close_connection = True
                    return
                owner._receive(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop listening: connections are refused until :meth:`up`."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def _receive(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        import standardwebhooks

        headers = {key.lower(): value for key, value in handler.headers.items()}
        try:
            standardwebhooks.Webhook(self.secret).verify(body, headers)
            valid = True
        except Exception:
            valid = False
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        with self._lock:
            status = self.status
            self.received.append(
                ReceivedWebhook(
                    id=headers.get("webhook-id", ""),
                    timestamp=headers.get("webhook-timestamp", ""),
                    valid=valid,
                    payload=payload,
                    status=status,
                )
            )
        handler.send_response(status)
        if 300 <= status < 400:
            handler.send_header("location", "http://127.0.0.1:9/elsewhere")
        handler.send_header("content-length", "0")
        handler.end_headers()

    def delivered(self) -> list[ReceivedWebhook]:
        """The POSTs answered with a 2xx status, in order."""
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]
