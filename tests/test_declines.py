"""bot/compose/declines.py: declines say what is missing, offer what is listed, never show a phone number."""

from __future__ import annotations

import re

import pytest

from bot.channels.text import render_text
from bot.compose.reply import ReplyKind
from bot.engine import Engine

PHONE = re.compile(r"\d{3}-\d{8}|1[3-9]\d{9}")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("城口县有什么好玩的景点", "没有旅游、景点方面的内容"),
        ("万州区扶贫办的地址", "没有列出万州区扶贫办的办公地址"),
        ("后坪乡政府地址", "没有列出武隆区后坪乡的办公地址"),
        ("陶松森的身份证号是多少", "只列出各深度贫困乡镇联系人的姓名、职务和联系电话"),
        ("今年有什么新政策", "2020年5月14日印发"),
        ("2024年乡村振兴有什么新政策", "不了解2024年出台的新政策"),
        ("渝北区扶贫办电话", "指引没有列出它的扶贫办电话"),
        ("市扶贫办的联系电话", "没有列出重庆市(市级)扶贫、民政部门的联系电话"),
        ("四川凉山州扶贫办电话多少", "没有四川、凉山的扶贫部门联系方式"),
        ("我们是山东的协会,想问下山东省扶贫办电话", "没有山东的扶贫部门联系方式"),
        ("涪陵区扶贫办的对公账户是多少", "没有列出涪陵区扶贫办"),
        ("帮我润色一下这段年终总结", "没有代写、润色或翻译文稿方面的内容"),
        ("残疾证怎么办 要去哪个医院做鉴定", "证件办理"),  # the second part, 医院 alone, asks nothing listed
        ("张成林主任家的收件地址", "只列出各深度贫困乡镇联系人的姓名、职务和联系电话"),
        # A town's contact person: only the deep-poverty townships have one in the guideline.
        ("巫溪中梁乡联系人电话多少", "没有列出巫溪县中梁乡的联系人"),
        ("奉节县草堂镇的联系人是谁 电话多少", "草堂镇不在其中"),
        ("开州区赵家街道有没有指定的对接人", "赵家街道不在其中"),
        (
            "石柱县西沱镇的联系人是哪个?我们想去南坪村",
            "西沱镇不在其中",
        ),  # the town's contact, its village beside
        ("忠县扶贫办有没有 official WeChat 公众号,叫什么名字", "没有列出忠县扶贫办的微信公众号"),
        # 几个 counts the members (a few), it asks nothing: the part does not override the decline.
        (
            "我们商会想组织几个会员直接去城口县扶贫办当面对接,请问他们办公地址在哪条街",
            "没有列出城口县扶贫办的办公地址",
        ),
        ("开州区扶贫办今年预算是多少", "没有金额、费用和预算"),
        ("潼南区哪些村已经退出定点攻坚村名单了", "2020年以后的变化"),
    ],
)
def test_a_decline_says_what_the_guideline_does_not_contain(engine: Engine, question: str, says: str) -> None:
    reply = engine.answer(question)
    text = render_text(reply)
    assert reply.intent is None
    assert says in text
    assert not PHONE.search(text)


def test_a_decline_about_a_listed_place_offers_what_is_listed_as_questions(engine: Engine) -> None:
    reply = engine.answer("城口县有什么好玩的景点")
    assert "城口扶贫办电话" in [c.query for c in reply.suggestions]


def test_a_town_without_a_listed_contact_offers_its_district_office_to_tap(engine: Engine) -> None:
    reply = engine.answer("巫溪中梁乡联系人电话多少")
    assert "巫溪扶贫办电话" in [c.query for c in reply.suggestions]
    assert "星溪村" in render_text(reply)  # what the attachments do list of the town


def test_a_town_sharing_its_name_with_a_listed_township_says_which_one_is_listed(engine: Engine) -> None:
    reply = engine.answer("云阳县双龙镇的联系人")
    text = render_text(reply)
    assert reply.intent is None
    assert "巫山县双龙镇是深度贫困乡镇" in text
    assert "竹坪村" in text  # the designated village of 云阳's 双龙镇
    assert not PHONE.search(text)


def test_advertising_gets_a_short_refusal(engine: Engine) -> None:
    reply = engine.answer("等级评估包过,加微信bangban888")
    assert reply.kind is ReplyKind.REFUSE
    assert reply.suggestions == ()
    assert "等级评估" not in render_text(reply)  # never a quote of the guideline
