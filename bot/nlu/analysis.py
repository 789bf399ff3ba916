"""Turns a question into what the matcher compares: its entities and its canonical words.

The pipeline: :func:`bot.data.normalize.normalize` → entities (:class:`bot.nlu.entities.Gazetteer`) → each mention
replaced by a placeholder naming its type (so one example with 万州区 serves every district) → jieba
segmentation → synonyms folded to their canonical word → stop words dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.data.entity_type import EntityType
from bot.data.normalize import normalize
from bot.nlu.entities import Gazetteer, Mention, is_unlisted_local_place, token_spans
from bot.nlu.lexicon import Lexicon, Segmenter

# Placeholders are upper-case ASCII, which normalized user text never contains, and jieba keeps whole.
PLACEHOLDERS = {entity_type: entity_type.name.replace("_", "") for entity_type in EntityType}


@dataclass(frozen=True)
class Analysis:
    """What the engine understood of one question before choosing an intent.

    Attributes:
        original: The question as received.
        text: The normalized question.
        mentions: The entities found, in order.
        words: Canonical words with placeholders, stop words removed.
        tokens: The normalized question as jieba cut it, before any folding.
        evidence: Whether anything in the question (an entity or a domain word) relates to the guideline.
        asking: Whether it reads as a question or a request rather than a remark (城口好远啊).
    """

    original: str
    text: str
    mentions: tuple[Mention, ...]
    words: tuple[str, ...]
    evidence: bool
    tokens: tuple[str, ...] = ()
    asking: bool = True

    @property
    def entity_types(self) -> frozenset[EntityType]:
        """The types of entity mentioned (the city itself does not count: it names no particular place)."""
        return frozenset(c.type for m in self.mentions for c in m.candidates if c.type is not EntityType.CITY)


class Analyzer:
    """Runs the understanding pipeline with one lexicon, gazetteer and segmenter."""

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer, segmenter: Segmenter) -> None:
        """Teaches the segmenter every domain word and known name."""
        self.lexicon = lexicon
        self.gazetteer = gazetteer
        self.segmenter = segmenter
        segmenter.add_words(lexicon.words | gazetteer.names)
        self._domain_words: frozenset[str] = frozenset()
        self._known_words: frozenset[str] = frozenset()

    def set_vocabulary(self, domain: frozenset[str], known: frozenset[str]) -> None:
        """Sets the words that show a question is in scope, and all the words the engine knows.

        Args:
            domain: Words of in-scope intents' examples and of the guideline: evidence of scope.
            known: Every word the engine has seen; a question made mostly of other words is likely
                about something else (怎么注册公司 shares only 注册 with the guideline).
        """
        # Single characters (在, 会, 看) are everyday function words, no evidence of anything.
        # Placeholders are not words of the question: its mentions are weighed on their own.
        self._domain_words = (
            frozenset(w for w in domain if len(w) > 1 and not w.isupper())
            - self.lexicon.generic
            - self.lexicon.stopwords
        )
        self._known_words = known | domain

    def topic_words(self, analysis: Analysis) -> list[str]:
        """The words of a question that say what it is about in the guideline's terms (深度贫困乡镇, 电话)."""
        return [w for w in analysis.words if w in self._domain_words]

    def unknown_share(self, analysis: Analysis) -> float:
        """The share of a question's content words that the engine has never seen (0 when it has none)."""
        return self._share_outside(analysis, self._known_words)

    def off_topic_share(self, analysis: Analysis) -> float:
        """The share of a question's content words that are not words of the guideline's topics.

        Unlike :meth:`unknown_share`, words the engine knows only from small talk and declined examples
        (天气, 好玩) count as off the topic.
        """
        return self._share_outside(analysis, self._domain_words)

    def content_words(self, analysis: Analysis) -> list[str]:
        """A question's words that say what it is about: no placeholders, generic words or single characters."""
        # Single characters are mostly function words (小, 盖, 章) and say little about the topic.
        return [w for w in analysis.words if len(w) > 1 and not w.isupper() and w not in self.lexicon.generic]

    def _share_outside(self, analysis: Analysis, vocabulary: frozenset[str]) -> float:
        content = self.content_words(analysis)
        if not content:
            return 0.0
        return sum(w not in vocabulary for w in content) / len(content)

    def analyze(self, question: str) -> Analysis:
        """Runs the whole pipeline on one question."""
        text = normalize(question)
        tokens = self.segmenter.cut(text) if text else []
        mentions = tuple(self.gazetteer.find(text, tokens)) if text else ()
        words = self._words(text, tokens, mentions)
        # Nothing but names (北京朝阳区, 张家村): they are what is asked about.
        names_only = sum(m.end - m.start for m in mentions) >= len(text.replace(" ", ""))
        evidence = any(w in self._domain_words for w in words) or any(
            self._is_evidence(m, names_only, question, self.lexicon) for m in mentions
        )
        asking = (
            names_only
            or bool(self.lexicon.asking.search(text))
            or bool(self.lexicon.asking.search(" ".join(words)))
        )
        return Analysis(question, text, mentions, words, evidence, tuple(tokens), asking)

    @staticmethod
    def _is_evidence(mention: Mention, names_only: bool, question: str, lexicon: Lexicon) -> bool:
        """Whether a mention shows, by itself, that a question is about the guideline.

        A place of the guideline, an organization type, a theme or a tier does. Chongqing itself does not.
        A place the guideline does not cover does only when names are all the question says (遵义?), or, for a
        township or village, in a question (张家村在哪); otherwise it needs a word of the guideline beside
        it (遵义扶贫办电话), so that chatter naming a place (北京到重庆高铁票价, 明天去李家镇吃饭) is not
        taken for a question about it.
        """
        entity = mention.candidates[0]
        if entity.type is EntityType.CITY:
            return False
        if entity.type is not EntityType.OTHER_PLACE:
            return True
        if names_only:
            return True
        return is_unlisted_local_place(entity) and bool(lexicon.question.search(question))

    def _words(self, text: str, tokens: list[str], mentions: tuple[Mention, ...]) -> tuple[str, ...]:
        """Canonical words of the segmented text, each mention replaced by its type's placeholder.

        A token that overlaps a mention stands for the whole mention (jieba knows every name, so tokens
        and mentions almost always line up); consecutive mentions of one type give one placeholder.
        """
        words: list[str] = []
        emitted: set[int] = set()
        for start, end in token_spans(text, tokens):
            token = text[start:end]
            overlapping = [i for i, m in enumerate(mentions) if m.start < end and start < m.end]
            if overlapping:
                for index in overlapping:
                    if index not in emitted and mentions[index].type is not EntityType.CITY:
                        emitted.add(index)
                        placeholder = PLACEHOLDERS[mentions[index].type]
                        if not words or words[-1] != placeholder:
                            words.append(placeholder)
                continue
            word = self.lexicon.canonical(token)
            if word not in self.lexicon.stopwords:
                words.append(word)
        return tuple(words)
