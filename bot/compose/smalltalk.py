"""Greetings, thanks, help, and the polite decline."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose.common import (
    ask,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.data.knowledge import KnowledgeBase

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
        suggestions=tuple(ask(q) for q in EXAMPLE_QUESTIONS),
    )


@composer("help")
def help_(brief: Brief) -> Reply:
    """What the bot can do."""
    return help_reply(brief.kb)


@composer("greeting")
def greeting(brief: Brief) -> Reply:
    """Answers a greeting and says what the bot can do."""
    reply = help_reply(brief.kb)
    return Reply(
        ReplyKind.SMALLTALK, (Section(None, ("您好!",)), *reply.sections), suggestions=reply.suggestions
    )


@composer("thanks")
def thanks(brief: Brief) -> Reply:
    """Answers thanks."""
    return Reply(
        ReplyKind.SMALLTALK,
        (Section(None, ("不客气!如还有问题,欢迎随时问我。",)),),
        suggestions=tuple(ask(q) for q in EXAMPLE_QUESTIONS[:2]),
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
        suggestions=tuple(ask(q) for q in EXAMPLE_QUESTIONS),
    )


@composer("decline")
def decline(brief: Brief) -> Reply:
    """Declines a question outside the guideline."""
    return decline_reply(brief.kb)


def acknowledgement_reply(*, thanked: bool) -> Reply:
    """A short answer to 好的, 收到 or 谢谢 after an answer: never the previous answer again."""
    line = "不客气!如还有问题,欢迎随时问我。" if thanked else "好的。如还有问题,欢迎随时问我。"
    return Reply(ReplyKind.SMALLTALK, (Section(None, (line,)),))


def more_reply(choices: Sequence[Choice]) -> Reply:
    """还有呢: what the previous answer suggested asking next."""
    return Reply(ReplyKind.CLARIFY, (Section(None, ("您还可以问:",)),), choices=tuple(choices))
