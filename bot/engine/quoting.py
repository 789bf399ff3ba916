"""Answers quoted from sentences: the guideline's own, when a question turns on a phrase no intent names, and
the background news reports', labelled as such, for their figures and for other provinces' practice."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot.compose.reply import Reply, Section
from bot.data.intents import Intent
from bot.data.knowledge import KnowledgeBase
from bot.nlu import tuning
from bot.nlu.analysis import Analysis
from bot.nlu.passages import Passage, PassageIndex
from bot.nlu.slots import Slots


class Quoting:
    """Finds the sentences of the guideline and of the news reports that answer a question.

    Args:
        kb: For the citations.
        passages: The guideline's sentences.
        news: The news reports' sentences.
        general_frequency: A word's count in jieba's general dictionary (rare words point at a sentence).
        contact_words: Words asking whom to contact.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        passages: PassageIndex,
        news: PassageIndex,
        general_frequency: Callable[[str], int],
        contact_words: frozenset[str],
    ) -> None:
        """Keeps the indexes."""
        self.kb = kb
        self.passages = passages
        self.news = news
        self.general_frequency = general_frequency
        self.contact_words = contact_words

    def strong(
        self, index: PassageIndex, analysis: Analysis, *, in_scope_only: bool = False
    ) -> list[Passage]:
        """The sentences of ``index`` a question matches strongly enough to be answered from them.

        One everyday word is too weak (红烧肉的做法 shares 做法 with 好做法); two words are not, nor is one
        word in a question that shows evidence of scope when the word is specific (奖学金) or another word
        of the question is in the sentence too (老人 … 提供 … 服务). With ``in_scope_only`` (the news
        reports, whose words range far wider than the guideline's) the question must show evidence of
        scope in any case, and share with the sentence a word that is rare in general Chinese: a football
        report shares 更加 and 表示 with some sentence of theirs.
        """
        if in_scope_only and not analysis.evidence:
            return []
        hits = index.search(analysis.tokens, limit=2)
        if in_scope_only:
            frequency = self.general_frequency
            hits = [h for h in hits if any(frequency(w) < tuning.NEWS_RARE_WORD_FREQ for w in h.matched)]
        return [
            h.passage
            for h in hits
            if len(h.matched) > 1 or (analysis.evidence and (h.specific or h.corroborated))
        ]

    def news_for(self, intent: Intent, analysis: Analysis, slots: Slots) -> list[Passage]:
        """The news sentences that answer a question about the news or another province's practice."""
        if intent.answer == "background":
            return self.strong(self.news, analysis, in_scope_only=True)
        places = slots.other_places
        if intent.answer != "other_region" or not places or set(analysis.words) & self.contact_words:
            return []  # 河南扶贫办电话 is answered as a place the guideline does not cover
        news = self.strong(self.news, analysis, in_scope_only=True)
        return [p for p in news if any(place in p.text for place in places)]

    def add_passage(self, tokens: tuple[str, ...], reply: Reply) -> Reply:
        """Quotes the guideline's sentence holding a specific word of the question the reply lacks."""
        shown = "".join(line for section in reply.sections for line in (section.title or "", *section.lines))
        hits = [
            h
            for h in self.passages.search(tokens, exclude=shown)
            if h.specific and not self.passages.mostly_within(h.passage, shown)
        ]
        if not hits:
            return reply
        passage = hits[0].passage
        quote = Section("指引原文中的相关内容", (passage.text,), self.kb.cite(passage.source))
        return dataclasses.replace(reply, sections=(*reply.sections, quote))
