"""Answers about districts: office phones, tiers, counts, Chongqing's own office and places outside the guideline."""

from __future__ import annotations

from bot.compose.common import (
    ATTACHMENT_1,
    answer,
    ask,
    declined,
    tier_text,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Choice, Reply, Section
from bot.compose.sections import (
    district_contact_section,
    district_items,
    district_suggestions,
    key_district_counts,
    township_section,
    village_location_section,
    village_section,
)
from bot.data.knowledge import District, KnowledgeBase
from bot.nlu.slots import implied_districts, places_elsewhere, unlisted_local_places


def all_phones_reply(kb: KnowledgeBase) -> Reply:
    """The office phones of all 18 key districts, by tier."""
    sections = [tier_phones_section(kb, tier) for tier in ("国家级", "市级")]
    return answer(*sections, suggestions=[ask("深度贫困乡镇联系人有哪些"), ask("怎么参与脱贫攻坚")])


def tier_phones_section(kb: KnowledgeBase, tier: str) -> Section:
    """The office phones of the key districts of one tier."""
    districts = kb.districts_of_tier(tier)
    return Section(
        f"{tier}扶贫开发工作重点区县({len(districts)}个)扶贫办电话",
        tuple(f"{d.name}:{d.phone}" for d in districts),
        kb.cite(ATTACHMENT_1),
        bullet=True,
        items=district_items(districts),
    )


def city_office_reply(kb: KnowledgeBase) -> Reply:
    """Chongqing's own office: the guideline lists none, only the district offices."""
    return declined(
        Section(
            None,
            (
                "《工作指引》没有列出重庆市(市级)扶贫、民政部门的联系电话。",
                f"指引列出的是{len(kb.key_districts)}个扶贫开发工作重点区县扶贫办的电话,"
                "以及深度贫困乡镇的联系人;请告诉我您想去的区县。",
            ),
            kb.cite(ATTACHMENT_1),
        ),
        suggestions=[ask("各区县扶贫办电话"), ask("深度贫困乡镇联系人有哪些")],
    )


@composer("district_phone_list")
def district_phone_list(brief: Brief) -> Reply:
    """The office phones of all key districts."""
    return all_phones_reply(brief.kb)


@composer("city_office")
def city_office(brief: Brief) -> Reply:
    """Chongqing's own office, which the guideline does not list."""
    return city_office_reply(brief.kb)


@composer("district_contact")
def district_contact(brief: Brief) -> Reply:
    """A district's office phone (and its deep-poverty townships' contacts, who are also reachable)."""
    kb, slots = brief.kb, brief.slots
    districts = implied_districts(kb, slots)
    sections: list[Section] = [village_location_section(kb, slots.villages)] if slots.villages else []
    suggestions: list[Choice] = []
    unlisted = brief.office_detail
    for district in districts:
        if unlisted:
            sections.append(
                Section(
                    None,
                    (
                        f"《工作指引》没有列出{district.name}{unlisted};以下是指引列出的联系方式,可先电话询问。",
                    ),
                )
            )
        sections.append(district_contact_section(kb, district))
        townships = township_section(kb, district)
        if townships:
            sections.append(townships)
        suggestions += district_suggestions(district, shown=frozenset({"phone", "townships"}))
    return answer(*sections, suggestions=suggestions)


def district_reply(kb: KnowledgeBase, district: District) -> Reply:
    """Everything the guideline lists for one district: phone, tier, townships and villages."""
    sections = [district_contact_section(kb, district)]
    for extra in (township_section(kb, district), village_section(kb, district)):
        if extra:
            sections.append(extra)
    return answer(
        *sections,
        suggestions=[ask("我们能开展哪些帮扶活动"), ask("参与后要报送什么")],
    )


@composer("office_not_listed")
def office_not_listed(brief: Brief) -> Reply:
    """Districts whose office the guideline does not list: declined, with what it does list there."""
    kb = brief.kb
    districts = implied_districts(kb, brief.slots)
    sections = [district_contact_section(kb, d) for d in districts]
    suggestions = [c for d in districts for c in district_suggestions(d, shown=frozenset({"villages"}))]
    return declined(*sections, suggestions=suggestions[:3])


@composer("district_overview")
def district_overview(brief: Brief) -> Reply:
    """Everything about the districts mentioned (or implied)."""
    replies = [district_reply(brief.kb, d) for d in implied_districts(brief.kb, brief.slots)]
    return answer(
        *(s for r in replies for s in r.sections),
        suggestions=[c for r in replies for c in r.suggestions][:3],
    )


@composer("district_tier")
def district_tier(brief: Brief) -> Reply:
    """Whether a district is a 国家级 or 市级 key district."""
    kb = brief.kb
    sections = []
    for district in implied_districts(kb, brief.slots):
        if district.tier:
            line = f"{district.name}是{tier_text(district)},扶贫办联系电话:{district.phone}。"
        else:
            line = f"{district.name}不在《工作指引》列出的{key_district_counts(kb)}中。"
        sections.append(Section(None, (line,), kb.cite(ATTACHMENT_1)))
    return answer(*sections, suggestions=[ask("市级重点区县有哪些"), ask("国家级重点区县有哪些")])


@composer("tier_list")
def tier_list(brief: Brief) -> Reply:
    """The key districts of one tier, or of both."""
    kb = brief.kb
    tiers = brief.slots.tiers or ("国家级", "市级")
    with_phones = brief.analysis is not None and "电话" in brief.analysis.words
    sections = []
    for tier in tiers:
        if with_phones:
            sections.append(tier_phones_section(kb, tier))
        else:
            districts = kb.districts_of_tier(tier)
            names = ("、".join(d.name for d in districts),)
            title = f"{len(districts)}个{tier}扶贫开发工作重点区县"
            sections.append(Section(title, names, kb.cite(ATTACHMENT_1), items=district_items(districts)))
    return answer(*sections, suggestions=[ask("各区县扶贫办电话"), ask("深度贫困乡镇有哪些")])


@composer("region_counts")
def region_counts(brief: Brief) -> Reply:
    """How many key districts, townships and villages the guideline lists."""
    kb = brief.kb
    national, city = len(kb.districts_of_tier("国家级")), len(kb.districts_of_tier("市级"))
    lines = (
        # Worded as article 2 counts them (18个深度贫困乡镇), so that a count asked is found as printed.
        f"{national + city}个扶贫开发工作重点区县:{national}个国家级、{city}个市级",
        f"{len(kb.townships)}个深度贫困乡镇",
        f"{len(kb.villages)}个定点攻坚村",
    )
    return answer(
        Section("《工作指引》关注的重点地区", lines, kb.cite("第二条"), bullet=True),
        suggestions=[ask("国家级重点区县有哪些"), ask("深度贫困乡镇有哪些"), ask("定点攻坚村有哪些")],
    )


@composer("other_region")
def other_region(brief: Brief) -> Reply:
    """A place outside what the guideline covers: says so, with no phone number.

    Townships and villages the attachments do not list are named by the note every answer starts with
    (:mod:`bot.compose.notes`); this reply adds nothing for them but the suggestions.
    """
    kb = brief.kb
    named = places_elsewhere(brief.slots)
    if unlisted_local_places(brief.slots) and not named:
        # An answer, so that the note naming them is added (notes are not added to declines).
        return answer(suggestions=[ask("深度贫困乡镇有哪些"), ask("定点攻坚村有哪些")])
    places = "、".join(named) or "该地"
    # 国务院, 国家乡村振兴局 are offices themselves, not places with an office.
    office = "" if named and all(p.endswith(("部", "院", "局", "办")) for p in named) else "扶贫部门"
    lines = (
        f"《工作指引》是重庆市的文件,没有{places}的{office}联系方式。",
        f"指引列出了重庆市{len(kb.key_districts)}个重点区县、{len(kb.townships)}个深度贫困乡镇和"
        f"{len(kb.villages)}个定点攻坚村的信息。",
    )
    return declined(Section(None, lines), suggestions=[ask("各区县扶贫办电话"), ask("深度贫困乡镇有哪些")])
