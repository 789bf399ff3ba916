"""The command line, ``bangfu`` / ``python -m bot``: the only place that configures logging or exits.

Commands: ``console`` (default without a token), ``telegram`` (default with one), ``ask``, ``eval``,
``eval-all``, ``validate``, ``build-knowledge``, ``backup`` and ``health``; the maintainers' ``update``,
``review`` and ``impact`` are in :mod:`bot.tools.commands`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import BangfuError, DataError, SettingsError
from bot.logsetup import choose_format, configure_logging
from bot.settings import Settings
from bot.tools import commands as maintainers

if TYPE_CHECKING:
    from bot.engine import Engine  # imported lazily at run time: it loads jieba

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="bangfu",
        description="帮扶助手: answers social organizations' questions from 《重庆市社会组织参与脱贫攻坚工作指引》.",
        epilog="Without a command: the Telegram bot if TELEGRAM_BOT_TOKEN is set, else the console.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    console = commands.add_parser("console", help="chat in the terminal (answers piped lines and exits)")
    console.add_argument(
        "--debug", action="store_true", help="also show intent, confidence, entities, runner-up"
    )
    commands.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    ask = commands.add_parser(
        "ask", help="answer questions given as arguments, or one per line on stdin with -"
    )
    ask.add_argument("questions", nargs="+", metavar="QUESTION", help="questions, or - to read stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="each block of lines (blank line between) is one conversation",
    )
    evaluate = commands.add_parser(
        "eval",
        help="score a question set or a dialogue set (formats of tests/data/dev.yaml, dialogs-dev.yaml)",
    )
    evaluate.add_argument("file", help="the question set")
    evaluate.add_argument("--min", type=float, default=0.0, metavar="PCT", help="fail below this pass rate")
    evaluate.add_argument("--show-fail", action="store_true", help="list every failed case")
    evaluate_all = commands.add_parser(
        "eval-all", help="score every question set of an index and print the README's quality table"
    )
    evaluate_all.add_argument(
        "index", nargs="?", default="tests/data/sets.yaml", help="the index (default: %(default)s)"
    )
    tune = commands.add_parser("tuning", help="repeat the measurement behind each tuning threshold")
    tune.add_argument("names", nargs="*", metavar="NAME", help="thresholds to measure (default: all)")
    tune.add_argument(
        "--index", default="tests/data/sets.yaml", help="the question sets (default: %(default)s)"
    )
    tune.add_argument(
        "--chatter", default="tests/fixtures/group_chatter.txt", help="group chatter (default: %(default)s)"
    )
    tune.add_argument("--all", action="store_true", help="sweep over every set, not only the tuning sets")
    commands.add_parser("validate", help="check the knowledge and intent files")
    backup = commands.add_parser(
        "backup", help="copy the data directory consistently, even while the bot runs, into a new directory"
    )
    backup.add_argument("destination", metavar="DEST", help="a new (or empty) directory for the copy")
    commands.add_parser("health", help="ask the running bot's /healthz (BANGFU_LISTEN); exit 1 if unhealthy")
    build = commands.add_parser("build-knowledge", help="generate knowledge files from the guideline's text")
    mode = build.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    mode.add_argument("--force", action="store_true", help="overwrite hand edits with the guideline's values")
    maintainers.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns the exit status."""
    args = build_parser().parse_args(argv)
    env = os.environ
    try:
        settings = Settings.from_env(env)
    except BangfuError as exc:
        print(f"bangfu: {exc}", file=sys.stderr)
        return EXIT_ERROR
    command = args.command or ("telegram" if settings.telegram_token else "console")
    level = settings.log_level_number
    if command != "telegram" and "BANGFU_LOG_LEVEL" not in env:
        level = logging.WARNING  # keep the console and reports clean unless asked otherwise
    configure_logging(level, settings.secrets(), choose_format(settings.log_format, env, sys.stderr))
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        return _run(command, args, settings)
    except DataError as exc:
        print(f"bangfu: the knowledge or intent files have {len(exc.problems)} problem(s):", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except BangfuError as exc:
        print(f"bangfu: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`bangfu ask … | head`): stop quietly, and keep Python from reporting
        # the failed flush of stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


def _run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "build-knowledge":
        return _build_knowledge(settings, check=args.check, force=args.force)
    if command == "backup":
        return _backup(settings, Path(args.destination))
    if command == "health":
        return _health(settings)
    if command in maintainers.COMMANDS:
        return maintainers.run(command, args, settings)
    if command == "telegram":
        settings.require_token()
        from bot.channels.telegram.app import run_telegram

        return run_telegram(settings)
    from bot.engine import Engine

    engine = Engine.load(settings.knowledge_dir, settings.intents_dir)
    if command == "validate":
        print(
            f"OK: {len(engine.kb.key_districts)} key districts, {len(engine.kb.townships)} townships, "
            f"{len(engine.kb.villages)} villages, {len(engine.intents)} intents"
        )
        return EXIT_OK
    if command == "console":
        from bot.channels.console import run_console

        debug = bool(getattr(args, "debug", False))
        history = settings.data_dir / "console_history"
        return run_console(engine, stdin=sys.stdin, stdout=sys.stdout, debug=debug, history=history)
    if command == "ask":
        from bot.channels.ask import ask

        stdin = list(args.questions) == ["-"]
        lines = sys.stdin if stdin else args.questions
        failed = ask(engine, lines, sys.stdout, as_json=args.json, in_conversations=args.conversation)
        return EXIT_FAILED if failed else EXIT_OK
    if command == "eval":
        from bot.tools.dialogues import (
            evaluate_dialogues,
            format_dialogue_report,
            is_dialogue_set,
            load_dialogues,
        )
        from bot.tools.evaluate import evaluate, format_report, load_cases

        path = Path(args.file)
        if is_dialogue_set(path):
            dialogues = evaluate_dialogues(engine, load_dialogues(path))
            print(format_dialogue_report(dialogues, show_fail=args.show_fail))
            percent = dialogues.percent
        else:
            report = evaluate(engine, load_cases(path))
            print(format_report(report, show_fail=args.show_fail))
            percent = report.percent
        if percent < args.min:
            print(f"bangfu: {percent:.1f}% is below the required {args.min:g}%", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    if command == "eval-all":
        return _evaluate_all(engine, args.index)
    if command == "tuning":
        return _tuning(engine, settings, args)
    raise AssertionError(f"unknown command {command}")  # pragma: no cover - argparse rejects it first


def _backup(settings: Settings, destination: Path) -> int:
    from bot.tools.backup import backup

    copied = backup(settings.data_dir, destination)
    for item in copied:
        print(item)
    print(f"backed up {len(copied)} file(s) from {settings.data_dir} to {destination.resolve()}")
    return EXIT_OK


def _health(settings: Settings) -> int:
    from bot.tools.healthcheck import check_health

    if settings.listen is None:
        raise SettingsError(
            "BANGFU_LISTEN is not set, so the bot runs no HTTP server to ask; set it as the bot's"
        )
    healthy, reason = check_health(settings.listen)
    print(reason)
    return EXIT_OK if healthy else EXIT_FAILED


def _tuning(engine: Engine, settings: Settings, args: argparse.Namespace) -> int:
    from bot.engine import Engine
    from bot.tools.tuning import measure_all, read_chatter

    def make_engine() -> Engine:
        return Engine.load(settings.knowledge_dir, settings.intents_dir)

    chatter = read_chatter(Path(args.chatter))
    results = measure_all(
        lambda: engine, make_engine, Path(args.index), chatter, args.names, every_set=args.all
    )
    for result in results:
        print(result)
    return EXIT_OK if all(result.holds for result in results) else EXIT_FAILED


def _evaluate_all(engine: Engine, index: str) -> int:

    from bot.tools.quality import format_table, load_index, score_sets

    results = score_sets(engine, load_index(Path(index)))
    print(format_table(results))  # stdout holds the table alone, ready to paste into the README
    below = [result for result in results if result.below_first_run]
    for result in below:
        print(
            f"bangfu: {result.question_set.name} passes {result.score}, "
            f"below its first run ({result.question_set.first_run})",
            file=sys.stderr,
        )
    return EXIT_FAILED if below else EXIT_OK


def _build_knowledge(settings: Settings, *, check: bool, force: bool) -> int:
    from bot.tools.builder import Outcome, build_knowledge

    shipped = settings.layout.kind == "installed" and settings.knowledge_dir == settings.layout.knowledge_dir
    if shipped and not check:
        # pip recorded those files; rewriting them would leave an installation that no longer matches it
        raise SettingsError(
            f"build-knowledge would rewrite the knowledge files installed with the package "
            f"({settings.knowledge_dir}); set BANGFU_KNOWLEDGE_DIR to a copy of them, or use --check"
        )
    reports = build_knowledge(settings.knowledge_dir, check=check, force=force)
    status = EXIT_OK
    for report in reports:
        print(f"{report.path}: {report.outcome.value}")
        for difference in report.differences:
            print(f"  {difference}")
        if report.outcome in (Outcome.DRIFTED, Outcome.MISSING):
            status = EXIT_FAILED
    if status != EXIT_OK and not check:
        print(
            "Hand edits were kept. Run `bangfu build-knowledge --force` to replace them with the guideline's values."
        )
    return status
