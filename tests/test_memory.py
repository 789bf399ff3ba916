"""bot/engine/memory.py: what a conversation keeps of each answered question."""

from __future__ import annotations

from bot.engine import Conversation, Engine


def test_the_most_specific_place_named_is_remembered_with_its_district(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("武隆后坪乡联系人", conversation)
    assert conversation.place == "武隆区后坪乡"
    assert conversation.district is not None
    assert conversation.district.name == "武隆区"
    assert conversation.contact is not None
    assert conversation.contact.contact == "蹇隆森"


def test_a_question_on_another_topic_keeps_the_place(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("城口县扶贫办电话", conversation)
    engine.respond("工作人员要买什么保险", conversation)
    assert conversation.place == "城口县"
    assert conversation.question == "工作人员要买什么保险"


def test_the_user_s_organization_type_is_remembered(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("我们是做心理咨询的", conversation)
    assert conversation.org_type is not None
    assert conversation.org_word == "心理咨询"


def test_a_name_found_in_two_districts_leaves_both_readings(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("回龙村在哪个区县", conversation)
    assert {r.label for r in conversation.readings} == {"彭水县连湖镇回龙村", "石柱县六塘乡回龙村"}


def test_several_districts_are_remembered_for_a_plural_reference(engine: Engine) -> None:
    conversation = Conversation()
    for district in ("万州区", "云阳县", "开州区"):
        engine.respond(f"{district}有哪些深度贫困乡镇", conversation)
    assert [d.name for d in conversation.recent] == ["万州区", "云阳县", "开州区"]


def test_the_choices_offered_are_remembered_in_order(engine: Engine) -> None:
    conversation = Conversation()
    reply = engine.respond("我们能参与哪些帮扶活动", conversation).reply
    assert conversation.choices == (*reply.choices, *reply.suggestions)


def test_the_places_of_a_short_list_are_remembered_in_order(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("城口有哪些村", conversation)
    assert [c.label for c in conversation.listed] == [
        "城口县鸡鸣乡金岩村",
        "城口县沿河乡联坪村",
        "城口县明中乡金池村",
        "城口县北屏乡松柏村",
    ]


def test_a_list_too_long_to_count_down_is_not_remembered(engine: Engine) -> None:
    conversation = Conversation()
    engine.respond("100个定点攻坚村都有哪些", conversation)
    assert conversation.listed == ()
