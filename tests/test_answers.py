"""bot/answers.py: composers write only facts of the knowledge base, each with its source."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.channels.text import render_text
from bot.compose import COMPOSERS, Brief
from bot.compose.activities import plan_reply
from bot.compose.districts import all_phones_reply, city_office_reply, district_reply
from bot.compose.reply import Reply, ReplyKind
from bot.compose.smalltalk import decline_reply, help_reply
from bot.data.knowledge import District, KnowledgeBase
from bot.data.loader import load_knowledge
from bot.data.schema import ActivityGroup
from bot.engine import Engine
from bot.nlu.slots import Slots, resolve_slots
from tests.engine_support import GUIDELINE_TEXT, KNOWLEDGE, PHONE, ask, kb_phones

KB = load_knowledge(KNOWLEDGE)


def text_of(reply: Reply) -> str:
    return render_text(reply)


def compose(engine: Engine, composer: str, question: str) -> Reply:
    """Answers ``question`` as the intent answer ``composer`` (routed, with its notes), whatever intent the
    engine would choose."""
    analysis = engine.analyzer.analyze(question)
    return engine.compose(composer, engine.brief(resolve_slots(engine.kb, analysis), analysis))


def only(name: str) -> District:
    return KB.district(name)


# --- one district ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("district", KB.key_districts, ids=[d.name for d in KB.key_districts])
def test_district_reply_shows_phone_tier_townships_with_contacts_and_villages(district: District) -> None:
    text = text_of(district_reply(KB, district))
    assert district.phone is not None
    assert district.phone in text
    assert f"{district.tier}扶贫开发工作重点区县" in text
    for township in district.townships:
        line = next(line for line in text.splitlines() if township.contact in line)
        assert township.name in line
        assert township.phone in line
    for village in district.villages:
        assert f"{village.town}{village.name}" in text
    assert district.label in text  # 秀山县(秀山土家族苗族自治县)
    assert PHONE.findall(text) == [district.phone, *(t.phone for t in district.townships)]


def test_district_reply_for_a_district_with_villages_but_no_office_listed() -> None:
    text = text_of(district_reply(KB, only("北碚区")))
    assert not PHONE.search(text)
    assert "金刀峡镇小华莹村" in text
    assert "重点区县" in text


def test_district_reply_for_a_district_the_guideline_does_not_list() -> None:
    text = text_of(district_reply(KB, only("渝中区")))
    assert not PHONE.search(text)
    assert "渝中区" in text
    assert "没有列出" in text


def test_a_phone_question_about_beibei_explains_it_is_no_key_district_and_shows_its_village(
    engine: Engine,
) -> None:
    reply = compose(engine, "district_contact", "北碚区扶贫办电话")
    text = text_of(reply)
    assert not PHONE.search(text)
    assert "北碚区不在" in text
    assert "重点区县" in text
    assert "小华莹村" in text
    assert reply.sources == ("《工作指引》附件3",)


# --- all districts, tiers, counts --------------------------------------------------------------------------------


def test_all_phones_reply_pairs_every_district_with_its_own_phone() -> None:
    lines = text_of(all_phones_reply(KB)).splitlines()
    for district in KB.key_districts:
        assert f"{district.name}:{district.phone}" in "\n".join(lines)
    assert len(PHONE.findall("\n".join(lines))) == len(KB.key_districts)


def test_tier_list_names_14_national_and_4_city_level_districts(engine: Engine) -> None:
    text = text_of(compose(engine, "tier_list", "重点区县有哪些"))
    for district in KB.key_districts:
        assert district.name in text
    assert "14个国家级" in text
    assert "4个市级" in text
    city_only = text_of(compose(engine, "tier_list", "市级重点区县有哪些"))
    assert all(d.name in city_only for d in KB.districts_of_tier("市级"))
    assert not any(d.name in city_only for d in KB.districts_of_tier("国家级"))


def test_region_counts(engine: Engine) -> None:
    text = text_of(compose(engine, "region_counts", "一共有多少个"))
    assert "18个扶贫开发工作重点区县:14个国家级、4个市级" in text
    assert "18个深度贫困乡镇" in text
    assert "100个定点攻坚村" in text


# --- townships and villages -------------------------------------------------------------------------------------


def test_township_contact_for_shuanglong_names_the_contact_and_the_town_of_the_same_name(
    engine: Engine,
) -> None:
    text = text_of(compose(engine, "township_contact", "双龙镇联系人"))
    assert "巫山县双龙镇" in text
    assert "卢梦蝶" in text
    assert "15523963725" in text
    assert "云阳县也有双龙镇" in text
    assert "竹坪村" in text


def test_township_contact_narrowed_by_its_district(engine: Engine) -> None:
    text = text_of(compose(engine, "township_contact", "巫山县双龙镇联系人"))
    assert "卢梦蝶" in text
    assert "云阳县" not in text


def test_village_location_for_a_shared_name_shows_every_place_and_office(engine: Engine) -> None:
    text = text_of(compose(engine, "village_location", "高桥村在哪"))
    assert "秀山县石堤镇高桥村" in text
    assert "酉阳县五福镇高桥村" in text
    assert "023-76662856" in text  # 秀山县
    assert "023-75581421" in text  # 酉阳县
    assert "不止一个同名" in text


def test_village_location_narrowed_by_its_district(engine: Engine) -> None:
    text = text_of(compose(engine, "village_location", "秀山县的高桥村在哪"))
    assert "秀山县石堤镇高桥村" in text
    assert "酉阳" not in text


@pytest.mark.parametrize(
    ("composer", "question", "shown", "absent"),
    [
        # A township without designated villages says so, and offers its contact as a question to tap.
        (
            "village_location",
            "红池坝镇有哪些村",
            ["没有巫溪县红池坝镇的村", "红池坝镇联系人"],
            ["15730595678"],
        ),
        # Where a township is: its contact, nothing about villages.
        ("village_location", "红池坝镇在哪", ["张锡定"], ["攻坚村"]),
        # The district office asked for beside the township.
        ("township_contact", "巫溪县扶贫办电话和红池坝镇联系人", ["15730595678", "023-51522562"], []),
    ],
)
def test_township_answers(
    engine: Engine, composer: str, question: str, shown: list[str], absent: list[str]
) -> None:
    text = text_of(compose(engine, composer, question))
    assert [s for s in shown if s not in text] == []
    assert [a for a in absent if a in text] == []


@pytest.mark.parametrize(
    ("composer", "question", "unlisted"),
    [
        ("other_region", "解放村是攻坚村吗", "解放村"),
        ("other_region", "龙门镇联系人", "龙门镇"),
        ("district_tier", "城口县解放村在哪", "解放村"),
    ],
)
def test_a_township_or_village_the_attachments_do_not_list_is_named_as_such(
    engine: Engine, composer: str, question: str, unlisted: str
) -> None:
    reply = compose(engine, composer, question)
    assert reply.sections[0].lines == (
        f"《工作指引》附件列出的18个深度贫困乡镇和100个定点攻坚村中没有{unlisted}。",
    )
    assert "重庆市的文件" not in text_of(reply)  # that is said of provinces and cities elsewhere


def test_an_organization_going_to_an_unlisted_town_still_gets_its_activities(engine: Engine) -> None:
    text = text_of(compose(engine, "org_in_district", "我们是医疗队想去新华镇义诊"))
    assert "没有新华镇" in text
    assert "义诊" in text
    assert not PHONE.search(text)


@pytest.mark.parametrize(
    ("question", "flagged"),
    [
        ("城口扶贫办电话是023-59221208对吗", True),
        ("三建乡联系人电话是13594500669吗", True),
        ("城口扶贫办电话是023-59221209对吗", False),  # the right number
        ("城口扶贫办电话", False),
    ],
)
def test_a_wrong_phone_number_in_the_question_is_flagged_and_not_repeated(
    engine: Engine, question: str, flagged: bool
) -> None:
    _, text = ask(engine, question)
    assert ("您提到的号码不在《工作指引》中" in text) is flagged
    assert "59221208" not in text
    assert "13594500669" not in text


def test_an_article_is_quoted_whole_with_its_items(engine: Engine) -> None:
    reply = compose(engine, "article_text", "第三条讲的啥")
    assert reply.sections[0].title == "《工作指引》第三条"
    assert reply.sections[0].source == "《工作指引》第三条"
    text = text_of(reply)
    assert "(一)未脱贫的建档立卡贫困户" in text
    assert "(八)因遭受严重自然灾害" in text
    assert "第四条讲什么" in text  # the next article is offered


def test_an_item_is_quoted_with_its_article_s_lead(engine: Engine) -> None:
    reply = compose(engine, "article_text", "第五条第九项")
    assert reply.sections[0].lines == (
        "社会组织参与脱贫攻坚主要工作路径:",
        "(九)要加强经验总结交流,提炼典型案例,探索可复制可推广的帮扶模式,定期向主管单位和登记机关报送工作经验和成效。",
    )
    assert "(八)" not in text_of(reply)


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("第二十条", "《工作指引》正文共18条(第一条至第十八条)。"),
        ("第三条第九项", "第三条没有第九项,以下是全文:"),
    ],
)
def test_an_article_or_item_the_guideline_does_not_have(engine: Engine, question: str, said: str) -> None:
    reply = compose(engine, "article_text", question)
    assert reply.sections[0].lines == (said,)


def test_authority_duties_quote_the_cover_letter_s_points(engine: Engine) -> None:
    reply = compose(engine, "authority_duties", "民政部门和扶贫部门要做什么")
    assert [section.source for section in reply.sections] == [
        "《工作指引》印发通知第一点",
        "《工作指引》印发通知第一点",
        "《工作指引》印发通知第二点",
        "《工作指引》印发通知第二点",
        "《工作指引》印发通知第三点",
    ]
    assert "好做法、好模式、好典型" in text_of(reply)


def test_a_city_office_s_phone_is_not_in_the_guideline(engine: Engine) -> None:
    text = text_of(compose(engine, "authority_duties", "市民政局电话是多少"))
    assert "没有列出重庆市(市级)扶贫、民政部门的联系电话" in text
    assert not PHONE.search(text)


@pytest.mark.parametrize(
    ("question", "unlisted"),
    [
        ("万州区扶贫办的地址和电话", "没有列出万州区扶贫办的办公地址"),
        ("黔江区扶贫办几点上班,电话多少", "没有列出黔江区扶贫办的办公时间"),
        ("秀山县扶贫办的电子邮箱和联系电话", "没有列出秀山县扶贫办的电子邮箱"),
        ("万州区扶贫办电话", None),
    ],
)
def test_an_office_detail_asked_with_its_phone_is_said_to_be_unlisted_before_the_phone(
    engine: Engine, question: str, unlisted: str | None
) -> None:
    reply = engine.answer(question)
    first = reply.sections[0].lines[0]
    if unlisted is None:
        assert "没有列出" not in text_of(reply)
    else:
        assert unlisted in first
        assert PHONE.search(text_of(reply))  # the phone it does print, which was asked for too


def test_village_in_a_deep_poverty_township_shows_the_township_contact(engine: Engine) -> None:
    text = text_of(compose(engine, "village_location", "金岩村在哪"))
    assert "城口县鸡鸣乡" in text
    assert "张代斌" in text
    assert "15213029113" in text
    assert "023-59221209" in text


# --- activities, combined questions, plans ------------------------------------------------------------------------


@pytest.mark.parametrize("group", KB.activities.org_types, ids=[g.id for g in KB.activities.org_types])
def test_activities_by_orgtype_lists_every_recommended_activity(engine: Engine, group: ActivityGroup) -> None:
    slots = Slots(org_types=(group,))
    text = text_of(engine.compose("activities_by_orgtype", Brief(engine.kb, slots)))
    for activity in group.activities:
        assert activity.text in text
    assert not PHONE.search(text)


def test_without_an_organization_type_the_user_is_asked_which_one(engine: Engine) -> None:
    reply = engine.compose("activities_by_orgtype", Brief(engine.kb, Slots()))
    assert reply.kind is ReplyKind.CLARIFY
    assert [c.label for c in reply.choices] == [g.name for g in KB.activities.org_types]
    theme = engine.compose("activities_by_theme", Brief(engine.kb, Slots()))
    assert theme.kind is ReplyKind.CLARIFY
    assert [c.label for c in theme.choices] == [g.name for g in KB.activities.themes]


def test_org_in_district_gives_activities_and_whom_to_contact(engine: Engine) -> None:
    text = text_of(compose(engine, "org_in_district", "我们是医疗类社会组织,想去城口县义诊,应该联系谁"))
    assert "023-59221209" in text
    assert "曾令" in text
    assert "15084309089" in text
    assert "张代斌" in text
    assert "15213029113" in text
    for activity in KB.org_type("medical").activities:
        assert activity.text in text


def test_org_in_district_for_a_named_township_shows_that_township_s_contact(engine: Engine) -> None:
    text = text_of(compose(engine, "org_in_district", "医疗类组织想去三建乡义诊联系谁"))
    assert "陶松森" in text
    assert "13594500668" in text
    assert "023-70605638" in text  # 丰都县
    assert "义诊" in text


def test_org_in_district_outside_chongqing_shows_no_phone(engine: Engine) -> None:
    text = text_of(compose(engine, "org_in_district", "医疗类组织想去成都义诊联系谁"))
    assert not PHONE.search(text)
    assert "成都" in text


def _plans() -> Iterator[tuple[str, str, str | None]]:
    for group in KB.activities.org_types:
        yield group.id, "城口县", None
    yield "medical", "酉阳县", "left_behind"
    yield "education", "北碚区", "employment"


@pytest.mark.parametrize(("org_type", "district", "theme"), list(_plans()))
def test_plan_has_contacts_activities_focus_people_and_reporting_with_sources(
    org_type: str, district: str, theme: str | None
) -> None:
    group, place = KB.org_type(org_type), KB.district(district)
    topic = KB.theme(theme) if theme else None
    reply = plan_reply(KB, group, place, topic)
    text = text_of(reply)
    # 一、联系谁
    if place.phone:
        assert place.phone in text
    for township in place.townships:
        assert township.contact in text
        assert township.phone in text
    for village in place.villages:
        assert village.name in text
    # 二、做什么
    for activity in group.activities:
        assert activity.text in text
    if topic:
        for activity in topic.activities:
            assert activity.text in text
    # 三、重点帮扶谁
    for person in KB.focus.people.items:
        assert person.text in text
    # 四、报送什么: each requirement with its source shown
    for requirement in KB.reporting.requirements:
        block = next(b for b in text.split("\n\n") if requirement.text in b)
        assert f"(来源:{KB.cite(requirement.source)})" in block
    # 五、安全保障
    assert KB.safety.insurance.text in text
    assert set(PHONE.findall(text)) <= kb_phones(KB)


# --- places without a phone, small talk, declining ------------------------------------------------------------------


def test_decline_reply_has_no_digits_at_all() -> None:
    reply = decline_reply(KB)
    assert reply.kind is ReplyKind.DECLINE
    written = [line for s in reply.sections for line in (s.title or "", *s.lines)]
    written += [c.label for c in (*reply.choices, *reply.suggestions)]
    assert not re.search(r"\d", "".join(written))  # the renderer's numbering of suggestions aside
    assert not PHONE.search(text_of(reply))
    assert reply.suggestions  # says what the bot can do instead


def test_other_region_names_the_place_and_shows_no_phone(engine: Engine) -> None:
    reply = engine.compose("other_region", Brief(KB, Slots(other_places=("北京", "朝阳区"))))
    text = text_of(reply)
    assert "北京、朝阳区" in text
    assert not PHONE.search(text)


def test_the_city_office_reply_shows_no_phone() -> None:
    text = text_of(city_office_reply(KB))
    assert not PHONE.search(text)
    assert "重庆市" in text


def test_the_city_office_question_is_answered_without_a_phone(engine: Engine) -> None:
    text = text_of(compose(engine, "district_phone_list", "重庆市扶贫办电话"))
    assert not PHONE.search(text)
    listing = text_of(compose(engine, "district_phone_list", "重庆市各区县扶贫办电话"))
    assert len(PHONE.findall(listing)) == len(KB.key_districts)


def test_help_offers_example_questions() -> None:
    reply = help_reply(KB)
    assert reply.kind is ReplyKind.SMALLTALK
    assert len(reply.suggestions) >= 3
    assert KB.document.title in text_of(reply)


def test_about_the_document_says_when_it_was_issued(engine: Engine) -> None:
    text = text_of(compose(engine, "document_info", "这份指引是什么时候发布的"))
    assert KB.document.title in text
    assert f"{KB.document.date.year}年" in text


# --- every composer: facts of the knowledge only ---------------------------------------------------------------------

QUESTIONS = [
    "",
    "万州区",
    "北碚区",
    "渝中区",
    "三建乡",
    "双龙镇",
    "高桥村",
    "云阳县双龙镇",
    "医疗类",
    "留守儿童",
    "国家级",
    "北京朝阳区",
    "重庆市",
    "医疗类组织去城口县沿河乡帮助留守儿童",
]
GUIDELINE = GUIDELINE_TEXT.read_text(encoding="utf-8")


def _owner_of(phone: str) -> set[str]:
    """The names that must accompany a phone: its district, or its township and contact."""
    for district in KB.key_districts:
        if district.phone == phone:
            return {district.name}
    return {t.name for t in KB.townships if t.phone == phone}


@pytest.mark.parametrize("composer", sorted(COMPOSERS))
def test_every_composer_shows_only_phones_of_the_knowledge_next_to_their_owner(
    engine: Engine, composer: str
) -> None:
    for question in QUESTIONS:
        reply = compose(engine, composer, question)
        for section in reply.sections:
            block = "\n".join((section.title or "", *section.lines))
            for line in section.lines:
                for phone in PHONE.findall(line):
                    assert phone in kb_phones(KB), (composer, question, line)
                    assert phone in GUIDELINE, phone  # exactly as the guideline prints it
                    owners = _owner_of(phone)
                    assert any(owner in line for owner in owners) or any(
                        owner in block for owner in owners
                    ), (
                        composer,
                        question,
                        line,
                    )


@pytest.mark.parametrize("composer", sorted(COMPOSERS))
def test_every_composer_cites_its_sources(engine: Engine, composer: str) -> None:
    for question in QUESTIONS:
        reply = compose(engine, composer, question)
        for source in reply.sources:
            assert source.startswith(("《工作指引》", "背景资料:")), (composer, question, source)
        if reply.kind is ReplyKind.ANSWER:
            facts = [s for s in reply.sections if s.lines and PHONE.search("".join(s.lines))]
            for section in facts:
                assert section.source, (composer, question, section)


def test_resolve_slots_narrows_a_shared_name_to_the_district_named(engine: Engine) -> None:
    def slots(question: str) -> Slots:
        return resolve_slots(engine.kb, engine.analyzer.analyze(question))

    assert {v.district for v in slots("高桥村").villages} == {"秀山县", "酉阳县"}
    assert {v.district for v in slots("酉阳县高桥村").villages} == {"酉阳县"}
    both = slots("双龙镇")
    assert [t.district for t in both.townships] == ["巫山县"]
    assert both.towns == (("云阳县", "双龙镇"),)
    town = slots("云阳县双龙镇")
    assert town.townships == ()
    assert town.towns == (("云阳县", "双龙镇"),)
    assert slots("重庆市").city
    assert slots("北京朝阳区").other_places == ("北京", "朝阳区")


def test_knowledge_base_fixture_matches_the_engine(engine: Engine, kb: KnowledgeBase) -> None:
    assert [d.name for d in kb.key_districts] == [d.name for d in engine.kb.key_districts]
