"""A generic-search baseline: Okapi BM25 over jieba tokens of the guideline, answering with the top 3 passages.

This is what a team without Bangfu would ship: cut the published guideline into passages, tokenize them
with the stock ``jieba`` tokenizer (its full default dictionary, no domain words, no synonyms, no
Traditional → Simplified conversion), index them with BM25 and answer each question with the three
best-scoring passages. It knows nothing of districts, intents or out-of-scope questions, and declines
only when no passage shares a single token with the question.

Passages are the units a person would cut the document into (``knowledge/source/guideline.txt``):

* the cover letter's introduction, each of its numbered points, and its signature and date;
* the guideline's preamble, each article without items, and each numbered item of an article (prefixed
  with its article's lead sentence, as a heading-aware chunker would);
* the list of attachments and each row of every attachment, with the attachment's title and the column
  names, as a table-aware chunker would index a row.

The printed tables are read with :func:`bot.tools.guideline_parser.parse_guideline`, the project's own parser, so the
baseline is not handicapped by the print layout (attachment 3's interleaved columns and merged district
cells); it uses nothing else of the engine.

BM25 is written out here (``BM25``, ~40 lines) rather than taken from PyPI: ``rank-bm25``, the usual
choice, has had no release since 2022 and floors negative IDF with an ad-hoc epsilon, and ``bm25s``
brings numpy and scipy for an index of a few hundred passages. Forty lines of plain Python are easy to
check against the formula and add no dependency to the project.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jieba

from bot.tools.guideline_parser import ParsedGuideline, parse_guideline

if (
    TYPE_CHECKING
):  # bot.tools.evaluate imports the whole engine; the baseline's cold start must not pay for it.
    from bot.tools.evaluate import Case, Report

GUIDELINE = Path(__file__).resolve().parent.parent / "knowledge" / "source" / "guideline.txt"
# Okapi BM25's usual parameters (Robertson & Zaragoza 2009; Lucene's and Elasticsearch's defaults are
# 1.2 and 0.75).
K1 = 1.5
B = 0.75
# How many passages an answer shows.
TOP_K = 3
# The pseudo-intent of an answer, so that bot.tools.evaluate.check() can tell answered from declined.
ANSWERED = "bm25"
DECLINED_TEXT = "抱歉,指引中没有找到相关内容。"


@dataclass(frozen=True)
class Passage:
    """A unit of the guideline that search can return.

    Attributes:
        source: Where it comes from (第五条(一), 附件1 第3行 …).
        text: The text indexed and shown.
    """

    source: str
    text: str


@dataclass(frozen=True)
class BaselineAnswer:
    """What the baseline returns for a question.

    Attributes:
        text: The top passages, separated by blank lines; a short apology when nothing matched.
        intent: :data:`ANSWERED`, or None when no passage shares a token with the question.
        passages: The passages shown, best first.
    """

    text: str
    intent: str | None
    passages: tuple[Passage, ...]


class BM25:
    """Okapi BM25 over pre-tokenized documents, with an inverted index.

    The IDF is Lucene's non-negative form ``ln(1 + (N - n + 0.5) / (n + 0.5))``, so a term found in most
    passages still counts a little instead of counting against a passage.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        """Indexes ``documents`` (each a list of tokens).

        Args:
            documents: The tokenized documents; their positions are the ids :meth:`top` returns.
            k1: Term-frequency saturation.
            b: Document-length normalization.
        """
        self.k1 = k1
        count = len(documents)
        average = sum(len(d) for d in documents) / count if count else 0.0
        # The per-document part of the denominator, k1 · (1 − b + b · |d| / avgdl), computed once.
        self._norms = [k1 * (1 - b + b * len(d) / average) if average else k1 for d in documents]
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, tokens in enumerate(documents):
            for term, tf in Counter(tokens).items():
                self._postings.setdefault(term, []).append((doc_id, tf))
        self._idf = {
            term: math.log(1 + (count - len(posting) + 0.5) / (len(posting) + 0.5))
            for term, posting in self._postings.items()
        }

    def scores(self, query: Iterable[str]) -> dict[int, float]:
        """The BM25 score of every document sharing a term with ``query`` (repeated terms count again)."""
        scores: dict[int, float] = {}
        k1 = self.k1
        for term in query:
            posting = self._postings.get(term)
            if posting is None:
                continue
            idf = self._idf[term]
            for doc_id, tf in posting:
                scores[doc_id] = scores.get(doc_id, 0.0) + idf * tf * (k1 + 1) / (tf + self._norms[doc_id])
        return scores

    def top(self, query: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (document id, score) pairs, best first; ties go to the earlier document."""
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:k]


def tokenize(text: str) -> list[str]:
    """Cuts text with jieba's global tokenizer, as a generic system would.

    Only generic clean-up: NFKC (full-width → half-width), lower case, and tokens without a letter or
    digit (spaces, punctuation) dropped. No stop words, synonyms or Traditional → Simplified.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return [token for token in jieba.lcut(text) if any(ch.isalnum() for ch in token)]


def split_passages(parsed: ParsedGuideline) -> list[Passage]:
    """Cuts the parsed guideline into passages (see the module docstring)."""
    passages = [Passage("印发通知", f"{parsed.addressees}{parsed.notice_intro}")]
    passages += [Passage(f"印发通知第{p.label}点", p.text) for p in parsed.notice_points]
    passages.append(
        Passage("落款", f"{' '.join(parsed.issuers)}({parsed.sealed_by}){parsed.date} 《{parsed.title}》")
    )
    passages.append(Passage("序言", f"{parsed.title} {parsed.preamble}"))
    for article in parsed.articles:
        if not article.items:
            passages.append(Passage(article.label, f"{article.label} {article.text}"))
            continue
        for item in article.items:
            source = f"{article.label}{item.label}"
            passages.append(Passage(source, f"{source} {article.text}{item.text}"))
    names = parsed.attachments
    passages.append(Passage("附件", "附件:" + " ".join(f"{i}.{name}" for i, name in enumerate(names, 1))))
    for d in parsed.districts:
        passages.append(
            Passage(
                f"附件1 第{d.serial}行",
                f"附件1 {names[0]} 区县:{d.name} 联系电话:{d.phone} 备注:{d.tier}扶贫开发工作重点区县",
            )
        )
    for t in parsed.townships:
        passages.append(
            Passage(
                f"附件2 第{t.serial}行",
                f"附件2 {names[1]} 乡镇名称:{t.district}{t.name} 联系人:{t.contact} "
                f"联系方式:{t.phone} 备注:{t.title}",
            )
        )
    for v in parsed.villages:
        passages.append(
            Passage(f"附件3 第{v.serial}行", f"附件3 {names[2]} 区县:{v.district} 村(社区):{v.town}{v.name}")
        )
    return passages


class BM25Baseline:
    """The baseline system: passages of the guideline, their BM25 index, and answers of the top 3."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        """Initializes jieba (its full default dictionary) and indexes ``passages``."""
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()  # otherwise the first question would pay for loading the dictionary
        self.passages = tuple(passages)
        self.index = BM25([tokenize(p.text) for p in self.passages])

    @classmethod
    def load(cls, guideline: Path = GUIDELINE) -> BM25Baseline:
        """Builds the baseline from the guideline's published text."""
        return cls(split_passages(parse_guideline(guideline.read_text(encoding="utf-8"))))

    def answer(self, question: str) -> BaselineAnswer:
        """The top :data:`TOP_K` passages for ``question``, or an apology when none shares a token."""
        hits = [self.passages[doc_id] for doc_id, _ in self.index.top(tokenize(question), TOP_K)]
        if not hits:
            return BaselineAnswer(DECLINED_TEXT, None, ())
        text = "\n\n".join(f"{p.text}(来源:{p.source})" for p in hits)
        return BaselineAnswer(text, ANSWERED, tuple(hits))


def evaluate_baseline(baseline: BM25Baseline, cases: Iterable[Case]) -> Report:
    """Scores the baseline on a question set exactly as ``bangfu eval`` scores the engine.

    Each answer goes through :func:`bot.tools.evaluate.check`; a declined answer has intent None, as the
    engine's does.
    """
    from bot.tools.evaluate import Outcome, Report, check

    report = Report()
    for case in cases:
        answer = baseline.answer(case.q)
        report.outcomes.append(
            Outcome(case, answer.text, answer.intent, check(case, answer.text, answer.intent))
        )
    return report
