"""FAQ entries as intents: matched by the engine like the intents of ``intents/``, and checked against them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from bot.data.faq import FAQ_FILE, FaqFile, wordings
from bot.data.intents import Intent, intent_files
from bot.data.normalize import normalize
from bot.data.yamlio import load_yaml
from bot.errors import DataError, Problem, display_path


def faq_intents(faq: FaqFile, today: datetime.date) -> tuple[Intent, ...]:
    """The entries valid ``today``, as intents the matcher scores like any other."""
    return tuple(
        Intent(
            name=entry.name,
            description=entry.question,
            answer=entry.name,
            required=(),
            optional=(),
            examples=entry.examples,
        )
        for entry in faq.entries
        if entry.valid_on(today)
    )


def ensure_apart(knowledge_dir: Path, intents_dir: Path, faq: FaqFile, intents: Sequence[Intent]) -> None:
    """Checks that no FAQ wording is also an example of an intent.

    Raises:
        DataError: With each such wording, at its line of ``faq.yaml``, naming the intent's file and line.
    """
    problems = clashes_with_intents(knowledge_dir, intents_dir, faq, intents)
    if problems:
        raise DataError(problems)


def clashes_with_intents(
    knowledge_dir: Path, intents_dir: Path, faq: FaqFile, intents: Sequence[Intent]
) -> list[Problem]:
    """Each FAQ wording that is also an example of an intent, as a problem naming both places."""
    examples = {normalize(e): intent for intent in intents for e in intent.examples}
    clashes = [
        (place, wording, examples[normalize(wording)])
        for index, entry in enumerate(faq.entries)
        for place, wording in wordings(entry, ("entries", index))
        if normalize(wording) in examples
    ]
    if not clashes:
        return []
    path = knowledge_dir / FAQ_FILE
    document = load_yaml(path, display_path(path))
    where = _example_lines(intents_dir)
    return [
        document.problem(
            place,
            f"{wording!r} is also an example of intent {intent.name} "
            f"({where.get(normalize(wording), 'intents/')}); keep it in one place",
        )
        for place, wording, intent in clashes
    ]


def _example_lines(intents_dir: Path) -> dict[str, str]:
    """``file:line`` of every intent example, by its normalized text."""
    lines: dict[str, str] = {}
    for path in intent_files(intents_dir):
        try:
            document = load_yaml(path, display_path(path))
        except DataError:
            continue
        data = document.data if isinstance(document.data, dict) else {}
        for index, intent in enumerate(data.get("intents") or []):
            examples = intent.get("examples") if isinstance(intent, dict) else None
            for number, example in enumerate(examples or []):
                if isinstance(example, str):
                    loc = ("intents", index, "examples", number)
                    lines.setdefault(normalize(example), f"{document.display}:{document.line(loc)}")
    return lines
