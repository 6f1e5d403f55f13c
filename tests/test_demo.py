"""The README's demo runs, on the embedded default (SQLite, .eml files), as a new user runs it."""

from __future__ import annotations

import email
import email.policy
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_demo(output: Path | None, *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    folder = [] if output is None else [str(output)]
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), *folder],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=cwd,
    )


def test_the_demo_emails_carry_a_date(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    assert run_demo(output).returncode == 0
    for path in (output / "outbox").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["Date"].datetime.tzinfo is not None, path.name


def test_demo_imports_invites_delivers_and_activates(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    result = run_demo(output)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ana.garcia@example.com is now accepted" in result.stdout
    assert "noname@example.com is archived" in result.stdout

    emails = sorted((output / "outbox").glob("*.eml"))
    recipients = {
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"] for p in emails
    }
    assert recipients == {
        "ana.garcia@example.com",
        "marie.dubois@example.com",
        "jonas.huber@example.com",
    }
    with sqlite3.connect(output / "invitekit.db") as db:
        statuses = dict(
            db.execute("SELECT email, status FROM invitekit_customers ORDER BY email").fetchall()
        )
    assert statuses["ana.garcia@example.com"] == "accepted"
    assert statuses["marie.dubois@example.com"] == "invited"
    assert statuses["lea.moser@example.com"] == "added"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_folder_the_demo_did_not_make_is_refused_and_left_alone(tmp_path: Path) -> None:
    # `python3 dev.py demo .` in a checkout: the folder has things in it and no mark.
    checkout = tmp_path / "checkout"
    (checkout / "src").mkdir(parents=True)
    (checkout / "src" / "code.py").write_text("print('precious')\n")
    (checkout / "README.md").write_text("# mine\n")
    before = _files(checkout)

    result = run_demo(Path("."), cwd=checkout)

    assert result.returncode != 0
    assert "was not made by the demo" in result.stderr
    assert "Traceback" not in result.stderr
    assert _files(checkout) == before


def test_a_file_or_a_link_is_refused(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.txt").write_text("keep me\n")
    link = tmp_path / "link"
    link.symlink_to(precious)
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me too\n")

    assert run_demo(link).returncode != 0
    assert run_demo(a_file).returncode != 0
    assert (precious / "data.txt").read_text() == "keep me\n"
    assert a_file.read_text() == "keep me too\n"


def test_a_new_run_starts_afresh_removing_only_what_the_demo_made(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    assert run_demo(output).returncode == 0
    first = sorted(p.name for p in (output / "outbox").glob("*.eml"))
    (output / "notes.txt").write_text("my notes\n")

    again = run_demo(output)

    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(p.name for p in (output / "outbox").glob("*.eml")) != first  # fresh ones
    assert len(list((output / "outbox").glob("*.eml"))) == len(first)
    assert (output / "notes.txt").read_text() == "my notes\n"


def test_an_empty_folder_is_used_and_marked(tmp_path: Path) -> None:
    output = tmp_path / "empty"
    output.mkdir()
    assert run_demo(output).returncode == 0
    assert (output / ".invitekit-demo").is_file()


def test_an_outbox_replaced_by_a_link_is_refused_and_nothing_outside_is_deleted(
    tmp_path: Path,
) -> None:
    output = tmp_path / "demo-output"
    assert run_demo(output).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data.txt").write_text("keep me\n")
    for eml in (output / "outbox").iterdir():
        eml.unlink()
    (output / "outbox").rmdir()
    (output / "outbox").symlink_to(elsewhere)

    result = run_demo(output)

    assert result.returncode != 0
    assert "outbox" in result.stderr
    assert (elsewhere / "data.txt").read_text() == "keep me\n"


def test_the_default_folder_leaves_the_web_apps_data_alone(tmp_path: Path) -> None:
    webapp = tmp_path / "demo-output" / "webapp"
    webapp.mkdir(parents=True)
    (webapp / "secrets.json").write_text("{}\n")

    for _ in range(2):
        result = run_demo(None, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr

    assert list((tmp_path / "demo-output" / "demo" / "outbox").glob("*.eml"))
    assert (webapp / "secrets.json").read_text() == "{}\n"
