"""``__all__`` is exactly the public surface, and every public name is documented."""

from __future__ import annotations

import importlib
import inspect

import pytest

import invitekit

PUBLIC_MODULES = [
    "invitekit",
    "invitekit.access",
    "invitekit.account_mail",
    "invitekit.accounts",
    "invitekit.adapters.files",
    "invitekit.adapters.memory",
    "invitekit.adapters.smtp",
    "invitekit.adapters.sql",
    "invitekit.adapters.webhooks",
    "invitekit.addresses",
    "invitekit.audience",
    "invitekit.booking_links",
    "invitekit.bounces",
    "invitekit.campaigns",
    "invitekit.cli",
    "invitekit.cli.db",
    "invitekit.cli.exits",
    "invitekit.cli.main",
    "invitekit.cli.settings",
    "invitekit.clock",
    "invitekit.compose",
    "invitekit.email_change",
    "invitekit.emails",
    "invitekit.events",
    "invitekit.exceptions",
    "invitekit.feed",
    "invitekit.facade",
    "invitekit.facade.accounts",
    "invitekit.facade.bounces",
    "invitekit.facade.customers",
    "invitekit.facade.email_change",
    "invitekit.facade.feed",
    "invitekit.facade.invitations",
    "invitekit.facade.links",
    "invitekit.facade.providers",
    "invitekit.facade.privacy",
    "invitekit.facade.worker",
    "invitekit.flows",
    "invitekit.flows.account_mail",
    "invitekit.flows.activation",
    "invitekit.flows.booking_links",
    "invitekit.flows.bounces",
    "invitekit.flows.campaigns",
    "invitekit.flows.context",
    "invitekit.flows.customers",
    "invitekit.flows.delivery",
    "invitekit.flows.email_change",
    "invitekit.flows.feed",
    "invitekit.flows.funnel",
    "invitekit.flows.handed_links",
    "invitekit.flows.links",
    "invitekit.flows.login",
    "invitekit.flows.password_reset",
    "invitekit.flows.providers",
    "invitekit.flows.privacy",
    "invitekit.flows.signup",
    "invitekit.flows.templates",
    "invitekit.flows.worker",
    "invitekit.funnel",
    "invitekit.i18n",
    "invitekit.identities",
    "invitekit.importing",
    "invitekit.model",
    "invitekit.passwords",
    "invitekit.policy",
    "invitekit.privacy",
    "invitekit.ports",
    "invitekit.reports",
    "invitekit.schedule",
    "invitekit.sandbox",
    "invitekit.service",
    "invitekit.settings",
    "invitekit.status",
    "invitekit.testing",
    "invitekit.testing.builders",
    "invitekit.testing.clock",
    "invitekit.testing.crypto",
    "invitekit.testing.faulty_store",
    "invitekit.testing.links",
    "invitekit.testing.mailers",
    "invitekit.testing.smtp_server",
    "invitekit.testing.strategies",
    "invitekit.testing.webhook_server",
    "invitekit.text",
    "invitekit.throttle",
    "invitekit.tokens",
    "invitekit.transitions",
    "invitekit.webhooks",
]


def test_all_is_exactly_the_public_names_of_the_package() -> None:
    public = {
        name
        for name, value in vars(invitekit).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert set(invitekit.__all__) == public
    assert invitekit.__all__ == sorted(invitekit.__all__)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_exported_name_exists_and_has_a_docstring(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__doc__
    for name in getattr(module, "__all__", []):
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{module_name}.{name} has no docstring"


def test_every_error_derives_from_the_root() -> None:
    from invitekit import exceptions

    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), invitekit.InviteKitError)


def test_the_core_imports_no_adapter_or_optional_dependency() -> None:
    import subprocess
    import sys

    code = (
        "import sys, invitekit; "
        "bad = [m for m in sys.modules if m.startswith(('sqlalchemy', 'invitekit.adapters', "
        "'smtplib', 'psycopg', 'pymysql'))]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
