"""The value objects' own rules: names given at self sign-up."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit.exceptions import InvalidName
from invitekit.model import MAX_SIGNUP_NAME_LENGTH, clean_signup_name
from invitekit.text import first_invisible


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ana", "Ana"),
        ("  Ana   María ", "Ana María"),
        ("Ana\u00a0María", "Ana María"),
        ("J.R.R. Tolkien", "J.R.R. Tolkien"),
        ("St. John", "St. John"),
        ("O'Brien", "O'Brien"),
        ("Jean-Luc", "Jean-Luc"),
        ("Müller-Lüdenscheidt", "Müller-Lüdenscheidt"),
        ("李小龍", "李小龍"),
        ("Иван", "Иван"),
        ("x" * MAX_SIGNUP_NAME_LENGTH, "x" * MAX_SIGNUP_NAME_LENGTH),
        ("", None),
        (None, None),
    ],
)
def test_a_name_is_kept_tidied(typed: str | None, kept: str | None) -> None:
    assert clean_signup_name(typed, field="first_name") == kept


@pytest.mark.parametrize(
    "link",
    [
        "Claim your prize at bit.ly/x",
        "visit www.example.com",
        "WWW.EXAMPLE.COM",
        "https://example.com",
        "ftp://x",
        "ana@example.com",
        "Ana @ home",
        "see example.com now",
        "пример.рф",
        "evil.xn--p1ai",
        "\uff57\uff57\uff57\uff0eevil\uff0ecom",  # fullwidth www.evil.com
        "bit\u3002ly",  # ideographic full stop
        "call 192.0.2.1",
    ],
)
def test_link_like_text_is_refused(link: str) -> None:
    with pytest.raises(InvalidName, match="may not contain a web address") as caught:
        clean_signup_name(link, field="first_name")
    assert link not in str(caught.value)
    assert caught.value.field == "first_name"


def test_a_long_name_is_refused_saying_the_limit() -> None:
    with pytest.raises(InvalidName, match="longer than 50 characters"):
        clean_signup_name("A stranger's eighty-character first name " * 2, field="first_name")


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\ufeff", "\U000e0041", "\n", "\x00"])
def test_control_invisible_and_direction_changing_characters_are_refused(char: str) -> None:
    with pytest.raises(InvalidName):
        clean_signup_name(f"An{char}a", field="last_name")


@given(st.text(max_size=120))
def test_whatever_is_kept_is_short_readable_and_links_nothing(text: str) -> None:
    try:
        kept = clean_signup_name(text, field="first_name")
    except InvalidName:
        return
    if kept is None:
        return
    assert len(kept) <= MAX_SIGNUP_NAME_LENGTH
    assert kept == kept.strip()
    assert "  " not in kept
    folded = unicodedata.normalize("NFKC", kept).casefold()
    assert "@" not in folded
    assert "://" not in folded
    assert "www." not in folded
    assert first_invisible(kept) is None
    assert all(unicodedata.category(char) != "Cc" for char in kept)


@pytest.mark.parametrize(
    ("typed", "code", "limit"),
    [
        ("Ana\nBcc: x", "control_character", None),
        ("A" * (MAX_SIGNUP_NAME_LENGTH + 1), "too_long", MAX_SIGNUP_NAME_LENGTH),
        ("Win at bit.ly", "link", None),
        ("Ana\u202e", "invisible_character", None),
    ],
)
def test_a_refused_name_says_why_as_a_stable_code(
    typed: str, code: str, limit: int | None
) -> None:
    with pytest.raises(InvalidName) as refused:
        clean_signup_name(typed, field="first_name")
    assert (refused.value.field, refused.value.code, refused.value.limit) == (
        "first_name",
        code,
        limit,
    )
