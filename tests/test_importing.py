from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import InviteKit, InviteKitError, OutboxState, ValidationError
from invitekit.importing import MAX_GROUPS_PER_IMPORT, MAX_GROUPS_PER_ROW, parse_customers_csv

from .helpers import snapshot

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "customers.csv"


def test_example_file_imports_with_an_error_per_bad_line(invitekit_kit: InviteKit) -> None:
    with EXAMPLE.open(encoding="utf-8") as file:
        report = invitekit_kit.import_customers(file)
    assert len(report.added) == 6
    assert [(e.line, "repeats line 2" in e.message) for e in report.errors] == [
        (8, True),
        (9, False),
    ]
    jonas = invitekit_kit.find_customer("jonas.huber@example.com")
    assert jonas is not None
    assert (jonas.first_name, jonas.locale) == ("Jonas", "de_AT")
    monday = {c.email for c in invitekit_kit.list_customers(group="Monday class")}
    assert monday == {
        "ana.garcia@example.com",
        "marie.dubois@example.com",
        "jonas.huber@example.com",
        "noname@example.com",
    }


def test_importing_twice_adds_nobody(invitekit_kit: InviteKit) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    invitekit_kit.import_customers(text)
    before = snapshot(invitekit_kit)
    again = invitekit_kit.import_customers(text)
    assert again.added == ()
    assert len(again.existing) == 6
    assert snapshot(invitekit_kit) == before


def test_import_with_group_and_invite(invitekit_kit: InviteKit) -> None:
    report = invitekit_kit.import_customers(
        "Email,First Name\na@example.com,A\nb@example.com,B\n", group="Spring", invite=True
    )
    assert report.queued == 2
    assert len(invitekit_kit.list_customers(group="spring")) == 2
    assert len(invitekit_kit.outbox_messages(state=OutboxState.PENDING)) == 2


@pytest.mark.parametrize("text", ["", "name,phone\nAna,123\n", "\n\n"])
def test_unusable_files_are_refused_and_nothing_is_stored(
    invitekit_kit: InviteKit, text: str
) -> None:
    before = snapshot(invitekit_kit)
    with pytest.raises(ValidationError):
        invitekit_kit.import_customers(text)
    assert snapshot(invitekit_kit) == before


def test_an_unterminated_quote_is_a_line_error() -> None:
    rows, errors = parse_customers_csv('email\n"unterminated\n')
    assert rows == []
    assert [e.line for e in errors] == [2]


def test_blank_lines_are_ignored() -> None:
    rows, errors = parse_customers_csv("email\n\na@example.com\n,\n")
    assert [r.email for r in rows] == ["a@example.com"]
    assert errors == []


@given(st.text(max_size=400))
def test_any_text_gives_rows_and_errors_or_a_library_error(text: str) -> None:
    try:
        rows, errors = parse_customers_csv("email,first_name,locale,groups\n" + text)
    except InviteKitError:
        return
    assert all("@" in row.email for row in rows)
    assert all(error.line >= 2 for error in errors)


def _groups_cell(count: int, prefix: str = "g") -> str:
    return ";".join(f"{prefix}{n}" for n in range(count))


def test_a_line_naming_too_many_groups_is_a_line_error_and_creates_none(
    invitekit_kit: InviteKit,
) -> None:
    text = (
        "email,groups\n"
        f"a@example.com,{_groups_cell(20_000)}\n"
        f"b@example.com,{_groups_cell(MAX_GROUPS_PER_ROW + 1)}\n"
        f"c@example.com,{_groups_cell(MAX_GROUPS_PER_ROW)}\n"
    )
    report = invitekit_kit.import_customers(text)
    assert [(e.line, e.message) for e in report.errors] == [
        (2, "more than 20 groups on one line"),
        (3, "more than 20 groups on one line"),
    ]
    assert len(report.added) == 1
    assert len(invitekit_kit.list_groups()) == MAX_GROUPS_PER_ROW


def test_a_file_naming_too_many_groups_is_refused_and_nothing_is_stored(
    invitekit_kit: InviteKit,
) -> None:
    lines = [
        f"{n}@example.com,{_groups_cell(MAX_GROUPS_PER_ROW, prefix=f'l{n}-')}" for n in range(6)
    ]
    assert 6 * MAX_GROUPS_PER_ROW > MAX_GROUPS_PER_IMPORT
    before = snapshot(invitekit_kit)
    with pytest.raises(ValidationError, match="more than 100 different groups"):
        invitekit_kit.import_customers("email,groups\n" + "\n".join(lines))
    assert snapshot(invitekit_kit) == before
    assert invitekit_kit.list_groups() == []


def test_the_same_group_in_any_case_counts_once() -> None:
    cell = ";".join(["Yoga", "yoga", "YOGA", " Yoga "] * 10)
    rows, errors = parse_customers_csv(f"email,groups\na@example.com,{cell}\n")
    assert errors == []
    assert rows[0].groups == ("Yoga",)
    many = "\n".join(f"{n}@example.com,Group {n % 100};group {n % 100}" for n in range(500))
    rows, errors = parse_customers_csv("email,groups\n" + many)
    assert (len(rows), errors) == (500, [])
    assert len({g.casefold() for row in rows for g in row.groups}) == MAX_GROUPS_PER_IMPORT
