"""RowMap: value objects to SQL rows and back, by the fields' names and types."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta

import attrs
import pytest
import sqlalchemy as sa

from invitekit.adapters.sql._rows import RowMap
from invitekit.adapters.sql._schema import UTCDateTime

T0 = datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen(kw_only=True)
class Thing:
    id: str
    colour: Colour
    second: Colour | None = None
    count: int = 0
    done: bool = False
    at: datetime
    pairs: tuple[tuple[str, str], ...] = ()
    note: str | None = None


@attrs.frozen(kw_only=True)
class Lasting:
    id: str
    duration: timedelta


_md = sa.MetaData()
_things = sa.Table(
    "things",
    _md,
    sa.Column("seq", sa.Integer, primary_key=True),  # a column that is no field
    sa.Column("id", sa.String(10), nullable=False),
    sa.Column("colour", sa.String(10), nullable=False),
    sa.Column("second", sa.String(10)),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("is_done", sa.Boolean, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("pairs", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
)
THINGS = RowMap(Thing, _things, columns={"done": "is_done"})


def stored(row: dict[str, object]) -> sa.RowMapping:
    engine = sa.create_engine("sqlite://")
    _md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(_things.insert(), row)
        found = conn.execute(sa.select(_things)).one()._mapping
    engine.dispose()
    return found


def test_values_store_enums_as_values_tuples_as_json_and_the_rest_as_it_is() -> None:
    thing = Thing(id="t1", colour=Colour.RED, done=True, at=T0, pairs=(("a", "ü"), ("b", "c")))

    assert THINGS.values(thing) == {
        "id": "t1",
        "colour": "red",
        "second": None,
        "count": 0,
        "is_done": True,
        "at": T0,
        "pairs": '[["a", "ü"], ["b", "c"]]',
        "note": None,
    }


def test_an_object_reads_back_equal_from_its_row() -> None:
    thing = Thing(
        id="t1",
        colour=Colour.BLUE,
        second=Colour.RED,
        count=3,
        done=True,
        at=T0,
        pairs=(("List-Unsubscribe", "<https://x.example/u>"),),
        note="n",
    )

    loaded = THINGS.load(stored(THINGS.values(thing)))

    assert loaded == thing
    assert type(loaded.colour) is Colour
    assert loaded.at.tzinfo is UTC


def test_given_fields_are_taken_instead_of_the_row() -> None:
    row = stored(THINGS.values(Thing(id="t1", colour=Colour.RED, at=T0)))

    assert THINGS.load(row, count=7, colour=Colour.BLUE) == Thing(
        id="t1", colour=Colour.BLUE, count=7, at=T0
    )


def test_omitted_fields_are_neither_stored_nor_read() -> None:
    things = RowMap(Thing, _things, columns={"done": "is_done"}, omit={"note", "pairs"})
    thing = Thing(id="t1", colour=Colour.RED, at=T0, note="kept elsewhere")

    values = things.values(thing)

    assert "note" not in values and "pairs" not in values
    assert things.load(stored({**values, "pairs": "[]"}), note="kept elsewhere", pairs=()) == thing


def test_a_field_without_a_column_is_refused_at_once() -> None:
    with pytest.raises(LookupError, match=r"Thing.done has no column 'done' in things"):
        RowMap(Thing, _things)


def test_a_field_of_a_type_without_conversion_is_refused_at_once() -> None:
    table = sa.Table(
        "lasting", sa.MetaData(), sa.Column("id", sa.String), sa.Column("duration", sa.Integer)
    )

    with pytest.raises(TypeError, match=r"Lasting.duration"):
        RowMap(Lasting, table)
