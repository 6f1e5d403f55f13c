"""The example application's own data: bookings and settings, in a small SQLite file.

invitekit keeps customers, invitations and links; the bookings and the
business's settings belong to the host application, so they live here, in
tables of the application's own.  Bookings are turned into
:class:`invitekit.policy.Booking` values for the cancellation policy to judge.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

from invitekit.access import LoginMode
from invitekit.ids import new_id
from invitekit.policy import (
    Booking,
    BookingStatus,
    CancellationPolicy,
    DurationCutoff,
    Rule,
)

__all__ = ["AppData", "StudioBooking", "default_policy"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    title TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'booked',
    reschedule_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS bookings_customer ON bookings (customer_id, start);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@attrs.frozen(kw_only=True)
class StudioBooking:
    """One class a customer booked, as the studio stores it."""

    id: str
    customer_id: str
    title: str
    start: datetime
    end: datetime
    created_at: datetime
    status: BookingStatus = BookingStatus.BOOKED
    reschedule_count: int = 0

    def for_policy(self) -> Booking:
        """The booking as :class:`invitekit.policy.Booking`, for the policy to judge."""
        return Booking(
            start=self.start,
            end=self.end,
            created_at=self.created_at,
            status=self.status,
            reschedule_count=self.reschedule_count,
        )


def default_policy(timezone: str) -> CancellationPolicy:
    """Free cancelling and rescheduling until 24 hours before the class, at most twice."""
    day = DurationCutoff(before=timedelta(hours=24))
    return CancellationPolicy(
        timezone=timezone,
        cancel=Rule.windowed(day),
        reschedule=Rule.windowed(day),
        max_reschedules=2,
    )


class AppData:
    """The bookings and settings tables in the SQLite file ``path``.

    Each call opens its own short connection, so the object can be shared by
    the threads of the web server.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn, conn:
            conn.row_factory = sqlite3.Row
            yield conn

    # Bookings ----------------------------------------------------------------------------

    def bookings(self, customer_id: str) -> list[StudioBooking]:
        """The customer's bookings, earliest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM bookings WHERE customer_id = ? ORDER BY start", (customer_id,)
            ).fetchall()
        return [_booking(row) for row in rows]

    def booking(self, customer_id: str, booking_id: str) -> StudioBooking | None:
        """One of the customer's bookings; ``None`` if it is not theirs."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM bookings WHERE id = ? AND customer_id = ?",
                (booking_id, customer_id),
            ).fetchone()
        return None if row is None else _booking(row)

    def add_booking(self, booking: StudioBooking) -> None:
        """Store a new booking."""
        with self._connect() as conn:
            conn.execute(
                'INSERT INTO bookings (id, customer_id, title, start, "end", created_at,'
                " status, reschedule_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    booking.id,
                    booking.customer_id,
                    booking.title,
                    _iso(booking.start),
                    _iso(booking.end),
                    _iso(booking.created_at),
                    booking.status.value,
                    booking.reschedule_count,
                ),
            )

    def save_booking(self, booking: StudioBooking) -> None:
        """Store a changed booking (cancelled, or moved)."""
        with self._connect() as conn:
            conn.execute(
                'UPDATE bookings SET start = ?, "end" = ?, status = ?, reschedule_count = ?'
                " WHERE id = ?",
                (
                    _iso(booking.start),
                    _iso(booking.end),
                    booking.status.value,
                    booking.reschedule_count,
                    booking.id,
                ),
            )

    def seed_demo_bookings(self, customer_id: str, now: datetime) -> None:
        """Give a customer without bookings a few, so the portal has a story to tell.

        One class in three days (cancellable under the default policy), one in
        two hours (too late to cancel), one next week, and one last week.
        """
        if self.bookings(customer_id):
            return
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        booked_at = hour - timedelta(days=10)
        for title, start in [
            ("Yoga basics", hour - timedelta(days=7)),
            ("Lunchtime pilates", hour + timedelta(hours=2)),
            ("Morning yoga", hour + timedelta(days=3)),
            ("Evening flow", hour + timedelta(days=6)),
        ]:
            self.add_booking(
                StudioBooking(
                    id=new_id("bkg"),
                    customer_id=customer_id,
                    title=title,
                    start=start,
                    end=start + timedelta(hours=1),
                    created_at=booked_at,
                )
            )

    # Settings ----------------------------------------------------------------------------

    def policy(self, timezone: str) -> CancellationPolicy:
        """The studio's cancellation policy (the default one until the business edits it)."""
        stored = self._setting("cancellation_policy")
        if stored is None:
            return default_policy(timezone)
        return CancellationPolicy.from_dict(json.loads(stored))

    def save_policy(self, policy: CancellationPolicy) -> None:
        """Store the policy as JSON (its versioned ``to_dict`` form)."""
        self._save_setting("cancellation_policy", json.dumps(policy.to_dict()))

    def login_mode(self) -> LoginMode:
        """How the booking page treats logging in (optional until the business chooses)."""
        return LoginMode(self._setting("login_mode") or LoginMode.OPTIONAL.value)

    def save_login_mode(self, mode: LoginMode) -> None:
        """Store the booking page's login mode."""
        self._save_setting("login_mode", mode.value)

    def _setting(self, key: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def _save_setting(self, key: str, value: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _booking(row: sqlite3.Row) -> StudioBooking:
    return StudioBooking(
        id=row["id"],
        customer_id=row["customer_id"],
        title=row["title"],
        start=datetime.fromisoformat(row["start"]),
        end=datetime.fromisoformat(row["end"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        status=BookingStatus(row["status"]),
        reschedule_count=row["reschedule_count"],
    )
