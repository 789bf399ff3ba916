"""Scores every intent against an analyzed question; the engine chooses among the candidates.

Each intent's examples are analyzed once, like questions, into canonical words with placeholders. A
question's similarity to an example blends two rapidfuzz scorers over those words: ``token_set_ratio``
(high when one side's words are contained in the other's, which suits short questions) and
``token_sort_ratio`` (which also counts the words neither shares, so the closest example wins among those
that contain the question). An intent's score is its best example's, adjusted by entity evidence: a
required entity the question lacks costs points, as does an entity the intent cannot use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.data.entity_type import EntityType
from bot.data.intents import Intent
from bot.nlu import tuning
from bot.nlu.analysis import Analysis, Analyzer


@dataclass(frozen=True)
class Candidate:
    """One intent's score for a question.

    Attributes:
        intent: The intent.
        score: Adjusted score, about 0–100 (bonuses may take it past 100; it is not clipped so ties stay rare).
        similarity: Similarity of the best example before entity adjustments, 0–100.
        example: The best-matching example, as written in the intents file.
    """

    intent: Intent
    score: float
    similarity: float
    example: str


class IntentMatcher:
    """Holds the analyzed examples of every intent and ranks intents for a question."""

    def __init__(self, intents: Sequence[Intent], analyzer: Analyzer) -> None:
        """Analyzes every example once.

        Args:
            intents: The intents to match.
            analyzer: The pipeline questions go through (examples go through the same).
        """
        self.intents = tuple(intents)
        self._owner: list[int] = []
        self._examples: list[str] = []
        self._example_words: list[str] = []
        vocabulary: set[str] = set()
        all_words: set[str] = set()
        for index, intent in enumerate(self.intents):
            for example in intent.examples:
                words = analyzer.analyze(example).words
                self._owner.append(index)
                self._examples.append(example)
                self._example_words.append(" ".join(words))
                all_words.update(words)
                if not intent.decline and not intent.smalltalk:
                    vocabulary.update(words)
        # Words of in-scope intents: evidence that a question is about the guideline.
        self.vocabulary = frozenset(vocabulary)
        # Every word of every example, declined and small talk included: words the engine has seen.
        self.known_words = frozenset(all_words)
        users: dict[str, set[int]] = {}
        for row, owner in enumerate(self._owner):
            for word in self._example_words[row].split():
                if not word.isupper():  # placeholders are weighed by the entity adjustment instead
                    users.setdefault(word, set()).add(owner)
        self._word_intents = {word: frozenset(owners) for word, owners in users.items()}
        count = len(self.intents)
        self._idf = {word: math.log(1 + count / len(owners)) for word, owners in users.items()}
        self._max_idf = math.log(1 + count)
        self._rows: list[list[int]] = [[] for _ in self.intents]
        for row, owner in enumerate(self._owner):
            self._rows[owner].append(row)
        # Scoring is the engine's main cost. Each distinct example (many read alike once places are
        # placeholders) is scored at most once, its tokens sorted here once so token_sort_ratio becomes a
        # plain fuzz.ratio; and only examples sharing a word with the question are scored at all: one
        # sharing none cannot be the closest (its intent keeps similarity 0 and falls back on coverage
        # and entity fit, which decline it in practice). Answers on every question set are unchanged.
        distinct: dict[str, int] = {}
        distinct_of_row = [distinct.setdefault(text, len(distinct)) for text in self._example_words]
        self._distinct = list(distinct)
        self._distinct_sorted = [" ".join(sorted(text.split())) for text in self._distinct]
        self._owners_of: list[list[tuple[int, int]]] = [[] for _ in self._distinct]
        for row, index in enumerate(distinct_of_row):
            self._owners_of[index].append((self._owner[row], row))
        self._sharing: dict[str, list[int]] = {}
        for index, text in enumerate(self._distinct):
            for token in set(text.split()):
                self._sharing.setdefault(token, []).append(index)
        self._adjustments: dict[frozenset[EntityType], list[float]] = {}

    def rank(self, analysis: Analysis, limit: int | None = None) -> list[Candidate]:
        """Scores every intent for ``analysis``, best first.

        Args:
            analysis: The analyzed question.
            limit: Keep only this many candidates (all when None).
        """
        if not analysis.words:
            return []
        similarity = [0.0] * len(self.intents)
        best_row = [rows[0] for rows in self._rows]
        for index, score in self.similarities(analysis.words):
            for owner, row in self._owners_of[index]:
                if score > similarity[owner]:
                    similarity[owner], best_row[owner] = score, row
        coverage = self._coverage(analysis.words)
        adjustments = self._adjustments_for(analysis.entity_types)
        scores = [
            max(0.0, similarity[i] + adjustments[i] + tuning.COVERAGE_POINTS * coverage[i])
            for i in range(len(self.intents))
        ]
        order = sorted(range(len(self.intents)), key=scores.__getitem__, reverse=True)[:limit]
        return [
            Candidate(self.intents[i], scores[i], similarity[i], self._examples[best_row[i]]) for i in order
        ]

    def similarities(self, words: tuple[str, ...]) -> list[tuple[int, float]]:
        """Blended similarity of the question to each distinct example sharing a word with it.

        This is the rapidfuzz part of :meth:`rank` (the benchmark times it on its own).

        Args:
            words: The question's canonical words (:attr:`bot.nlu.analysis.Analysis.words`).

        Returns:
            (index of the distinct example, similarity 0–100) pairs, in no particular order.
        """
        query = " ".join(words)
        ordered = " ".join(sorted(words))
        shared = sorted({index for word in set(words) for index in self._sharing.get(word, ())})
        if not shared:
            return []
        # process.extract loops in rapidfuzz's C++ code: the same scores as one fuzz call per example,
        # measured 15 % faster on the question sets (benchmarks/conversations.py).
        set_scores = [0.0] * len(shared)
        for _, score, position in process.extract(
            query, [self._distinct[i] for i in shared], scorer=fuzz.token_set_ratio, limit=None
        ):
            set_scores[position] = score
        sort_scores = [0.0] * len(shared)
        for _, score, position in process.extract(
            ordered, [self._distinct_sorted[i] for i in shared], scorer=fuzz.ratio, limit=None
        ):
            sort_scores[position] = score
        return [
            (index, tuning.SET_WEIGHT * set_scores[k] + (1.0 - tuning.SET_WEIGHT) * sort_scores[k])
            for k, index in enumerate(shared)
        ]

    def distinctive_words(self, intent: Intent, words: tuple[str, ...]) -> list[str]:
        """The words of a question that point at ``intent``: its examples use them, and few other intents do."""
        index = self.intents.index(intent)
        return [
            w
            for w in words
            if index in self._word_intents.get(w, ())
            and len(self._word_intents[w]) <= tuning.DISTINCTIVE_MAX_INTENTS
        ]

    def _coverage(self, words: tuple[str, ...]) -> list[float]:
        """Per intent, the IDF-weighted share of the question's words its examples use."""
        coverage = [0.0] * len(self.intents)
        # Sorted so the sums do not depend on set order, which changes between runs (string hashing).
        plain = sorted({w for w in words if not w.isupper()})
        # A word no example uses weighs as much as the rarest: it is unexplained by every intent.
        mass = sum(self._idf.get(w, self._max_idf) for w in plain)
        for word in plain:
            for owner in self._word_intents.get(word, ()):
                coverage[owner] += self._idf[word] / mass
        return coverage

    def clear_cache(self) -> None:
        """Forgets the memoized entity adjustments (after a measurement changed the tuning)."""
        self._adjustments.clear()

    def _adjustments_for(self, present: frozenset[EntityType]) -> list[float]:
        """Entity adjustments of every intent, memoized per set of entity types (there are few)."""
        adjustments = self._adjustments.get(present)
        if adjustments is None:
            adjustments = [self._entity_adjustment(intent, present) for intent in self.intents]
            self._adjustments[present] = adjustments
        return adjustments

    @staticmethod
    def _entity_adjustment(intent: Intent, present: frozenset[EntityType]) -> float:
        adjustment = 0.0
        for required in intent.required:
            adjustment += (
                tuning.USED_ENTITY_BONUS if required in present else -tuning.MISSING_REQUIRED_PENALTY
            )
        usable = set(intent.required) | set(intent.optional)
        for kind in present:
            if kind in intent.optional:
                adjustment += tuning.USED_ENTITY_BONUS
            elif kind not in usable:
                adjustment -= tuning.UNUSED_ENTITY_PENALTY
        return adjustment
