"""A Mailer that hands emails to an SMTP server, on the standard library's :mod:`smtplib`.

One :meth:`SMTPMailer.session` is one connection, opened at the first email and
reused for the whole batch.  Every failure is told apart so that the outbox
retries only what is worth retrying:

==============================================  ===========================
what happened                                    raised
==============================================  ===========================
a 5xx reply to MAIL FROM, RCPT TO or DATA        :class:`PermanentDeliveryError`
a 4xx reply                                      :class:`TemporaryDeliveryError`
connection refused, timed out, dropped, TLS      :class:`TemporaryDeliveryError`
failed, the server refused the login
==============================================  ===========================

A refused login, a server that does not offer STARTTLS or AUTH, and a ``530``
("authentication required") are problems of *configuration*, not of the
recipient: they are temporary, so fixing the settings lets the queued emails go
out instead of marking every customer failed.

No exception of :mod:`smtplib`, :mod:`ssl` or :mod:`socket` escapes: they are
translated with ``raise ... from err``.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import io
import ipaddress
import logging
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import parseaddr

from invitekit.clock import SystemClock
from invitekit.compose import to_mime
from invitekit.exceptions import (
    ConfigurationError,
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from invitekit.model import Email
from invitekit.ports import Clock
from invitekit.text import quoted

__all__ = ["SMTPMailer", "SMTPSession", "Security"]

log = logging.getLogger("invitekit.smtp")

# Replies that mean "your settings are wrong", whatever the recipient: 530 authentication
# required, 534 mechanism too weak, 535 credentials invalid, 538 encryption required.
_CONFIGURATION_CODES = frozenset({530, 534, 535, 538})
_ADDRESS_STATUS = re.compile(r"5\.1\.\d{1,3}\b")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class Security(enum.StrEnum):
    """How the connection to the SMTP server is protected.

    * ``PLAIN``: no encryption (a relay on this machine or a test server).
    * ``STARTTLS``: connect in plain text, then upgrade with ``STARTTLS``
      (usually port 587).  If the server does not offer it, nothing is sent.
    * ``SSL``: TLS from the first byte ("implicit TLS", usually port 465).
    """

    PLAIN = "plain"
    STARTTLS = "starttls"
    SSL = "ssl"

    @property
    def default_port(self) -> int:
        """The port this mode usually runs on: 25, 587 or 465."""
        return {Security.PLAIN: 25, Security.STARTTLS: 587, Security.SSL: 465}[self]


class SMTPMailer:
    """Sends emails through an SMTP server.

    Implements :class:`~invitekit.ports.Mailer`.  Safe to share between threads:
    each :meth:`session` has its own connection.

    Args:
        host: the SMTP server's name or address.
        port: defaults to the usual port of ``security`` (25, 587 or 465).
        security: a :class:`Security` or its value (``"plain"``, ``"starttls"``,
            ``"ssl"``); STARTTLS by default.
        username: log in with this (and ``password``) after the connection is
            secured.
        password: the password for ``username``; never shown by ``repr``.
        ssl_context: verifies the server's certificate; by default
            :func:`ssl.create_default_context` (the system's trusted CAs, host
            name checked).
        timeout: seconds to wait for the server on each network operation.
        local_hostname: the name announced in ``EHLO``; by default this
            machine's fully qualified name.
        clock: dates the ``Date`` header; the system clock by default.

    Raises:
        ConfigurationError: for an unknown ``security``, a bad port or timeout,
            a password without a username (or the reverse), or credentials that
            would cross the network unencrypted (``PLAIN`` to a host that is not
            this machine).
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int | None = None,
        *,
        security: Security | str = Security.STARTTLS,
        username: str | None = None,
        password: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        local_hostname: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        try:
            self.security = Security(security)
        except ValueError as err:
            choices = ", ".join(repr(s.value) for s in Security)
            raise ConfigurationError(
                f"unknown SMTP security {quoted(security)}; use one of {choices}"
            ) from err
        self.host = host
        self.port = self.security.default_port if port is None else port
        if not 0 < self.port < 65536:
            raise ConfigurationError(f"SMTP port must be between 1 and 65535, got {port}")
        if timeout <= 0:
            raise ConfigurationError(f"SMTP timeout must be positive, got {timeout}")
        if (username is None) != (password is None):
            raise ConfigurationError("give both an SMTP username and a password, or neither")
        if username is not None and self.security is Security.PLAIN and not _is_loopback(host):
            raise ConfigurationError(
                f"refusing to send SMTP credentials unencrypted to {host}; "
                "use security='starttls' or 'ssl'"
            )
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._credentials = None if username is None else (username, password or "")
        self._ssl_context = (
            ssl_context
            if ssl_context is not None or self.security is Security.PLAIN
            else ssl.create_default_context()
        )
        self._clock: Clock = clock or SystemClock()

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        prefix: str = "INVITEKIT_SMTP_",
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
    ) -> SMTPMailer:
        """Build a mailer from environment variables, so secrets stay out of code.

        Reads ``<prefix>HOST`` (required), ``PORT``, ``SECURITY``, ``USERNAME``,
        ``PASSWORD``, ``TIMEOUT`` and ``LOCAL_HOSTNAME``; unset or empty ones
        take the defaults of :class:`SMTPMailer`.

        Args:
            environ: where to read; :data:`os.environ` by default.
            prefix: the start of every variable name.
            ssl_context: as for :class:`SMTPMailer`.
            clock: as for :class:`SMTPMailer`.

        Raises:
            ConfigurationError: the host is missing, or a value is unusable.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(prefix + name) or None

        host = get("HOST")
        if host is None:
            raise ConfigurationError(f"{prefix}HOST is not set")
        port, timeout = get("PORT"), get("TIMEOUT")
        try:
            port_number = None if port is None else int(port)
            seconds = 30.0 if timeout is None else float(timeout)
        except ValueError as err:
            raise ConfigurationError(f"{prefix}PORT or {prefix}TIMEOUT is not a number") from err
        return cls(
            host,
            port_number,
            security=get("SECURITY") or Security.STARTTLS,
            username=get("USERNAME"),
            password=get("PASSWORD"),
            timeout=seconds,
            local_hostname=get("LOCAL_HOSTNAME"),
            ssl_context=ssl_context,
            clock=clock,
        )

    def __repr__(self) -> str:
        return (
            f"SMTPMailer(host={self.host!r}, port={self.port}, "
            f"security={self.security.value!r}, auth={self._credentials is not None})"
        )

    @contextmanager
    def session(self) -> Iterator[SMTPSession]:
        """A connection for a batch of emails, opened lazily and closed (``QUIT``) at the end.

        Closing never raises: every email the server accepted stays accepted.
        """
        session = SMTPSession(self)
        try:
            yield session
        finally:
            session.close()

    # Used by SMTPSession -------------------------------------------------------------------

    def _local_name(self) -> str:
        # smtplib would look the machine's name up again on every connection.
        if self.local_hostname is None:
            self.local_hostname = socket.getfqdn()
        return self.local_hostname

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        """A new connection, secured and logged in.

        Raises:
            TemporaryDeliveryError: whatever went wrong; it is not the recipient's fault.
        """
        connection: smtplib.SMTP | None = None
        needs = "STARTTLS"
        try:
            name = self._local_name()
            if self.security is Security.SSL:
                connection = _SMTPOverTLS(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    local_hostname=name,
                    context=self._ssl_context,
                )
            else:
                connection = smtplib.SMTP(
                    self.host, self.port, timeout=self.timeout, local_hostname=name
                )
            connection.ehlo()
            if self.security is Security.STARTTLS:
                connection.starttls(context=self._ssl_context)
                connection.ehlo()
            needs = "AUTH"
            if self._credentials is not None:
                connection.login(*self._credentials)
        except smtplib.SMTPNotSupportedError as err:
            _abandon(connection)
            raise TemporaryDeliveryError(
                f"the SMTP server {self._where} does not offer {needs}: "
                "check the security and credential settings"
            ) from err
        except smtplib.SMTPAuthenticationError as err:
            _abandon(connection)
            raise TemporaryDeliveryError(
                f"the SMTP server {self._where} refused the login "
                f"({_reply(err.smtp_code, err.smtp_error)}): check the SMTP credentials"
            ) from err
        except (smtplib.SMTPException, OSError, ValueError) as err:
            # OSError covers refused connections, timeouts, DNS and ssl.SSLError;
            # ValueError an SSL context that cannot be used.
            _abandon(connection)
            raise TemporaryDeliveryError(
                f"cannot connect to the SMTP server {self._where}: {_describe(err)}"
            ) from err
        return connection


class SMTPSession:
    """One connection of an :class:`SMTPMailer`, reused for every email of a batch.

    Implements :class:`~invitekit.ports.MailerSession`.  Obtain it from
    :meth:`SMTPMailer.session`; it is not meant to be shared between threads.

    If the connection drops between or during emails, the session reconnects
    once and sends that email again.  If it cannot reconnect, this email and
    every later one of the batch fail at once with
    :class:`~invitekit.TemporaryDeliveryError` (no new wait for a server that
    is down), and the outbox retries them later.
    """

    def __init__(self, mailer: SMTPMailer) -> None:
        self._mailer = mailer
        self._connection: smtplib.SMTP | None = None
        self._down: TemporaryDeliveryError | None = None

    def __repr__(self) -> str:
        state = "down" if self._down else "open" if self._connection else "idle"
        return f"<SMTPSession {self._mailer._where} {state}>"

    def send(self, email: Email) -> None:
        """Hand ``email`` to the server.

        The message is flattened once (not again for a retry), with CRLF line
        ends, no ``>From`` mangling, and an 8-bit body only if the server offers
        ``8BITMIME`` (else non-ASCII parts are base64-encoded).

        Raises:
            PermanentDeliveryError: the server refused it with a 5xx reply (unknown
                recipient, message rejected), or it can never be sent (an
                internationalised address to a server without ``SMTPUTF8``, a
                malformed message).
            TemporaryDeliveryError: a 4xx reply, or the server could not be reached
                or went away and did not come back.
        """
        envelope = _Envelope(
            self._build(email), sender=_envelope_sender(email.sender), to=email.to
        )
        for attempt in (1, 2):
            connection = self._open()
            try:
                data, options = envelope.payload(connection)
                connection.sendmail(envelope.sender, [envelope.to], data, mail_options=options)
            except smtplib.SMTPServerDisconnected as err:
                self._lost(err, last=attempt == 2)
            except smtplib.SMTPException as err:  # before OSError, its base class
                raise _classify(err, email) from err
            except OSError as err:
                self._lost(err, last=attempt == 2)
            else:
                return

    def _lost(self, err: OSError, *, last: bool) -> None:
        """The connection broke: drop it, and let the caller send again once on a new one.

        The server accepted nothing we know of; if it had accepted the message
        just before the drop, sending again makes a duplicate with the same
        ``Message-ID`` (at-least-once delivery).
        """
        self._discard()
        if last:
            raise TemporaryDeliveryError(
                f"the SMTP server {self._mailer._where} closed the connection: {_describe(err)}"
            ) from err
        log.info("SMTP connection to %s lost; reconnecting", self._mailer._where)

    def close(self) -> None:
        """Say ``QUIT`` and close the connection; never raises."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            _abandon(connection)

    def _build(self, email: Email) -> EmailMessage:
        try:
            return to_mime(email, date=self._mailer._clock.now())
        except (ValueError, TypeError) as err:
            raise PermanentDeliveryError(
                f"the email to {email.to} cannot be turned into a message: {err}"
            ) from err

    def _open(self) -> smtplib.SMTP:
        if self._down is not None:
            raise TemporaryDeliveryError(str(self._down)) from self._down
        if self._connection is None:
            try:
                self._connection = self._mailer._connect()
            except TemporaryDeliveryError as err:
                self._down = err
                raise
        return self._connection

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        _abandon(connection)


class _Envelope:
    """One message, flattened at most once for each kind of server."""

    def __init__(self, message: EmailMessage, *, sender: str, to: str) -> None:
        self.message = message
        self.sender = sender
        self.to = to
        self.international = not (sender + to).isascii()
        self._flat: dict[tuple[bool, bool], bytes] = {}

    def payload(self, connection: smtplib.SMTP) -> tuple[bytes, list[str]]:
        """The bytes to send and the ``MAIL FROM`` options, for this connection.

        Raises:
            smtplib.SMTPNotSupportedError: the address needs ``SMTPUTF8`` and the
                server does not offer it.
        """
        eight_bit = connection.has_extn("8bitmime")
        if self.international:
            if not connection.has_extn("smtputf8"):
                raise smtplib.SMTPNotSupportedError(
                    "the address is internationalised and the server does not offer SMTPUTF8"
                )
            return self._flatten(utf8=True), ["SMTPUTF8", "BODY=8BITMIME"]
        data = self._flatten(utf8=False, eight_bit=eight_bit)
        return data, ["BODY=8BITMIME"] if eight_bit and not data.isascii() else []

    def _flatten(self, *, utf8: bool, eight_bit: bool = True) -> bytes:
        key = (utf8, utf8 or eight_bit)
        if key not in self._flat:
            buffer = io.BytesIO()
            BytesGenerator(buffer, policy=_flattening(*key)).flatten(self.message)
            self._flat[key] = buffer.getvalue()
        return self._flat[key]


@functools.cache
def _flattening(utf8: bool, eight_bit: bool) -> policy.EmailPolicy[EmailMessage]:
    """The policy a message is flattened with (one of four; policies are immutable).

    ``policy.SMTP``: CRLF line ends and no ``>From`` mangling (``send_message`` would).
    """
    return policy.SMTP.clone(
        utf8=utf8, cte_type="8bit" if eight_bit else "7bit", max_line_length=998
    )


@functools.lru_cache(maxsize=64)
def _envelope_sender(from_header: str) -> str:
    """The ``MAIL FROM`` address of a ``From`` header (a business's: few distinct ones)."""
    return parseaddr(from_header)[1]


class _SMTPOverTLS(smtplib.SMTP_SSL):
    """``SMTP_SSL`` that closes the plain socket when the TLS handshake fails."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw: socket.socket = smtplib.SMTP._get_socket(self, host, port, timeout)  # type: ignore[attr-defined]
        try:
            return self.context.wrap_socket(raw, server_hostname=self._host)  # type: ignore[attr-defined]
        except BaseException:
            raw.close()
            raise


def _classify(err: smtplib.SMTPException, email: Email) -> DeliveryError:
    """The invitekit error for a refusal from the server while sending ``email``."""
    where = f"the email to {email.to}"
    code: int
    text: bytes | str
    at_recipient = isinstance(err, smtplib.SMTPRecipientsRefused)
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(err.recipients.values()), (-1, b""))
    elif isinstance(err, smtplib.SMTPResponseException):
        code, text = err.smtp_code, err.smtp_error
    elif isinstance(err, smtplib.SMTPNotSupportedError):
        # An internationalised address, and a server without SMTPUTF8: it never will.
        return PermanentDeliveryError(f"{where} cannot be sent by this server: {err}")
    else:
        return TemporaryDeliveryError(f"{where} failed: {_describe(err)}")
    reply = _reply(code, text)
    if code in _CONFIGURATION_CODES:
        return TemporaryDeliveryError(f"{where} was refused ({reply}): check the SMTP credentials")
    if 500 <= code <= 599:
        # About the address (a hard bounce): a refusal of RCPT TO with 550-553, or
        # any refusal whose enhanced status is 5.1.x (bad mailbox or domain).
        about_address = (at_recipient and 550 <= code <= 553) or bool(
            _ADDRESS_STATUS.match(reply.removeprefix(str(code)).strip())
        )
        return PermanentDeliveryError(
            f"{where} was refused ({reply})", recipient_refused=about_address
        )
    return TemporaryDeliveryError(f"{where} was deferred ({reply})")


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}".strip()


def _describe(err: BaseException) -> str:
    return str(err) or type(err).__name__


def _abandon(connection: smtplib.SMTP | None) -> None:
    """Close a connection without a word to the server (it may be gone already)."""
    if connection is None:
        return
    with contextlib.suppress(OSError):
        connection.close()


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
