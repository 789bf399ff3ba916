"""The answer engine: from a question to a reply, choosing one intent among the scored candidates.

This is the only place that decides. :mod:`bot.analysis` understands the question, :mod:`bot.matcher`
scores every intent, and here the best candidate is accepted, or the question declined; the intent's
composer in :mod:`bot.answers` then writes the reply from the knowledge base.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.analysis import Analysis, Analyzer
from bot.answers import COMPOSERS, Request, Slots, decline_reply, resolve_slots
from bot.entities import Gazetteer
from bot.intents import Intent, load_intents
from bot.knowledge import KnowledgeBase, load_files, load_knowledge
from bot.lexicon import EntitiesFile, Lexicon, LexiconFile, Segmenter, check_entities
from bot.matcher import Candidate, IntentMatcher
from bot.reply import Reply

logger = logging.getLogger(__name__)

# Below this adjusted score (0–100) no intent is close enough and the question is declined. Chosen on the
# development and held-out sets: in-scope questions score ≥ 60 in practice, noise and chit-chat below 50.
MIN_SCORE = 55.0
# How many ranked candidates an understanding keeps (for --debug and the JSON output).
KEEP_CANDIDATES = 3


@dataclass(frozen=True)
class Understanding:
    """What the engine made of a question, and what it decided.

    Attributes:
        analysis: The analyzed question.
        candidates: The best-scored intents, best first.
        intent: The chosen intent, or None when the question is declined.
        confidence: The chosen intent's score as a fraction (0–1); the best score when declined.
        slots: The entities resolved to knowledge records.
    """

    analysis: Analysis
    candidates: tuple[Candidate, ...]
    intent: Intent | None
    confidence: float
    slots: Slots

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
                if entity.key not in keys:
                    keys.append(entity.key)
        return found


class Engine:
    """Answers questions from one knowledge base and one set of intents."""

    def __init__(
        self, kb: KnowledgeBase, intents: tuple[Intent, ...], lexicon: Lexicon, entities: EntitiesFile
    ) -> None:
        """Builds the pipeline; see :meth:`load` to build it from the project's files."""
        self.kb = kb
        self.intents = intents
        segmenter = Segmenter()
        gazetteer = Gazetteer(kb, entities, lexicon, segmenter.general_frequency)
        self.analyzer = Analyzer(lexicon, gazetteer, segmenter)
        self.matcher = IntentMatcher(intents, self.analyzer)
        self.analyzer.set_domain_words(self.matcher.vocabulary)

    @classmethod
    def load(cls, knowledge_dir: Path, intents_dir: Path) -> Engine:
        """Loads and validates the knowledge and intent files and builds the engine.

        Raises:
            DataError: A file is malformed or inconsistent (every problem, with file and line).
        """
        kb = load_knowledge(knowledge_dir)
        documents, vocab = load_files(intents_dir, {"lexicon.yaml": LexiconFile, "entities.yaml": EntitiesFile})
        lexicon_file = vocab["lexicon.yaml"]
        entities_file = vocab["entities.yaml"]
        assert isinstance(lexicon_file, LexiconFile) and isinstance(entities_file, EntitiesFile)
        check_entities(kb, entities_file, documents["entities.yaml"])
        intents = load_intents(intents_dir, frozenset(COMPOSERS))
        return cls(kb, intents, Lexicon.from_file(lexicon_file), entities_file)

    def understand(self, question: str) -> Understanding:
        """Analyzes a question, scores the intents and decides whether and how to answer."""
        analysis = self.analyzer.analyze(question)
        ranked = self.matcher.rank(analysis)[:KEEP_CANDIDATES] if analysis.words else []
        slots = resolve_slots(self.kb, analysis)
        best = ranked[0] if ranked else None
        confidence = best.score / 100 if best else 0.0
        accepted = (
            best is not None and analysis.evidence and not best.intent.decline and best.score >= MIN_SCORE
        )
        return Understanding(analysis, tuple(ranked), best.intent if accepted and best else None, confidence, slots)

    def reply_to(self, understanding: Understanding) -> Reply:
        """Writes the reply for an understanding."""
        intent = understanding.intent
        if intent is None:
            reply = decline_reply(self.kb)
        else:
            request = Request(self.kb, understanding.slots, understanding.analysis)
            reply = COMPOSERS[intent.answer](request)
        return dataclasses.replace(
            reply,
            intent=intent.name if intent else None,
            confidence=round(understanding.confidence, 3),
            entities={kind: tuple(keys) for kind, keys in understanding.entities.items()},
        )

    def answer(self, question: str) -> Reply:
        """Answers one question (any text: it never raises on odd input)."""
        understanding = self.understand(question)
        logger.debug(
            "question %r -> %s (%.2f)", question[:80], understanding.intent.name if understanding.intent else None,
            understanding.confidence,
        )
        return self.reply_to(understanding)
