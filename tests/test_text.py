"""Outside text: what error messages quote of it, and the characters refused in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import Business, InviteKit, InviteKitError
from invitekit.access import login_requirement
from invitekit.adapters.smtp import SMTPMailer
from invitekit.addresses import parse_email
from invitekit.i18n import parse_locale
from invitekit.importing import parse_customers_csv
from invitekit.sandbox import check_template
from invitekit.text import MAX_QUOTED, first_invisible, quoted, shorten

HUGE = "x" * 1_000_000


def test_quoted_text_is_cut_and_marked() -> None:
    assert quoted("ana@example.com") == "'ana@example.com'"
    assert quoted(HUGE) == repr("x" * (MAX_QUOTED - 3) + "...")
    assert quoted("abcdef", limit=5) == "'ab...'"


def test_quoted_never_shows_a_control_invisible_or_direction_changing_character() -> None:
    assert quoted("a\nb\u202ec\u200bd\x00e\U000e0041") == "'a\ufffdb\ufffdc\ufffdd\ufffde\ufffd'"


def test_other_values_are_quoted_by_their_repr_cut_the_same_way() -> None:
    assert quoted(42) == "42"
    assert quoted(None) == "None"
    assert len(quoted(list(range(100_000)))) == MAX_QUOTED


@given(st.text(), st.integers(min_value=3, max_value=200))
def test_shortened_text_fits_and_hides_nothing(text: str, limit: int) -> None:
    shown = shorten(text, limit=limit)
    assert len(shown) <= limit
    assert first_invisible(shown) is None
    assert all(char.isprintable() for char in shown)


def _business(**changes: str) -> Business:
    return Business(id="b", name="B", sender="hello@b.example", **changes)


def _csv_line_error() -> None:
    _rows, errors = parse_customers_csv("email,locale\nana@example.com," + HUGE[:100_000])
    raise InviteKitError(errors[0].message)


MESSAGES: dict[str, Callable[[], object]] = {
    "time zone": lambda: _business(timezone=HUGE),
    "link template": lambda: _business(activation_url="https://x.example/" + HUGE),
    "locale": lambda: parse_locale(HUGE),
    "email": lambda: parse_email(HUGE + "@example.com"),
    "email with a bad domain": lambda: parse_email("ana@" + "a" * 300),
    "placeholder": lambda: check_template("{{ " + "a" * 5000 + " }}"),
    "filter": lambda: check_template("{{ first_name|" + "b" * 5000 + " }}"),
    "syntax error": lambda: check_template("{% " + "c" * 5000 + " %}"),
    "unexpected token": lambda: check_template("{{ first_name " + "d" * 5000 + " }}"),
    "login mode": lambda: login_requirement(HUGE, logged_in=False),
    "SMTP security": lambda: SMTPMailer(host="smtp.example", security=HUGE),
    "CSV locale": _csv_line_error,
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_an_error_message_quotes_at_most_a_little_of_its_input(name: str) -> None:
    with pytest.raises(InviteKitError) as caught:
        MESSAGES[name]()
    assert len(str(caught.value)) < 300


FACADE_MESSAGES: dict[str, Callable[[InviteKit], object]] = {
    "customer id": lambda kit: kit.get_customer(HUGE),
    "group name": lambda kit: kit.add_to_group(HUGE, []),
    "group filter": lambda kit: kit.list_customers(group=HUGE),
}


@pytest.mark.parametrize("name", sorted(FACADE_MESSAGES))
def test_a_facade_error_message_quotes_at_most_a_little_of_its_input(
    invitekit_kit: InviteKit, name: str
) -> None:
    with pytest.raises(InviteKitError) as caught:
        FACADE_MESSAGES[name](invitekit_kit)
    assert len(str(caught.value)) < 300
