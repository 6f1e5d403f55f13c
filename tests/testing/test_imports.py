"""``invitekit.testing`` is a package whose every public name imports from the top."""

from __future__ import annotations

import subprocess
import sys

import invitekit.testing


def _modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``statement``."""
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_fake_clock_imports_no_smtp_adapter_and_no_optional_dependency() -> None:
    loaded = _modules_after("from invitekit.testing import FakeClock")
    heavy = ("invitekit.adapters.smtp", "invitekit.testing.smtp_server", "aiosmtpd", "trustme")
    heavy += ("invitekit.testing.strategies", "hypothesis")
    assert not [name for name in loaded if name.startswith(heavy)]


def test_the_smtp_test_server_is_imported_when_asked_for() -> None:
    loaded = _modules_after("from invitekit.testing import SMTPTestServer")
    assert "invitekit.adapters.smtp" in loaded


def test_every_name_in_all_is_importable_from_the_package() -> None:
    for name in invitekit.testing.__all__:
        assert getattr(invitekit.testing, name) is not None
    assert set(invitekit.testing.__all__) <= set(dir(invitekit.testing))
