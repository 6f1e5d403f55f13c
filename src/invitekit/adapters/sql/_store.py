"""SQLStore: the Store Protocol on SQLAlchemy Core."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext, suppress
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.pool import StaticPool

from invitekit.adapters._readonly import read_only
from invitekit.adapters.sql._attempts import AttemptReservations
from invitekit.adapters.sql._campaigns import Campaigns
from invitekit.adapters.sql._catalog import Catalog
from invitekit.adapters.sql._compiled import (
    SQLiteStatement,
    as_mappings,
    run_translated,
    select_translated,
)
from invitekit.adapters.sql._email_change import EmailChanges
from invitekit.adapters.sql._errors import refusal, storage_error, translated
from invitekit.adapters.sql._feed import FeedTables, touches_events
from invitekit.adapters.sql._groups import Groups
from invitekit.adapters.sql._identities import Identities
from invitekit.adapters.sql._migrate import check_schema, create_schema
from invitekit.adapters.sql._privacy import Privacy
from invitekit.adapters.sql._read import ObjectLookup
from invitekit.adapters.sql._readers import KeptReader, Readers
from invitekit.adapters.sql._signups import AttemptsAndSignups
from invitekit.adapters.sql._sqlite import begin, check_synchronous, configure_sqlite
from invitekit.adapters.sql._tables import (
    _CUSTOMER,
    _CUSTOMER_EMAIL,
    _CUSTOMER_ID,
    _EMAIL_OWNER,
    _EVENT,
    _FIND_CUSTOMER,
    _GET_CUSTOMER,
    _GET_OUTBOX,
    _LIST_EVENTS,
    _OUTBOX_COLUMNS,
    _OUTBOX_ONE_PENDING,
    _SQLITE_INSERT_OUTBOX,
    _SQLITE_UPDATE_CLAIMED_OUTBOX,
    _SQLITE_UPDATE_CUSTOMER,
    _SQLITE_UPDATE_OUTBOX,
    _SQLITE_VERSION_AND_EMAIL_OWNER,
    _UPDATE_CLAIMED_OUTBOX,
    _UPDATE_CUSTOMER,
    _UPDATE_OUTBOX,
    _VERSION_AND_EMAIL_OWNER,
    _chunks,
    _claimable,
    _customers,
    _customers_page,
    _outbox,
    _outbox_from_row,
    _outbox_row,
    _outbox_values,
    _sqlite_pending_among,
)
from invitekit.adapters.sql._urls import install_hint, with_driver
from invitekit.exceptions import (
    ConcurrentUpdate,
    ConfigurationError,
    DuplicateCustomer,
    MissingDependency,
    StorageError,
)
from invitekit.model import (
    Customer,
    Event,
    OutboxMessage,
    OutboxState,
    Status,
)
from invitekit.ports import Transaction

__all__ = ["SQLStore"]

_SUPPORTED = ("sqlite", "postgresql", "mysql", "mariadb")
_GET_CUSTOMER_FAST = ObjectLookup(_GET_CUSTOMER, _CUSTOMER)
_FIND_CUSTOMER_FAST = ObjectLookup(_FIND_CUSTOMER, _CUSTOMER)


class SQLStore:
    """A Store in a SQL database: SQLite, PostgreSQL or MariaDB/MySQL.

    Implements :class:`~invitekit.ports.Store`.  One ``SQLStore`` may be shared by
    every thread of a process, and any number of processes (on any number of
    machines, for the server databases) may use one database at once: each
    :meth:`transaction` takes its own pooled connection, uniqueness rules are
    database constraints, outbox claims lock rows (``FOR UPDATE SKIP LOCKED``
    on PostgreSQL and MariaDB; an immediate write transaction on SQLite), and
    throttle reservations lock their key.  PostgreSQL and MariaDB must run at
    ``READ COMMITTED`` (see :meth:`from_url`).

    Args:
        engine: an Engine for the database.  Its invitekit tables must be at the
            newest revision (:func:`~invitekit.adapters.sql.upgrade`); the first
            transaction checks, and refuses older ones with
            :class:`~invitekit.exceptions.SchemaOutdated`.  For SQLite, listeners
            are added to the engine so that every transaction starts with
            ``BEGIN IMMEDIATE`` and files use WAL mode and a busy timeout.  Read-only
            transactions on an SQLite file run on a connection of their own per
            thread, opened from the engine's URL outside its pool (``PRAGMA
            query_only``, a deferred ``BEGIN``), closed by ``engine.dispose()``
            and when the thread ends; see docs/production.md.
        sqlite_synchronous: SQLite's ``PRAGMA synchronous`` for this store's
            connections to a file: ``"NORMAL"`` (the default) syncs the WAL to
            disk at checkpoints, not at every commit, so a commit survives the
            process crashing but the last ones may be lost to a power cut or an
            operating-system crash; ``"FULL"`` syncs at every commit (durable
            against a power cut, one ``fsync`` per transaction), ``"EXTRA"`` more
            still.  See docs/production.md ("Durability on SQLite").  Ignored by
            the other databases and by an in-memory SQLite database.

    Raises:
        ConfigurationError: the database is not one of SQLite, PostgreSQL, MariaDB,
            MySQL, or ``sqlite_synchronous`` is not one of the values above.
    """

    def __init__(self, engine: sa.Engine, *, sqlite_synchronous: str = "NORMAL") -> None:
        if engine.dialect.name not in _SUPPORTED:
            raise ConfigurationError(
                "SQLStore supports SQLite, PostgreSQL and MariaDB/MySQL, "
                f"not {engine.dialect.name}"
            )
        check_synchronous(sqlite_synchronous)
        self.engine = engine
        self.sqlite_synchronous = sqlite_synchronous
        self._synchronous: str | None = None  # set for SQLite files, below
        self._active = threading.local()
        # One connection shared by all threads (an in-memory SQLite database) must
        # be used by one transaction at a time.
        self._serial: threading.Lock | None = None
        self._schema_checked = False
        # Read-only transactions on an SQLite file: a connection kept per thread.
        self._readers: Readers | None = None
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)
            if isinstance(engine.pool, StaticPool):
                self._serial = threading.Lock()
            elif engine.url.database not in (None, "", ":memory:"):
                self._synchronous = sqlite_synchronous
                if engine.dialect.driver == "pysqlite":  # the readers open sqlite3 connections
                    self._readers = Readers(engine)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        create: bool = True,
        sqlite_synchronous: str = "NORMAL",
        **engine_options: Any,
    ) -> SQLStore:
        """Connect to the database at ``url``; with ``create=True``, create the tables if empty.

        ``sqlite:///invitekit.db`` is a file next to the program (WAL mode, usable by
        several processes); ``sqlite://`` is a private in-memory database shared by
        this store's threads; ``postgresql+psycopg://user:pw@host/db`` and
        ``mysql+pymysql://user:pw@host/db`` need the ``postgresql`` and ``mysql``
        extras.  A URL without a driver (``postgresql://``, ``mysql://``,
        ``mariadb://``) uses the driver those extras install (psycopg, PyMySQL).
        MariaDB/MySQL sessions use ``READ COMMITTED``, like PostgreSQL's default.

        Args:
            url: an SQLAlchemy database URL.
            create: give an empty database the newest tables
                (:func:`~invitekit.adapters.sql.create_schema`).  It never migrates:
                a database at an older revision is refused all the same, since
                upgrading is an explicit act (``invitekit db upgrade``).  With
                ``False`` nothing is checked until the first transaction.
            sqlite_synchronous: see :class:`SQLStore`.
            engine_options: passed to :func:`sqlalchemy.create_engine`.

        Raises:
            MissingDependency: the database driver is not installed; the message
                names the extra to install and the URL to write.
            ConfigurationError: the URL is malformed or names an unsupported database.
            SchemaOutdated: the database's tables are older (only with ``create=True``).
            StorageError: the database cannot be reached (only with ``create=True``).
        """
        # A URL may hold a password: a message shows it parsed, with the password hidden.
        try:
            parsed = sa.make_url(url)
        except (sa.exc.ArgumentError, ValueError) as err:
            raise ConfigurationError(
                "not a database URL (dialect+driver://user:password@host/database)"
            ) from err
        parsed = with_driver(parsed)
        options = dict(engine_options)
        # Statement parameters hold addresses, password hashes and links: never in
        # an error's text or SQLAlchemy's log.
        options.setdefault("hide_parameters", True)
        backend = parsed.get_backend_name()
        if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
            options.setdefault("poolclass", StaticPool)
            options.setdefault("connect_args", {"check_same_thread": False})
        if backend in ("mysql", "mariadb"):
            options.setdefault("isolation_level", "READ COMMITTED")
        try:
            engine = sa.create_engine(parsed, **options)
        except ModuleNotFoundError as err:
            raise MissingDependency(
                f"the driver {parsed.get_driver_name()} for {backend} is not installed: "
                f"{install_hint(backend)}"
            ) from err
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as err:
            shown = parsed.render_as_string(hide_password=True)
            raise ConfigurationError(f"cannot use database URL {shown!r}: {err}") from err
        store = cls(engine, sqlite_synchronous=sqlite_synchronous)
        if create:
            create_schema(engine)
            store._schema_checked = True
        return store

    def __repr__(self) -> str:
        return f"SQLStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def transaction(self, *, readonly: bool = False) -> AbstractContextManager[Transaction]:
        """Open a transaction (see :meth:`~invitekit.ports.Store.transaction`).

        Raises:
            SchemaOutdated: the database's invitekit tables are missing or older
                than this invitekit (checked once, by the store's first transaction).
            StorageError: the database cannot be reached or refused the commit
                (the message names the driver's error class and code; the
                driver's error is not chained, as it may hold statement values),
                or this thread already has a transaction of this store open
                (they cannot be nested).
        """
        if readonly and self._readers is not None:
            return KeptReader(self, self._readers, _SQLTransaction)
        return self._transaction(readonly=readonly)

    def _check_schema(self) -> None:
        """Refuse a database at an older revision (once: the first transaction checks)."""
        if not self._schema_checked:
            check_schema(self.engine)
            self._schema_checked = True

    @contextmanager
    def _transaction(self, *, readonly: bool) -> Iterator[Transaction]:
        if getattr(self._active, "open", False):
            raise StorageError("SQLStore transactions cannot be nested")
        self._active.open = True
        serial: AbstractContextManager[object] = self._serial or nullcontext()
        try:
            with serial:
                self._check_schema()
                conn = translated("could not connect", self.engine.connect)
                # ``ended`` runs after the commit or rollback (see _attempts.py).
                with conn, ExitStack() as ended:
                    translated(
                        "could not start a transaction",
                        lambda: begin(conn, readonly=readonly, synchronous=self._synchronous),
                    )
                    try:
                        tx = _SQLTransaction(conn, ended)
                        yield read_only(tx) if readonly else tx
                        tx._write_events()
                    except BaseException:
                        # The error being raised matters more than a failed rollback
                        # (the database rolls back on its own when the connection goes).
                        with suppress(sa.exc.SQLAlchemyError):
                            conn.rollback()
                        raise
                    translated("could not commit", conn.commit)
        finally:
            self._active.open = False


class _SQLTransaction(
    Catalog,
    Groups,
    Campaigns,
    AttemptReservations,
    Identities,
    Privacy,
    AttemptsAndSignups,
    EmailChanges,
    FeedTables,
):
    """One transaction of a :class:`SQLStore`, on one connection."""

    def __init__(self, conn: sa.Connection, ended: ExitStack) -> None:
        self._conn = conn
        self._dialect = conn.dialect.name
        self._ended = ended  # callbacks run once the transaction has ended
        self._unwritten: list[Event] = []  # added events, written at commit (see _feed.py)

    def _run(
        self,
        statement: sa.Executable,
        parameters: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
        *,
        duplicates: Mapping[str, Callable[[], Exception]] | None = None,
    ) -> sa.CursorResult[Any]:
        """Execute, turning driver errors into the library's own.

        Args:
            duplicates: the error meant by breaking each named unique constraint
                of the statement's table; any other refusal is a StorageError.
        """
        self._write_events_before(statement)
        try:
            if parameters is None:
                return self._conn.execute(statement)
            return self._conn.execute(statement, parameters)
        except sa.exc.IntegrityError as err:
            failure = refusal(err, statement, duplicates or {})
        except sa.exc.SQLAlchemyError as err:
            failure = storage_error("a database statement failed", err)
        raise failure  # out of the except block: the driver's error is not its context

    def _write_events_before(self, statement: sa.Executable) -> None:
        """Write the events added so far if ``statement`` reads or changes events.

        Every way to the database calls it first (:meth:`_run`, the SQLite fast
        paths), so the transaction reads every event it added (see _feed.py).
        """
        if self._unwritten and touches_events(statement):
            self._write_events()

    def _run_fast(
        self,
        statement: sa.Executable,
        fast: SQLiteStatement,
        parameters: Mapping[str, Any],
        *,
        duplicates: Mapping[str, Callable[[], Exception]] | None = None,
    ) -> tuple[int, list[tuple[Any, ...]]]:
        """Execute ``statement`` (on SQLite: ``fast``, its compiled twin); rowcount and rows.

        For the statements of the per-message paths (see _compiled.py); errors
        are translated as :meth:`_run` translates them.
        """
        if self._dialect != "sqlite":
            result = self._run(statement, parameters, duplicates=duplicates)
            rows = [tuple(row) for row in result] if result.returns_rows else []
            return int(result.rowcount), rows
        return self._run_sqlite(fast, parameters, statement=statement, duplicates=duplicates)

    def _run_sqlite(
        self,
        fast: SQLiteStatement,
        parameters: Mapping[str, Any],
        *,
        statement: sa.Executable | None = None,
        duplicates: Mapping[str, Callable[[], Exception]] | None = None,
    ) -> tuple[int, list[tuple[Any, ...]]]:
        """Execute ``fast`` on SQLite; errors translated as :meth:`_run` does for ``statement``."""
        if statement is not None:
            self._write_events_before(statement)
        return run_translated(fast, self._conn, parameters, statement, duplicates or {})

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._write_events()  # those added before it are not undone with it
        nested = translated("could not make a savepoint", self._conn.begin_nested)
        try:
            yield
        except BaseException:
            # The events added inside it are written, then undone with the rest:
            # the same statements run whether its writes are kept or not (see
            # flows/password_reset.py, whose answers must not differ in their work).
            with suppress(StorageError):
                self._write_events()
            self._unwritten.clear()
            # Not the caller's error if this fails: that error may be caught,
            # and the writes it meant to undo must not be committed.
            translated("could not roll back to a savepoint", nested.rollback)
            raise
        self._write_events()
        translated("could not release a savepoint", nested.commit)

    def _among(
        self, column: sa.Column[str], values: Sequence[str], *where: sa.ColumnElement[bool]
    ) -> set[str]:
        """Which of ``values`` are in ``column``, in rows that match ``where``."""
        found: set[str] = set()
        for chunk in _chunks(values):
            query = sa.select(column).where(*where, column.in_(chunk))
            found.update(self._run(query).scalars())
        return found

    # Customers ---------------------------------------------------------------------------

    def get_customer(self, business_id: str, customer_id: str) -> Customer | None:
        return self._customer(_GET_CUSTOMER, _GET_CUSTOMER_FAST, business_id, p_id=customer_id)

    def find_customer(self, business_id: str, email_key: str) -> Customer | None:
        return self._customer(
            _FIND_CUSTOMER, _FIND_CUSTOMER_FAST, business_id, p_email_key=email_key
        )

    def _customer(
        self,
        statement: sa.Select[Any],
        fast: ObjectLookup[Customer],
        business_id: str,
        **key: str,
    ) -> Customer | None:
        key["p_business_id"] = business_id
        if self._dialect == "sqlite":  # see _read.py
            return fast.first(self._conn, key)
        row = self._run(statement, key).first()
        return None if row is None else _CUSTOMER.load(row._mapping)

    def insert_customer(self, customer: Customer) -> None:
        owner = self._run(
            _EMAIL_OWNER,
            {"p_business_id": customer.business_id, "p_email_key": customer.email_key},
        ).scalar()
        if owner is not None:
            raise DuplicateCustomer(
                "a customer with this email address already exists", existing_id=owner
            )
        self._run(
            _customers.insert(),
            _CUSTOMER.values(customer),
            duplicates={
                _CUSTOMER_EMAIL: lambda: DuplicateCustomer(
                    "a customer with this email address already exists"
                ),
                _CUSTOMER_ID: lambda: DuplicateCustomer(
                    "a customer with this id already exists", existing_id=customer.id
                ),
            },
        )

    def update_customer(self, customer: Customer, *, expected_version: int) -> None:
        # The memory store asks, in order: is the stored version the expected one, and
        # who owns the new address?  One read answers both, before the write; on SQLite,
        # which undoes only a refused statement, after it and only if it was refused.
        if self._dialect == "sqlite":
            with suppress(DuplicateCustomer):
                if self._write_customer(customer, expected_version):
                    return
        where = {
            "p_business_id": customer.business_id,
            "p_id": customer.id,
            "p_email_key": customer.email_key,
        }
        _, rows = self._run_fast(_VERSION_AND_EMAIL_OWNER, _SQLITE_VERSION_AND_EMAIL_OWNER, where)
        stored = next((version for id_, version in rows if id_ == customer.id), None)
        if stored != expected_version:
            raise ConcurrentUpdate("the customer changed meanwhile; read it again")
        owner = next((id_ for id_, _ in rows if id_ != customer.id), None)
        if owner is not None:
            raise DuplicateCustomer(
                "a customer with this email address already exists", existing_id=owner
            )
        if not self._write_customer(customer, expected_version):
            raise ConcurrentUpdate("the customer changed meanwhile; read it again")

    def _write_customer(self, customer: Customer, expected_version: int) -> bool:
        """Replace the customer if its stored version is ``expected_version``; if it was."""
        values = _CUSTOMER.values(customer)
        del values["business_id"], values["id"]
        count, _ = self._run_fast(
            _UPDATE_CUSTOMER,
            _SQLITE_UPDATE_CUSTOMER,
            {
                **values,
                "p_business_id": customer.business_id,
                "p_id": customer.id,
                "p_version": expected_version,
            },
            duplicates={
                _CUSTOMER_EMAIL: lambda: DuplicateCustomer(
                    "a customer with this email address already exists"
                )
            },
        )
        return count == 1

    def list_customers(
        self,
        business_id: str,
        *,
        status: Status | None = None,
        archived: bool | None = None,
        group_id: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Customer]:
        given: dict[str, Any] = {"p_business_id": business_id}
        if group_id is not None:
            given["p_group_id"] = group_id
        if status is not None:
            given["p_status"] = status.value
        if archived is not None:
            given["p_archived"] = archived
        if after is not None:
            given["p_after"] = after
        if limit is not None:
            given["p_limit"] = limit
        page = _customers_page(frozenset(given))
        if self._dialect == "sqlite":  # a campaign's pages: see _compiled.py
            columns, reads, rows = select_translated(page, self._conn, given)
            make = _CUSTOMER.reader(columns, reads)
            return [make(row) for row in rows]
        query = page.statement
        assert isinstance(query, sa.Select)
        return [_CUSTOMER.load(row._mapping) for row in self._run(query, given)]

    def count_customers(self, business_id: str) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        rows = self._run(
            sa.select(_customers.c.status, sa.func.count().label("n"))
            .where(_customers.c.business_id == business_id, sa.not_(_customers.c.archived))
            .group_by(_customers.c.status)
        )
        for row in rows:
            counts[Status(row.status)] = int(row.n)
        return counts

    # Groups: see Groups ------------------------------------------------------------------

    # Businesses and templates: see Catalog ------------------------------------------------

    # Outbox ------------------------------------------------------------------------------

    def enqueue(self, messages: Sequence[OutboxMessage]) -> set[str]:
        if not messages:
            return set()
        # One statement for the batch; the unique constraint on pending_kind drops
        # every second pending message of a customer and kind, whoever queued the
        # first (this batch, an earlier call, another process).
        if self._dialect != "sqlite":
            rows = [_outbox_values(m) for m in messages]
            self._insert_ignoring_duplicates(_outbox, rows, list(_OUTBOX_ONE_PENDING))
        elif _SQLITE_INSERT_OUTBOX.in_order(
            self._conn, _OUTBOX_COLUMNS, [_outbox_row(m) for m in messages]
        ) == len(messages):
            return set()  # SQLite counts the rows inserted: none was dropped
        stored = self._among(_outbox.c.id, [m.id for m in messages])
        return {m.customer_id for m in messages if m.id not in stored and m.customer_id}

    def _insert_ignoring_duplicates(
        self, table: sa.Table, rows: list[dict[str, Any]], unique: list[str]
    ) -> None:
        """Insert ``rows`` in one executemany, skipping those that break ``unique``."""
        statement: sa.Executable
        if self._dialect == "postgresql":
            statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=unique)
        elif self._dialect == "sqlite":
            statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=unique)
        else:
            # MariaDB has no "do nothing": an update that changes nothing.
            column = table.c[unique[-1]]
            statement = mysql.insert(table).on_duplicate_key_update({column.name: column})
        self._run(statement, rows)

    def pending_customer_ids(
        self, business_id: str, kind: str, customer_ids: Collection[str]
    ) -> set[str]:
        if self._dialect == "sqlite":  # a campaign asks for each page: see _compiled.py
            found: set[str] = set()
            for chunk in _chunks(list(customer_ids)):
                values = {f"p_{i}": customer_id for i, customer_id in enumerate(chunk)}
                _, rows = self._run_sqlite(
                    _sqlite_pending_among(len(chunk)),
                    {**values, "p_business_id": business_id, "p_kind": str(kind)},
                )
                found.update(customer_id for (customer_id,) in rows)
            return found
        return self._among(
            _outbox.c.customer_id,
            list(customer_ids),
            _outbox.c.business_id == business_id,
            _outbox.c.pending_kind == kind,
        )

    def cancel_pending(
        self, business_id: str, customer_id: str, *, reason: str, kind: str | None = None
    ) -> int:
        result = self._run(
            _outbox.update()
            .where(
                _outbox.c.business_id == business_id,
                _outbox.c.customer_id == customer_id,
                _outbox.c.pending_kind.is_not(None)
                if kind is None
                else _outbox.c.pending_kind == kind,
            )
            .values(state=OutboxState.CANCELLED.value, last_error=reason, pending_kind=None)
        )
        return int(result.rowcount)

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        claim_token: str,
        limit: int,
        business_id: str | None = None,
    ) -> list[OutboxMessage]:
        params: dict[str, Any] = {"p_now": now, "p_limit": limit}
        if business_id is not None:
            params["p_business_id"] = business_id
        claimable = _claimable(business_id is not None)
        rows: Sequence[Mapping[Any, Any]]
        if self._dialect == "sqlite":  # see _compiled.py
            rows = as_mappings(*select_translated(claimable, self._conn, params))
        else:
            query = claimable.statement
            assert isinstance(query, sa.Select)
            rows = [row._mapping for row in self._run(query, params)]
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        for chunk in _chunks(ids):
            self._run(
                _outbox.update()
                .where(_outbox.c.id.in_(chunk))
                .values(
                    claimed_until=lease_until,
                    claim_token=claim_token,
                    attempts=_outbox.c.attempts + 1,
                    links_issued_at=sa.func.coalesce(
                        _outbox.c.links_issued_at, sa.literal(now, _outbox.c.links_issued_at.type)
                    ),
                )
            )
        return [
            _outbox_from_row(
                row,
                claimed_until=lease_until,
                attempts=row["attempts"] + 1,
                links_issued_at=row["links_issued_at"] or now,
            )
            for row in rows
        ]

    def update_outbox(self, message: OutboxMessage, *, claim_token: str | None) -> None:
        values = _outbox_values(message)
        del values["id"]
        if message.claimed_until is not None:
            del values["claim_token"]  # the lease stays with whoever holds it
        if message.state.waiting:
            # Only enqueue takes the customer's pending slot: a message withdrawn
            # meanwhile (cancel_pending) and written back as pending by the worker
            # that held it must not take the slot of an invitation queued since.
            del values["pending_kind"]
        if claim_token is None:
            count, _ = self._run_fast(
                _UPDATE_OUTBOX, _SQLITE_UPDATE_OUTBOX, {**values, "p_id": message.id}
            )
        else:
            count, _ = self._run_fast(
                _UPDATE_CLAIMED_OUTBOX,
                _SQLITE_UPDATE_CLAIMED_OUTBOX,
                {**values, "p_id": message.id, "p_claim_token": claim_token},
            )
        if count == 1:
            return
        if self.get_outbox(message.id) is None:
            raise ConcurrentUpdate("no such outbox message")
        raise ConcurrentUpdate("the claim on this message was lost to another worker")

    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        row = self._run(_GET_OUTBOX, {"p_id": message_id}).first()
        return None if row is None else _outbox_from_row(row._mapping)

    def list_outbox(
        self,
        business_id: str,
        *,
        customer_id: str | None = None,
        state: OutboxState | None = None,
    ) -> list[OutboxMessage]:
        query = sa.select(_outbox).where(_outbox.c.business_id == business_id)
        if customer_id is not None:
            query = query.where(_outbox.c.customer_id == customer_id)
        if state is not None:
            query = query.where(_outbox.c.state == state.value)
        rows = self._run(query.order_by(_outbox.c.seq))
        return [_outbox_from_row(row._mapping) for row in rows]

    # Events ------------------------------------------------------------------------------

    def list_events(self, business_id: str, customer_id: str) -> list[Event]:
        self._write_events()
        rows = self._run(
            _LIST_EVENTS, {"p_business_id": business_id, "p_customer_id": customer_id}
        )
        return [_EVENT.load(row._mapping) for row in rows]
