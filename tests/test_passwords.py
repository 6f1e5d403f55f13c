"""Password rules (NIST SP 800-63B) and argon2id hashing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit.exceptions import ConfigurationError, WeakPassword
from invitekit.passwords import PasswordHasher, PasswordRules, common_passwords
from invitekit.testing import fast_password_hasher


def test_password_shorter_than_minimum_is_refused_with_the_minimum_in_the_message() -> None:
    with pytest.raises(WeakPassword, match="at least 8 characters"):
        PasswordRules().check("seven77")


def test_password_of_exactly_minimum_length_is_accepted() -> None:
    assert PasswordRules().check("eight888") == "eight888"


def test_password_longer_than_maximum_is_refused_with_the_maximum_in_the_message() -> None:
    with pytest.raises(WeakPassword, match="at most 256 characters"):
        PasswordRules().check("x" * 257)


def test_long_passphrase_of_64_characters_is_accepted() -> None:
    phrase = "a long passphrase, with spaces, that a person can remember well!"
    assert len(phrase) == 64
    assert PasswordRules().check(phrase) == phrase


def test_maximum_length_below_64_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        PasswordRules(max_length=32)


@pytest.mark.parametrize(
    "password", ["alllowercase", "12345678901", "ÄÖÜäöüßé", "🙂🙂🙂🙂🙂🙂🙂🙂"]
)
def test_no_composition_rules(password: str) -> None:
    assert PasswordRules().check(password) == password


def test_length_is_counted_after_nfc_normalisation() -> None:
    decomposed = unicodedata.normalize("NFD", "ééééééé")  # 14 code points, 7 characters
    with pytest.raises(WeakPassword):
        PasswordRules().check(decomposed)


def test_blocklisted_password_is_refused_in_any_case() -> None:
    rules = PasswordRules(blocklist=["Tr0ub4dor&3"])
    with pytest.raises(WeakPassword, match="too common"):
        rules.check("tr0ub4dor&3")


def test_default_rules_have_no_blocklist() -> None:
    assert PasswordRules().check("password") == "password"


def test_shipped_common_passwords_are_refused() -> None:
    rules = PasswordRules.with_common_passwords()
    for password in ("password", "12345678", "Qwerty123", "iloveyou"):
        with pytest.raises(WeakPassword, match="too common"):
            rules.check(password)


def test_shipped_list_has_a_few_hundred_entries() -> None:
    assert 250 <= len(common_passwords()) <= 1000


def test_app_can_add_its_own_bigger_list() -> None:
    rules = PasswordRules.with_common_passwords(extra=["studio-one-2026"], min_length=10)
    assert rules.min_length == 10
    with pytest.raises(WeakPassword):
        rules.check("Studio-One-2026")


@pytest.mark.parametrize(
    "password",
    [
        "ana.garcia@example.com",
        "ana.garcia",
        "Ana.Garcia2024!",
        "Studio One",
        "studioone",
        "ANA GARCIA",
    ],
)
def test_context_words_are_refused(password: str) -> None:
    context = ["ana.garcia@example.com", "Ana Garcia", "Studio One"]
    with pytest.raises(WeakPassword, match="email address, your name"):
        PasswordRules().check(password, context=context)


def test_password_merely_containing_a_name_is_accepted() -> None:
    context = ["ana@example.com", "Ana", "Studio One"]
    assert PasswordRules().check("ana loves yoga at dawn", context=context)


def test_nul_character_is_refused() -> None:
    with pytest.raises(WeakPassword, match="NUL"):
        PasswordRules().check("abc\x00defghi")


def test_hash_verifies_the_password_and_not_another() -> None:
    hasher = fast_password_hasher()
    stored = hasher.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "correct horse battery")
    assert not hasher.verify(stored, "correct horse batterY")


def test_no_hash_verifies_a_dummy_and_answers_false() -> None:
    assert fast_password_hasher().verify(None, "anything at all") is False


def test_hash_with_other_parameters_needs_rehash() -> None:
    cheap = fast_password_hasher()
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    stored = cheap.hash("correct horse battery")
    assert stronger.needs_rehash(stored)
    assert not cheap.needs_rehash(stored)
    assert stronger.verify(stored, "correct horse battery")


def test_bad_argon2_parameters_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        PasswordHasher(time_cost=0)


@given(st.text(min_size=8, max_size=40).filter(lambda p: "\x00" not in p))
def test_rules_return_the_nfc_form_or_refuse(password: str) -> None:
    try:
        checked = PasswordRules().check(password)
    except WeakPassword:
        return
    assert checked == unicodedata.normalize("NFC", password)


# A failed check costs the same whatever was stored -----------------------------------

CURRENT = {"time_cost": 3, "memory_cost": 64, "parallelism": 1}
CURRENT_WORK = 3 * 64
STORED = {
    "no hash (unknown address)": None,
    "current parameters": CURRENT,
    "fewer passes": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
    "less memory": {"time_cost": 3, "memory_cost": 16, "parallelism": 1},
    "both cheaper": {"time_cost": 2, "memory_cost": 19, "parallelism": 1},
    "cheapest": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    "not an argon2 hash": "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    "garbage": "not a hash at all",
}


def _stored(kind: str) -> str | None:
    spec = STORED[kind]
    if spec is None or isinstance(spec, str):
        return spec
    return PasswordHasher(**spec).hash("the right password")


def _work(done: list[tuple[int, int, int]]) -> int:
    return sum(passes * memory for passes, memory, _lanes in done)


@pytest.mark.parametrize("kind", sorted(STORED))
def test_a_failed_check_does_the_work_of_one_check_at_the_current_parameters(
    argon2_work: list[tuple[int, int, int]], kind: str
) -> None:
    current = PasswordHasher(**CURRENT)
    stored = _stored(kind)
    argon2_work.clear()
    assert current.verify(stored, "a wrong password") is False
    # Made up to the memory that covers the difference: at most one KiB per pass over.
    assert CURRENT_WORK <= _work(argon2_work) < CURRENT_WORK + CURRENT["time_cost"]
    # Beyond the stored hash's own check, the work is done at the current passes and lanes.
    made_up = argon2_work[1:] if isinstance(STORED[kind], dict) else argon2_work
    assert all((t, p) == (CURRENT["time_cost"], CURRENT["parallelism"]) for t, _, p in made_up)


def test_a_successful_check_with_old_parameters_does_only_its_own_work(
    argon2_work: list[tuple[int, int, int]],
) -> None:
    current = PasswordHasher(**CURRENT)
    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)
    stored = old.hash("the right password")
    argon2_work.clear()
    assert current.verify(stored, "the right password") is True
    assert argon2_work == [(1, 16, 1)]
    assert current.needs_rehash(stored)  # the login re-hashes it at the current parameters


def test_a_hash_dearer_than_the_current_parameters_costs_its_own_work(
    argon2_work: list[tuple[int, int, int]],
) -> None:
    current = PasswordHasher(**CURRENT)
    stored = PasswordHasher(time_cost=4, memory_cost=128, parallelism=1).hash("x")
    argon2_work.clear()
    assert current.verify(stored, "a wrong password") is False
    assert argon2_work == [(4, 128, 1)]


@pytest.mark.parametrize(
    ("password", "code", "limit"),
    [
        ("short", "too_short", 8),
        ("x" * 65, "too_long", 64),
        ("password", "too_common", None),
        ("ana@example.com", "personal", None),
        ("a long\x00password", "control_character", None),
        ("a long password\ud800", "invalid_text", None),
    ],
)
def test_a_refused_password_says_why_as_a_stable_code(
    password: str, code: str, limit: int | None
) -> None:
    rules = PasswordRules.with_common_passwords(min_length=8, max_length=64)
    with pytest.raises(WeakPassword) as refused:
        rules.check(password, context=["ana@example.com", "Ana"])
    assert (refused.value.field, refused.value.code, refused.value.limit) == (
        "password",
        code,
        limit,
    )
