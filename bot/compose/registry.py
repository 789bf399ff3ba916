"""The composer registry: each composer writes one kind of reply from the knowledge it is given.

Intents name their composer in ``answer:``. A composer is a leaf: it never calls another composer and never
chooses a different answer; when the question's entities call for another answer (a district's phone asked
without naming a district), :mod:`bot.engine.routing` sends the question to the right composer first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.compose.reply import Reply
from bot.data.knowledge import KnowledgeBase
from bot.nlu.analysis import Analysis
from bot.nlu.slots import Slots


@dataclass(frozen=True)
class Brief:
    """What a composer is given to write a reply.

    Attributes:
        kb: The knowledge base, the only source of what the reply says.
        slots: The entities of the question, resolved to knowledge records.
        analysis: The analyzed question, for the few replies that depend on its words.
        office_detail: What the question asks of an office that the guideline does not print (扶贫办的地址),
            if anything: the answer says so before the contacts it does print.
    """

    kb: KnowledgeBase
    slots: Slots
    analysis: Analysis | None = None
    office_detail: str | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """The question's canonical words (none without an analysis)."""
        return self.analysis.words if self.analysis else ()

    @property
    def text(self) -> str:
        """The normalized question (empty without an analysis)."""
        return self.analysis.text if self.analysis else ""


Composer = Callable[[Brief], Reply]
COMPOSERS: dict[str, Composer] = {}


def composer(name: str) -> Callable[[Composer], Composer]:
    """Registers a composer under the name intents use in ``answer:``."""

    def register(function: Composer) -> Composer:
        if name in COMPOSERS:
            raise ValueError(f"two composers named {name}")
        COMPOSERS[name] = function
        return function

    return register
