"""Rows to value objects and back, field by field, by the fields' names and types."""

from __future__ import annotations

import enum
import json
import operator
import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs
import sqlalchemy as sa

__all__ = ["RowMap"]

T = TypeVar("T", bound=attrs.AttrsInstance)

_Convert = Callable[[Any], Any]

# Stored as they are: the column types read them back as they were written
# (``UTCDateTime`` stores naive UTC on every backend and reads it back aware;
# ``Boolean`` turns SQLite's and MariaDB's 0 and 1 into ``bool``).
_AS_IS = (str, int, bool, datetime)


class RowMap(Generic[T]):
    """How the objects of one attrs class are stored in the columns of one table.

    Every field has the column of its own name (or the one ``columns`` names for
    it), converted by the field's type: an enum is stored as its value, a tuple
    as JSON (its tuples as arrays), ``str``, ``int``, ``bool`` and ``datetime``
    as they are; ``None`` stays ``None``.  A new field thus needs only its column
    in the schema.  Columns that are no field (a sequence number, a derived key)
    are the caller's.

    Args:
        cls: the attrs class.
        table: the table its objects are stored in.
        columns: the column of a field whose name differs from it.
        omit: fields stored elsewhere, passed to :meth:`load` by the caller.

    Raises:
        LookupError: a field has no column in ``table``.
        TypeError: a field has a type without a conversion here.
    """

    __slots__ = ("_cls", "_columns", "_dumps", "_fields", "_get")

    def __init__(
        self,
        cls: type[T],
        table: sa.Table,
        *,
        columns: Mapping[str, str] | None = None,
        omit: Collection[str] = (),
    ) -> None:
        hints = typing.get_type_hints(cls)
        self._cls = cls
        self._fields: list[tuple[str, str, _Convert | None, _Convert | None]] = []
        for field in attrs.fields(cls):
            if field.name in omit:
                continue
            column = (columns or {}).get(field.name, field.name)
            if column not in table.c:
                raise LookupError(
                    f"{cls.__name__}.{field.name} has no column {column!r} in {table.name}"
                )
            dump, load = _conversions(hints[field.name], f"{cls.__name__}.{field.name}")
            self._fields.append((field.name, column, dump, load))
        # For values(), called per row of a campaign: every field read by one C
        # getter, then only the few that need converting.
        self._get = operator.attrgetter(*(name for name, *_ in self._fields))
        self._columns = [column for _, column, _, _ in self._fields]
        self._dumps = [
            (position, dump)
            for position, (_, _, dump, _) in enumerate(self._fields)
            if dump is not None
        ]

    @property
    def columns(self) -> list[str]:
        """The columns of :meth:`value_list`, in its order (the fields' order)."""
        return list(self._columns)

    def values(self, obj: T) -> dict[str, Any]:
        """The column values that store ``obj``."""
        return dict(zip(self._columns, self.value_list(obj), strict=True))

    def value_list(self, obj: T) -> list[Any]:
        """The values that store ``obj``, in the order of :attr:`columns` (a new list)."""
        got = self._get(obj)
        row = list(got) if len(self._columns) > 1 else [got]
        for position, dump in self._dumps:
            value = row[position]
            if value is not None:
                row[position] = dump(value)
        return row

    def reader(
        self, columns: Sequence[str], reads: Sequence[_Convert | None]
    ) -> Callable[[Sequence[Any]], T]:
        """A function from a row of raw values to its object.

        Args:
            columns: the column of each value of a row, in order.
            reads: how each raw value is read back (``None``: as it is), before
                the field's own conversion; ``None`` stays ``None``.

        Raises:
            ValueError: a field's column is not among ``columns``.
        """
        names = [name for name, _, _, _ in self._fields]
        order = [columns.index(column) for _, column, _, _ in self._fields]
        # A row's values in the fields' order, by a C getter (always a tuple).
        pick = operator.itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
        converts = [
            (index, convert)
            for index, (position, (_, _, _, load)) in enumerate(
                zip(order, self._fields, strict=True)
            )
            if (convert := _then(reads[position], load)) is not None
        ]
        cls = self._cls

        def make(row: Sequence[Any]) -> T:
            values = list(pick(row))
            for index, convert in converts:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
            return cls(**dict(zip(names, values, strict=True)))

        return make

    def load(self, row: Mapping[Any, Any], **given: Any) -> T:
        """The object stored in ``row``; fields in ``given`` are taken from it instead."""
        for name, column, _, load in self._fields:
            if name not in given:
                value = row[column]
                given[name] = value if load is None or value is None else load(value)
        return self._cls(**given)

    def loader(
        self, columns: Sequence[str], processors: Sequence[_Convert | None]
    ) -> Callable[[Sequence[Any]], T]:
        """What makes the object of a row whose values come in ``columns``' order.

        ``processors[i]`` (or nothing, for ``None``) first converts the value of
        ``columns[i]`` as its column's type reads it back; then the field's own
        conversion applies, as in :meth:`load`.  One pass over the row, for
        the lookups that read one object by key.

        Raises:
            LookupError: a field's column is not among ``columns``.
        """
        position = {column: index for index, column in enumerate(columns)}
        missing = [column for _, column, _, _ in self._fields if column not in position]
        if missing:
            raise LookupError(f"{self._cls.__name__}: no column {missing[0]!r} in the row")
        # The field of each value of the row, in the row's order: one dict(zip(...)).
        by_position: dict[int, str] = {
            position[column]: name for name, column, _, _ in self._fields
        }
        names = [by_position.get(index) for index in range(len(columns))]
        others = None in names
        converted = [
            (name, position[column], processors[position[column]], load)
            for name, column, _, load in self._fields
            if load is not None or processors[position[column]] is not None
        ]
        cls = self._cls

        def make(row: Sequence[Any]) -> T:
            given: dict[Any, Any] = dict(zip(names, row, strict=True))
            if others:
                del given[None]  # the columns that are no field
            for name, index, process, load in converted:
                value = row[index]
                if value is not None:
                    if process is not None:
                        value = process(value)
                    if load is not None:
                        value = load(value)
                    given[name] = value
            return cls(**given)

        return make


def _then(first: _Convert | None, second: _Convert | None) -> _Convert | None:
    """``second`` applied to what ``first`` gives (``None`` stands for "as it is")."""
    if first is None or second is None:
        return first or second
    return lambda value: second(first(value))


def _conversions(hint: Any, where: str) -> tuple[_Convert | None, _Convert | None]:
    """How a value of type ``hint`` is stored and read back (``None``: as it is)."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        kinds = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(kinds) != 1:
            raise TypeError(f"no column conversion for {where}: {hint!r}")
        hint = kinds[0]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_value, _enum_member(hint)
    if typing.get_origin(hint) is tuple and _is_json(hint):
        return _to_json, _from_json
    if hint in _AS_IS:
        return None, None
    raise TypeError(f"no column conversion for {where}: {hint!r}")


def _is_json(hint: Any) -> bool:
    """Whether values of ``hint`` are tuples of strings, integers and such tuples."""
    if hint in (str, int):
        return True
    if typing.get_origin(hint) is not tuple:
        return False
    return all(arg is Ellipsis or _is_json(arg) for arg in typing.get_args(hint))


def _enum_value(member: enum.Enum) -> Any:
    return member._value_  # what ``.value`` returns, without the property (once per row)


def _enum_member(kind: type[enum.Enum]) -> _Convert:
    """``kind(value)``, by a dictionary look-up for the members' own values (once per row)."""
    members = {member.value: member for member in kind}

    def load(value: Any) -> enum.Enum:
        found = members.get(value)
        return kind(value) if found is None else found

    return load


def _to_json(value: tuple[Any, ...]) -> str:
    return json.dumps(value, ensure_ascii=False)


def _from_json(text: str) -> Any:
    return _tuples(json.loads(text))


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value
