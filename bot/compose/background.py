"""Answers quoted from sentences: the guideline's own, and the background news reports' (labelled as such)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose.common import (
    answer,
    ask,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Reply, Section
from bot.data.knowledge import KnowledgeBase
from bot.nlu.passages import Passage


@composer("background")
def background(brief: Brief) -> Reply:
    """Facts from the background news reports, on the topics the question is closest to."""
    from rapidfuzz import fuzz, process

    kb = brief.kb
    items = kb.background.items
    text = brief.analysis.text if brief.analysis else ""
    ranked = process.extract(
        text, [f"{i.topic}{i.text}" for i in items], scorer=fuzz.partial_token_set_ratio, limit=2
    )
    chosen = [items[index] for _, score, index in ranked] if text else list(items[:2])
    sections = [Section(item.topic, (item.text,), kb.cite(item.source)) for item in chosen]
    sections.append(Section(None, ("以上为新闻报道中的背景信息,不属于《工作指引》正文。",)))
    return answer(*sections, suggestions=[ask("怎么参与脱贫攻坚")])


def passages_reply(kb: KnowledgeBase, passages: Sequence[Passage]) -> Reply:
    """Quotes the guideline's sentences that match a question no intent covers."""
    sections = [Section(None, ("《工作指引》中与您的问题相关的内容:",))]
    sections += [Section(None, (p.text,), kb.cite(p.source)) for p in passages]
    return answer(*sections, suggestions=[ask("帮助")])


def news_reply(kb: KnowledgeBase, passages: Sequence[Passage], places: Sequence[str] = ()) -> Reply:
    """Quotes the background news reports' sentences, marked as not part of the guideline.

    Args:
        kb: For the reports' titles.
        passages: The sentences, best first.
        places: Other provinces the question asked about (their practice is in the reports only).
    """
    sections = []
    if places:
        sections.append(
            Section(None, (f"《工作指引》是重庆市的文件,没有写{'、'.join(places)}的做法;新闻报道中有:",))
        )
    sections += [Section(None, (p.text,), kb.cite(p.source)) for p in passages]
    sections.append(Section(None, ("以上为新闻报道中的背景信息,不属于《工作指引》正文。",)))
    return answer(*sections, suggestions=[ask("怎么参与脱贫攻坚")])
