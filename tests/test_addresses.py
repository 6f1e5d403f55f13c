from __future__ import annotations

import string
import unicodedata

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


def test_domains_are_encoded_by_idna2008_not_idna2003() -> None:
    # IDNA2003 maps the sharp s to "ss": bob@fass.de, a different domain's mailbox.
    parsed = parse_email("bob@faß.de")
    assert parsed.address == "bob@xn--fa-hia.de"
    assert parsed.key != parse_email("bob@fass.de").key


def test_final_and_medial_sigma_are_different_domains() -> None:
    final = parse_email("sofia@σοφος.gr")
    medial = parse_email("sofia@σοφοσ.gr")
    assert final.address == "sofia@xn--0xaajbq.gr"
    assert final.key != medial.key


def test_capital_sigma_is_mapped_as_uts46_says() -> None:
    assert parse_email("sofia@ΣΟΦΟΣ.gr").key == parse_email("sofia@σοφοσ.gr").key


def test_a_label_and_u_label_spellings_of_a_domain_are_one_key() -> None:
    assert parse_email("bob@XN--FA-HIA.DE").key == parse_email("bob@faß.de").key


@pytest.mark.parametrize("domain", ["☃.net", "xn--n3h.net", "a\u2024b.com"])
def test_domains_that_idna2008_disallows_are_refused(domain: str) -> None:
    with pytest.raises(InvalidEmail, match="invalid domain"):
        parse_email(f"ana@{domain}")


def test_the_local_part_keeps_its_case_even_for_role_names() -> None:
    # email-validator lower-cases RFC 2142 role names; the stored address keeps the case.
    parsed = parse_email("Info@Example.com")
    assert parsed.address == "Info@example.com"
    assert parsed.key == "info@example.com"


@pytest.mark.parametrize("domain", ["studio.test", "printer.local", "localhost", "x.invalid"])
def test_reserved_domains_are_refused(domain: str) -> None:
    with pytest.raises(InvalidEmail, match="domain"):
        parse_email(f"ana@{domain}")


INVISIBLE = [
    "\u202e",  # right-to-left override
    "\u202a",  # left-to-right embedding
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\U000e0041",  # tag latin capital letter a
    "\U000e007f",  # cancel tag
    "\ufe0f",  # variation selector-16
    "\u3164",  # Hangul filler
    "\u180e",  # Mongolian vowel separator
]


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("where", ["local", "domain"])
def test_invisible_and_direction_changing_characters_are_refused(char: str, where: str) -> None:
    raw = f"an{char}a@example.com" if where == "local" else f"ana@exa{char}mple.com"
    with pytest.raises(InvalidEmail, match="invisible or direction-changing") as caught:
        parse_email(raw)
    message = str(caught.value)
    assert f"U+{ord(char):04X}" in message
    assert char not in message


@pytest.mark.parametrize("separator", ["\n", "\r", "\u2028", "\u2029", "\x85", "\x0b"])
def test_a_line_break_is_named_in_the_message(separator: str) -> None:
    with pytest.raises(InvalidEmail, match="line break") as caught:
        parse_email(f"ana{separator}@example.com")
    assert separator not in str(caught.value)


def test_errors_are_ours_without_the_dependency_chained() -> None:
    with pytest.raises(InvalidEmail) as caught:
        parse_email("ana@exa_mple.com")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert str(caught.value) == "'ana@exa_mple.com' has an invalid domain (the part after the @)"


def test_a_huge_input_is_refused_with_a_short_message() -> None:
    with pytest.raises(InvalidEmail, match="longer than 254") as caught:
        parse_email("a" * 1_000_000 + "@example.com")
    assert len(str(caught.value)) < 200


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
        ("office@example.com", "o\ufb00ice@example.com"),  # ff ligature
        ("sam@example.com", "\u017fam@example.com"),  # long s
        ("ana@example.com", "\uff41\uff4e\uff41@example.com"),  # fullwidth ana
        ("ana@example.com", "\u0430na@example.com"),  # Cyrillic a
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
        "ana\u00a0smith@example.com",
        "Ana <ana@example.com>",
        "ana@[192.0.2.1]",
        "ana@example.123",
        "ana\ud800@example.com",
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


local_parts = st.text(
    alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=30
).filter(lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s)
domains = st.sampled_from(["example.com", "Example.ORG", "bücher.example", "sub.mail.example"])


# Letters with their look-alikes: compatibility forms, case-folding pairs, other scripts.
look_alike_letters = st.text(
    alphabet="aAkKsSiIfoOeE\u00df\u0131\u017f\ufb00\ufb01\uff41\uff4b\u0430\u03bf"
    "\u0399\u1e9e\u212a\u00e9\u0301\u00c5\u212b",
    min_size=1,
    max_size=12,
).filter(lambda s: unicodedata.category(s[0]) != "Mn")


@given(local=look_alike_letters, domain=domains)
def test_the_key_is_the_nfc_local_part_lower_cased_and_nothing_more(
    local: str, domain: str
) -> None:
    # No case folding, no compatibility mapping: only NFC (canonical equivalence)
    # and lower(), so look-alikes (sharp s and ss, dotless i and i, the ff ligature,
    # fullwidth letters) never share a key.
    parsed = parse_email(f"{local}@{domain}")
    nfc = unicodedata.normalize("NFC", local)
    assert parsed.address.rpartition("@")[0] == nfc
    assert parsed.key.rpartition("@")[0] == nfc.lower()


@given(first=look_alike_letters, second=look_alike_letters)
def test_two_local_parts_share_a_key_only_if_equal_after_nfc_and_lower_case(
    first: str, second: str
) -> None:
    same = parse_email(f"{first}@example.com").key == parse_email(f"{second}@example.com").key
    nfc = [unicodedata.normalize("NFC", s).lower() for s in (first, second)]
    assert same == (nfc[0] == nfc[1])


@given(
    local=local_parts,
    hidden=st.sampled_from(INVISIBLE),
    at=st.integers(min_value=0, max_value=30),
)
def test_an_invisible_character_anywhere_is_refused(local: str, hidden: str, at: int) -> None:
    raw = f"{local}@example.com"
    position = min(at, len(raw))
    with pytest.raises(InvalidEmail):
        parse_email(raw[:position] + hidden + raw[position:])


@given(raw=st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_a_valid_address_is_readable_and_stays_valid(raw: str) -> None:
    try:
        parsed = parse_email(raw + "@example.com")
    except InvalidEmail:
        return
    assert all(unicodedata.category(ch)[0] not in "CZ" for ch in parsed.address)
    assert parse_email(parsed.address) == parsed


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("ana.example.com", "malformed"),
        ("ana@exa mple.com", "space"),
        ("ana@exa\nmple.com", "control_character"),
        ("ana@example.invalid", "domain"),
        ("a" * 250 + "@example.com", "too_long"),
        ("ana\u200b@example.com", "invisible_character"),
        ("=?utf-8?q?x?=@example.com", "malformed"),
    ],
)
def test_a_refused_address_says_why_as_a_stable_code(typed: str, code: str) -> None:
    with pytest.raises(InvalidEmail) as refused:
        parse_email(typed)
    assert (refused.value.field, refused.value.code) == ("email", code)


@pytest.mark.parametrize(
    "raw",
    [
        "=?utf-8?b?QmNjOiBldmlsQGF0dGFja2VyLmV4YW1wbGU=?=@example.com",  # "Bcc: evil@..."
        "=?iso-8859-1?q?ana?=@example.com",
        "ana=?utf-8?q?x?=@example.com",
    ],
)
def test_an_encoded_word_before_the_at_is_refused(raw: str) -> None:
    # A mail program that decodes it would show the To header as its text.
    with pytest.raises(InvalidEmail, match="encoded word"):
        parse_email(raw)


@pytest.mark.parametrize("raw", ["a=b@example.com", "what?@example.com", "=?@example.com"])
def test_equals_and_question_marks_alone_are_still_addresses(raw: str) -> None:
    assert parse_email(raw).address == raw
