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

from bot.analysis import Analysis, Analyzer
from bot.intents import Intent

# Weight of token_set_ratio in the blend (the rest is token_sort_ratio). Chosen on the development set:
# 0.5 answered most cases correctly; set-only over-rewards long examples that merely contain the question.
SET_WEIGHT = 0.5
# Points lost for each required entity type the question does not mention.
MISSING_REQUIRED_PENALTY = 18.0
# Points lost for each entity type mentioned that the intent neither requires nor accepts.
UNUSED_ENTITY_PENALTY = 6.0
# Points gained for each required or optional entity type that is mentioned.
USED_ENTITY_BONUS = 3.0
# Fuzzy similarity weighs every word alike, so common words (社会组织, 活动, 哪些) can outvote the one that
# matters (保险, 冠名, 三聚焦). Coverage corrects this: the share of the question's words, weighted by how
# few intents use each word (inverse document frequency over intents), that appear in an intent's
# examples. An intent covering the whole question gains this many points. Chosen on the development set.
COVERAGE_POINTS = 10.0


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

    def rank(self, analysis: Analysis) -> list[Candidate]:
        """Scores every intent for ``analysis``, best first."""
        query = " ".join(analysis.words)
        if not query:
            return []
        blended = [0.0] * len(self._example_words)
        for scorer, weight in ((fuzz.token_set_ratio, SET_WEIGHT), (fuzz.token_sort_ratio, 1.0 - SET_WEIGHT)):
            # process.extract runs the loop in C; limit=None keeps every example.
            for _, score, row in process.extract(query, self._example_words, scorer=scorer, limit=None):
                blended[row] += weight * score
        present = analysis.entity_types
        coverage = [0.0] * len(self.intents)
        words = {w for w in analysis.words if not w.isupper()}
        known = [w for w in words if w in self._idf]
        # A word no example uses weighs as much as the rarest: it is unexplained by every intent.
        mass = sum(self._idf.get(w, self._max_idf) for w in words)
        for word in known:
            for owner in self._word_intents[word]:
                coverage[owner] += self._idf[word] / mass
        candidates = []
        for index, intent in enumerate(self.intents):
            best = max(self._rows[index], key=blended.__getitem__)
            similarity = blended[best]
            score = similarity + self._entity_adjustment(intent, present) + COVERAGE_POINTS * coverage[index]
            candidates.append(Candidate(intent, max(0.0, score), similarity, self._examples[best]))
        candidates.sort(key=lambda c: c.score, reverse=True)
        return candidates

    @staticmethod
    def _entity_adjustment(intent: Intent, present: frozenset[str]) -> float:
        adjustment = 0.0
        for required in intent.required:
            adjustment += USED_ENTITY_BONUS if required in present else -MISSING_REQUIRED_PENALTY
        usable = set(intent.required) | set(intent.optional)
        for kind in present:
            if kind in intent.optional:
                adjustment += USED_ENTITY_BONUS
            elif kind not in usable:
                adjustment -= UNUSED_ENTITY_PENALTY
        return adjustment
