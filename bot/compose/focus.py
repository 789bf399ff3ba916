"""Answers about the focus regions, people and domains (第二至四条) and 三聚焦."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose.common import (
    answer,
    ask,
    fact_texts,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Reply, Section
from bot.data.knowledge import KnowledgeBase
from bot.data.schema import Fact


def _group_section(kb: KnowledgeBase, title: str, facts: Sequence[Fact], source: str) -> Section:
    return Section(title, fact_texts(facts), kb.cite(source), bullet=True)


@composer("focus_regions")
def focus_regions(brief: Brief) -> Reply:
    """The four kinds of focus region (第二条)."""
    kb = brief.kb
    group = kb.focus.regions
    return answer(
        _group_section(kb, group.title, group.items, group.source),
        suggestions=[ask("国家级重点区县有哪些"), ask("深度贫困乡镇有哪些"), ask("重点对象包括哪些人")],
    )


@composer("focus_people")
def focus_people(brief: Brief) -> Reply:
    """The eight kinds of focus people (第三条)."""
    kb = brief.kb
    group = kb.focus.people
    return answer(
        _group_section(kb, group.title, group.items, group.source),
        suggestions=[ask("重点领域有哪些"), ask("什么是三聚焦")],
    )


@composer("focus_domains")
def focus_domains(brief: Brief) -> Reply:
    """The focus domains (第四条)."""
    kb = brief.kb
    group = kb.focus.domains
    return answer(
        Section(group.title, ("、".join(fact_texts(group.items)) + "等",), kb.cite(group.source)),
        suggestions=[ask("残障人士帮扶怎么做"), ask("重点对象包括哪些人")],
    )


@composer("three_focus")
def three_focus(brief: Brief) -> Reply:
    """The “三聚焦” principle and what it covers."""
    kb = brief.kb
    fact = kb.focus.three_focus
    return answer(
        Section("“三聚焦”", (fact.text + "。",), kb.cite(fact.source)),
        *_focus_sections(kb),
    )


@composer("focus_overview")
def focus_overview(brief: Brief) -> Reply:
    """Where, whom and what to focus on, together."""
    kb = brief.kb
    focus = kb.focus
    return answer(
        *_focus_sections(kb),
        Section(None, (focus.three_focus.text + "。",), kb.cite(focus.three_focus.source)),
    )


def _focus_sections(kb: KnowledgeBase) -> tuple[Section, Section, Section]:
    """The focus regions, people and domains, one section each."""
    focus = kb.focus
    return (
        Section(
            focus.regions.title, ("、".join(fact_texts(focus.regions.items)),), kb.cite(focus.regions.source)
        ),
        Section(
            focus.people.title, fact_texts(focus.people.items), kb.cite(focus.people.source), bullet=True
        ),
        Section(
            focus.domains.title,
            ("、".join(fact_texts(focus.domains.items)) + "等",),
            kb.cite(focus.domains.source),
        ),
    )
