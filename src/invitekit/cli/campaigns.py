"""``invitekit plan``, ``invitekit invite`` and ``invitekit send-test``: inviting customers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from invitekit.cli.exits import ExitCode, Refused
from invitekit.cli.kit import Progress, WatchedStore, add_kit_arguments, open_kit
from invitekit.cli.settings import Settings, open_store

if TYPE_CHECKING:
    from invitekit import Audience, InvitationPlan

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``plan``, ``invite`` and ``send-test`` to ``commands``."""
    plan = commands.add_parser(
        "plan",
        help="who an invitation campaign would reach, and who it would skip and why",
        description="Show who would get an invitation and who would be skipped, "
        "grouped by reason with counts.  Nothing is queued.",
    )
    _add_audience_arguments(plan)
    plan.set_defaults(run=run_plan)
    invite = commands.add_parser(
        "invite",
        help="queue invitations for an audience, after showing the plan",
        description="Show the plan, ask for confirmation on a terminal, and queue an "
        "invitation for every recipient (`invitekit worker` sends them).  Without a "
        "terminal, --yes is needed.  Exit status 1 when the answer was no or no "
        "confirmation could be asked.",
    )
    _add_audience_arguments(invite)
    invite.add_argument("--yes", action="store_true", help="queue without asking")
    invite.set_defaults(run=run_invite)
    test = commands.add_parser(
        "send-test",
        help="send a test invitation to an address, now",
        description="Send the invitation, composed exactly as a real one, to ADDRESS at "
        "once (not through the outbox).  Its links are marked as a test and open "
        "nothing.  Needs the secret keys and the mail URL.",
    )
    test.add_argument("address", metavar="ADDRESS", help="where to send it")
    test.add_argument(
        "--locale", metavar="LANG", help="the language to test (default: the business's)"
    )
    add_kit_arguments(test)
    test.set_defaults(run=run_send_test)


def _add_audience_arguments(parser: argparse.ArgumentParser) -> None:
    from invitekit.model import Status

    audience = parser.add_argument_group("audience (one of)").add_mutually_exclusive_group(
        required=True
    )
    audience.add_argument("--group", metavar="NAME", help="the members of a group")
    audience.add_argument(
        "--status", choices=[s.value for s in Status], help="the customers with this status"
    )
    audience.add_argument("--all", action="store_true", help="every customer")
    add_kit_arguments(parser)


def _audience(args: argparse.Namespace) -> Audience:
    from invitekit import Audience
    from invitekit.model import Status

    if args.group is not None:
        return Audience.group(args.group)
    if args.status is not None:
        return Audience.status(Status(args.status))
    return Audience.all()


def _print_plan(plan: InvitationPlan, *, names: bool) -> None:
    print(
        f"{plan.audience.describe()}: {len(plan.recipients)} to invite, "
        f"{len(plan.skipped)} skipped"
    )
    if names and plan.recipients:
        print("to invite:")
        for customer in plan.recipients:
            print(f"  {customer.email}")
    for reason, count in sorted(plan.skipped_counts().items(), key=lambda item: -item[1]):
        print(f"skipped, {reason.message}: {count}")
        if names:
            for item in plan.skipped:
                if item.reason is reason:
                    print(f"  {item.customer.email}")
    if plan.empty_reason:
        print(f"nobody to invite: {plan.empty_reason}")


def run_plan(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit plan``."""
    kit = open_kit(settings)
    _print_plan(kit.plan_invitations(_audience(args)), names=True)
    return ExitCode.OK


def run_invite(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit invite``: the plan, a confirmation, then the invitations queued."""
    audience = _audience(args)
    store = open_store(settings)
    plan = open_kit(settings, store=store).plan_invitations(audience)
    _print_plan(plan, names=False)
    if not plan.recipients:
        return ExitCode.OK
    count = len(plan.recipients)
    if not args.yes:
        if not sys.stdin.isatty():
            raise Refused(
                f"not queueing {count} invitations without a confirmation: run on a "
                "terminal to answer, or add --yes"
            )
        answer = input(f"Queue {count} invitations? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing queued")
            return ExitCode.NO
    progress = Progress("queueing", count)
    watched = WatchedStore(store, lambda _, queued: progress.advance(queued))
    try:
        report = open_kit(settings, store=watched).invite_audience(audience)
    finally:
        progress.close()
    skipped = ", ".join(f"{reason.message}: {n}" for reason, n in report.skipped.items())
    print(f"queued {report.queued} invitations" + (f"; skipped: {skipped}" if skipped else ""))
    return ExitCode.OK


def run_send_test(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit send-test ADDRESS``."""
    kit = open_kit(settings, sending=True)
    email = kit.send_test_invitation(args.address, locale=args.locale)
    print(f"sent a test invitation to {args.address}: {email.subject}")
    return ExitCode.OK
