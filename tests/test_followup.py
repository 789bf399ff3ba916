"""bot/engine/followup.py: follow-ups resolved against their conversation, each kind on its own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Conversation, Engine
from bot.engine.followup import FollowUp


def converse(engine: Engine, *messages: str) -> tuple[Conversation, list[str]]:
    """Plays ``messages`` in one conversation; returns it and each message as understood."""
    conversation = Conversation()
    understood = []
    for message in messages:
        response = engine.respond(message, conversation)
        understood.append(response.reply.resolved or message)
    return conversation, understood


@pytest.mark.parametrize(
    ("messages", "understood", "kind"),
    [
        (("开州区扶贫办电话是多少", "它有几个定点攻坚村"), "开州区有几个定点攻坚村", FollowUp.REFERENCE),
        (
            ("武隆后坪乡联系人", "那个乡在哪个区 区里扶贫办电话呢"),
            "武隆区后坪乡在哪个区 武隆区扶贫办电话呢",
            FollowUp.REFERENCE,
        ),
        (("后坪乡联系人是谁", "他的电话多少"), "蹇隆森的电话多少", FollowUp.REFERENCE),
        (("云阳县有哪些定点攻坚村", "那奉节呢"), "奉节有哪些定点攻坚村", FollowUp.ELLIPSIS),
        (("云阳泥溪镇联系人是谁", "那开州大进镇呢"), "开州大进镇联系人是谁", FollowUp.ELLIPSIS),
        (("教育培训类社会组织能做哪些帮扶", "医疗类的呢"), "医疗类社会组织能做哪些帮扶", FollowUp.ELLIPSIS),
        (("巫溪县扶贫办电话", "乡镇呢"), "巫溪县有哪些深度贫困乡镇", FollowUp.ATTRIBUTE),
        (("巫山的攻坚村", "扶贫办电话也发我一下"), "巫山县扶贫办电话", FollowUp.ATTRIBUTE),
        (("想去酉阳做点事", "找谁联系"), "酉阳县联系人是谁", FollowUp.ATTRIBUTE),
        (("巫溪县有哪些定点攻坚村", "应该联系谁"), "巫溪县联系人是谁", FollowUp.ATTRIBUTE),
        (("南川区扶贫办电话", "不好意思 我说的是潼南"), "潼南扶贫办电话", FollowUp.CORRECTION),
        (
            ("城口县沿河乡联系人电话多少", "说错了 是鸡鸣乡"),
            "鸡鸣乡联系人电话多少",
            FollowUp.CORRECTION,
        ),
        (("回龙村在哪个区县", "石柱那个 属于哪个乡"), "石柱县六塘乡回龙村 属于哪个乡", FollowUp.CHOICE),
        (("我们能参与哪些帮扶活动", "第二个"), "教育培训类社会组织怎么参与扶贫", FollowUp.CHOICE),
        (("城口有哪些村", "第三个"), "城口县明中乡金池村在哪", FollowUp.CHOICE),  # a place the answer listed
        (("市级重点区县有哪些", "第2个"), "潼南区扶贫办电话", FollowUp.CHOICE),
        (("酉阳县", "第二个"), "参与后要报送什么", FollowUp.CHOICE),  # townships and villages: a suggestion
    ],
)
def test_each_kind_of_follow_up_is_understood(
    engine: Engine, messages: tuple[str, ...], understood: str, kind: FollowUp
) -> None:
    conversation = Conversation()
    for message in messages[:-1]:
        engine.respond(message, conversation)
    response = engine.respond(messages[-1], conversation)
    assert response.resolution.kind is kind
    assert (response.reply.resolved or messages[-1]).replace(" ", "") == understood.replace(" ", "")


def test_an_answer_to_the_bot_s_clarifying_question_is_the_previous_question_for_that_type(
    engine: Engine,
) -> None:
    conversation = Conversation()
    asked = engine.respond("我们能参与哪些帮扶活动", conversation)
    assert conversation.clarifying == "org_type"
    assert asked.reply.choices
    response = engine.respond("我们是行业协会", conversation)
    assert response.resolution.kind is FollowUp.CLARIFICATION
    assert "产业" in "".join(line for s in response.reply.sections for line in s.lines)


def test_the_organization_type_given_earlier_is_used_when_the_user_asks_what_they_can_do(
    engine: Engine,
) -> None:
    _, understood = converse(engine, "我们是一家基金会", "想去酉阳 找谁", "我们能做啥")
    assert understood[-1].startswith("基金会")


@pytest.mark.parametrize(
    ("messages", "stands_alone"),
    [
        (("城口县扶贫办电话", "巫溪县有哪些攻坚村"), "巫溪县有哪些攻坚村"),  # a new place
        (("城口县扶贫办电话", "工作人员要买什么保险"), "工作人员要买什么保险"),  # a new topic
        (("城口县扶贫办电话", "怎么参与"), "怎么参与"),  # a short question of its own
        (
            ("城口县扶贫办电话", "不好意思,请问万州区扶贫办电话"),
            "不好意思,请问万州区扶贫办电话",
        ),  # a question of its own
    ],
)
def test_a_question_that_stands_alone_is_answered_as_itself(
    engine: Engine, messages: tuple[str, ...], stands_alone: str
) -> None:
    _, understood = converse(engine, *messages)
    assert understood[-1] == stands_alone


@pytest.mark.parametrize(
    ("messages", "understood"),
    [
        (("18个深度贫困乡镇都有哪些", "第五个的联系人是谁"), "酉阳县车田乡的联系人是谁"),
        (("18个深度贫困乡镇都有哪些", "第五个的联系人是谁", "最后一个呢"), "黔江区金溪镇联系人是谁"),
        (("彭水有哪些定点攻坚村", "第五个属于哪个乡"), "彭水县乔梓乡水花村属于哪个乡"),
        (
            ("彭水有哪些定点攻坚村", "第五个属于哪个乡", "第二个和第三个呢"),
            "彭水县联合乡龙池村、彭水县鹿鸣乡红岩村在哪",
        ),
        (("彭水和酉阳的深度贫困乡镇各有哪些", "两边的联系人都发我"), "彭水县、酉阳县的联系人都发我"),
        (("万州区龙驹镇联系人", "好的 电话也发一下"), "万州区龙驹镇扶贫办电话"),
    ],
)
def test_places_picked_from_a_list_or_asked_after_an_acknowledgement(
    engine: Engine, messages: tuple[str, ...], understood: str
) -> None:
    _, seen = converse(engine, *messages)
    assert seen[-1] == understood


def test_an_ordinal_without_a_list_is_not_a_pick(engine: Engine) -> None:
    _, seen = converse(engine, "万州区扶贫办电话", "第五条讲的什么")
    assert seen[-1] == "第五条讲的什么"


@pytest.mark.parametrize("closing", ["好的 谢谢", "好的 收到", "明白了", "ok", "好的好的 那我们先打镇上那个"])
def test_thanks_and_chatter_get_a_short_reply_never_the_previous_answer(engine: Engine, closing: str) -> None:
    conversation = Conversation()
    engine.respond("巫山双龙镇联系人", conversation)
    response = engine.respond(closing, conversation)
    assert response.resolution.kind is FollowUp.ACKNOWLEDGEMENT
    text = "".join(line for s in response.reply.sections for line in s.lines)
    assert "15523963725" not in text
    assert len(text) < 40


def test_more_offers_the_previous_answer_s_suggestions(engine: Engine) -> None:
    conversation = Conversation()
    first = engine.respond("医疗类社会组织能做什么", conversation).reply
    more = engine.respond("还有呢", conversation).reply
    assert more.choices == (*first.choices, *first.suggestions)


@pytest.mark.parametrize("follow_up", ["它的地址呢", "他们周末上班不", "那边天气怎么样"])
def test_a_follow_up_about_what_the_guideline_does_not_list_is_declined(
    engine: Engine, follow_up: str
) -> None:
    conversation = Conversation()
    engine.respond("黔江区扶贫办电话", conversation)
    reply = engine.respond(follow_up, conversation).reply
    assert reply.intent is None
    assert "023-79223577" not in "".join(line for s in reply.sections for line in s.lines)


def test_a_remark_naming_the_place_is_not_made_a_question_by_the_context(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("城口县扶贫办电话", conversation)
    reply = engine.respond("那边风景不错,下次去玩", conversation).reply
    assert reply.intent is None


def test_without_a_conversation_a_follow_up_is_answered_as_it_stands(engine: Engine) -> None:
    response = engine.respond("它有哪些攻坚村")
    assert response.resolution.kind is FollowUp.NONE
    assert response.reply.resolved is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(max_size=40)
        | st.sampled_from(["它", "那巫溪呢", "电话呢", "第二个", "不是城口,是巫溪", "好的"]),
        max_size=6,
    )
)
def test_no_sequence_of_messages_makes_the_engine_raise(engine: Engine, messages: list[str]) -> None:
    conversation = Conversation()
    for message in messages:
        engine.respond(message, conversation)
