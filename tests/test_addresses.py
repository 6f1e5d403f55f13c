from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import InvalidEmail
from invitekit.addresses import parse_email
from invitekit.testing import email_addresses


def test_address_keeps_local_case_and_lowercases_the_domain() -> None:
    parsed = parse_email("  Ana.Lopez@Example.COM ")
    assert parsed.address == "Ana.Lopez@example.com"
    assert parsed.key == "ana.lopez@example.com"


def test_international_domain_is_idna_encoded() -> None:
    assert parse_email("jonas@Bücher.example").address == "jonas@xn--bcher-kva.example"


def test_nfc_and_nfd_spellings_are_one_key() -> None:
    composed = parse_email("jos\u00e9@example.com")
    decomposed = parse_email("jose\u0301@example.com")
    assert composed.key == decomposed.key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("kim@example.com", "k\u0131m@example.com"),  # dotless i
        ("kim@example.com", "\uff4bim@example.com"),  # fullwidth k
        ("office@example.com", "o\ufb03ce@example.com"),  # ffi ligature
        ("strasse@example.com", "stra\u00dfe@example.com"),  # sharp s
    ],
)
def test_look_alikes_are_different_identities(first: str, second: str) -> None:
    assert parse_email(first).key != parse_email(second).key


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ana",
        "ana@",
        "@example.com",
        "ana@@example.com",
        "ana@example",
        "ana smith@example.com",
        "ana@exa mple.com",
        ".ana@example.com",
        "ana.@example.com",
        "an..a@example.com",
        "ana@-example.com",
        "ana@example..com",
        "ana\n@example.com",
        "ana@example.com\r\nBcc: eve@example.com",
        "a" * 65 + "@example.com",
        "ana@" + "a" * 250 + ".com",
        '"ana"@example.com',
    ],
)
def test_malformed_addresses_are_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        parse_email(raw)


def test_error_message_quotes_the_input_without_control_characters() -> None:
    with pytest.raises(InvalidEmail) as caught:
        parse_email("bad\x00address")
    assert "\x00" not in str(caught.value)
    assert caught.value.field == "email"


@given(address=email_addresses(unicode_local_part=False))
def test_case_of_the_local_part_never_changes_the_key(address: str) -> None:
    local, domain = address.split("@")
    lower = parse_email(f"{local.lower()}@{domain}")
    upper = parse_email(f"{local.upper()}@{domain}")
    assert lower.key == upper.key


@given(address=email_addresses())
def test_parsing_is_idempotent(address: str) -> None:
    once = parse_email(address)
    assert parse_email(once.address) == once


@given(raw=st.text(max_size=300))
def test_any_text_is_an_address_or_an_invalid_email(raw: str) -> None:
    try:
        parsed = parse_email(raw)
    except InvalidEmail:
        return
    assert parsed.address.count("@") == 1
    assert not any(ch in parsed.address for ch in "\r\n\x00 ")
