"""Answers about what organization types and themes should do (第六至十七条), alone or in a place, and the tailored plan."""

from __future__ import annotations

import dataclasses

from bot.compose.common import (
    ATTACHMENT_2,
    answer,
    ask,
    fact_texts,
    township_line,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.compose.sections import (
    activities_section,
    district_contact_section,
    district_suggestions,
    township_section,
    village_location_section,
    village_section,
)
from bot.data.knowledge import District, KnowledgeBase
from bot.data.schema import ActivityGroup
from bot.nlu.slots import implied_districts


def org_types_reply(kb: KnowledgeBase) -> Reply:
    """The organization types the guideline addresses, to choose from."""
    names = "、".join(group.name for group in kb.activities.org_types)
    choices = tuple(Choice(group.name, f"{group.name}怎么参与扶贫") for group in kb.activities.org_types)
    return Reply(
        ReplyKind.CLARIFY,
        (Section(None, (f"《工作指引》第六至十条按组织类型给出了建议:{names}。请问您的组织属于哪一类?",)),),
        choices=choices,
    )


def activities_reply(kb: KnowledgeBase, group: ActivityGroup) -> Reply:
    """Recommended activities for one organization type."""
    return answer(
        activities_section(kb, group),
        suggestions=[ask("去哪里开展帮扶、联系谁", "各区县扶贫办电话"), ask("参与后要报送什么")],
    )


@composer("activities_by_orgtype")
def activities_by_orgtype(brief: Brief) -> Reply:
    """What the organization types mentioned should do (第六至十条)."""
    kb, slots = brief.kb, brief.slots
    sections = [activities_section(kb, group) for group in slots.org_types]
    sections += [activities_section(kb, theme, f"关于{theme.name}") for theme in slots.themes]
    return answer(*sections, suggestions=[ask("各区县扶贫办电话"), ask("参与后要报送什么")])


@composer("activities_by_theme")
def activities_by_theme(brief: Brief) -> Reply:
    """What the guideline asks on the themes mentioned (第十至十七条)."""
    kb, slots = brief.kb, brief.slots
    sections = [activities_section(kb, theme, f"{theme.name}") for theme in slots.themes]
    return answer(*sections, suggestions=[ask("重点对象包括哪些人"), ask("怎么参与脱贫攻坚")])


@composer("which_org_type")
def which_org_type(brief: Brief) -> Reply:
    """Asks which type the user's organization is, offering the guideline's types."""
    return dataclasses.replace(org_types_reply(brief.kb), asks="org_type")


@composer("which_theme")
def which_theme(brief: Brief) -> Reply:
    """Asks which theme the user cares about, offering the guideline's themes."""
    kb = brief.kb
    names = "、".join(theme.name for theme in kb.activities.themes)
    choices = tuple(Choice(theme.name, f"{theme.name}怎么做") for theme in kb.activities.themes)
    return Reply(
        ReplyKind.CLARIFY,
        (Section(None, (f"《工作指引》第十至十七条谈到这些帮扶主题:{names}。请问您关心哪一个?",)),),
        choices=choices,
        asks="theme",
    )


@composer("org_in_district")
def org_in_district(brief: Brief) -> Reply:
    """An organization type's activities and whom to contact in the place it wants to help."""
    kb, slots = brief.kb, brief.slots
    districts = implied_districts(kb, slots)
    sections: list[Section] = [village_location_section(kb, slots.villages)] if slots.villages else []
    for district in districts:
        named = [t for t in slots.townships if t.district == district.name]
        townships = named or list(district.townships)
        office = district_contact_section(kb, district)
        if not named:
            sections.append(office)  # the office first, unless the question named a township
        if townships:
            lines = tuple(township_line(t, with_district=False) for t in townships)
            title = "联系人" if named else f"{district.name}深度贫困乡镇联系人"
            sections.append(Section(title, lines, kb.cite(ATTACHMENT_2), bullet=True))
        if named:
            sections.append(office)
    if brief.analysis is not None and "攻坚村" in brief.analysis.words:
        sections += [v for v in (village_section(kb, d) for d in districts) if v]  # 攻坚村 asked about too
    for group in slots.org_types:
        sections.append(activities_section(kb, group))
    for theme in slots.themes:
        sections.append(activities_section(kb, theme, f"关于{theme.name}"))
    if not slots.org_types and not slots.themes:
        sections.append(
            Section(None, ("如您告诉我组织类型(如医疗卫生类、教育培训类),我可以列出指引推荐的活动。",))
        )
    shown = frozenset({"phone", "townships"})
    suggestions = [
        *[c for d in districts for c in district_suggestions(d, shown=shown)][:2],
        ask("参与后要报送什么"),
    ]
    return answer(*sections, suggestions=suggestions)


def plan_reply(
    kb: KnowledgeBase, org_type: ActivityGroup, district: District, theme: ActivityGroup | None
) -> Reply:
    """A tailored plan: whom to contact, what to do, whom to focus on, and what to report."""
    sections = [Section("一、联系谁", (), None)]
    sections.append(district_contact_section(kb, district))
    for extra in (township_section(kb, district), village_section(kb, district)):
        if extra:
            sections.append(extra)
    sections.append(Section("二、做什么", (), None))
    sections.append(activities_section(kb, org_type))
    if theme is not None:
        sections.append(activities_section(kb, theme, f"关于{theme.name}"))
    people = kb.focus.people
    sections.append(Section("三、重点帮扶谁", fact_texts(people.items), kb.cite(people.source), bullet=True))
    sections.append(Section("四、报送什么、何时报送", (), None))
    for requirement in kb.reporting.requirements:
        when = f"({requirement.when})" if requirement.when else ""
        sections.append(
            Section(None, (f"{requirement.label}{when}:{requirement.text}",), kb.cite(requirement.source))
        )
    insurance = kb.safety.insurance
    sections.append(Section("五、安全保障", (insurance.text,), kb.cite(insurance.source)))
    return Reply(
        ReplyKind.ANSWER, tuple(s for s in sections if s.lines or s.title), intent="plan", confidence=1.0
    )
