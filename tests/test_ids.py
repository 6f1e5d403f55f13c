"""Identifiers: their shape, their order, and the counter the first ten characters hold."""

from __future__ import annotations

import multiprocessing
import time

from invitekit.ids import new_id, short_id

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def _value(digits: str) -> int:
    value = 0
    for digit in digits:
        value = value * 32 + ALPHABET.index(digit)
    return value


def test_an_id_is_the_prefix_and_26_crockford_digits() -> None:
    made = new_id("msg")

    prefix, _, digits = made.partition("_")
    assert prefix == "msg"
    assert len(digits) == 26
    assert set(digits) <= set(ALPHABET)


def test_the_first_ten_digits_are_the_milliseconds_of_the_wall_clock() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id("cus")
    after = time.time_ns() // 1_000_000

    # Never behind the wall clock; ahead of it only by the ids made within one millisecond.
    assert before <= _value(made[4:14]) <= after + 10_000


def test_ids_sort_in_the_order_they_were_made() -> None:
    made = [new_id("cus") for _ in range(2_000)]

    assert sorted(made) == made
    assert len(set(made)) == len(made)


def test_the_last_sixteen_digits_are_random() -> None:
    tails = {new_id("cus")[14:] for _ in range(200)}

    assert len(tails) == 200
    # 80 random bits: across 200 ids most of the 32 digit values turn up first.
    assert len({tail[0] for tail in tails}) > 20


def test_a_forked_process_draws_other_random_digits_than_its_parent() -> None:
    new_id("cus")  # the parent holds random bits drawn in advance
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=lambda: queue.put(new_id("cus")[14:]))
    child.start()
    from_child = queue.get(timeout=30)
    child.join(timeout=30)

    assert from_child != new_id("cus")[14:]


def test_a_short_id_is_ten_digits_of_the_id_alphabet_after_its_prefix() -> None:
    ids = {short_id("cmp") for _ in range(1000)}

    assert len(ids) == 1000
    for value in ids:
        prefix, _, digits = value.partition("_")
        assert prefix == "cmp" and len(digits) == 10
        assert set(digits) <= set("0123456789abcdefghjkmnpqrstvwxyz")


def test_the_random_digits_are_the_crockford_digits_of_the_random_bits() -> None:
    import base64

    from invitekit.ids import _TO_CROCKFORD

    for raw in (bytes(10), b"\xff" * 10, bytes(range(10, 20))):
        value = int.from_bytes(raw, "big")
        expected = "".join(ALPHABET[(value >> shift) & 31] for shift in range(75, -1, -5))
        assert base64.b32encode(raw).translate(_TO_CROCKFORD).decode() == expected


def test_ids_made_in_one_millisecond_keep_their_order() -> None:
    made = [new_id("msg") for _ in range(3000)]

    assert [_value(m[4:14]) for m in made] == sorted({_value(m[4:14]) for m in made})
