"""Finds the sentences of a text (the guideline, or the background news reports) that contain a question's
specific words.

Intents cover what people usually ask; a question can still turn on a phrase the intents do not name
(第三方评估, 主流媒体, 代章). An index splits the guideline (cover letter and articles) into sentences and
ranks them by the inverse document frequency of the question's words they contain, so the engine can
quote the sentence that holds a rare word the chosen answer lacks, or answer from it when no intent fits.
A second index does the same over the news reports, for questions about their figures and about other
provinces' practice, which the guideline does not cover.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.data.knowledge import KnowledgeBase
from bot.data.normalize import normalize, to_simplified
from bot.nlu import tuning
from bot.nlu.lexicon import Lexicon, Segmenter

# Sentences are cut at these marks; an article's numbered items are already separate.
_SENTENCE_END = re.compile(r"(?<=[。;;!?！？])")
# The 003 report's page prints some characters with their pinyin after them (導(dǎo)航).
_PINYIN_NOTE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]+\)")
_URL_PARTS = frozenset({"http", "https", "www", "com", "cn", "net", "org", "html", "htm"})


@dataclass(frozen=True)
class Passage:
    """A sentence of the guideline and where it comes from."""

    text: str
    source: str
    words: frozenset[str]


@dataclass(frozen=True)
class PassageHit:
    """A passage and why it matched.

    Attributes:
        passage: The sentence.
        score: The summed IDF of ``matched``.
        matched: The question's specific words (found in few sentences) that the passage contains.
        shared: Every content word of the question that the passage contains, common ones included.
    """

    passage: Passage
    score: float
    matched: tuple[str, ...]
    shared: tuple[str, ...] = ()

    @property
    def specific(self) -> bool:
        """Whether the match rests on more than one everyday word: two words, or one of three or more characters."""
        return len(self.matched) > 1 or any(len(word) > 2 for word in self.matched)

    @property
    def corroborated(self) -> bool:
        """Whether another word of the question, however common (服务, 项目), is also in the passage."""
        return len(self.shared) > len(self.matched)


class PassageIndex:
    """Sentences of a text, indexed by word."""

    def __init__(self, texts: Iterable[tuple[str, str]], segmenter: Segmenter, lexicon: Lexicon) -> None:
        """Splits every text into sentences and indexes them.

        Args:
            texts: (text, source) pairs; every sentence of a text is cited with its source.
            segmenter: Cuts sentences into words, as questions are cut.
            lexicon: Its stop words and generic words are not indexed.
        """
        self._segmenter = segmenter
        self._ignore = lexicon.stopwords | lexicon.generic
        passages: list[Passage] = []
        for text, source in texts:
            passages += self._split(text, source)
        self.passages = tuple(passages)
        self.vocabulary = frozenset(word for p in passages for word in p.words)
        self._postings: dict[str, list[int]] = {}
        for index, passage in enumerate(passages):
            for word in passage.words:
                self._postings.setdefault(word, []).append(index)
        frequency: Counter[str] = Counter(word for p in passages for word in p.words)
        total = len(passages)
        self._idf = {
            word: math.log(total / count)
            for word, count in frequency.items()
            if count <= tuning.MAX_DOCUMENT_SHARE * total
        }

    @classmethod
    def of_guideline(cls, kb: KnowledgeBase, segmenter: Segmenter, lexicon: Lexicon) -> PassageIndex:
        """The cover letter's points and every article and item of the guideline."""
        guideline = kb.guideline
        texts = [(point.text, f"印发通知第{point.label}点") for point in guideline.notice.points]
        for article in guideline.articles:
            if article.text:
                texts.append((article.text, article.label))
            texts += [(item.text, f"{article.label}{item.label}") for item in article.items]
        return cls(texts, segmenter, lexicon)

    @classmethod
    def of_news(cls, kb: KnowledgeBase, segmenter: Segmenter, lexicon: Lexicon) -> PassageIndex:
        """The lines of text of every background report, in Simplified characters, cited by file name."""
        texts = []
        for name, text in kb.news.items():
            for line in _PINYIN_NOTE.sub("", text).splitlines():
                line = line.strip()
                if len(line) >= tuning.MIN_NEWS_LINE_CHARS:
                    texts.append((to_simplified(line), name))
        return cls(texts, segmenter, lexicon)

    def _split(self, text: str, source: str) -> list[Passage]:
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 4]
        return [Passage(s, source, frozenset(self._content_words(normalize(s)))) for s in sentences]

    def _content_words(self, text: str) -> Iterable[str]:
        return (w for w in self._segmenter.cut(text) if self._is_content(w))

    def _is_content(self, word: str) -> bool:
        # Numbers (800, 2020) and the parts of web addresses (https, www, com) coincide by chance; they
        # point at no sentence.
        return len(word) > 1 and word not in self._ignore and not word.isdigit() and word not in _URL_PARTS

    def mostly_within(self, passage: Passage, shown: str) -> bool:
        """Whether most of a passage's words already appear in ``shown`` (quoting it would repeat)."""
        if not passage.words:
            return True
        present = sum(word in shown for word in passage.words)
        return present / len(passage.words) > tuning.MAX_REPEATED_SHARE

    def search(self, tokens: Iterable[str], *, exclude: str = "", limit: int = 1) -> list[PassageHit]:
        """The passages sharing the most specific words with a question.

        Args:
            tokens: The question's words as the segmenter cut them (``Analysis.tokens``).
            exclude: Text already shown (the chosen answer); words it contains do not count.
            limit: How many passages to return at most.

        Returns:
            Passages scoring at least :data:`bot.nlu.tuning.MIN_PASSAGE_SCORE`, best first.
        """
        words = {w for w in tokens if w in self._idf and w not in self._ignore and w not in exclude}
        if not words:
            return []
        matches: dict[int, set[str]] = {}
        for word in words:
            for index in self._postings[word]:
                matches.setdefault(index, set()).add(word)
        content = {w for w in tokens if self._is_content(w) and w not in exclude}
        ranked: list[tuple[float, int]] = []
        for index, matched in matches.items():
            # Summed in a fixed order: set order varies between runs (string hashing), and so would the
            # last bit of the sum, and with it which of two equal sentences comes first.
            score = sum(self._idf[w] for w in sorted(matched))
            if score >= tuning.MIN_PASSAGE_SCORE:
                ranked.append((-score, index))  # ties: the earlier sentence of the guideline first
        hits = []
        for negative_score, index in sorted(ranked)[:limit]:
            passage = self.passages[index]
            shared = tuple(sorted(content & passage.words))
            hits.append(PassageHit(passage, -negative_score, tuple(sorted(matches[index])), shared))
        return hits
