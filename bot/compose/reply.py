"""The transport-neutral reply: what the bot says, before the console or Telegram renders it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class ReplyKind(StrEnum):
    """What kind of reply this is; renderers may style each differently."""

    ANSWER = "answer"  # facts from the knowledge base
    CLARIFY = "clarify"  # the question had several readings: choices are offered
    DECLINE = "decline"  # nothing in the guideline fits: says what the bot can do instead
    SMALLTALK = "smalltalk"  # greetings, thanks, help
    REFUSE = "refuse"  # advertising, spam, instructions to the bot: a short refusal, and nothing in groups


@dataclass(frozen=True)
class Section:
    """A block of the reply: an optional heading, lines of plain text, and where they come from.

    Attributes:
        title: Heading, or None for a lead paragraph.
        lines: The text, one paragraph or list entry per line. Plain text: renderers escape it.
        source: The citation shown with the block, e.g. 《工作指引》附件1.
        bullet: Whether the lines are list entries (rendered with a bullet) or paragraphs.
        items: For a list of places, the question each place of it stands for, in the order shown, so that a
            follow-up such as 第三个 asks about the third (not rendered).
    """

    title: str | None
    lines: tuple[str, ...]
    source: str | None = None
    bullet: bool = False
    items: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Choice:
    """A button or suggestion: a label and the question it asks when chosen."""

    label: str
    query: str


_NO_ENTITIES: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True)
class Reply:
    """Everything one answer consists of.

    Attributes:
        kind: Answer, clarification, decline or small talk.
        sections: The body, in order.
        suggestions: Follow-up questions the user may want to ask next.
        choices: For a clarification, the readings to choose from ("did you mean").
        intent: The intent answered, or None when declined.
        confidence: How sure the engine is, from 0 to 1.
        entities: Recognized entities by type, e.g. {"district": ("万州区",)}.
        asks: For a clarification, the entity type it asks for (``org_type``, ``theme``), so that the
            next message can be read as the answer.
        resolved: The question as understood when the conversation filled something in
            (它有哪些攻坚村 → 城口县有哪些攻坚村), or None.
    """

    kind: ReplyKind
    sections: tuple[Section, ...]
    suggestions: tuple[Choice, ...] = ()
    choices: tuple[Choice, ...] = ()
    intent: str | None = None
    confidence: float = 0.0
    entities: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _NO_ENTITIES)
    asks: str | None = None
    resolved: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """The citations of all sections, each once, in order of appearance."""
        return tuple(dict.fromkeys(s.source for s in self.sections if s.source))

    @property
    def listed(self) -> tuple[Choice, ...]:
        """The places the reply lists, in the order shown, as questions (see :attr:`Section.items`).

        None when it lists places of different attachments (a district's townships and its villages):
        第三个 would not say which list it counts in.
        """
        listing = [s for s in self.sections if s.items]
        if len({s.source for s in listing}) != 1:
            return ()
        return tuple(item for s in listing for item in s.items)
