"""``bangfu eval-all``: scores every question set of an index and prints the README's quality table.

The index (``tests/data/sets.yaml``; its header comment explains the fields) lists each set's file, one line
saying what it is, and, for a set written blind, its first-run score: the score before the set had been
seen, kept as history. The table has one row per set, ``set | what | result | first run``, in the index's
order; a set scoring below its first run is marked, and makes the command fail, since fixes made since then
must not be lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from bot.data.schema import Strict, Text, parse_model
from bot.data.yamlio import load_yaml
from bot.engine import Engine
from bot.errors import DataError, Problem, display_path
from bot.tools.dialogues import evaluate_dialogues, is_dialogue_set, load_dialogues
from bot.tools.evaluate import evaluate, load_cases

_SCORE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
HEADER = ("set", "what", "result", "first run")
BELOW = "below the first run"


@dataclass(frozen=True)
class Score:
    """Questions passed out of a set's total."""

    passed: int
    total: int

    @property
    def percent(self) -> float:
        """Share passed, 0–100."""
        return 100.0 * self.passed / self.total if self.total else 0.0

    def is_below(self, other: Score) -> bool:
        """Whether this is a smaller share than ``other`` (exactly, whatever the two totals)."""
        return self.passed * other.total < other.passed * self.total

    def __str__(self) -> str:
        return f"{self.passed}/{self.total}"


def _parse_score(value: Any) -> str:
    match = _SCORE.match(value) if isinstance(value, str) else None
    if match is None or not 0 <= int(match[1]) <= int(match[2]) or int(match[2]) == 0:
        raise ValueError(
            f"`first_run` is {value!r}; write the questions passed out of the set's total, e.g. 164/168 "
            "(passed no more than the total)"
        )
    return f"{int(match[1])}/{int(match[2])}"


class SetEntry(Strict):
    """One question set of the index."""

    file: Text
    what: Text
    first_run: Annotated[str, BeforeValidator(_parse_score)] | None = None


class SetsFile(Strict):
    """``tests/data/sets.yaml``."""

    version: Literal[1]
    sets: list[SetEntry] = Field(min_length=1)


@dataclass(frozen=True)
class QuestionSet:
    """A question set as the index describes it.

    Attributes:
        path: The set's file.
        name: The file as shown in the table (relative to the working directory when inside it).
        what: What the set is.
        first_run: Its score before it had been seen, or None for a set written alongside the code.
    """

    path: Path
    name: str
    what: str
    first_run: Score | None


@dataclass(frozen=True)
class SetResult:
    """A question set and its score now."""

    question_set: QuestionSet
    score: Score

    @property
    def below_first_run(self) -> bool:
        """Whether the set now passes a smaller share than on its first run."""
        first = self.question_set.first_run
        return first is not None and self.score.is_below(first)


def load_index(path: Path) -> list[QuestionSet]:
    """Reads and checks an index of question sets.

    Args:
        path: The index file; the sets' files are relative to its folder.

    Returns:
        The sets in the index's order.

    Raises:
        DataError: The index is malformed, names a file that does not exist, or names one twice (each
            problem with file and line).
    """
    document = load_yaml(path, display_path(path))
    index = parse_model(SetsFile, document)
    problems: list[Problem] = []
    sets: list[QuestionSet] = []
    seen: dict[Path, int] = {}
    for number, entry in enumerate(index.sets):
        loc = ("sets", number, "file")
        file = path.parent / entry.file
        key = file.resolve()
        if key in seen:
            problems.append(
                document.problem(
                    loc, f"{entry.file} is listed twice (first on line {seen[key]}); keep one of them"
                )
            )
            continue
        seen[key] = document.line(loc)
        if not file.is_file():
            problems.append(
                document.problem(
                    loc, f"question set {entry.file} not found; write its path relative to {document.display}"
                )
            )
            continue
        first_run = Score(*map(int, entry.first_run.split("/"))) if entry.first_run else None
        sets.append(QuestionSet(file, display_path(file), entry.what, first_run))
    if problems:
        raise DataError(problems)
    return sets


def score_sets(engine: Engine, sets: list[QuestionSet]) -> list[SetResult]:
    """Scores every set with the engine.

    Raises:
        DataError: A set's file is malformed (with file and line).
    """
    results = []
    for question_set in sets:
        if is_dialogue_set(question_set.path):
            dialogues = evaluate_dialogues(engine, load_dialogues(question_set.path))
            score = Score(dialogues.passed, len(dialogues.outcomes))
        else:
            report = evaluate(engine, load_cases(question_set.path))
            score = Score(report.passed, len(report.outcomes))
        results.append(SetResult(question_set, score))
    return results


def format_table(results: list[SetResult]) -> str:
    """The markdown table of the README's "Quality" section, one row per set."""
    lines = [f"| {' | '.join(HEADER)} |", "|" + "---|" * len(HEADER)]
    for result in results:
        question_set = result.question_set
        score = f"**{result.score}**, {BELOW}" if result.below_first_run else str(result.score)
        first = str(question_set.first_run) if question_set.first_run else "—"
        lines.append(f"| `{question_set.name}` | {_cell(question_set.what)} | {score} | {first} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a bar would end the cell
