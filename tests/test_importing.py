from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import InviteKit, InviteKitError, OutboxState, ValidationError
from invitekit.importing import parse_customers_csv

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
