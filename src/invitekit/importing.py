"""Reading customers from a CSV export, with an error per bad line instead of a stack trace.

The file needs a header row.  Recognised columns (case-insensitive, in any
order; others are ignored): ``email`` (required), ``first_name``, ``last_name``,
``locale``, ``groups`` (several names separated by ``;``).

A file can create groups, so what it may name is bounded: a line with more than
:data:`MAX_GROUPS_PER_ROW` groups is an error of that line, and a file that
names more than :data:`MAX_GROUPS_PER_IMPORT` different groups (compared in any
case) is refused whole, before anything is stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import attrs

from invitekit.addresses import parse_email
from invitekit.exceptions import InvalidLocale, ValidationError
from invitekit.i18n import parse_locale
from invitekit.model import clean_name
from invitekit.text import quoted

__all__ = [
    "MAX_GROUPS_PER_IMPORT",
    "MAX_GROUPS_PER_ROW",
    "MAX_ROWS",
    "CsvRow",
    "ImportReport",
    "RowError",
    "parse_customers_csv",
]

#: At most this many lines are read from one file.
MAX_ROWS = 1_000_000
#: At most this many groups on one line of a file.
MAX_GROUPS_PER_ROW = 20
#: At most this many different groups named in one file.
MAX_GROUPS_PER_IMPORT = 100
_COLUMNS = {"email", "first_name", "last_name", "locale", "groups"}


@attrs.frozen(kw_only=True)
class CsvRow:
    """One valid line of the file, already validated and normalised."""

    line: int
    email: str
    email_key: str
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None
    groups: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RowError:
    """A line that could not be imported, and why."""

    line: int
    message: str


@attrs.frozen(kw_only=True)
class ImportReport:
    """What :meth:`invitekit.InviteKit.import_customers` did.

    Attributes:
        added: ids of the customers created, in file order.
        existing: lines whose address already belongs to a customer (left unchanged).
        errors: lines refused, with the reason.
        queued: invitations queued (with ``invite=True``).
        campaign_id: the :class:`~invitekit.Campaign` of those invitations
            (audience ``"import"``), or ``None`` when none was queued.
    """

    added: tuple[str, ...] = ()
    existing: tuple[RowError, ...] = ()
    errors: tuple[RowError, ...] = ()
    queued: int = 0
    campaign_id: str | None = None


def parse_customers_csv(source: str | Iterable[str]) -> tuple[list[CsvRow], list[RowError]]:
    """Parse and validate a CSV export of customers.

    Args:
        source: the file's text, or an iterable of lines (an open text file).

    Returns:
        the valid rows and the errors, each with its line number (the header is
        line 1).  A second line with an address already seen in the file is an
        error ("repeated").

    Raises:
        ValidationError: the file has no ``email`` column, is not CSV at all, has
            more than :data:`MAX_ROWS` lines or names more than
            :data:`MAX_GROUPS_PER_IMPORT` different groups.
    """
    lines = io.StringIO(source) if isinstance(source, str) else source
    reader = csv.DictReader(lines)
    try:
        header = reader.fieldnames
    except csv.Error as err:
        raise ValidationError(f"the file is not valid CSV: {err}", field="file") from err
    if not header:
        raise ValidationError("the file is empty", field="file")
    columns = {name: (name or "").strip().lower().replace(" ", "_") for name in header}
    if "email" not in columns.values():
        raise ValidationError("the file needs an 'email' column", field="file")

    rows: list[CsvRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    groups: set[str] = set()
    try:
        for raw in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ValidationError(f"the file has more than {MAX_ROWS} rows", field="file")
            values = {
                columns[k]: (v or "").strip() if isinstance(v, str) else ""
                for k, v in raw.items()
                if k is not None and columns.get(k) in _COLUMNS
            }
            if not any(values.values()):
                continue
            try:
                row = _row(line, values)
            except ValidationError as err:
                errors.append(RowError(line=line, message=str(err)))
                continue
            if row.email_key in seen:
                errors.append(
                    RowError(line=line, message=f"{row.email} repeats line {seen[row.email_key]}")
                )
                continue
            seen[row.email_key] = line
            groups.update(name.casefold() for name in row.groups)
            if len(groups) > MAX_GROUPS_PER_IMPORT:
                raise ValidationError(
                    f"the file names more than {MAX_GROUPS_PER_IMPORT} different groups "
                    f"(line {line}); import it in parts",
                    field="file",
                )
            rows.append(row)
    except csv.Error as err:
        raise ValidationError(
            f"the file is not valid CSV at line {reader.line_num}: {err}", field="file"
        ) from err
    return rows, errors


def _row(line: int, values: dict[str, str]) -> CsvRow:
    address = parse_email(values.get("email", ""))
    locale = values.get("locale") or None
    if locale is not None:
        try:
            locale = str(parse_locale(locale))
        except InvalidLocale as err:
            raise InvalidLocale(
                f"unknown locale {quoted(locale)}", field="locale", code="unknown_locale"
            ) from err
    return CsvRow(
        line=line,
        email=address.address,
        email_key=address.key,
        first_name=clean_name(values.get("first_name"), field="first_name"),
        last_name=clean_name(values.get("last_name"), field="last_name"),
        locale=locale,
        groups=_groups(values.get("groups", "")),
    )


def _groups(cell: str) -> tuple[str, ...]:
    """The group names of one line, each once (in any case), in the order given."""
    names: dict[str, str] = {}
    for part in cell.split(";"):
        name = clean_name(part, field="group")
        if name is not None:
            names.setdefault(name.casefold(), name)
            if len(names) > MAX_GROUPS_PER_ROW:
                raise ValidationError(
                    f"more than {MAX_GROUPS_PER_ROW} groups on one line", field="groups"
                )
    return tuple(names.values())
