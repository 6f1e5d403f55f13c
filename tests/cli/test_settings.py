"""The command's settings: flags over environment, secret keys, mail URLs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from invitekit.adapters.files import FolderMailer
from invitekit.adapters.smtp import Security, SMTPMailer
from invitekit.cli.main import build_parser, main
from invitekit.cli.settings import Settings, mailer_from_url, parse_secret_keys
from invitekit.exceptions import ConfigurationError


def settings(*args: str, **environ: str) -> Settings:
    parsed = build_parser().parse_args([*args, "db", "current"])
    return Settings.from_arguments(parsed, environ)


def test_a_flag_wins_over_its_variable() -> None:
    got = settings("--database-url", "sqlite:///a.db", INVITEKIT_DATABASE_URL="sqlite:///b.db")

    assert got.database_url == "sqlite:///a.db"
    assert settings(INVITEKIT_DATABASE_URL="sqlite:///b.db").database_url == "sqlite:///b.db"


def test_keys_from_the_variable_split_at_commas_and_newlines() -> None:
    got = settings(INVITEKIT_SECRET_KEYS=" new-key ,\nold-key\n\n")

    assert got.secret_keys() == ["new-key", "old-key"]


def test_keys_from_a_file_one_per_line_win_over_the_variable(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# rotated 2026-01\nnew,with,commas\n\nold\n")

    got = settings("--secret-keys-file", str(keys), INVITEKIT_SECRET_KEYS="ignored")

    assert got.secret_keys() == ["new,with,commas", "old"]


def test_missing_keys_and_an_unreadable_file_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="INVITEKIT_SECRET_KEYS"):
        settings().secret_keys()
    with pytest.raises(ConfigurationError, match="cannot read"):
        settings(INVITEKIT_SECRET_KEYS_FILE=str(tmp_path / "missing")).secret_keys()


def test_parse_secret_keys_drops_blank_and_comment_entries() -> None:
    assert parse_secret_keys("a\n# b\n \nc", separators="\n") == ["a", "c"]


def test_an_smtp_url_makes_an_smtp_mailer() -> None:
    mailer = mailer_from_url("smtp://me%40studio:p%3Ass@mail.example:2525?security=ssl")

    assert isinstance(mailer, SMTPMailer)
    assert (mailer.host, mailer.port, mailer.security) == ("mail.example", 2525, Security.SSL)
    assert mailer._credentials == ("me@studio", "p:ss")


def test_an_smtp_url_defaults_to_starttls_on_its_port() -> None:
    mailer = mailer_from_url("smtp://mail.example")

    assert isinstance(mailer, SMTPMailer)
    assert (mailer.port, mailer.security) == (587, Security.STARTTLS)
    plain = mailer_from_url("smtp://localhost?security=none")
    assert isinstance(plain, SMTPMailer)
    assert plain.security is Security.PLAIN


def test_a_folder_url_makes_a_folder_mailer(tmp_path: Path) -> None:
    mailer = mailer_from_url(f"folder:{tmp_path}/mail")

    assert isinstance(mailer, FolderMailer)
    assert mailer.folder == tmp_path / "mail"


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example",
        "smtp://",
        "smtp://mail.example?security=tls",
        "smtp://mail.example?port=25",
        "smtp://mail.example:99999",
        "folder:",
        "smtp://user:s3cret@mail.example?security=bogus",
    ],
)
def test_an_unusable_mail_url_is_a_configuration_error_without_the_password(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        mailer_from_url(url)

    assert "s3cret" not in str(caught.value)


def test_settings_mailer_needs_a_url() -> None:
    with pytest.raises(ConfigurationError, match="INVITEKIT_MAIL_URL"):
        settings().mailer()
    assert isinstance(settings(INVITEKIT_MAIL_URL="folder:/tmp/x").mailer(), FolderMailer)


def test_main_returns_the_exit_code_and_writes_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "current"], environ={}) == 3

    assert capsys.readouterr().err.count("\n") == 1


def test_commands_have_a_run_function() -> None:
    parsed = build_parser().parse_args(["db", "upgrade"])

    assert callable(parsed.run)
    assert isinstance(parsed, argparse.Namespace)
