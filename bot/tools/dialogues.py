"""``bangfu eval`` of dialogue sets: conversations played turn by turn, each turn checked like a question.

A dialogue set (format of ``../shared/eval/dialogs-dev.yaml``) is a list of dialogues, each with an ``id``, a
``tag`` and ``turns``; every turn is a question with the checks of a question set (``all``, ``any``,
``none``, ``oos``, ``decline``). Each dialogue is played in a conversation of its own; it passes when every
turn passes. The report gives the dialogues passed by tag, the turns passed by position, and the overall
share of dialogues passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field, TypeAdapter

from bot.channels.text import render_text
from bot.data.schema import Strict, Text
from bot.data.yamlio import load_yaml
from bot.engine import Conversation, Engine
from bot.errors import display_path
from bot.tools.evaluate import Case, Outcome, check, follow_updates, load_list


class Dialogue(Strict):
    """One conversation and the checks of each of its turns."""

    id: Text
    tag: Text = "untagged"
    turns: list[Case] = Field(min_length=1)


_DIALOGUES = TypeAdapter(list[Dialogue])


@dataclass(frozen=True)
class DialogueOutcome:
    """The result of one dialogue: one outcome per turn."""

    dialogue: Dialogue
    turns: tuple[Outcome, ...]

    @property
    def passed(self) -> bool:
        """Whether every turn passed."""
        return all(turn.passed for turn in self.turns)


@dataclass
class DialogueReport:
    """Results of a dialogue set."""

    outcomes: list[DialogueOutcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        """Dialogues passed."""
        return sum(o.passed for o in self.outcomes)

    @property
    def percent(self) -> float:
        """Share of dialogues passed, 0–100."""
        return 100.0 * self.passed / len(self.outcomes) if self.outcomes else 0.0


def is_dialogue_set(path: Path) -> bool:
    """Whether a question-set file holds dialogues (its first entry has ``turns``)."""
    document = load_yaml(path, display_path(path))
    data = document.data
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "turns" in data[0]


def load_dialogues(path: Path) -> list[Dialogue]:
    """Reads a dialogue set.

    Raises:
        DataError: The file is malformed (with file and line).
    """
    return load_list(
        path, _DIALOGUES, Dialogue, "a dialogue set is a list of dialogues, each with id, tag and turns"
    )


def evaluate_dialogues(engine: Engine, dialogues: Iterable[Dialogue]) -> DialogueReport:
    """Plays every dialogue in a conversation of its own."""
    report = DialogueReport()
    for dialogue in dialogues:
        conversation = Conversation()
        turns = []
        for expected in dialogue.turns:
            turn = follow_updates(expected, engine.kb)  # expectations follow knowledge/updates.yaml
            reply = engine.answer(turn.q, conversation)
            answer = render_text(reply)
            turns.append(Outcome(turn, answer, reply.intent, check(turn, answer, reply.intent)))
        report.outcomes.append(DialogueOutcome(dialogue, tuple(turns)))
    return report


def format_dialogue_report(report: DialogueReport, *, show_fail: bool = False) -> str:
    """Dialogues passed by tag, turns passed by position, failures (optionally), and the score (last line)."""
    by_tag: dict[str, list[DialogueOutcome]] = defaultdict(list)
    by_turn: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in report.outcomes:
        by_tag[outcome.dialogue.tag].append(outcome)
        for number, turn in enumerate(outcome.turns, 1):
            by_turn[number].append(turn)
    lines = ["tag                         dialogues passed"]
    for tag in sorted(by_tag):
        outcomes = by_tag[tag]
        passed = sum(o.passed for o in outcomes)
        mark = "" if passed == len(outcomes) else "  <"
        lines.append(f"{tag:<27} {passed:>3}/{len(outcomes):<3}{mark}")
    lines += ["", "turn                        turns passed"]
    for number in sorted(by_turn):
        turns = by_turn[number]
        lines.append(f"{number:<27} {sum(t.passed for t in turns):>3}/{len(turns):<3}")
    failed = [o for o in report.outcomes if not o.passed]
    if show_fail and failed:
        lines.append("")
        for outcome in failed:
            lines.append(f"✗ [{outcome.dialogue.tag}] {outcome.dialogue.id}")
            for number, turn in enumerate(outcome.turns, 1):
                mark = "✓" if turn.passed else "✗"
                lines.append(f"    {mark} {number}. {turn.case.q}  →  {turn.intent}")
                if not turn.passed:
                    lines.append(f"        {'; '.join(turn.failures)}")
                    lines.append(f"        answer: {turn.answer.replace(chr(10), ' ⏎ ')[:300]}")
    lines += ["", f"{report.passed}/{len(report.outcomes)} dialogues passed ({report.percent:.1f}%)"]
    return "\n".join(lines)
