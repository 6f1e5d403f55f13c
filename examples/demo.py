"""The invitekit demo: the whole invitation lifecycle on the embedded defaults.

Run it with ``python3 dev.py demo`` (or ``python examples/demo.py`` inside the
virtual environment).  It

1. imports the customers in ``examples/customers.csv`` into a SQLite database,
2. plans an invitation to the group "Monday class" and shows who is skipped and why,
3. queues the invitations and delivers them as ``.eml`` files into a folder,
4. follows one activation link and chooses a password, as the customer would,
5. prints the status counts and where everything is.

Every run starts afresh in ``demo-output/demo/`` (or the folder given as argument;
``demo-output/webapp/`` is the example web app's).
The demo only ever writes into a folder it made itself: it marks the folders it
makes with a ``.invitekit-demo`` file, refuses a folder that exists with other
things in it and no mark (``demo .`` leaves your checkout alone), and on a new
run removes only what it made there (its database and its ``outbox/``).
"""

from __future__ import annotations

import email
import email.policy
import secrets
import shutil
import sys
from email.message import EmailMessage
from pathlib import Path

from invitekit import Audience, Business, InviteKit, Status, SystemClock
from invitekit.adapters.files import FolderMailer
from invitekit.adapters.sql import SQLStore

HERE = Path(__file__).resolve().parent
ACTIVATION_PAGE = "https://studio.example/activate/"


MARKER = ".invitekit-demo"
# What a run leaves in its folder, and so all that a later run removes.
DATABASE_FILES = ("invitekit.db", "invitekit.db-journal", "invitekit.db-wal", "invitekit.db-shm")
OUTBOX = "outbox"


class FolderRefused(Exception):
    """The output folder is not one the demo may write into."""


def prepare(output: Path) -> None:
    """Make ``output`` ready for a fresh run, touching nothing the demo did not make.

    Raises:
        FolderRefused: ``output`` is not a folder, is a symbolic link, or has
            things in it but no mark of the demo; or what the demo made there
            was replaced by a link (to somewhere else).
    """
    outbox, marker = output / OUTBOX, output / MARKER
    marked = marker.is_file() and not marker.is_symlink()
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise FolderRefused(f"{output} is not a folder the demo made; give another one")
    if output.exists() and not marked and any(output.iterdir()):
        raise FolderRefused(
            f"{output} already exists and was not made by the demo, so the demo will not "
            "write into it (nor delete anything in it): give a new or empty folder"
        )
    if outbox.is_symlink() or (outbox.exists() and not outbox.is_dir()):
        raise FolderRefused(f"{outbox} is not the folder the demo made; remove it yourself")
    # Checked: from here on only what the demo itself made is removed.
    output.mkdir(parents=True, exist_ok=True)
    if not marked:
        marker.write_text("made by examples/demo.py; a new run starts afresh here\n")
    for name in DATABASE_FILES:
        (output / name).unlink(missing_ok=True)
    if outbox.exists():
        shutil.rmtree(outbox)


def main(output: Path) -> None:
    prepare(output)
    database, outbox = output / "invitekit.db", output / OUTBOX

    store = SQLStore.from_url(f"sqlite:///{database}")
    # Every run starts afresh, so a new key each run does: no link outlives its run.
    # In production, generate the key once and load it from your configuration.
    secret_key = secrets.token_urlsafe(32)
    clock = SystemClock()
    kit = InviteKit(
        store=store,
        mailer=FolderMailer(outbox, clock=clock),  # the clock dates each email
        clock=clock,
        business=Business(
            id="studio-one",
            name="Studio One",
            sender="hello@studio.example",
            timezone="Europe/Vienna",
            default_locale="de",
            signature="Studio One · Hauptstraße 1 · 1010 Wien",
            activation_url=ACTIVATION_PAGE + "{token}",
            unsubscribe_url="https://studio.example/unsubscribe/{token}",
            reset_url="https://studio.example/reset/{token}",
        ),
        secret_keys=[secret_key],
    )

    print("1. Importing examples/customers.csv")
    with (HERE / "customers.csv").open(encoding="utf-8") as file:
        imported = kit.import_customers(file)
    print(f"   added {len(imported.added)} customers")
    for problem in (*imported.existing, *imported.errors):
        print(f"   line {problem.line} skipped: {problem.message}")

    print('\n2. Planning an invitation to the group "Monday class"')
    first = kit.find_customer("noname@example.com")
    assert first is not None
    kit.archive_customer(first.id)  # so that the plan has someone to skip
    plan = kit.plan_invitations(Audience.group("Monday class"))
    for customer in plan.recipients:
        print(f"   will invite {customer.email}")
    for skipped in plan.skipped:
        print(f"   will skip   {skipped.message}")

    print("\n3. Queueing and delivering")
    queued = kit.invite_audience(Audience.group("Monday class"))
    delivered = kit.deliver()
    print(f"   queued {queued.queued}, delivered {delivered.sent}, into {outbox}/")

    print("\n4. Ana follows the link in her email and chooses a password")
    ana = kit.find_customer("ana.garcia@example.com")
    assert ana is not None
    # The outbox keeps what was sent, not the email: read Ana's from its .eml file.
    (sent,) = kit.outbox_messages(customer_id=ana.id)
    (path,) = [p for p in outbox.glob("*.eml") if p.name.startswith(sent.id)]
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    text = body.get_content()
    token = text[text.index(ACTIVATION_PAGE) :].split()[0][len(ACTIVATION_PAGE) :]
    check = kit.check_activation(token)  # the GET: shows the form, changes nothing
    print(f"   the activation page greets {check.first_name} <{check.email}>")
    kit.accept_invitation(token, "una contraseña muy larga")  # the POST
    print(f"   {ana.email} is now {kit.get_customer(ana.id).status.value}")

    print("\n5. Status counts (archived customers not counted)")
    for status, count in kit.status_counts().items():
        print(f"   {status.value:<9} {count}")
    print(f"\nThe database is {database}")
    print(f"The emails are .eml files in {outbox}/ (open them with any mail program):")
    for path in sorted(outbox.glob("*.eml")):
        print(f"   {path.name}")
    assert kit.status_counts()[Status.ACCEPTED] == 1
    print("\nTo see it all in a browser, as the studio and as its customers:")
    print(
        "   python3 dev.py serve    then open http://127.0.0.1:5000/admin/ (password: demo-admin)"
    )


if __name__ == "__main__":
    try:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd() / "demo-output" / "demo")
    except FolderRefused as refused:
        sys.exit(f"demo: {refused}")
