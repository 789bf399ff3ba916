"""``bangfu review``: the questions users could not get answered, grouped, and one step to teach the bot one.

From the question log it takes the questions that were declined, answered with little confidence, or rated
👎 / 号码有误 / 打不通; groups those that read alike; and shows for each group how often it was asked, why it
is listed, and the intent or FAQ entry closest to it. ``bangfu review --add N --to NAME`` then adds group N's
question as an example of intent NAME (or as a phrasing of an FAQ entry), checks the files, and runs the
impact check (:mod:`bot.tools.impact`).
"""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bot.channels.questionlog import Feedback, LoggedQuestion
from bot.data.faq import FAQ_FILE, FAQ_PREFIX
from bot.data.intents import intent_files
from bot.data.yamlio import YamlFile, load_yaml
from bot.engine import Engine
from bot.errors import BangfuError, display_path
from bot.nlu import tuning
from bot.tools.yamledit import EditError, append_item, indent_of_items, list_entry

# An answer scoring within this many points above the acceptance threshold (tuning.MIN_SCORE) is listed as
# unsure: a small change of wording would have declined it, so it is worth a maintainer's look.
UNSURE_MARGIN = 10.0
# Two questions whose words overlap this much (rapidfuzz token_set_ratio, 0–100) are one group: the same
# question in other words (城口县乡村振兴局电话 / 城口乡村振兴局怎么联系) rather than two questions.
GROUP_SIMILARITY = 75.0
# Other wordings shown per group.
SHOWN_WORDINGS = 3


class ReviewError(BangfuError):
    """A review item cannot be added where asked; the message says why and what to do."""


@dataclass
class ReviewGroup:
    """Questions that read alike, and why each was listed.

    Attributes:
        question: The wording asked most often (the first of equals), which ``--add`` adds.
        wordings: Every wording, with how often it was asked.
        reasons: declined, unsure, and each negative feedback, with counts.
        nearest: The intent (or ``faq:…`` entry) closest to the question, and its similarity (0–100).
        last_asked: When a question of the group was last asked.
    """

    question: str
    wordings: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    nearest: tuple[str, float] | None = None
    last_asked: datetime.datetime | None = None

    @property
    def count(self) -> int:
        """How often a question of the group was asked."""
        return sum(self.wordings.values())


def reasons_of(row: LoggedQuestion) -> list[str]:
    """Why a logged question needs a look (none when it was answered surely and not rated down)."""
    reasons = []
    if row.intent is None:
        reasons.append("declined")
    elif row.confidence * 100 < tuning.MIN_SCORE + UNSURE_MARGIN and row.kind == "answer":
        reasons.append("unsure")
    if row.feedback is not None and row.feedback.negative:
        reasons.append(_FEEDBACK_NAMES[row.feedback])
    return reasons


_FEEDBACK_NAMES = {
    Feedback.DOWN: "👎",
    Feedback.WRONG_NUMBER: "号码有误",
    Feedback.UNREACHABLE: "打不通",
    Feedback.UP: "👍",
}


def review(engine: Engine, rows: list[LoggedQuestion]) -> list[ReviewGroup]:
    """Groups the logged questions that need a look, most asked first."""
    listed = [(row, reasons) for row in rows if (reasons := reasons_of(row))]
    asked = Counter(row.question for row, _ in listed)
    words = {question: " ".join(engine.analyzer.analyze(question).words) for question in asked}
    groups: list[ReviewGroup] = []
    owner: dict[str, ReviewGroup] = {}
    for question, _ in sorted(asked.items(), key=lambda item: (-item[1], item[0])):
        group = next(
            (
                g
                for g in groups
                if fuzz.token_set_ratio(words[question], words[g.question]) >= GROUP_SIMILARITY
            ),
            None,
        )
        if group is None:
            group = ReviewGroup(question)
            groups.append(group)
        owner[question] = group
    for row, reasons in listed:
        group = owner[row.question]
        group.wordings[row.question] += 1
        group.reasons.update(reasons)
        if group.last_asked is None or row.asked_at > group.last_asked:
            group.last_asked = row.asked_at
    for group in groups:
        candidates = engine.understand(group.question).candidates
        if candidates:
            group.nearest = (candidates[0].intent.name, round(candidates[0].similarity, 1))
    return sorted(groups, key=lambda g: (-g.count, -(g.last_asked or datetime.datetime.min).timestamp()))


def format_review(groups: list[ReviewGroup], days: int | None) -> str:
    """The numbered list ``bangfu review`` prints."""
    period = f"the last {days} day(s)" if days else "the whole log"
    if not groups:
        return f"No declined, unsure or down-rated questions in {period}."
    total = sum(g.count for g in groups)
    lines = [
        f"{total} question(s) to review from {period} (declined, unsure, or rated 👎/号码有误/打不通), "
        f"in {len(groups)} group(s):",
        "",
    ]
    for number, group in enumerate(groups, 1):
        reasons = ", ".join(f"{name} {count}" for name, count in group.reasons.most_common())
        lines.append(f"{number}. {group.question}  ×{group.count}  ({reasons})")
        others = [w for w, _ in group.wordings.most_common() if w != group.question][:SHOWN_WORDINGS]
        if others:
            lines.append(f"   also asked: {'; '.join(others)}")
        nearest = f"{group.nearest[0]} (similarity {group.nearest[1]:g})" if group.nearest else "none"
        lines.append(f"   nearest: {nearest}")
    lines += [
        "",
        "To teach the bot one of them: bangfu review --add NUMBER --to INTENT (or --to the FAQ entry's question);",
        "it adds the question as an example, checks the files, and lists the answers that change.",
    ]
    return "\n".join(lines)


def write_csv(groups: list[ReviewGroup], path: Path) -> None:
    """The groups as a spreadsheet: one row per group."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:  # the BOM lets Excel read Chinese
        writer = csv.writer(file)
        writer.writerow(
            [
                "number",
                "question",
                "times asked",
                "other wordings",
                "reasons",
                "nearest",
                "similarity",
                "last asked",
            ]
        )
        for number, group in enumerate(groups, 1):
            writer.writerow(
                [
                    number,
                    group.question,
                    group.count,
                    "; ".join(w for w in group.wordings if w != group.question),
                    ", ".join(f"{name} {count}" for name, count in group.reasons.most_common()),
                    group.nearest[0] if group.nearest else "",
                    group.nearest[1] if group.nearest else "",
                    group.last_asked.isoformat(timespec="seconds") if group.last_asked else "",
                ]
            )


@dataclass(frozen=True)
class Added:
    """Where ``--add`` wrote the question."""

    question: str
    target: str
    path: Path
    line: int
    previous: str  # the file's text before, to restore it if the files no longer load

    def undo(self) -> None:
        """Restores the file as it was."""
        self.path.write_text(self.previous, encoding="utf-8")


def add_example(knowledge_dir: Path, intents_dir: Path, question: str, target: str) -> Added:
    """Adds ``question`` as an example of intent ``target``, or as a phrasing of the FAQ entry ``target``
    (``faq:<question>`` or the entry's question), keeping the file's comments and layout.

    The caller checks the files afterwards and undoes the edit if they do not load (:meth:`Added.undo`).

    Raises:
        ReviewError: No such intent or FAQ entry, or its list cannot be extended automatically.
    """
    name = target.removeprefix(FAQ_PREFIX)
    faq_path = knowledge_dir / FAQ_FILE
    if faq_path.exists():
        document = load_yaml(faq_path, display_path(faq_path))
        entries = document.data.get("entries") if isinstance(document.data, dict) else None
        for index, entry in enumerate(entries or []):
            if isinstance(entry, dict) and entry.get("question") == name:
                return _append(
                    document, faq_path, ("entries", index, "phrasings"), question, FAQ_PREFIX + name
                )
    for path in intent_files(intents_dir):
        document = load_yaml(path, display_path(path))
        intents = document.data.get("intents") if isinstance(document.data, dict) else None
        for index, intent in enumerate(intents or []):
            if isinstance(intent, dict) and intent.get("name") == target:
                return _append(document, path, ("intents", index, "examples"), question, target)
    raise ReviewError(
        f"there is no intent or FAQ entry {target!r}; use a name that `bangfu review` shows as nearest, "
        "or an FAQ entry's question"
    )


def _append(document: YamlFile, path: Path, key: tuple[str | int, ...], question: str, target: str) -> Added:
    text = path.read_text(encoding="utf-8")
    try:
        entry = list_entry(indent_of_items(document, text, key), question)
        new, line = append_item(document, text, key, [entry])
    except EditError as exc:
        raise ReviewError(str(exc)) from None
    path.write_text(new, encoding="utf-8")
    return Added(question, target, path, line, text)
