"""``bangfu impact``: which answers an edit of the knowledge or the intents changes, before it goes live.

It replays the stored questions (every question of the question sets in ``tests/data/`` and every question in
the question log) against the committed knowledge and intents (git ``HEAD``, or another revision) and
against the files as they are now, and lists every question whose answer differs: the question, where it
comes from, and the lines of the answer before and after.

Both sides are answered by the code as it is now, so only the files' edit shows; the committed files are
taken with ``git archive`` into a temporary directory, leaving the working copy alone.
"""

from __future__ import annotations

import difflib
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.channels.questionlog import read_questions
from bot.channels.text import render_text
from bot.engine import Engine
from bot.errors import BangfuError, display_path

# Files of a question-set folder that hold no questions.
NOT_QUESTION_SETS = frozenset({"sets.yaml", "traditional_news.yaml"})
# Lines of each side shown for a changed answer (``--full`` shows all).
SHOWN_LINES = 3
# Shown when one side of a change only lost or only gained lines.
_NOTHING = "(nothing in place of the other side's lines)"
# A git command that does not answer in this many seconds is not going to.
GIT_TIMEOUT = 60


class ImpactError(BangfuError):
    """The comparison cannot be made (no git checkout, an unknown revision)."""


@dataclass(frozen=True)
class Answer:
    """What the bot answers, as the console shows it."""

    intent: str | None
    text: str


@dataclass(frozen=True)
class Change:
    """A stored question whose answer an edit changes.

    Attributes:
        question: The question.
        origin: Where it is stored: a question set's file, or ``question log``.
        before: The answer from the committed files.
        after: The answer from the files as they are now.
    """

    question: str
    origin: str
    before: Answer
    after: Answer

    def lines(self, limit: int | None = SHOWN_LINES) -> list[str]:
        """The change as a maintainer reads it: the question, then the lines that differ on each side."""
        old, new = self.before.text.splitlines(), self.after.text.splitlines()
        removed: list[str] = []
        added: list[str] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if tag != "equal":
                removed += old[i1:i2]
                added += new[j1:j2]
        shown = [f"问:{self.question}  [{self.origin}]"]
        for label, answer, lines in (("before", self.before, removed), ("after", self.after, added)):
            cut = [line for line in (lines if limit is None else lines[:limit]) if line.strip()]
            shown.append(f"  {label} ({answer.intent or 'declined'}):")
            shown += [f"      {line}" for line in cut or [_NOTHING]]
            if len(cut) < len([line for line in lines if line.strip()]):
                shown.append(f"      … {len(lines) - len(cut)} more line(s); --full shows them")
        return shown


def set_questions(folders: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """Every question of the question sets in ``folders``, with its file: single questions and each turn of
    a dialogue, each once."""
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            if path.name in NOT_QUESTION_SETS:
                continue
            cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            for case in cases if isinstance(cases, list) else []:
                turns = case.get("turns", [case]) if isinstance(case, dict) else []
                for turn in turns:
                    question = turn.get("q") if isinstance(turn, dict) else None
                    if isinstance(question, str) and question.strip():
                        yield question, display_path(path)


def logged_questions(log: Path) -> Iterator[tuple[str, str]]:
    """Every question of the question log."""
    for row in read_questions(log):
        yield row.question, "question log"


def unique(questions: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each question once, with the first place it was found."""
    first: dict[str, str] = {}
    for question, origin in questions:
        first.setdefault(question, origin)
    return list(first.items())


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise ImpactError("git is not installed; impact compares the files with their last commit") from None


def repository(knowledge_dir: Path) -> Path:
    """The root of the git checkout holding the knowledge.

    Raises:
        ImpactError: The knowledge is not in a git checkout.
    """
    result = _git(knowledge_dir, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise ImpactError(
            f"{knowledge_dir} is not in a git checkout: impact compares the files with their last commit"
        )
    return Path(result.stdout.decode().strip())


def has_local_changes(knowledge_dir: Path, intents_dir: Path) -> bool:
    """Whether the knowledge or the intents differ from the last commit (new files included)."""
    root = repository(knowledge_dir)
    result = _git(root, "status", "--porcelain", "--", str(knowledge_dir), str(intents_dir))
    return bool(result.stdout.strip())


def committed_copy(knowledge_dir: Path, intents_dir: Path, revision: str, into: Path) -> tuple[Path, Path]:
    """Extracts the knowledge and intents of ``revision`` under ``into``; returns their directories.

    Raises:
        ImpactError: Not a git checkout, or the revision does not hold the folders.
    """
    root = repository(knowledge_dir).resolve()
    try:
        relative = [str(folder.resolve().relative_to(root)) for folder in (knowledge_dir, intents_dir)]
    except ValueError:
        raise ImpactError(
            f"{knowledge_dir} and {intents_dir} are not in the same git checkout; impact compares both with "
            "their last commit"
        ) from None
    result = _git(root, "archive", "--format=tar", revision, "--", *relative)
    if result.returncode != 0:
        raise ImpactError(
            f"cannot read {', '.join(relative)} at {revision}: {result.stderr.decode().strip()}"
        )
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(into, filter="data")
    return into / relative[0], into / relative[1]


def answer(engine: Engine, question: str) -> Answer:
    """The engine's answer to ``question``."""
    reply = engine.answer(question)
    return Answer(reply.intent, render_text(reply))


def replay(before: Engine, after: Engine, questions: Sequence[tuple[str, str]]) -> list[Change]:
    """Every question whose answer differs between the two engines."""
    changes = []
    for question, origin in questions:
        old, new = answer(before, question), answer(after, question)
        if old != new:
            changes.append(Change(question, origin, old, new))
    return changes


@dataclass(frozen=True)
class Impact:
    """The result of :func:`measure`: how many questions were replayed, and the changes."""

    revision: str
    asked: int
    from_sets: int
    changes: list[Change]


def measure(
    knowledge_dir: Path,
    intents_dir: Path,
    questions: Sequence[tuple[str, str]],
    *,
    revision: str = "HEAD",
    current: Engine | None = None,
) -> Impact:
    """Replays ``questions`` against ``revision``'s files and the working copy.

    Raises:
        ImpactError: No git checkout, or an unknown revision.
        DataError: The files of either side do not load (each problem with its file and line).
    """
    after = current or Engine.load(knowledge_dir, intents_dir)
    with tempfile.TemporaryDirectory(prefix="bangfu-impact-") as temporary:
        old_knowledge, old_intents = committed_copy(knowledge_dir, intents_dir, revision, Path(temporary))
        before = Engine.load(old_knowledge, old_intents)
    from_sets = sum(origin != "question log" for _, origin in questions)
    return Impact(revision, len(questions), from_sets, replay(before, after, questions))


def report(impact: Impact, *, full: bool = False) -> str:
    """The changes as the command prints them."""
    logged = impact.asked - impact.from_sets
    head = (
        f"{impact.asked} stored questions replayed ({impact.from_sets} from the question sets, {logged} from "
        f"the question log) against the knowledge and intents of {impact.revision} and as they are now:"
    )
    if not impact.changes:
        return f"{head} no answer changes."
    lines = [f"{head} {len(impact.changes)} answer(s) change.", ""]
    for change in impact.changes:
        lines += [*change.lines(None if full else SHOWN_LINES), ""]
    return "\n".join(lines).rstrip("\n")
