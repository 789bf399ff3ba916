"""Sections that several kinds of answer show: a district's contacts, townships and villages, where villages are,
and the activities recommended to an organization type or on a theme."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose.common import (
    ATTACHMENT_1,
    ATTACHMENT_2,
    ATTACHMENT_3,
    ask,
    fact_texts,
    phone_text,
    sources,
    tier_text,
    township_line,
    village_line,
)
from bot.compose.reply import Choice, Section
from bot.data.knowledge import District, KnowledgeBase
from bot.data.schema import ActivityGroup, Township, Village


def district_contact_section(kb: KnowledgeBase, district: District) -> Section:
    """The office phone of one district, or what the guideline says instead when it lists none.

    An updated phone is shown with its date and source, and the guideline's number as superseded.
    """
    if district.phone:
        update = district.update
        lines = [f"扶贫办联系电话:{phone_text(district.phone, update)}", f"{tier_text(district)}"]
        source = kb.cite(f"{ATTACHMENT_1} 序号{district.key.serial if district.key else 0}")
        if update is not None:
            lines.insert(1, f"《工作指引》原列电话{update.superseded}已于{update.date.isoformat()}更新。")
            source = f"{source};{update.source}({update.date.isoformat()})"
        return Section(district.label, tuple(lines), source)
    if district.villages:
        villages = "、".join(village_line(v) for v in district.villages)
        return Section(
            district.label,
            (
                f"{district.name}不在《工作指引》列出的{len(kb.key_districts)}个扶贫开发工作重点区县中,指引没有列出它的扶贫办电话。",
                f"指引列出的{district.name}定点攻坚村:{villages}。",
            ),
            kb.cite(ATTACHMENT_3),
        )
    return Section(
        district.label,
        (f"《工作指引》的附件没有列出{district.name}:它不是重点区县,也没有深度贫困乡镇或定点攻坚村。",),
    )


def key_district_counts(kb: KnowledgeBase) -> str:
    """18个扶贫开发工作重点区县(14个国家级、4个市级), counted from the knowledge."""
    national = sum(d.tier == "国家级" for d in kb.key_districts)
    return (
        f"{len(kb.key_districts)}个扶贫开发工作重点区县"
        f"({national}个国家级、{len(kb.key_districts) - national}个市级)"
    )


def township_section(
    kb: KnowledgeBase, district: District, title: str = "深度贫困乡镇联系人"
) -> Section | None:
    if not district.townships:
        return None
    lines = tuple(township_line(t, with_district=False) for t in district.townships)
    items = tuple(township_item(t) for t in district.townships)
    return Section(f"{district.name}{title}", lines, kb.cite(ATTACHMENT_2), bullet=True, items=items)


def village_section(kb: KnowledgeBase, district: District) -> Section | None:
    if not district.villages:
        return None
    lines = tuple(village_line(v) for v in district.villages)
    items = tuple(
        ask(f"{v.district}{v.town}{v.name}", f"{v.district}{v.town}{v.name}在哪") for v in district.villages
    )
    return Section(
        f"{district.name}定点攻坚村({len(lines)}个)", lines, kb.cite(ATTACHMENT_3), bullet=True, items=items
    )


def township_item(township: Township) -> Choice:
    """A township of a list, as the question about its contact."""
    return ask(f"{township.district}{township.name}", f"{township.district}{township.name}联系人是谁")


def district_items(districts: Sequence[District]) -> tuple[Choice, ...]:
    """Districts of a list, each as the question about its office."""
    return tuple(ask(d.name, f"{d.name}扶贫办电话") for d in districts)


def district_suggestions(district: District, *, shown: frozenset[str] = frozenset()) -> list[Choice]:
    """Follow-ups about a district, leaving out what the answer already shows ("phone", "townships", "villages")."""
    short = district.short or district.name
    choices = []
    if district.phone and "phone" not in shown:
        choices.append(ask(f"{short}扶贫办电话"))
    if district.townships and "townships" not in shown:
        choices.append(ask(f"{short}的深度贫困乡镇联系人"))
    if district.villages and "villages" not in shown:
        choices.append(ask(f"{short}有哪些定点攻坚村"))
    return choices


def village_location_section(kb: KnowledgeBase, villages: Sequence[Village]) -> Section:
    """Where each village is: 高桥村:位于酉阳县五福镇(酉阳县五福镇高桥村)."""
    lines = tuple(f"{v.name}:位于{v.district}{v.town}({v.district}{v.town}{v.name})" for v in villages)
    return Section("定点攻坚村所在区县", lines, kb.cite(ATTACHMENT_3), bullet=len(lines) > 1)


def activities_section(kb: KnowledgeBase, group: ActivityGroup, title: str | None = None) -> Section:
    """The recommended activities of one organization type or theme, with their sources."""
    return Section(
        title or f"{group.name}:推荐开展的帮扶活动",
        fact_texts(group.activities),
        sources(kb, group.activities),
        True,
    )
