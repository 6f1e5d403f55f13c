"""The ``store`` fixture: every test here runs once per Store adapter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invitekit.ports import Store
from tests.stores import open_store, store_params


@pytest.fixture(params=store_params())
def store_kind(request: pytest.FixtureRequest) -> str:
    """The kind of store under test: memory, sqlite, postgresql or mysql."""
    kind: str = request.param
    return kind


@pytest.fixture
def store(store_kind: str) -> Iterator[Store]:
    """A fresh, empty store of each kind in turn."""
    with open_store(store_kind) as fresh:
        yield fresh
