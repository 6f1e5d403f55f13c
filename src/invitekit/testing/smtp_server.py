"""A real SMTP server on ``127.0.0.1`` for tests, that records what it receives.

It needs ``aiosmtpd`` and ``trustme`` (``pip install invitekit[testing]``); they
are imported only when a server starts.  :mod:`invitekit.testing` imports this
module only when one of its names is asked for, since it imports
:mod:`invitekit.adapters.smtp`.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import socket
import ssl
import threading
from collections.abc import Collection
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs

from invitekit.adapters.smtp import Security
from invitekit.exceptions import ConfigurationError, MissingDependency

if TYPE_CHECKING:
    from invitekit.adapters.smtp import SMTPMailer

__all__ = ["ReceivedMail", "SMTPTestServer"]


@attrs.frozen(kw_only=True)
class ReceivedMail:
    """One message an :class:`SMTPTestServer` accepted.

    Attributes:
        mail_from: the envelope sender (``MAIL FROM``).
        rcpt_tos: the envelope recipients (``RCPT TO``).
        message: the message as received, parsed with the modern email policy.
        raw: the message's bytes as they came over the wire.
        connection: which connection it came on (1 for the first one the server saw).
        tls: whether that connection was encrypted (STARTTLS or SSL).
        login: the user name the client logged in with, or ``None``.
    """

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage = attrs.field(repr=False)
    raw: bytes = attrs.field(repr=False)
    connection: int
    tls: bool
    login: str | None

    @property
    def message_id(self) -> str | None:
        """The ``Message-ID`` header."""
        value = self.message["Message-ID"]
        return None if value is None else str(value)

    @property
    def text(self) -> str:
        """The plain-text body."""
        part = self.message.get_body(("plain",))
        return "" if part is None else str(part.get_content())


class SMTPTestServer:
    """A real SMTP server on ``127.0.0.1`` for tests, that records what it receives.

    Runs `aiosmtpd <https://aiosmtpd.aio-libs.org>`_ in a background thread on a
    free port; use it as a context manager.  It can be told to misbehave, so the
    failure paths of a mailer can be tried against a real protocol exchange::

        with SMTPTestServer(security="starttls", username="app", password="pw") as server:
            mailer = server.mailer()        # an SMTPMailer set up for this server
            ...
            server.refuse("gone@example.com", "550 5.1.1 no such mailbox")
            server.disconnect_after(2)      # drop the connection after 2 more messages
            server.go_down()                # refuse every connection until come_back()
            assert server.messages[0].message["Subject"] == "..."

    Args:
        security: ``"plain"``, ``"starttls"`` (STARTTLS offered and required) or
            ``"ssl"`` (TLS from the first byte).  Certificates are made on the fly
            by a throw-away CA; :meth:`client_context` trusts it.
        username: when given (with ``password``), the server requires ``AUTH``.
        password: the password ``AUTH`` must present.
        without: ``EHLO`` extensions not to announce, e.g. ``{"8BITMIME", "SMTPUTF8"}``,
            to play an older server.

    Raises:
        MissingDependency: on :meth:`start`, if aiosmtpd or trustme is not installed.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        security: Security | str = Security.PLAIN,
        username: str | None = None,
        password: str | None = None,
        without: Collection[str] = (),
    ) -> None:
        self.security = Security(security)
        self._hidden = frozenset(name.upper() for name in without)
        if (username is None) != (password is None):
            raise ConfigurationError("give both a username and a password, or neither")
        self.username = username
        self.password = password
        self.port = 0
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._connections = 0
        self._replies: dict[tuple[str, str], str] = {}
        self._drop_at: int | None = None
        self._drop_loses_reply = False
        self._down_after_drop = False
        self._down = False
        self._live: set[Any] = set()
        self._controller: Any = None
        self._ca: Any = None

    def __repr__(self) -> str:
        return f"SMTPTestServer({self.host}:{self.port}, security={self.security.value!r})"

    def __enter__(self) -> SMTPTestServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start listening (on the same port again after :meth:`stop`).

        Raises:
            MissingDependency: aiosmtpd or trustme is not installed.
        """
        classes = _aiosmtpd()
        if not self.port:
            with socket.socket() as probe:
                probe.bind((self.host, 0))
                self.port = probe.getsockname()[1]
        tls = None if self.security is Security.PLAIN else self._server_context()
        needs_auth = self.username is not None
        self._controller = classes.Controller(
            self,
            hostname=self.host,
            port=self.port,
            ssl_context=tls if self.security is Security.SSL else None,
            server_hostname="smtp.invitekit.test",
            tls_context=tls if self.security is Security.STARTTLS else None,
            require_starttls=self.security is Security.STARTTLS,
            auth_required=needs_auth,
            authenticator=self._authenticate if needs_auth else None,
        )
        self._controller.start()

    def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this server's certificate (and checks its name)."""
        context = ssl.create_default_context()
        self._authority().configure_trust(context)
        return context

    def mailer(self, **overrides: Any) -> SMTPMailer:
        """An :class:`~invitekit.adapters.smtp.SMTPMailer` set up for this server.

        Args:
            overrides: keyword arguments of ``SMTPMailer`` to change (``clock=...``).
        """
        from invitekit.adapters.smtp import SMTPMailer

        settings: dict[str, Any] = {
            "security": self.security,
            "username": self.username,
            "password": self.password,
            "ssl_context": None if self.security is Security.PLAIN else self.client_context(),
            "timeout": 5.0,
            "local_hostname": "client.invitekit.test",
        }
        settings.update(overrides)
        return SMTPMailer(self.host, self.port, **settings)

    # What it received ------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMail]:
        """Every message accepted so far, in order."""
        with self._lock:
            return list(self._messages)

    @property
    def connections(self) -> int:
        """How many client connections said ``EHLO`` (or ``HELO``) so far."""
        with self._lock:
            return self._connections

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages whose envelope recipients include ``address``."""
        return [mail for mail in self.messages if address in mail.rcpt_tos]

    def clear(self) -> None:
        """Forget the messages received and the connections counted."""
        with self._lock:
            self._messages.clear()
            self._connections = 0

    # Misbehaving -----------------------------------------------------------------------

    def refuse(
        self, address: str, reply: str = "550 5.1.1 mailbox unavailable", *, at: str = "rcpt"
    ) -> None:
        """Answer messages for ``address`` with ``reply`` (``"450 ..."``, ``"550 ..."``).

        Args:
            address: the envelope recipient, exactly.
            reply: the SMTP reply line, code first.
            at: ``"rcpt"`` to refuse the recipient, ``"data"`` to refuse the message
                after receiving it.
        """
        if at not in {"rcpt", "data"}:
            raise ConfigurationError("at must be 'rcpt' or 'data'")
        with self._lock:
            self._replies[at, address] = reply

    def accept(self, address: str) -> None:
        """Stop refusing ``address``."""
        with self._lock:
            self._replies.pop(("rcpt", address), None)
            self._replies.pop(("data", address), None)

    def disconnect_after(self, count: int, *, lose_reply: bool = False) -> None:
        """Close the connection right after accepting ``count`` more messages.

        Args:
            count: messages to accept first (1 or more).
            lose_reply: keep the last of them but close before answering it, as
                when a server crashes after storing a message: the client cannot
                know it arrived.
        """
        self._arm_drop(count, lose_reply=lose_reply, then_down=False)

    def go_down_after(self, count: int, *, lose_reply: bool = False) -> None:
        """Like :meth:`disconnect_after`, then refuse every connection until :meth:`come_back`."""
        self._arm_drop(count, lose_reply=lose_reply, then_down=True)

    def go_down(self) -> None:
        """Close every connection now and refuse new ones until :meth:`come_back`."""
        with self._lock:
            self._down = True
            live = list(self._live)
        if self._controller is not None:
            for protocol in live:
                self._controller.loop.call_soon_threadsafe(_abort, protocol)

    def come_back(self) -> None:
        """Accept connections again after :meth:`go_down` or :meth:`go_down_after`."""
        with self._lock:
            self._down = False

    # Internals -------------------------------------------------------------------------

    def _arm_drop(self, count: int, *, lose_reply: bool, then_down: bool) -> None:
        if count < 1:
            raise ConfigurationError("count must be at least 1")
        with self._lock:
            self._drop_at = len(self._messages) + count
            self._drop_loses_reply = lose_reply
            self._down_after_drop = then_down

    def _authority(self) -> Any:
        if self._ca is None:
            self._ca = _aiosmtpd().trustme.CA()
        return self._ca

    def _server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._authority().issue_cert(self.host, "localhost").configure_cert(context)
        return context

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> Any:
        classes = _aiosmtpd()
        good = (
            isinstance(data, classes.LoginPassword)
            and hmac.compare_digest(data.login, (self.username or "").encode())
            and hmac.compare_digest(data.password, (self.password or "").encode())
        )
        return classes.AuthResult(success=good, handled=False, auth_data=data if good else None)

    def _is_down(self) -> bool:
        with self._lock:
            return self._down

    def _connected(self, protocol: Any) -> int:
        with self._lock:
            self._connections += 1
            self._live.add(protocol)
            return self._connections

    def _disconnected(self, protocol: Any) -> None:
        with self._lock:
            self._live.discard(protocol)

    def _reply_for(self, at: str, addresses: list[str]) -> str | None:
        with self._lock:
            return next(
                (self._replies[at, a] for a in addresses if (at, a) in self._replies), None
            )

    # aiosmtpd handler hooks --------------------------------------------------------------

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [line for line in responses if line[4:].split(" ")[0].upper() not in self._hidden]

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self._is_down():
            _abort(server)
            return "421 4.3.2 service shutting down"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self._reply_for("rcpt", [address])
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self._reply_for("data", envelope.rcpt_tos)
        if reply is not None:
            return reply
        raw = envelope.original_content or b""
        # Stored as a mailbox would: with the wire's CRLF line ends turned into LF.
        message = BytesParser(policy=policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))
        auth = getattr(session, "auth_data", None)
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=message,
            raw=raw,
            connection=getattr(server, "invitekit_connection", 0),
            tls=server.transport.get_extra_info("ssl_object") is not None,
            login=None if auth is None else auth.login.decode(),
        )
        with self._lock:
            self._messages.append(mail)
            drop = self._drop_at is not None and len(self._messages) >= self._drop_at
            lose = drop and self._drop_loses_reply
            if drop:
                self._drop_at = None
                self._down = self._down or self._down_after_drop
        if lose:
            _abort(server)
        elif drop:
            # After the reply below is written: close() flushes it first.
            asyncio.get_running_loop().call_soon(_close, server)
        return "250 OK queued"


def _abort(protocol: Any) -> None:
    if protocol.transport is not None:
        protocol.transport.abort()


def _close(protocol: Any) -> None:
    if protocol.transport is not None:
        protocol.transport.close()


@attrs.frozen
class _Classes:
    Controller: Any
    AuthResult: Any
    LoginPassword: Any
    trustme: Any


@functools.cache
def _aiosmtpd() -> _Classes:
    """Import aiosmtpd and trustme, and build the server classes on them."""
    try:
        import trustme
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
    except ImportError as err:
        raise MissingDependency(
            "SMTPTestServer needs aiosmtpd and trustme: pip install invitekit[testing]"
        ) from err

    class _Protocol(SMTP):
        """Knows its owner, counts connections, and refuses them while the owner is down."""

        invitekit_connection = 0

        def __init__(self, owner: SMTPTestServer, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._owner = owner
            self._refused = False
            # aiosmtpd cannot tell that an implicit-TLS connection is encrypted, and
            # plain AUTH on loopback is what a test of a local relay wants.  Set after
            # __init__, which would warn (an error under -W error) about it.
            self._auth_require_tls = owner.security is Security.STARTTLS

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            if self.transport is None and self._owner._is_down():
                self._refused = True
                transport.close()
                return
            super().connection_made(transport)

        def connection_lost(self, error: Exception | None) -> None:
            self._owner._disconnected(self)
            if not self._refused:
                super().connection_lost(error)

        async def smtp_EHLO(self, hostname: str) -> None:
            self._greeted()
            await super().smtp_EHLO(hostname)

        async def smtp_HELO(self, hostname: str) -> None:
            self._greeted()
            await super().smtp_HELO(hostname)

        def _greeted(self) -> None:
            if not self.invitekit_connection:
                self.invitekit_connection = self._owner._connected(self)

    # aiosmtpd logs this on every login, about its own internals: nothing a test needs.
    logging.getLogger("mail.log").addFilter(
        lambda record: "login_data is deprecated" not in record.getMessage()
    )

    class _Controller(Controller):
        def factory(self) -> SMTP:
            return _Protocol(self.handler, self.handler, **self.SMTP_kwargs)

    return _Classes(
        Controller=_Controller, AuthResult=AuthResult, LoginPassword=LoginPassword, trustme=trustme
    )
