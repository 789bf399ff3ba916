"""Answer composers: each writes the reply for one kind of intent, from the knowledge base only.

A composer receives a :class:`Request` (the knowledge base, the entities resolved from the question, and
the analysis) and returns a :class:`bot.compose.reply.Reply`. Intents name their composer in ``answer:``. Phone
numbers, names and quotations are copied from the knowledge records unchanged.

The browsing commands of the Telegram bot call the public helpers here (:func:`district_reply`,
:func:`activities_reply`, :func:`plan_reply` …) so every transport shows the same words.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.data.knowledge import District, KnowledgeBase
from bot.data.numerals import chinese_numeral
from bot.data.schema import ActivityGroup, Fact, Requirement, Township, Village
from bot.nlu.analysis import Analysis
from bot.nlu.entities import TYPED_NUMBER
from bot.nlu.passages import Passage
from bot.nlu.slots import Slots, places_elsewhere, unique, unlisted_local_places

ATTACHMENT_1 = "附件1"
ATTACHMENT_2 = "附件2"
ATTACHMENT_3 = "附件3"


@dataclass(frozen=True)
class Request:
    """What a composer needs to write a reply."""

    kb: KnowledgeBase
    slots: Slots
    analysis: Analysis | None = None
    extras: dict[str, str] = field(default_factory=dict)


Composer = Callable[[Request], Reply]
COMPOSERS: dict[str, Composer] = {}


def composer(name: str) -> Callable[[Composer], Composer]:
    """Registers a composer under the name intents use in ``answer:``.

    The registered reply also says which townships or villages the question named are not in the
    attachments (解放村是攻坚村吗), whatever the composer; composers calling each other directly do not
    repeat it.
    """

    def register(function: Composer) -> Composer:
        @functools.wraps(function)
        def compose(request: Request) -> Reply:
            reply = function(request)
            if reply.kind is not ReplyKind.ANSWER:
                return reply
            notes = []
            places = unlisted_local_places(request.slots)
            if places:
                notes.append(unlisted_section(request.kb, places))
            # The user's wrong number is not repeated: a reply shows only the guideline's numbers.
            asked = unknown_numbers(request.kb, request.analysis.text if request.analysis else "")
            if asked and _shows_a_phone(request.kb, reply):
                notes.append(Section(None, ("您提到的号码不在《工作指引》中,请以下面指引列出的号码为准。",)))
            return dataclasses.replace(reply, sections=(*notes, *reply.sections)) if notes else reply

        COMPOSERS[name] = compose
        return function

    return register


# Fewer digits than this are no phone number (a year, a count, a serial).
MIN_PHONE_DIGITS = 7


def unknown_numbers(kb: KnowledgeBase, text: str) -> list[str]:
    """Phone numbers (digits only) in a normalized question that the guideline does not print.

    For example 城口扶贫办电话是023 59221208对吗 (the guideline prints 023-59221209).
    """
    numbers = [match.group().replace(" ", "") for match in TYPED_NUMBER.finditer(text)]
    if not numbers:
        return []  # most questions: no need to gather the guideline's numbers
    known = {re.sub(r"\D", "", phone) for phone in _phones(kb)}
    return [digits for digits in numbers if len(digits) >= MIN_PHONE_DIGITS and digits not in known]


def _phones(kb: KnowledgeBase) -> list[str]:
    return [d.phone for d in kb.key_districts if d.phone] + [t.phone for t in kb.townships]


def _shows_a_phone(kb: KnowledgeBase, reply: Reply) -> bool:
    text = "".join(line for section in reply.sections for line in section.lines)
    return any(phone in text for phone in _phones(kb))


def unlisted_section(kb: KnowledgeBase, places: Sequence[str]) -> Section:
    """Says that the attachments list none of ``places``."""
    line = (
        f"《工作指引》附件列出的{len(kb.townships)}个深度贫困乡镇和{len(kb.villages)}个定点攻坚村中"
        f"没有{'、'.join(places)}。"
    )
    return Section(None, (line,), f"{kb.cite(ATTACHMENT_2)}、{ATTACHMENT_3}")


# --- formatting -------------------------------------------------------------------------------------------


def township_line(township: Township, *, with_district: bool = True) -> str:
    """陶松森(乡民政和社会事务办主任) 13594500668, prefixed with the township's full name."""
    place = f"{township.district}{township.name}" if with_district else township.name
    return f"{place}:{township.contact}({township.title}),{township.phone}"


def village_line(village: Village, *, with_district: bool = False) -> str:
    """白土镇大林村, optionally prefixed with its district."""
    return (
        f"{village.district}{village.town}{village.name}"
        if with_district
        else f"{village.town}{village.name}"
    )


def _tier_text(district: District) -> str:
    return f"{district.tier}扶贫开发工作重点区县" if district.tier else ""


def _facts(facts: Sequence[Fact]) -> tuple[str, ...]:
    return tuple(fact.text for fact in facts)


def _sources(kb: KnowledgeBase, facts: Iterable[Fact]) -> str:
    """One citation line for several facts: 《工作指引》第五条(七)、第五条(八)."""
    raw = unique(fact.source for fact in facts)
    shown = [kb.cite(source) for source in raw]
    prefix = "《工作指引》"
    if all(s.startswith(prefix) for s in shown):
        return prefix + "、".join(s.removeprefix(prefix) for s in shown)
    return ";".join(shown)


def _answer(*sections: Section, suggestions: Iterable[Choice] = ()) -> Reply:
    return Reply(ReplyKind.ANSWER, tuple(sections), suggestions=tuple(suggestions))


def _ask(label: str, query: str | None = None) -> Choice:
    return Choice(label, query or label)


# --- districts --------------------------------------------------------------------------------------------


def _implied_districts(kb: KnowledgeBase, slots: Slots) -> list[District]:
    """Districts named, or implied by a township, town or village named."""
    names = [d.name for d in slots.districts]
    names += [t.district for t in slots.townships] + [v.district for v in slots.villages]
    names += [district for district, _ in slots.towns]
    return [kb.district(name) for name in unique(names)]


def district_contact_section(kb: KnowledgeBase, district: District) -> Section:
    """The office phone of one district, or what the guideline says instead when it lists none."""
    if district.phone:
        return Section(
            district.label,
            (f"扶贫办联系电话:{district.phone}", f"{_tier_text(district)}"),
            kb.cite(f"{ATTACHMENT_1} 序号{district.key.serial if district.key else 0}"),
        )
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


def _key_district_counts(kb: KnowledgeBase) -> str:
    """18个扶贫开发工作重点区县(14个国家级、4个市级), counted from the knowledge."""
    national = sum(d.tier == "国家级" for d in kb.key_districts)
    return (
        f"{len(kb.key_districts)}个扶贫开发工作重点区县"
        f"({national}个国家级、{len(kb.key_districts) - national}个市级)"
    )


def _township_section(
    kb: KnowledgeBase, district: District, title: str = "深度贫困乡镇联系人"
) -> Section | None:
    if not district.townships:
        return None
    lines = tuple(township_line(t, with_district=False) for t in district.townships)
    return Section(f"{district.name}{title}", lines, kb.cite(ATTACHMENT_2), bullet=True)


def _village_section(kb: KnowledgeBase, district: District) -> Section | None:
    if not district.villages:
        return None
    lines = tuple(village_line(v) for v in district.villages)
    return Section(f"{district.name}定点攻坚村({len(lines)}个)", lines, kb.cite(ATTACHMENT_3), bullet=True)


def _district_suggestions(district: District, *, shown: frozenset[str] = frozenset()) -> list[Choice]:
    """Follow-ups about a district, leaving out what the answer already shows ("phone", "townships", "villages")."""
    short = district.short or district.name
    choices = []
    if district.phone and "phone" not in shown:
        choices.append(_ask(f"{short}扶贫办电话"))
    if district.townships and "townships" not in shown:
        choices.append(_ask(f"{short}的深度贫困乡镇联系人"))
    if district.villages and "villages" not in shown:
        choices.append(_ask(f"{short}有哪些定点攻坚村"))
    return choices


def all_phones_reply(kb: KnowledgeBase) -> Reply:
    """The office phones of all 18 key districts, by tier."""
    sections = []
    for tier in ("国家级", "市级"):
        districts = kb.districts_of_tier(tier)
        lines = tuple(f"{d.name}:{d.phone}" for d in districts)
        sections.append(
            Section(
                f"{tier}扶贫开发工作重点区县({len(lines)}个)扶贫办电话", lines, kb.cite(ATTACHMENT_1), True
            )
        )
    return _answer(*sections, suggestions=[_ask("深度贫困乡镇联系人有哪些"), _ask("怎么参与脱贫攻坚")])


def city_office_reply(kb: KnowledgeBase) -> Reply:
    """Chongqing's own office: the guideline lists none, only the district offices."""
    return _answer(
        Section(
            None,
            (
                "《工作指引》没有列出重庆市(市级)扶贫、民政部门的联系电话。",
                f"指引列出的是{len(kb.key_districts)}个扶贫开发工作重点区县扶贫办的电话,"
                "以及深度贫困乡镇的联系人;请告诉我您想去的区县。",
            ),
            kb.cite(ATTACHMENT_1),
        ),
        suggestions=[_ask("各区县扶贫办电话"), _ask("深度贫困乡镇联系人有哪些")],
    )


# Words that ask for every district's phone rather than one office's (重庆市各区县扶贫办电话 vs 重庆市扶贫办电话).
_PLURAL_WORDS = frozenset(
    {"各", "所有", "全部", "哪些", "列表", "汇总", "一览", "都", "名单", "18个", "重点区县"}
)


@composer("district_phone_list")
def district_phone_list(request: Request) -> Reply:
    """The office phones of all key districts (or of those mentioned)."""
    slots = request.slots
    if _implied_districts(request.kb, slots) or slots.other_places:
        return district_contact(request)
    words = set(request.analysis.words) if request.analysis else set()
    if slots.city and not words & _PLURAL_WORDS:
        return city_office_reply(request.kb)
    return all_phones_reply(request.kb)


@composer("district_contact")
def district_contact(request: Request) -> Reply:
    """A district's office phone (and its deep-poverty townships' contacts, who are also reachable)."""
    kb, slots = request.kb, request.slots
    districts = _implied_districts(kb, slots)
    if not districts:
        if slots.other_places:
            return other_region(request)
        if slots.city:
            return city_office_reply(kb)
        return all_phones_reply(kb)
    sections: list[Section] = [village_location_section(kb, slots.villages)] if slots.villages else []
    suggestions: list[Choice] = []
    text = request.analysis.text if request.analysis else ""
    for district in districts:
        unlisted = _unlisted_office_detail(text, named_township=bool(slots.townships))
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
        townships = _township_section(kb, district)
        if townships:
            sections.append(townships)
        suggestions += _district_suggestions(district, shown=frozenset({"phone", "townships"}))
    return _answer(*sections, suggestions=suggestions)


# What users ask of a district's offices that the guideline does not print, as (pattern, what it is).
# The reply says so before the phone it does print (万州区扶贫办在哪里办公, 丰都县民政局的电话).
_UNLISTED_OFFICE_DETAILS = (
    (re.compile(r"地址|在哪里?办公|办公地点|办公的地方"), "扶贫办的地址"),
    (re.compile(r"几点上班|几点下班|上班时间|办公时间|上班吗"), "扶贫办的办公时间"),
    (re.compile(r"传真"), "扶贫办的传真号码"),
    (re.compile(r"邮箱|email|e mail"), "扶贫办的电子邮箱"),
    (re.compile(r"微信|公众号"), "扶贫办的微信公众号"),
    (re.compile(r"民政局"), "民政局的联系方式"),
)
# Asked of the office's head: a township's contact may be its 扶贫办主任, so only without a township named.
_OFFICE_HEAD = re.compile(r"主任|局长|领导|一把手")


def _unlisted_office_detail(text: str, *, named_township: bool) -> str | None:
    """What the question asks of an office that the guideline does not print, if anything."""
    for pattern, detail in _UNLISTED_OFFICE_DETAILS:
        if pattern.search(text):
            return detail
    if not named_township and _OFFICE_HEAD.search(text):
        return "扶贫办负责人的姓名(指引只列出各深度贫困乡镇的联系人)"
    return None


def district_reply(kb: KnowledgeBase, district: District) -> Reply:
    """Everything the guideline lists for one district: phone, tier, townships and villages."""
    sections = [district_contact_section(kb, district)]
    for extra in (_township_section(kb, district), _village_section(kb, district)):
        if extra:
            sections.append(extra)
    return _answer(
        *sections,
        suggestions=[_ask("我们能开展哪些帮扶活动"), _ask("参与后要报送什么")],
    )


@composer("district_overview")
def district_overview(request: Request) -> Reply:
    """Everything about the districts mentioned (or implied)."""
    districts = _implied_districts(request.kb, request.slots)
    if not districts:
        return district_contact(request)
    replies = [district_reply(request.kb, d) for d in districts]
    return _answer(
        *(s for r in replies for s in r.sections),
        suggestions=[c for r in replies for c in r.suggestions][:3],
    )


@composer("district_tier")
def district_tier(request: Request) -> Reply:
    """Whether a district is a 国家级 or 市级 key district."""
    kb = request.kb
    districts = _implied_districts(kb, request.slots)
    if not districts:
        return tier_list(request)
    sections = []
    for district in districts:
        if district.tier:
            line = f"{district.name}是{_tier_text(district)},扶贫办联系电话:{district.phone}。"
        else:
            line = f"{district.name}不在《工作指引》列出的{_key_district_counts(kb)}中。"
        sections.append(Section(None, (line,), kb.cite(ATTACHMENT_1)))
    return _answer(*sections, suggestions=[_ask("市级重点区县有哪些"), _ask("国家级重点区县有哪些")])


@composer("tier_list")
def tier_list(request: Request) -> Reply:
    """The key districts of one tier, or of both."""
    kb = request.kb
    tiers = request.slots.tiers or ("国家级", "市级")
    with_phones = request.analysis is not None and "电话" in request.analysis.words
    sections = []
    for tier in tiers:
        districts = kb.districts_of_tier(tier)
        title = f"{len(districts)}个{tier}扶贫开发工作重点区县"
        if with_phones:
            lines = tuple(f"{d.name}:{d.phone}" for d in districts)
            sections.append(Section(f"{title}扶贫办电话", lines, kb.cite(ATTACHMENT_1), bullet=True))
        else:
            sections.append(Section(title, ("、".join(d.name for d in districts),), kb.cite(ATTACHMENT_1)))
    return _answer(*sections, suggestions=[_ask("各区县扶贫办电话"), _ask("深度贫困乡镇有哪些")])


@composer("region_counts")
def region_counts(request: Request) -> Reply:
    """How many key districts, townships and villages the guideline lists."""
    kb = request.kb
    national, city = len(kb.districts_of_tier("国家级")), len(kb.districts_of_tier("市级"))
    lines = (
        f"扶贫开发工作重点区县:{national + city}个(国家级{national}个、市级{city}个)",
        f"深度贫困乡镇:{len(kb.townships)}个",
        f"定点攻坚村:{len(kb.villages)}个",
    )
    return _answer(
        Section("《工作指引》关注的重点地区", lines, kb.cite("第二条"), bullet=True),
        suggestions=[_ask("国家级重点区县有哪些"), _ask("深度贫困乡镇有哪些"), _ask("定点攻坚村有哪些")],
    )


# --- townships ----------------------------------------------------------------------------------------------


def all_townships_reply(kb: KnowledgeBase) -> Reply:
    """All 18 deep-poverty townships with their contacts."""
    lines = tuple(township_line(t) for t in kb.townships)
    return _answer(
        Section(f"{len(lines)}个深度贫困乡镇及联系人", lines, kb.cite(ATTACHMENT_2), bullet=True),
        suggestions=[_ask("各区县扶贫办电话")],
    )


@composer("township_contact")
def township_contact(request: Request) -> Reply:
    """A deep-poverty township's contact; notes towns of the same name elsewhere."""
    kb, slots = request.kb, request.slots
    if slots.org_types or slots.themes:
        return org_in_district(request)
    if not slots.townships:
        if slots.towns or slots.villages:
            return village_location(request)
        if slots.districts:
            return townships_in_district(request)
        return all_townships_reply(kb)
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
    words = request.analysis.words if request.analysis else ()
    # 巫溪县扶贫办电话和红池坝镇联系人: the district office was asked for too.
    offices = [d for d in slots.districts if d.phone] if "扶贫办" in words else []
    sections += [district_contact_section(kb, d) for d in offices]
    districts = [d for d in unique(kb.district(t.district) for t in slots.townships) if d not in offices]
    suggestions = [_ask(f"{d.short or d.name}扶贫办电话") for d in districts]
    return _answer(*sections, suggestions=suggestions)


@composer("townships_in_district")
def townships_in_district(request: Request) -> Reply:
    """The deep-poverty townships of the districts mentioned."""
    kb = request.kb
    if request.slots.villages or request.slots.towns:
        return village_location(request)  # 高桥村联系谁: where it is and whom to call there
    districts = _implied_districts(kb, request.slots)
    if not districts:
        return all_townships_reply(kb)
    sections = []
    for district in districts:
        section = _township_section(kb, district, f"的深度贫困乡镇({len(district.townships)}个)")
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
    return _answer(
        *sections,
        suggestions=[c for d in districts for c in _district_suggestions(d, shown=frozenset({"townships"}))][
            :3
        ],
    )


@composer("township_list")
def township_list(request: Request) -> Reply:
    """All deep-poverty townships (or those of the districts mentioned)."""
    if request.slots.districts:
        return townships_in_district(request)
    return all_townships_reply(request.kb)


# --- villages -----------------------------------------------------------------------------------------------


def village_location_section(kb: KnowledgeBase, villages: Sequence[Village]) -> Section:
    """Where each village is: 高桥村:位于酉阳县五福镇(酉阳县五福镇高桥村)."""
    lines = tuple(f"{v.name}:位于{v.district}{v.town}({v.district}{v.town}{v.name})" for v in villages)
    return Section("定点攻坚村所在区县", lines, kb.cite(ATTACHMENT_3), bullet=len(lines) > 1)


@composer("village_location")
def village_location(request: Request) -> Reply:
    """Where a designated village is (every village of that name), and whom to contact there."""
    kb, slots = request.kb, request.slots
    villages = list(slots.villages)
    for district, town in slots.towns:
        villages += [v for v in kb.villages if v.district == district and v.town == town]
    for township in slots.townships:
        villages += [v for v in kb.villages if v.district == township.district and v.town == township.name]
    villages = unique(villages)
    if not villages:
        if slots.townships:
            contact = township_contact(request)
            words = request.analysis.words if request.analysis else ()
            if not any("村" in word for word in words):
                return contact  # asked where the township is, not about its villages
            townships = "、".join(f"{t.district}{t.name}" for t in slots.townships)
            note = Section(
                None,
                (f"《工作指引》附件3的{len(kb.villages)}个定点攻坚村中没有{townships}的村。",),
                kb.cite(ATTACHMENT_3),
            )
            return dataclasses.replace(contact, sections=(note, *contact.sections))
        if slots.districts:
            return villages_in_district(request)
        return village_list(request)
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
    suggestions = [_ask(f"{d.short or d.name}有哪些定点攻坚村") for d in village_districts]
    return _answer(*sections, suggestions=suggestions[:3])


@composer("villages_in_district")
def villages_in_district(request: Request) -> Reply:
    """The designated villages of the districts (or towns) mentioned."""
    kb, slots = request.kb, request.slots
    if (slots.towns or slots.villages or slots.townships) and not slots.districts:
        return village_location(request)
    districts = _implied_districts(kb, slots)
    if not districts:
        return village_list(request)
    sections = []
    for district in districts:
        section = _village_section(kb, district)
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
    return _answer(
        *sections,
        suggestions=[
            c for d in districts for c in _district_suggestions(d, shown=frozenset({"phone", "villages"}))
        ][:3],
    )


@composer("village_list")
def village_list(request: Request) -> Reply:
    """All 100 designated villages, by district."""
    kb = request.kb
    if request.slots.districts:
        return villages_in_district(request)
    lines = []
    for district in kb.districts:
        if district.villages:
            names = "、".join(village_line(v) for v in district.villages)
            lines.append(f"{district.name}({len(district.villages)}个):{names}")
    return _answer(
        Section(f"{len(kb.villages)}个定点攻坚村", tuple(lines), kb.cite(ATTACHMENT_3), bullet=True),
        suggestions=[_ask("深度贫困乡镇有哪些")],
    )


# --- focus ---------------------------------------------------------------------------------------------------


def _group_section(kb: KnowledgeBase, title: str, facts: Sequence[Fact], source: str) -> Section:
    return Section(title, _facts(facts), kb.cite(source), bullet=True)


@composer("focus_regions")
def focus_regions(request: Request) -> Reply:
    """The four kinds of focus region (第二条)."""
    kb = request.kb
    group = kb.focus.regions
    return _answer(
        _group_section(kb, group.title, group.items, group.source),
        suggestions=[_ask("国家级重点区县有哪些"), _ask("深度贫困乡镇有哪些"), _ask("重点对象包括哪些人")],
    )


@composer("focus_people")
def focus_people(request: Request) -> Reply:
    """The eight kinds of focus people (第三条)."""
    kb = request.kb
    group = kb.focus.people
    return _answer(
        _group_section(kb, group.title, group.items, group.source),
        suggestions=[_ask("重点领域有哪些"), _ask("什么是三聚焦")],
    )


@composer("focus_domains")
def focus_domains(request: Request) -> Reply:
    """The focus domains (第四条)."""
    kb = request.kb
    group = kb.focus.domains
    return _answer(
        Section(group.title, ("、".join(_facts(group.items)) + "等",), kb.cite(group.source)),
        suggestions=[_ask("残障人士帮扶怎么做"), _ask("重点对象包括哪些人")],
    )


@composer("three_focus")
def three_focus(request: Request) -> Reply:
    """The “三聚焦” principle and what it covers."""
    kb = request.kb
    fact = kb.focus.three_focus
    focus = kb.focus
    return _answer(
        Section("“三聚焦”", (fact.text + "。",), kb.cite(fact.source)),
        Section(
            focus.regions.title, ("、".join(_facts(focus.regions.items)),), kb.cite(focus.regions.source)
        ),
        Section(focus.people.title, _facts(focus.people.items), kb.cite(focus.people.source), bullet=True),
        Section(
            focus.domains.title,
            ("、".join(_facts(focus.domains.items)) + "等",),
            kb.cite(focus.domains.source),
        ),
    )


@composer("focus_overview")
def focus_overview(request: Request) -> Reply:
    """Where, whom and what to focus on, together."""
    kb = request.kb
    focus = kb.focus
    return _answer(
        Section(
            focus.regions.title, ("、".join(_facts(focus.regions.items)),), kb.cite(focus.regions.source)
        ),
        Section(focus.people.title, _facts(focus.people.items), kb.cite(focus.people.source), bullet=True),
        Section(
            focus.domains.title,
            ("、".join(_facts(focus.domains.items)) + "等",),
            kb.cite(focus.domains.source),
        ),
        Section(None, (focus.three_focus.text + "。",), kb.cite(focus.three_focus.source)),
    )


# --- activities ------------------------------------------------------------------------------------------------


def activities_section(kb: KnowledgeBase, group: ActivityGroup, title: str | None = None) -> Section:
    """The recommended activities of one organization type or theme, with their sources."""
    return Section(
        title or f"{group.name}:推荐开展的帮扶活动",
        _facts(group.activities),
        _sources(kb, group.activities),
        True,
    )


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
    return _answer(
        activities_section(kb, group),
        suggestions=[_ask("去哪里开展帮扶、联系谁", "各区县扶贫办电话"), _ask("参与后要报送什么")],
    )


@composer("activities_by_orgtype")
def activities_by_orgtype(request: Request) -> Reply:
    """What the organization types mentioned should do (第六至十条)."""
    kb, slots = request.kb, request.slots
    if not slots.org_types:
        if slots.themes:
            return activities_by_theme(request)
        return org_types_reply(kb)
    if _implied_districts(kb, slots):
        return org_in_district(request)
    sections = [activities_section(kb, group) for group in slots.org_types]
    sections += [activities_section(kb, theme, f"关于{theme.name}") for theme in slots.themes]
    return _answer(*sections, suggestions=[_ask("各区县扶贫办电话"), _ask("参与后要报送什么")])


@composer("activities_by_theme")
def activities_by_theme(request: Request) -> Reply:
    """What the guideline asks on the themes mentioned (第十至十七条)."""
    kb, slots = request.kb, request.slots
    if not slots.themes:
        if slots.org_types:
            return activities_by_orgtype(request)
        names = "、".join(theme.name for theme in kb.activities.themes)
        choices = tuple(Choice(theme.name, f"{theme.name}怎么做") for theme in kb.activities.themes)
        return Reply(
            ReplyKind.CLARIFY,
            (Section(None, (f"《工作指引》第十至十七条谈到这些帮扶主题:{names}。请问您关心哪一个?",)),),
            choices=choices,
        )
    sections = [activities_section(kb, theme, f"{theme.name}") for theme in slots.themes]
    return _answer(*sections, suggestions=[_ask("重点对象包括哪些人"), _ask("怎么参与脱贫攻坚")])


@composer("org_in_district")
def org_in_district(request: Request) -> Reply:
    """An organization type's activities and whom to contact in the place it wants to help."""
    kb, slots = request.kb, request.slots
    districts = _implied_districts(kb, slots)
    if not districts:
        if places_elsewhere(slots):
            return other_region(request)
        return activities_by_orgtype(request) if slots.org_types else district_contact(request)
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
    if request.analysis is not None and "攻坚村" in request.analysis.words:
        sections += [v for v in (_village_section(kb, d) for d in districts) if v]  # 攻坚村 asked about too
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
        *[c for d in districts for c in _district_suggestions(d, shown=shown)][:2],
        _ask("参与后要报送什么"),
    ]
    return _answer(*sections, suggestions=suggestions)


def plan_reply(
    kb: KnowledgeBase, org_type: ActivityGroup, district: District, theme: ActivityGroup | None
) -> Reply:
    """A tailored plan: whom to contact, what to do, whom to focus on, and what to report."""
    sections = [Section("一、联系谁", (), None)]
    sections.append(district_contact_section(kb, district))
    for extra in (_township_section(kb, district), _village_section(kb, district)):
        if extra:
            sections.append(extra)
    sections.append(Section("二、做什么", (), None))
    sections.append(activities_section(kb, org_type))
    if theme is not None:
        sections.append(activities_section(kb, theme, f"关于{theme.name}"))
    people = kb.focus.people
    sections.append(Section("三、重点帮扶谁", _facts(people.items), kb.cite(people.source), bullet=True))
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


# --- taking part -------------------------------------------------------------------------------------------------


@composer("participation_paths")
def participation_paths(request: Request) -> Reply:
    """The main ways of taking part (第五条)."""
    kb = request.kb
    lines = tuple(f"{path.label}:{path.text}" for path in kb.participation.paths)
    return _answer(
        Section("社会组织参与脱贫攻坚的主要工作路径", lines, kb.cite("第五条"), bullet=True),
        *_mentioned_activities(request),
        suggestions=[_ask("从哪里开始"), _ask("各区县扶贫办电话"), _ask("怎么注册中国社会扶贫网")],
    )


def _mentioned_activities(request: Request) -> list[Section]:
    """The activities of the organization types and themes a question mentions, for general answers."""
    kb, slots = request.kb, request.slots
    sections = [activities_section(kb, group) for group in slots.org_types]
    return sections + [activities_section(kb, theme, f"关于{theme.name}") for theme in slots.themes]


@composer("getting_started")
def getting_started(request: Request) -> Reply:
    """Where a newcomer starts, step by step."""
    kb = request.kb
    paths = {path.id: path for path in kb.participation.paths}
    steps = [paths[ident] for ident in kb.participation.getting_started]
    lines = tuple(f"第{i}步 {step.label}:{step.text}" for i, step in enumerate(steps, 1))
    return _answer(
        Section("建议按以下步骤开始", lines, _sources(kb, steps)),
        *_mentioned_activities(request),
        suggestions=[_ask("各区县扶贫办电话"), _ask("重点对象包括哪些人"), _ask("我们能开展哪些帮扶活动")],
    )


@composer("online_platform")
def online_platform(request: Request) -> Reply:
    """中国社会扶贫网: what it is for and its link."""
    kb = request.kb
    platform = kb.platform
    return _answer(
        Section(f"“{platform.name}”", (f"链接地址:{platform.url}",), kb.cite(platform.url_source)),
        Section(None, _facts(platform.facts), _sources(kb, platform.facts), bullet=True),
        suggestions=[_ask("怎么参与脱贫攻坚")],
    )


# --- reporting ----------------------------------------------------------------------------------------------------


def _requirement_section(kb: KnowledgeBase, requirement: Requirement) -> Section:
    when = f"({requirement.when})" if requirement.when else ""
    return Section(f"{requirement.label}{when}", (requirement.text,), kb.cite(requirement.source))


def reporting_reply(kb: KnowledgeBase) -> Reply:
    """Every planning, follow-up and reporting requirement, and how participation is recognized."""
    sections = [_requirement_section(kb, r) for r in kb.reporting.requirements]
    sections += [_requirement_section(kb, r) for r in kb.reporting.recognition]
    return _answer(*sections, suggestions=[_ask("重要项目可以冠名吗"), _ask("帮扶人员的安全怎么保障")])


@composer("reporting_overview")
def reporting_overview(request: Request) -> Reply:
    """Everything about plans, follow-up, reporting and recognition."""
    return reporting_reply(request.kb)


def _reporting(request: Request, *idents: str, suggestions: Sequence[Choice] = ()) -> Reply:
    kb = request.kb
    by_id = {r.id: r for r in kb.reporting.requirements + kb.reporting.recognition}
    sections = [_requirement_section(kb, by_id[ident]) for ident in idents]
    return _answer(*sections, suggestions=[*suggestions, _ask("参与后要报送什么")])


@composer("reporting_plan")
def reporting_plan(request: Request) -> Reply:
    """The annual plan and 帮扶方案 (第五条(七))."""
    return _reporting(request, "annual_plan", suggestions=[_ask("要多久回访一次")])


@composer("reporting_followup")
def reporting_followup(request: Request) -> Reply:
    """Quarterly visits and phone follow-up (第五条(八))."""
    return _reporting(request, "followup", suggestions=[_ask("工作成效报送给谁")])


@composer("reporting_results")
def reporting_results(request: Request) -> Reply:
    """Reporting experience and results to the supervising and registration authorities (第五条(九))."""
    return _reporting(request, "report_results", "honours", suggestions=[_ask("参与情况会影响等级评估吗")])


@composer("recognition")
def recognition(request: Request) -> Reply:
    """How participation counts in grading, government purchase of services and awards."""
    return _reporting(request, "evaluation", "honours", suggestions=[_ask("重要项目可以冠名吗")])


@composer("authority_duties")
def authority_duties(request: Request) -> Reply:
    """What the cover letter asks of 民政、扶贫 departments and supervising units (印发通知第一至三点)."""
    words = request.analysis.words if request.analysis else ()
    if request.slots.city and "电话" in words:
        return city_office_reply(request.kb)  # 市民政局电话: the guideline lists no city office's phone
    return _reporting(
        request,
        "guidance",
        "evaluation",
        "publicity",
        "mobilize",
        "honours",
        suggestions=[_ask("社会组织怎么参与脱贫攻坚")],
    )


@composer("honours")
def honours(request: Request) -> Reply:
    """Honours and naming of important projects (印发通知第三点)."""
    return _reporting(
        request, "naming", "honours", "publicity", suggestions=[_ask("参与情况会作为购买服务的依据吗")]
    )


# --- safety, cautions, the document ---------------------------------------------------------------------------------


@composer("safety_insurance")
def safety_insurance(request: Request) -> Reply:
    """Staff safety and the insurance the guideline recommends."""
    kb = request.kb
    fact = kb.safety.insurance
    return _answer(
        Section("工作人员安全保障", (fact.text,), kb.cite(fact.source)),
        suggestions=[_ask("还有哪些注意事项")],
    )


@composer("cautions")
def cautions(request: Request) -> Reply:
    """The points to heed of 第十八条."""
    kb = request.kb
    lines = tuple(f"{c.label}:{c.text}" for c in kb.safety.cautions)
    return _answer(Section("参与脱贫攻坚的注意事宜", lines, kb.cite("第十八条"), bullet=True))


def about_reply(kb: KnowledgeBase) -> Reply:
    """The source document: title, issuers, date, and the age of its contacts."""
    document = kb.document
    date = f"{document.date.year}年{document.date.month}月{document.date.day}日"
    lines = (
        f"《{document.title}》",
        f"印发单位:{'、'.join(document.issuers)}({document.sealed_by})",
        f"印发时间:{date}",
        f"正文共{len(kb.guideline.articles)}条;附件{len(document.attachments)}个:"
        f"{'；'.join(f'{i}.{name}' for i, name in enumerate(document.attachments, 1))}",
        f"本助手的回答均来自该指引;电话和联系人是{document.date.year}年印发时公布的信息,如有变动请以当地最新公布为准。",
    )
    return _answer(Section("信息来源", lines, kb.cite("印发通知")), suggestions=[_ask("怎么参与脱贫攻坚")])


@composer("article_text")
def article_text(request: Request) -> Reply:
    """The articles or items a question refers to (第十一条, 第五条第九项), as printed."""
    kb = request.kb
    count = len(kb.guideline.articles)
    sections: list[Section] = []
    suggestions: list[Choice] = []
    for number, item in request.slots.articles:
        if not 1 <= number <= count:
            sections.append(
                Section(None, (f"《工作指引》正文共{count}条(第一条至第{chinese_numeral(count)}条)。",))
            )
            continue
        article = kb.article(number)
        items = article.items
        if item and item > len(items):
            sections.append(Section(None, (f"{article.label}没有第{chinese_numeral(item)}项,以下是全文:",)))
        elif item:
            items = [items[item - 1]]
        lines = tuple(line for line in (article.text, *(f"{i.label}{i.text}" for i in items)) if line)
        label = f"{article.label}{items[0].label}" if len(items) == 1 and item else article.label
        sections.append(Section(f"《工作指引》{label}", lines, kb.cite(label)))
        if number < count:
            suggestions.append(_ask(f"第{chinese_numeral(number + 1)}条讲什么"))
    if not sections:
        return about_reply(kb)
    return _answer(*sections, suggestions=suggestions[:1])


@composer("document_info")
def document_info(request: Request) -> Reply:
    """The guideline itself."""
    return about_reply(request.kb)


# --- background ---------------------------------------------------------------------------------------------------------


@composer("background")
def background(request: Request) -> Reply:
    """Facts from the background news reports, on the topics the question is closest to."""
    from rapidfuzz import fuzz, process

    kb = request.kb
    items = kb.background.items
    text = request.analysis.text if request.analysis else ""
    ranked = process.extract(
        text, [f"{i.topic}{i.text}" for i in items], scorer=fuzz.partial_token_set_ratio, limit=2
    )
    chosen = [items[index] for _, score, index in ranked] if text else list(items[:2])
    sections = [Section(item.topic, (item.text,), kb.cite(item.source)) for item in chosen]
    sections.append(Section(None, ("以上为新闻报道中的背景信息,不属于《工作指引》正文。",)))
    return _answer(*sections, suggestions=[_ask("怎么参与脱贫攻坚")])


# --- places the guideline does not cover, small talk, declining ---------------------------------------------------------


def passages_reply(kb: KnowledgeBase, passages: Sequence[Passage]) -> Reply:
    """Quotes the guideline's sentences that match a question no intent covers."""
    sections = [Section(None, ("《工作指引》中与您的问题相关的内容:",))]
    sections += [Section(None, (p.text,), kb.cite(p.source)) for p in passages]
    return _answer(*sections, suggestions=[_ask("帮助")])


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
    return _answer(*sections, suggestions=[_ask("怎么参与脱贫攻坚")])


@composer("other_region")
def other_region(request: Request) -> Reply:
    """A place outside what the guideline covers: says so, with no phone number.

    Townships and villages the attachments do not list are named by the registered composer's note
    (see :func:`composer`); this reply adds nothing for them but the suggestions.
    """
    kb = request.kb
    named = places_elsewhere(request.slots)
    if unlisted_local_places(request.slots) and not named:
        return _answer(suggestions=[_ask("深度贫困乡镇有哪些"), _ask("定点攻坚村有哪些")])
    places = "、".join(named) or "该地"
    # 国务院, 国家乡村振兴局 are offices themselves, not places with an office.
    office = "" if named and all(p.endswith(("部", "院", "局", "办")) for p in named) else "扶贫部门"
    lines = (
        f"《工作指引》是重庆市的文件,没有{places}的{office}联系方式。",
        f"指引列出了重庆市{len(kb.key_districts)}个重点区县、{len(kb.townships)}个深度贫困乡镇和"
        f"{len(kb.villages)}个定点攻坚村的信息。",
    )
    return _answer(Section(None, lines), suggestions=[_ask("各区县扶贫办电话"), _ask("深度贫困乡镇有哪些")])


EXAMPLE_QUESTIONS = (
    "万州区扶贫办电话",
    "城口县有哪些深度贫困乡镇",
    "医疗类组织能做哪些事",
    "参与后要报送什么",
)


def help_reply(kb: KnowledgeBase) -> Reply:
    """What the bot can do, with example questions."""
    lines = (
        f"我是帮扶助手,根据《{kb.document.title}》回答社会组织参与脱贫攻坚的问题:",
        f"· 去哪里:{len(kb.key_districts)}个重点区县扶贫办电话、{len(kb.townships)}个深度贫困乡镇联系人、"
        f"{len(kb.villages)}个定点攻坚村在哪",
        "· 帮扶谁:重点地区、重点对象、重点领域",
        "· 做什么:各类社会组织和各个主题推荐的帮扶活动、参与路径",
        "· 报什么:年度计划、回访跟进、向主管单位和登记机关报送、等级评估与表彰",
        f"· 查原文:指引正文{len(kb.guideline.articles)}条,可按条问,如“第五条讲什么”",
    )
    return Reply(
        ReplyKind.SMALLTALK,
        (Section(None, lines),),
        suggestions=tuple(_ask(q) for q in EXAMPLE_QUESTIONS),
    )


@composer("help")
def help_(request: Request) -> Reply:
    """What the bot can do."""
    return help_reply(request.kb)


@composer("greeting")
def greeting(request: Request) -> Reply:
    """Answers a greeting and says what the bot can do."""
    reply = help_reply(request.kb)
    return Reply(
        ReplyKind.SMALLTALK, (Section(None, ("您好!",)), *reply.sections), suggestions=reply.suggestions
    )


@composer("thanks")
def thanks(request: Request) -> Reply:
    """Answers thanks."""
    return Reply(
        ReplyKind.SMALLTALK,
        (Section(None, ("不客气!如还有问题,欢迎随时问我。",)),),
        suggestions=tuple(_ask(q) for q in EXAMPLE_QUESTIONS[:2]),
    )


def decline_reply(kb: KnowledgeBase) -> Reply:
    """The polite answer when nothing in the guideline fits (never contains a phone number)."""
    return Reply(
        ReplyKind.DECLINE,
        (
            Section(
                None,
                (
                    "抱歉,这个问题不在《重庆市社会组织参与脱贫攻坚工作指引》的范围内,我暂时回答不了。",
                    "我可以告诉您:重点区县扶贫办电话、深度贫困乡镇联系人、定点攻坚村在哪、各类社会组织可以开展的帮扶活动,以及需要报送的材料。",
                ),
            ),
        ),
        suggestions=tuple(_ask(q) for q in EXAMPLE_QUESTIONS),
    )


@composer("decline")
def decline(request: Request) -> Reply:
    """Declines a question outside the guideline."""
    return decline_reply(request.kb)
