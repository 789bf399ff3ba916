"""Answers about taking part (第五条), 中国社会扶贫网, planning, follow-up, reporting and recognition, and safety (第十八条)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose.common import (
    answer,
    ask,
    fact_texts,
    sources,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Choice, Reply, Section
from bot.compose.sections import activities_section
from bot.data.knowledge import KnowledgeBase
from bot.data.schema import Requirement


@composer("participation_paths")
def participation_paths(brief: Brief) -> Reply:
    """The main ways of taking part (第五条)."""
    kb = brief.kb
    lines = tuple(f"{path.label}:{path.text}" for path in kb.participation.paths)
    return answer(
        Section("社会组织参与脱贫攻坚的主要工作路径", lines, kb.cite("第五条"), bullet=True),
        *_mentioned_activities(brief),
        suggestions=[ask("从哪里开始"), ask("各区县扶贫办电话"), ask("怎么注册中国社会扶贫网")],
    )


def _mentioned_activities(brief: Brief) -> list[Section]:
    """The activities of the organization types and themes a question mentions, for general answers."""
    kb, slots = brief.kb, brief.slots
    sections = [activities_section(kb, group) for group in slots.org_types]
    return sections + [activities_section(kb, theme, f"关于{theme.name}") for theme in slots.themes]


@composer("getting_started")
def getting_started(brief: Brief) -> Reply:
    """Where a newcomer starts, step by step."""
    kb = brief.kb
    paths = {path.id: path for path in kb.participation.paths}
    steps = [paths[ident] for ident in kb.participation.getting_started]
    lines = tuple(f"第{i}步 {step.label}:{step.text}" for i, step in enumerate(steps, 1))
    return answer(
        Section("建议按以下步骤开始", lines, sources(kb, steps)),
        *_mentioned_activities(brief),
        suggestions=[ask("各区县扶贫办电话"), ask("重点对象包括哪些人"), ask("我们能开展哪些帮扶活动")],
    )


@composer("online_platform")
def online_platform(brief: Brief) -> Reply:
    """中国社会扶贫网: what it is for and its link."""
    kb = brief.kb
    platform = kb.platform
    return answer(
        Section(f"“{platform.name}”", (f"链接地址:{platform.url}",), kb.cite(platform.url_source)),
        Section(None, fact_texts(platform.facts), sources(kb, platform.facts), bullet=True),
        suggestions=[ask("怎么参与脱贫攻坚")],
    )


def _requirement_section(kb: KnowledgeBase, requirement: Requirement) -> Section:
    when = f"({requirement.when})" if requirement.when else ""
    return Section(f"{requirement.label}{when}", (requirement.text,), kb.cite(requirement.source))


def reporting_reply(kb: KnowledgeBase) -> Reply:
    """Every planning, follow-up and reporting requirement, and how participation is recognized."""
    sections = [_requirement_section(kb, r) for r in kb.reporting.requirements]
    sections += [_requirement_section(kb, r) for r in kb.reporting.recognition]
    return answer(*sections, suggestions=[ask("重要项目可以冠名吗"), ask("帮扶人员的安全怎么保障")])


@composer("reporting_overview")
def reporting_overview(brief: Brief) -> Reply:
    """Everything about plans, follow-up, reporting and recognition."""
    return reporting_reply(brief.kb)


def _reporting(brief: Brief, *idents: str, suggestions: Sequence[Choice] = ()) -> Reply:
    kb = brief.kb
    by_id = {r.id: r for r in kb.reporting.requirements + kb.reporting.recognition}
    sections = [_requirement_section(kb, by_id[ident]) for ident in idents]
    return answer(*sections, suggestions=[*suggestions, ask("参与后要报送什么")])


@composer("reporting_plan")
def reporting_plan(brief: Brief) -> Reply:
    """The annual plan and 帮扶方案 (第五条(七))."""
    return _reporting(brief, "annual_plan", suggestions=[ask("要多久回访一次")])


@composer("reporting_followup")
def reporting_followup(brief: Brief) -> Reply:
    """Quarterly visits and phone follow-up (第五条(八))."""
    return _reporting(brief, "followup", suggestions=[ask("工作成效报送给谁")])


@composer("reporting_results")
def reporting_results(brief: Brief) -> Reply:
    """Reporting experience and results to the supervising and registration authorities (第五条(九))."""
    return _reporting(brief, "report_results", "honours", suggestions=[ask("参与情况会影响等级评估吗")])


@composer("recognition")
def recognition(brief: Brief) -> Reply:
    """How participation counts in grading, government purchase of services and awards."""
    return _reporting(brief, "evaluation", "honours", suggestions=[ask("重要项目可以冠名吗")])


@composer("authority_duties")
def authority_duties(brief: Brief) -> Reply:
    """What the cover letter asks of 民政、扶贫 departments and supervising units (印发通知第一至三点)."""
    return _reporting(
        brief,
        "guidance",
        "evaluation",
        "publicity",
        "mobilize",
        "honours",
        suggestions=[ask("社会组织怎么参与脱贫攻坚")],
    )


@composer("honours")
def honours(brief: Brief) -> Reply:
    """Honours and naming of important projects (印发通知第三点)."""
    return _reporting(
        brief, "naming", "honours", "publicity", suggestions=[ask("参与情况会作为购买服务的依据吗")]
    )


@composer("safety_insurance")
def safety_insurance(brief: Brief) -> Reply:
    """Staff safety and the insurance the guideline recommends."""
    kb = brief.kb
    fact = kb.safety.insurance
    return answer(
        Section("工作人员安全保障", (fact.text,), kb.cite(fact.source)),
        suggestions=[ask("还有哪些注意事项")],
    )


@composer("cautions")
def cautions(brief: Brief) -> Reply:
    """The points to heed of 第十八条."""
    kb = brief.kb
    lines = tuple(f"{c.label}:{c.text}" for c in kb.safety.cautions)
    return answer(Section("参与脱贫攻坚的注意事宜", lines, kb.cite("第十八条"), bullet=True))
