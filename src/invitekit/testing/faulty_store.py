"""A Store that wraps another and fails on purpose, to test what survives a database error."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from invitekit.exceptions import ConfigurationError, StorageError
from invitekit.ports import Store, Transaction

__all__ = ["FaultyStore"]


class FaultyStore:
    """A Store that wraps another and fails on purpose, to test what survives a database error.

    Implements :class:`~invitekit.ports.Store`.  Until it is armed it only counts:
    every call of a :class:`~invitekit.ports.Transaction` method, and every
    transaction that reaches its commit.  Armed, it raises
    :class:`~invitekit.exceptions.StorageError` once, at the chosen call or commit,
    and then lets everything through again (so the operation can be retried).  The
    failed transaction is rolled back in the wrapped store, as a real database
    error would leave it::

        store = FaultyStore(MemoryStore())
        kit = InviteKit(store=store, ...)
        store.arm(call=7)            # the 7th Transaction call from now fails
        with pytest.raises(StorageError):
            kit.invite_audience(Audience.all())
        store.arm(commit=2)          # the 2nd commit from now fails

    Run an operation once unarmed to learn how many calls and commits it makes
    (:attr:`calls`, :attr:`commits`), then arm each of them in turn.

    Args:
        store: the Store to wrap.

    Attributes:
        calls: Transaction method calls since construction or the last :meth:`arm`.
        commits: transactions that reached their commit since then (including a
            commit that was made to fail).
        injected: how many faults were raised so far, in total.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls = 0
        self.commits = 0
        self.injected = 0
        self._fail_call: int | None = None
        self._fail_commit: int | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FaultyStore({self.store!r})"

    def arm(self, *, call: int | None = None, commit: int | None = None) -> None:
        """Reset the counters and fail the ``call``-th Transaction call or ``commit``-th commit.

        Both count from 1, from now.  Give one of them (or neither, to only reset).

        Raises:
            ConfigurationError: both given, or a number below 1.
        """
        if call is not None and commit is not None:
            raise ConfigurationError("arm a FaultyStore for a call or for a commit, not both")
        if (call is not None and call < 1) or (commit is not None and commit < 1):
            raise ConfigurationError("calls and commits are counted from 1")
        with self._lock:
            self.calls = self.commits = 0
            self._fail_call, self._fail_commit = call, commit

    def disarm(self) -> None:
        """Inject nothing (counting goes on)."""
        with self._lock:
            self._fail_call = self._fail_commit = None

    @property
    def armed(self) -> bool:
        """Whether a fault is still waiting to be raised."""
        with self._lock:
            return self._fail_call is not None or self._fail_commit is not None

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Transaction]:
        """A transaction of the wrapped store, whose calls and commit may fail.

        Args:
            readonly: passed to the wrapped store (which refuses the changes).

        Raises:
            StorageError: the armed fault (or an error of the wrapped store).
        """
        with self.store.transaction(readonly=readonly) as inner:
            # A stand-in with every Transaction method (see __getattr__ there).
            yield cast(Transaction, _FaultyTransaction(self, inner))
            if self._count("commits", "_fail_commit"):
                raise StorageError(f"injected fault: commit {self.commits} failed")

    def _count(self, counter: str, target: str) -> bool:
        """Count one more call or commit; whether it is the one to fail."""
        with self._lock:
            count = getattr(self, counter) + 1
            setattr(self, counter, count)
            if getattr(self, target) != count:
                return False
            self._fail_call = self._fail_commit = None
            self.injected += 1
            return True


class _FaultyTransaction:
    """Passes each call to the wrapped transaction, unless it is the call to fail."""

    def __init__(self, owner: FaultyStore, inner: Transaction) -> None:
        self._owner = owner
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            if self._owner._count("calls", "_fail_call"):
                raise StorageError(f"injected fault: call {self._owner.calls} ({name}) failed")
            return method(*args, **kwargs)

        return call
