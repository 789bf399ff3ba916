"""Answers about deep-poverty townships (附件2) and designated villages (附件3)."""

from __future__ import annotations

from bot.compose.common import (
    ATTACHMENT_1,
    ATTACHMENT_2,
    ATTACHMENT_3,
    answer,
    ask,
    declined,
    township_line,
    village_line,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Reply, Section
from bot.compose.sections import (
    district_contact_section,
    district_suggestions,
    township_item,
    township_section,
    village_location_section,
    village_section,
)
from bot.data.knowledge import KnowledgeBase
from bot.nlu.slots import implied_districts, unique, villages_meant


def all_townships_reply(kb: KnowledgeBase) -> Reply:
    """All 18 deep-poverty townships with their contacts."""
    lines = tuple(township_line(t) for t in kb.townships)
    return answer(
        Section(
            f"{len(lines)}个深度贫困乡镇及联系人",
            lines,
            kb.cite(ATTACHMENT_2),
            bullet=True,
            items=tuple(township_item(t) for t in kb.townships),
        ),
        suggestions=[ask("各区县扶贫办电话")],
    )


@composer("township_contact")
def township_contact(brief: Brief) -> Reply:
    """A deep-poverty township's contact; notes towns of the same name elsewhere."""
    kb, slots = brief.kb, brief.slots
    sections = []
    for township in slots.townships:
        lines = (
            f"联系人:{township.contact}({township.title})",
            f"联系方式:{township.phone}",
        )
        sections.append(
            Section(
                f"{township.district}{township.name}(深度贫困乡镇)",
                lines,
                kb.cite(f"{ATTACHMENT_2} 序号{township.serial}"),
            )
        )
    for district, town in slots.towns:
        villages = [v for v in kb.villages if v.district == district and v.town == town]
        names = "、".join(v.name for v in villages)
        sections.append(
            Section(
                None,
                (f"另:{district}也有{town},它不是深度贫困乡镇,指引未列出其联系人;该镇有定点攻坚村{names}。",),
                kb.cite(ATTACHMENT_3),
            )
        )
    words = brief.analysis.words if brief.analysis else ()
    # 巫溪县扶贫办电话和红池坝镇联系人: the district office was asked for too.
    offices = [d for d in slots.districts if d.phone] if "扶贫办" in words else []
    sections += [district_contact_section(kb, d) for d in offices]
    districts = [d for d in unique(kb.district(t.district) for t in slots.townships) if d not in offices]
    suggestions = [ask(f"{d.short or d.name}扶贫办电话") for d in districts]
    return answer(*sections, suggestions=suggestions)


@composer("townships_in_district")
def townships_in_district(brief: Brief) -> Reply:
    """The deep-poverty townships of the districts mentioned."""
    kb = brief.kb
    districts = implied_districts(kb, brief.slots)
    sections = []
    for district in districts:
        section = township_section(kb, district, f"的深度贫困乡镇({len(district.townships)}个)")
        if section:
            sections.append(section)
        else:
            having = "、".join(unique(t.district for t in kb.townships))
            sections.append(
                Section(
                    None,
                    (
                        f"《工作指引》列出的{len(kb.townships)}个深度贫困乡镇中没有{district.name}的乡镇。有深度贫困乡镇的区县:{having}。",
                    ),
                    kb.cite(ATTACHMENT_2),
                )
            )
            if district.phone:
                sections.append(district_contact_section(kb, district))
    return answer(
        *sections,
        suggestions=[c for d in districts for c in district_suggestions(d, shown=frozenset({"townships"}))][
            :3
        ],
    )


@composer("township_list")
def township_list(brief: Brief) -> Reply:
    """All deep-poverty townships with their contacts."""
    return all_townships_reply(brief.kb)


@composer("village_location")
def village_location(brief: Brief) -> Reply:
    """Where a designated village is (every village of that name), and whom to contact there."""
    kb, slots = brief.kb, brief.slots
    villages = villages_meant(kb, slots)
    sections = [village_location_section(kb, villages)]
    in_townships = [t for v in villages for t in kb.townships if (t.district, t.name) == (v.district, v.town)]
    for township in unique([*in_townships, *slots.townships]):
        sections.append(
            Section(
                f"{township.district}{township.name}是深度贫困乡镇",
                (f"联系人:{township.contact}({township.title}),{township.phone}",),
                kb.cite(f"{ATTACHMENT_2} 序号{township.serial}"),
            )
        )
    names = {v.name for v in villages}
    if len(villages) > 1 and len(names) < len(villages):
        sections.insert(0, Section(None, ("《工作指引》中有不止一个同名的定点攻坚村,请按所在区县区分:",)))
    village_districts = unique(kb.district(v.district) for v in villages)
    for place in village_districts:
        if place.phone:
            sections.append(
                Section(None, (f"如需对接,可联系{place.name}扶贫办:{place.phone}",), kb.cite(ATTACHMENT_1))
            )
    suggestions = [ask(f"{d.short or d.name}有哪些定点攻坚村") for d in village_districts]
    return answer(*sections, suggestions=suggestions[:3])


@composer("no_villages")
def no_villages(brief: Brief) -> Reply:
    """Villages of townships that have none: declined, saying so, with their contacts as questions to tap."""
    kb = brief.kb
    townships = "、".join(f"{t.district}{t.name}" for t in brief.slots.townships)
    line = f"《工作指引》附件3的{len(kb.villages)}个定点攻坚村中没有{townships}的村。"
    suggestions = [ask(f"{t.name}联系人") for t in brief.slots.townships]
    return declined(Section(None, (line,), kb.cite(ATTACHMENT_3)), suggestions=suggestions)


@composer("no_townships")
def no_townships(brief: Brief) -> Reply:
    """Townships of districts that have none and no listed office: declined, saying what is listed there."""
    kb = brief.kb
    districts = implied_districts(kb, brief.slots)
    names = "、".join(d.name for d in districts)
    having = "、".join(unique(t.district for t in kb.townships))
    lines = (
        f"《工作指引》列出的{len(kb.townships)}个深度贫困乡镇中没有{names}的乡镇。有深度贫困乡镇的区县:{having}。",
    )
    sections = [Section(None, lines, kb.cite(ATTACHMENT_2))]
    sections += [s for s in (village_section(kb, d) for d in districts) if s]
    return declined(*sections)


@composer("villages_in_district")
def villages_in_district(brief: Brief) -> Reply:
    """The designated villages of the districts (or towns) mentioned."""
    kb, slots = brief.kb, brief.slots
    districts = implied_districts(kb, slots)
    sections = []
    for district in districts:
        section = village_section(kb, district)
        if section:
            sections.append(section)
        else:
            sections.append(
                Section(
                    None,
                    (f"《工作指引》附件3的{len(kb.villages)}个定点攻坚村中没有{district.name}的村。",),
                    kb.cite(ATTACHMENT_3),
                )
            )
        if district.phone:
            sections.append(
                Section(None, (f"{district.name}扶贫办联系电话:{district.phone}",), kb.cite(ATTACHMENT_1))
            )
    return answer(
        *sections,
        suggestions=[
            c for d in districts for c in district_suggestions(d, shown=frozenset({"phone", "villages"}))
        ][:3],
    )


@composer("village_list")
def village_list(brief: Brief) -> Reply:
    """All 100 designated villages, by district."""
    kb = brief.kb
    lines = []
    for district in kb.districts:
        if district.villages:
            names = "、".join(village_line(v) for v in district.villages)
            lines.append(f"{district.name}({len(district.villages)}个):{names}")
    return answer(
        Section(f"{len(kb.villages)}个定点攻坚村", tuple(lines), kb.cite(ATTACHMENT_3), bullet=True),
        suggestions=[ask("深度贫困乡镇有哪些")],
    )
