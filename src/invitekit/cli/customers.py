"""``invitekit customers import|list`` and ``invitekit status``: a business's customers."""

from __future__ import annotations

import argparse
from typing import Any

from invitekit.cli.exits import ExitCode
from invitekit.cli.kit import Progress, WatchedStore, add_kit_arguments, open_kit
from invitekit.cli.settings import Settings, open_store

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``customers import``, ``customers list`` and ``status`` to ``commands``."""
    from invitekit.model import Status

    customers = commands.add_parser(
        "customers",
        help="import or list a business's customers",
        description="The customers of the business --business names.",
    )
    actions = customers.add_subparsers(title="commands", metavar="COMMAND", required=True)
    imports = actions.add_parser(
        "import",
        help="add the customers of a CSV file",
        description="Add the customers of a CSV file with a header row: an 'email' "
        "column, and optionally first_name, last_name, locale and groups (names "
        "separated by ';').  Each refused line is printed with the reason; addresses "
        "that are already customers are left unchanged.  Exit status 0 when every line "
        "was imported or already a customer, 1 when a line was refused (the others "
        "are imported).",
    )
    imports.add_argument(
        "file",
        metavar="FILE.csv",
        type=argparse.FileType("r", encoding="utf-8-sig"),
        help="the CSV file ('-' for standard input)",
    )
    imports.add_argument(
        "--group", metavar="NAME", help="put every imported customer in this group"
    )
    imports.add_argument(
        "--invite", action="store_true", help="queue an invitation for each new customer"
    )
    add_kit_arguments(imports)
    imports.set_defaults(run=run_import)
    listing = actions.add_parser(
        "list",
        help="list customers: email, status, name",
        description="List the business's active customers, oldest first, one per line: "
        "email, status and name, separated by tabs.",
    )
    listing.add_argument(
        "--status", choices=[s.value for s in Status], help="only customers with this status"
    )
    listing.add_argument("--group", metavar="NAME", help="only members of this group")
    add_kit_arguments(listing)
    listing.set_defaults(run=run_list)
    status = commands.add_parser(
        "status",
        help="count customers per status and emails per outbox state",
        description="How many active customers the business has in each status, and "
        "how many of its emails are in each state of the outbox.",
    )
    add_kit_arguments(status)
    status.set_defaults(run=run_status)


def run_import(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit customers import FILE.csv``."""
    with args.file as file:
        text = file.read()
    progress = Progress("importing", max(text.count("\n") - 1, 0) or None)
    store = WatchedStore(open_store(settings), lambda customers, _: progress.advance(customers))
    kit = open_kit(settings, store=store)
    try:
        report = kit.import_customers(text, group=args.group, invite=args.invite)
    finally:
        progress.close()
    for line in sorted((*report.errors, *report.existing), key=lambda row: row.line):
        print(f"line {line.line}: {line.message}")
    summary = (
        f"added {len(report.added)} customers, {len(report.existing)} already customers, "
        f"{len(report.errors)} lines refused"
    )
    if args.invite:
        summary += f", {report.queued} invitations queued"
    print(summary)
    return ExitCode.NO if report.errors else ExitCode.OK


def run_list(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit customers list``."""
    from invitekit.model import Status

    kit = open_kit(settings)
    status = Status(args.status) if args.status else None
    for customer in kit.list_customers(status=status, group=args.group):
        name = " ".join(n for n in (customer.first_name, customer.last_name) if n)
        print(f"{customer.email}\t{customer.status.value}\t{name}")
    return ExitCode.OK


def run_status(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit status``."""
    from invitekit.model import OutboxState, Status

    kit = open_kit(settings)
    counts = kit.status_counts()
    outbox = kit.outbox_messages()
    print(f"business {kit.business.id} ({kit.business.name})")
    print("customers:")
    for status in Status:
        print(f"  {status.value:<10} {counts.get(status, 0)}")
    print("outbox:")
    for state in OutboxState:
        print(f"  {state.value:<10} {sum(m.state is state for m in outbox)}")
    return ExitCode.OK
