"""What the engine made of a question (:class:`Understanding`) and of a message in a conversation (:class:`Response`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.compose.reply import Reply
from bot.data.intents import Intent
from bot.engine.followup import Resolution
from bot.nlu.analysis import Analysis
from bot.nlu.matcher import Candidate
from bot.nlu.scope import OfficeDetail, OutOfScope
from bot.nlu.slots import Slots


@dataclass(frozen=True)
class Understanding:
    """What the engine made of a question, and what it decided.

    Attributes:
        analysis: The analyzed question.
        candidates: The best-scored intents, best first.
        intent: The chosen intent, or None when the question is declined.
        confidence: The chosen intent's score as a fraction (0–1); the best score when declined.
        slots: The entities resolved to knowledge records.
        scope: What the question asks that the guideline does not contain: an :class:`OutOfScope` when it
            is declined for that, an :class:`OfficeDetail` to mention before an office's phone.
    """

    analysis: Analysis
    candidates: tuple[Candidate, ...]
    intent: Intent | None
    confidence: float
    slots: Slots
    scope: OutOfScope | OfficeDetail | None = None

    @property
    def runner_up(self) -> Candidate | None:
        """The best candidate after the chosen one."""
        return self.candidates[1] if len(self.candidates) > 1 else None

    @property
    def entities(self) -> dict[str, list[str]]:
        """Recognized entities by type, as the JSON output shows them."""
        found: dict[str, list[str]] = {}
        for mention in self.analysis.mentions:
            for entity in mention.candidates:
                keys = found.setdefault(entity.type.value, [])
                key = str(entity.key)
                if key not in keys:
                    keys.append(key)
        return found


@dataclass(frozen=True)
class Response:
    """One message answered.

    Attributes:
        understanding: What the engine made of the question it answered.
        reply: The reply.
        resolution: How the message was read against its conversation.
    """

    understanding: Understanding
    reply: Reply
    resolution: Resolution
