"""Plain questions and answers that maintainers add without Python: ``knowledge/faq.yaml``.

Each entry is a question, two or three other ways of asking it, a fixed answer with light formatting, a
free-text source, and optional dates between which it is used. The engine matches an entry like an intent
(its question and phrasings are the examples, :mod:`bot.data.faq_intents`) and :mod:`bot.compose.faq`
writes its answer; the engine's own
normalization and synonyms cover other wordings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from bot.data.normalize import normalize
from bot.data.schema import Strict, Text
from bot.data.yamlio import YamlFile
from bot.errors import Problem

FAQ_FILE = "faq.yaml"
# What an FAQ entry's intent and answer are called: faq:<its question>, as --debug and `ask --json` show.
FAQ_PREFIX = "faq:"
# Fewer phrasings than this give the matcher too little to go on; two or three suffice.
MIN_PHRASINGS = 2


class FaqEntry(Strict):
    """One question and its fixed answer."""

    question: Text
    phrasings: list[Text] = Field(min_length=MIN_PHRASINGS)
    answer: Text
    source: Text
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None

    @property
    def name(self) -> str:
        """The entry's intent and answer name: faq:<question>."""
        return FAQ_PREFIX + self.question

    @property
    def examples(self) -> tuple[str, ...]:
        """The question and its phrasings."""
        return (self.question, *self.phrasings)

    def valid_on(self, day: datetime.date) -> bool:
        """Whether the entry is used on ``day`` (between ``valid_from`` and ``valid_until``, both included)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class FaqFile(Strict):
    """``knowledge/faq.yaml``."""

    version: Literal[1]
    entries: list[FaqEntry] = []


def check_faq(faq: FaqFile, document: YamlFile) -> list[Problem]:
    """Checks the entries among themselves: dates in order, and each wording asked by one entry only.

    Wordings are compared as the engine reads them (punctuation, spacing and Traditional characters aside);
    a repeat is reported at its later copy, naming the first.
    """
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for index, entry in enumerate(faq.entries):
        loc = ("entries", index)
        if entry.valid_from and entry.valid_until and entry.valid_until < entry.valid_from:
            problems.append(
                document.problem(
                    (*loc, "valid_until"),
                    f"valid_until {entry.valid_until} is before valid_from {entry.valid_from}; swap or correct them",
                )
            )
        for place, wording in wordings(entry, loc):
            key = normalize(wording)
            here = f"{document.display}:{document.line(place)}"
            if key in first:
                problems.append(
                    document.problem(
                        place, f"{wording!r} is asked already at {first[key]}; keep it in one entry"
                    )
                )
            else:
                first[key] = here
    return problems


def wordings(entry: FaqEntry, loc: tuple[str | int, ...]) -> Iterable[tuple[tuple[str | int, ...], str]]:
    yield (*loc, "question"), entry.question
    for number, phrasing in enumerate(entry.phrasings):
        yield (*loc, "phrasings", number), phrasing
