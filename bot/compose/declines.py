"""Declining what the guideline does not contain: refused messages, later policy, personal details, unlisted topics.

Each reply says what is not there, never gives a phone number, and, when the question named a place the
guideline lists, offers what it does list for that place as questions to tap.
"""

from __future__ import annotations

from bot.compose.common import ask
from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.compose.sections import district_suggestions
from bot.compose.smalltalk import EXAMPLE_QUESTIONS, decline_reply
from bot.data.knowledge import KnowledgeBase
from bot.nlu.scope import Finding, OutOfScope
from bot.nlu.slots import Slots, implied_districts

REFUSAL = "抱歉,我只回答与《重庆市社会组织参与脱贫攻坚工作指引》有关的问题。"


def out_of_scope_reply(kb: KnowledgeBase, found: OutOfScope, slots: Slots) -> Reply:
    """The reply to a question the guideline cannot answer, by what it asked for."""
    if found.finding is Finding.REFUSED:
        return Reply(ReplyKind.REFUSE, (Section(None, (REFUSAL,)),))
    if found.finding is Finding.LATER:
        return _later_reply(kb, found.what)
    if found.finding is Finding.REMARK:
        line = "好的。如需查询《工作指引》中的内容(扶贫办电话、乡镇联系人、帮扶活动、报送要求等),请直接问我。"
        return Reply(ReplyKind.DECLINE, (Section(None, (line,)),), tuple(ask(q) for q in EXAMPLE_QUESTIONS))
    if found.finding is Finding.PERSONAL:
        line = f"《工作指引》只列出各深度贫困乡镇联系人的姓名、职务和联系电话,没有{found.what},我不能提供。"
        return Reply(ReplyKind.DECLINE, (Section(None, (line,)),))
    districts = implied_districts(kb, slots)
    places = "、".join(_place_names(slots)) or "、".join(d.name for d in districts)
    if found.office and places:
        # A township has no 扶贫办 of its own in the guideline: 后坪乡的办公地址, not 后坪乡扶贫办的.
        what = found.what.removeprefix("扶贫办") if slots.townships else found.what
        first = f"《工作指引》没有列出{places}{what}。"
    else:
        first = f"抱歉,《工作指引》没有{found.what or '这'}方面的内容,我回答不了这个问题。"
    listed = [d for d in districts if d.in_guideline]
    if not listed:
        generic = decline_reply(kb)
        return Reply(
            ReplyKind.DECLINE, (Section(None, (first, *generic.sections[0].lines[1:])),), generic.suggestions
        )
    names = "、".join(d.name for d in listed)
    second = f"关于{names},指引列出的是扶贫办电话、深度贫困乡镇联系人或定点攻坚村,需要的话可以点下面的问题。"
    suggestions: list[Choice] = [c for d in listed for c in district_suggestions(d)][:3]
    return Reply(ReplyKind.DECLINE, (Section(None, (first, second)),), tuple(suggestions))


def _later_reply(kb: KnowledgeBase, when: str) -> Reply:
    document = kb.document
    date = f"{document.date.year}年{document.date.month}月{document.date.day}日"
    lines = (
        f"《工作指引》是{date}印发的文件,我只能回答其中的内容,不了解{_period(when)}出台的新政策,"
        "也无法确认指引现在是否仍然适用;最新情况请以民政部门和乡村振兴部门发布的为准。",
        "指引中的内容(重点区县扶贫办电话、深度贫困乡镇联系人、帮扶活动、报送要求等)我可以继续为您解答。",
    )
    return Reply(ReplyKind.DECLINE, (Section(None, lines),), tuple(ask(q) for q in EXAMPLE_QUESTIONS))


def _place_names(slots: Slots) -> list[str]:
    """The places a question named, most specific first: townships, then districts."""
    return [f"{t.district}{t.name}" for t in slots.townships] or [d.name for d in slots.districts]


def _period(when: str) -> str:
    """How the decline names the time asked about: 2024年, 今年; 近期 for 现在 and the like; else 此后."""
    if when in ("现在", "目前", "当前", "最近", "近期", "现行", "最新"):
        return "近期"
    return when or "此后"
