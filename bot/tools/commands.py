"""The maintainers' commands of ``bangfu``: ``update``, ``review`` and ``impact``.

:mod:`bot.cli` adds them to its parser with :func:`add_commands` and runs them with :func:`run`; it stays the
only place that configures logging or exits. Each command prints what it did, in words a maintainer who is
no programmer can follow, and the next step to take.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT, Settings

COMMANDS = ("update", "review", "impact")
EXIT_OK, EXIT_FAILED = 0, 1
# How far back `bangfu review` looks unless told otherwise: a month of questions is enough to see patterns.
REVIEW_DAYS = 30
# The question sets impact replays, unless --sets names others (in a checkout; none when installed).
QUESTION_SETS = PROJECT_ROOT / "tests" / "data"


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
    review = commands.add_parser(
        "review",
        help="list the questions users could not get answered, grouped, and teach the bot one (--add)",
        description="Lists declined, unsure and down-rated questions from the question log, grouped by "
        "similarity, each with the nearest intent or FAQ entry. With --add N --to NAME, adds question N "
        "as an example of intent NAME (or a phrasing of FAQ entry NAME), checks the files and lists the "
        "answers that change.",
    )
    review.add_argument(
        "--since", type=int, default=REVIEW_DAYS, metavar="DAYS", help="days back (default: %(default)s)"
    )
    review.add_argument("--csv", type=Path, metavar="FILE", help="also write the list to a spreadsheet (CSV)")
    review.add_argument("--add", metavar="N|QUESTION", help="the number of a listed question, or a question")
    review.add_argument("--to", metavar="NAME", help="the intent, or FAQ entry (its question), to add it to")
    impact = commands.add_parser(
        "impact",
        help="list the answers an edit of knowledge/ or intents/ changes (against the last commit)",
        description="Replays the question sets and the logged questions against the committed knowledge and "
        "intents and against the files as they are now, and lists every answer that changes.",
    )
    impact.add_argument("--against", default="HEAD", metavar="REV", help="the git revision to compare with")
    impact.add_argument(
        "--if-changed", action="store_true", help="do nothing when the files are as committed"
    )
    impact.add_argument("--full", action="store_true", help="show every changed line, not the first few")
    impact.add_argument("--sets", type=Path, action="append", metavar="DIR", help="folders of question sets")


def run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    """Runs one of :data:`COMMANDS`; returns the exit status.

    Raises:
        BangfuError: For the command line to report (a file problem, an impossible update).
    """
    if command == "update":
        return _update(args, settings)
    if command == "review":
        return _review(args, settings)
    if command == "impact":
        return _impact(args, settings)
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


def _questions(settings: Settings, sets: list[Path] | None) -> list[tuple[str, str]]:
    from bot.channels.questionlog import QUESTION_LOG_FILE
    from bot.tools.impact import logged_questions, set_questions, unique

    folders = sets if sets is not None else [QUESTION_SETS] if QUESTION_SETS.is_dir() else []
    return unique([*set_questions(folders), *logged_questions(settings.data_dir / QUESTION_LOG_FILE)])


def _impact(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tools.impact import has_local_changes, measure, report

    if args.if_changed and not has_local_changes(settings.knowledge_dir, settings.intents_dir):
        print("No uncommitted change to the knowledge or intents: no answer to compare.")
        return EXIT_OK
    impact = measure(
        settings.knowledge_dir, settings.intents_dir, _questions(settings, args.sets), revision=args.against
    )
    print(report(impact, full=args.full))
    return EXIT_OK


def _review(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.questionlog import QUESTION_LOG_FILE, read_questions
    from bot.engine import Engine
    from bot.errors import display_path
    from bot.tools.review import ReviewError, format_review, review, write_csv

    if (args.add is None) != (args.to is None):
        raise ReviewError("--add and --to go together: bangfu review --add NUMBER --to INTENT")
    engine = Engine.load(settings.knowledge_dir, settings.intents_dir)
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=args.since)
    groups = review(engine, read_questions(settings.data_dir / QUESTION_LOG_FILE, since))
    if args.add is None:
        print(format_review(groups, args.since))
        if args.csv is not None:
            write_csv(groups, args.csv)
            print(f"Written to {display_path(args.csv)}.")
        return EXIT_OK
    question = args.add
    if args.add.isdigit():
        if not 1 <= int(args.add) <= len(groups):
            raise ReviewError(
                f"there is no question {args.add}: `bangfu review --since {args.since}` lists {len(groups)}"
            )
        question = groups[int(args.add) - 1].question
    return _teach(settings, question, args.to)


def _teach(settings: Settings, question: str, target: str) -> int:
    """Adds ``question`` to ``target``, checks the files (undoing the edit if they do not load), says how the
    bot now answers it, and lists the answers that change."""
    from bot.engine import Engine
    from bot.errors import DataError, display_path
    from bot.tools.impact import ImpactError, measure, report
    from bot.tools.review import add_example

    added = add_example(settings.knowledge_dir, settings.intents_dir, question, target)
    try:
        engine = Engine.load(settings.knowledge_dir, settings.intents_dir)
    except DataError:
        added.undo()
        raise
    print(f"{display_path(added.path)}:{added.line}: added {question!r} to {added.target}.")
    chosen = engine.understand(question).intent
    if chosen is not None and chosen.name == added.target:
        print(f"The bot now answers it as {added.target}.")
    else:
        now = chosen.name if chosen else "declined"
        print(
            f"The bot still answers it as {now}: add another wording, or look with `bangfu console --debug`."
        )
    try:
        impact = measure(
            settings.knowledge_dir, settings.intents_dir, _questions(settings, None), current=engine
        )
    except ImpactError as exc:
        print(f"Impact check skipped: {exc}")
        return EXIT_OK
    print(report(impact))
    return EXIT_OK
