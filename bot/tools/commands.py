"""The maintainers' commands of ``bangfu``: ``update``, ``review`` and ``impact``.

:mod:`bot.cli` adds them to its parser with :func:`add_commands` and runs them with :func:`run`; it stays the
only place that configures logging or exits. Each command prints what it did, in words a maintainer who is
no programmer can follow, and the next step to take.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import Any

from bot.settings import Settings

COMMANDS = ("update", "review", "impact")
EXIT_OK, EXIT_FAILED = 0, 1


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written as YYYY-MM-DD") from None


def add_commands(commands: Any) -> None:
    """Adds the maintainers' subcommands to ``bangfu``'s subparsers."""
    update = commands.add_parser(
        "update",
        help="record a changed office phone or township contact, with its source (knowledge/updates.yaml)",
        description="Records an updated fact with its date and source in knowledge/updates.yaml; answers then "
        "show it, and the guideline's value as superseded. Example: bangfu update 万州区 --phone 023-58569999 "
        "--source 万州区乡村振兴局通知 --date 2026-03-01",
    )
    update.add_argument(
        "place", metavar="PLACE", help="a key district (万州区) or a deep-poverty township (龙驹镇)"
    )
    update.add_argument("--phone", help="the new phone: 023-XXXXXXXX or an 11-digit mobile")
    update.add_argument("--contact", metavar="NAME", help="a township's new contact person (with --title)")
    update.add_argument("--title", help="the new contact's position (with --contact)")
    update.add_argument(
        "--source", metavar="TEXT", help="where the new fact comes from, e.g. 万州区乡村振兴局通知"
    )
    update.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="when it changed (default: today)")
    update.add_argument(
        "--remove", action="store_true", help="delete the update: the guideline's value again"
    )


def run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    """Runs one of :data:`COMMANDS`; returns the exit status.

    Raises:
        BangfuError: For the command line to report (a file problem, an impossible update).
    """
    if command == "update":
        return _update(args, settings)
    raise AssertionError(f"unknown command {command}")  # pragma: no cover - argparse rejects it first


def _update(args: argparse.Namespace, settings: Settings) -> int:
    from bot.errors import display_path
    from bot.tools.update import UpdateRequest, record_update

    request = UpdateRequest(
        place=args.place,
        phone=args.phone,
        contact=args.contact,
        title=args.title,
        date=args.date,
        source=args.source,
        remove=args.remove,
    )
    result = record_update(settings.knowledge_dir, request, today=datetime.date.today())
    print(f"{display_path(result.path)}: {result.summary}")
    print(
        "Next: `bangfu impact` lists the answers that change; a running bot takes it up on /reload "
        "(or `systemctl reload bangfu`, which sends it SIGHUP).",
        file=sys.stdout,
    )
    return EXIT_OK
