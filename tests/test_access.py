"""Booking-page login modes and the portal gate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit.access import (
    LoginMode,
    LoginRequirement,
    can_use_portal,
    login_requirement,
    must_log_in,
)
from invitekit.exceptions import ConfigurationError
from invitekit.model import Customer, Status

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def customer(status: Status, *, archived: bool = False) -> Customer:
    return Customer(
        id="c1",
        business_id="studio-1",
        email="ana@example.com",
        email_key="ana@example.com",
        status=status,
        archived=archived,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("mode", "logged_in", "expected"),
    [
        (LoginMode.DISABLED, False, LoginRequirement.NOT_OFFERED),
        (LoginMode.DISABLED, True, LoginRequirement.NOT_OFFERED),
        (LoginMode.OPTIONAL, False, LoginRequirement.OFFERED),
        (LoginMode.OPTIONAL, True, LoginRequirement.SATISFIED),
        (LoginMode.REQUIRED, False, LoginRequirement.REQUIRED),
        (LoginMode.REQUIRED, True, LoginRequirement.SATISFIED),
    ],
)
def test_login_requirement_for_each_mode(
    mode: LoginMode, logged_in: bool, expected: LoginRequirement
) -> None:
    assert login_requirement(mode, logged_in=logged_in) is expected


@pytest.mark.parametrize(
    ("mode", "logged_in", "expected"),
    [
        (LoginMode.DISABLED, False, False),
        (LoginMode.DISABLED, True, False),
        (LoginMode.OPTIONAL, False, False),
        (LoginMode.OPTIONAL, True, False),
        (LoginMode.REQUIRED, False, True),
        (LoginMode.REQUIRED, True, False),
    ],
)
def test_only_a_required_login_stops_a_visitor_who_is_not_logged_in(
    mode: LoginMode, logged_in: bool, expected: bool
) -> None:
    assert must_log_in(mode, logged_in=logged_in) is expected


def test_a_mode_may_be_given_as_its_stored_string() -> None:
    assert login_requirement("required", logged_in=False) is LoginRequirement.REQUIRED
    assert must_log_in("optional", logged_in=False) is False


@pytest.mark.parametrize("mode", ["mandatory", "", "REQUIRED"])
def test_an_unknown_mode_is_a_configuration_error(mode: str) -> None:
    with pytest.raises(ConfigurationError, match="unknown login mode"):
        login_requirement(mode, logged_in=False)


def test_the_mode_values_are_stable() -> None:
    assert [m.value for m in LoginMode] == ["disabled", "optional", "required"]


@pytest.mark.parametrize(
    ("status", "archived", "expected"),
    [
        (Status.ADDED, False, False),
        (Status.INVITED, False, False),
        (Status.ACCEPTED, False, True),
        (Status.ADDED, True, False),
        (Status.INVITED, True, False),
        (Status.ACCEPTED, True, False),
    ],
)
def test_only_accepted_customers_who_are_not_archived_use_the_portal(
    status: Status, archived: bool, expected: bool
) -> None:
    assert can_use_portal(customer(status, archived=archived)) is expected


@given(mode=st.sampled_from(list(LoginMode)), logged_in=st.booleans())
def test_a_logged_in_visitor_is_never_stopped_and_a_disabled_page_never_offers_login(
    mode: LoginMode, logged_in: bool
) -> None:
    requirement = login_requirement(mode, logged_in=logged_in)
    assert must_log_in(mode, logged_in=True) is False
    assert (requirement is LoginRequirement.NOT_OFFERED) == (mode is LoginMode.DISABLED)
    assert must_log_in(mode, logged_in=logged_in) == (requirement is LoginRequirement.REQUIRED)
