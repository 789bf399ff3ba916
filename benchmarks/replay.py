"""Replays every stored question through ``bangfu ask --json`` and compares two replays.

A refactoring must not change any answer. This script asks the bot every question of the question sets in
``tests/data/`` and ``../shared/eval/`` (single questions, and each turn of the dialogue sets asked on its
own) through the command line, exactly as a user of ``bangfu ask --json`` would, and writes one JSON line
per question. Run it before and after a change and compare::

    .venv/bin/python benchmarks/replay.py record /tmp/before.jsonl
    # … change the code …
    .venv/bin/python benchmarks/replay.py record /tmp/after.jsonl
    .venv/bin/python benchmarks/replay.py compare /tmp/before.jsonl /tmp/after.jsonl

``compare`` prints every question whose output differs (intent, confidence, entities, answer or sources)
and exits 1 if there is any; fields that only the newer output has are named, not compared. It uses only the command line, so it works on any version of the code.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTION_SETS = (ROOT / "tests" / "data", ROOT.parent / "shared" / "eval")


def questions() -> Iterator[str]:
    """Every question of every stored set, in a stable order, without duplicates."""
    seen: set[str] = set()
    for folder in QUESTION_SETS:
        for path in sorted(folder.glob("*.yaml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                turns = case.get("turns", [case]) if isinstance(case, dict) else []
                for turn in turns:
                    question = turn.get("q") if isinstance(turn, dict) else None
                    usable = isinstance(question, str) and question.strip() and "\n" not in question
                    if usable and question not in seen:
                        seen.add(question)
                        yield question


def record(out: Path) -> int:
    """Asks every question through ``python -m bot ask --json -`` and writes the answers to ``out``."""
    asked = list(questions())
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        input="\n".join(asked) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        return 2
    lines = result.stdout.splitlines()
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} answers to {len(asked)} questions written to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    """Prints the questions whose output differs; exits 1 if any does."""
    old = [json.loads(line) for line in before.read_text(encoding="utf-8").splitlines() if line]
    new = [json.loads(line) for line in after.read_text(encoding="utf-8").splitlines() if line]
    new_by_question = {record["question"]: record for record in new}
    changed = 0
    added: set[str] = set()
    for record in old:
        other = new_by_question.get(record["question"])
        if other is not None:
            added |= set(other) - set(record)
            other = {key: value for key, value in other.items() if key in record}
        if other == record:
            continue
        changed += 1
        print(f"--- {record['question']}")
        if other is None:
            print("    missing after the change")
            continue
        for key in sorted(set(record) | set(other)):
            if record.get(key) != other.get(key):
                print(f"    {key}: {record.get(key)!r}\n    {' ' * len(key)}→ {other.get(key)!r}")
    missing = len(set(new_by_question) - {r["question"] for r in old})
    if added:
        print(f"fields added to every answer (not compared): {', '.join(sorted(added))}")
    print(f"{len(old)} questions compared: {changed} changed, {len(old) - changed} identical, {missing} new")
    return 1 if changed else 0


def main() -> int:
    """Parses the command line and runs ``record`` or ``compare``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("record", help="answer every stored question").add_argument("out", type=Path)
    diff = commands.add_parser("compare", help="list the answers that differ")
    diff.add_argument("before", type=Path)
    diff.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        return record(args.out)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
