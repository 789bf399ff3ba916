"""bot/entities.py: which places, contacts, organization types and themes a question names.

Exact names first (short, official and former names too), then same-sound typos, and never an unknown
place turned into a known one.
"""

from __future__ import annotations

import itertools

import pytest

from bot.data.entity_type import EntityType
from bot.data.knowledge import District
from bot.data.loader import load_knowledge
from bot.data.schema import Township, Village
from bot.engine import Engine
from bot.nlu.entities import Entity, Mention, TownshipKey, VillageKey, char_sound, sound_of
from tests.engine_support import KNOWLEDGE

KB = load_knowledge(KNOWLEDGE)


def mentions(engine: Engine, question: str) -> tuple[Mention, ...]:
    return engine.analyzer.analyze(question).mentions


def found(engine: Engine, question: str) -> dict[str, set[str]]:
    """The entities of a question by type, as keys (万州区; 丰都县/三建乡; 秀山县/石堤镇/高桥村; medical)."""
    result: dict[str, set[str]] = {}
    for mention in mentions(engine, question):
        for entity in mention.candidates:
            result.setdefault(entity.type.value, set()).add(str(entity.key))
    return result


def districts(engine: Engine, question: str) -> set[str]:
    """The Chongqing districts a question names, directly or through a township, town or village."""
    return {
        entity.district
        for mention in mentions(engine, question)
        for entity in mention.candidates
        if entity.district is not None
    }


# --- districts by every name ------------------------------------------------------------------------------

DISTRICT_NAMES = [(d.name, name) for d in KB.districts for name in d.names]


@pytest.mark.parametrize(("district", "name"), DISTRICT_NAMES, ids=[n for _, n in DISTRICT_NAMES])
def test_every_name_of_every_district_is_found_exactly(engine: Engine, district: str, name: str) -> None:
    for question in (name, f"{name}扶贫办电话", f"我们想去{name}开展帮扶活动"):
        assert found(engine, question).get("district") == {district}, question
        assert all(m.exact for m in mentions(engine, question) if m.type is EntityType.DISTRICT)


@pytest.mark.parametrize(
    ("question", "district"),
    [
        ("黔江", "黔江区"),
        ("秀山", "秀山县"),
        ("秀山扶贫办电话", "秀山县"),
        ("酉阳土家族苗族自治县", "酉阳县"),
        ("秀山土家族苗族自治县扶贫办", "秀山县"),
        ("彭水苗族土家族自治县", "彭水县"),
        ("石柱土家族自治县", "石柱县"),
        ("开县", "开州区"),  # the former name
        ("万盛经济技术开发区", "万盛经开区"),
        ("忠县扶贫办电话", "忠县"),
        ("重庆市南川区扶贫办", "南川区"),
    ],
)
def test_short_official_and_former_names(engine: Engine, question: str, district: str) -> None:
    assert found(engine, question).get("district") == {district}


# --- same-sound typos ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "district"),
    [
        ("万洲区扶贫办电话", "万州区"),
        ("钱江扶贫办电话", "黔江区"),
        ("钱江区", "黔江区"),
        ("酉杨扶贫办电话", "酉阳县"),
        ("彭税扶贫办电话", "彭水县"),
        ("城扣扶贫办电话", "城口县"),
        ("巫谿县扶贫办电话", "巫溪县"),  # 谿 is a Traditional form that normalization folds
        ("丰都县三建乡", "丰都县"),
    ],
)
def test_typos_of_the_same_sound_find_the_district(engine: Engine, question: str, district: str) -> None:
    assert found(engine, question).get("district") == {district}


def test_a_typo_is_marked_as_recognized_by_sound(engine: Engine) -> None:
    (mention,) = mentions(engine, "万洲区扶贫办电话")
    assert mention.surface == "万洲区"
    assert mention.candidates == (Entity(EntityType.DISTRICT, "万州区"),)
    assert not mention.exact


def test_fuzzy_pinyin_folds_the_initials_and_finals_people_mix_up() -> None:
    assert char_sound("黔") == char_sound("钱")
    assert sound_of("城口") == sound_of("城扣")
    assert char_sound("州") == char_sound("洲")
    assert char_sound("万") != char_sound("武")
    assert char_sound("a") == "a"  # no reading: the character itself


# --- never an unknown place as a known one --------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "成都武侯区扶贫办电话",
        "武侯区扶贫办电话",
        "北京朝阳区扶贫办电话",
        "广州天河区扶贫办电话",
        "朝阳区",
        "天河区",
        "海淀区扶贫办电话",
        "贵州遵义扶贫办电话",
        "千姜扶贫办电话",  # sounds like 黔江 but shares no character with it
        "哪个县扶贫办电话",
        "哪个县",
        "各区县扶贫办电话",
        "本市有哪些贫困村",
        "贫困地区有哪些",
        "偏远山区的孩子",
    ],
)
def test_unknown_places_never_become_chongqing_places(engine: Engine, question: str) -> None:
    assert districts(engine, question) == set()


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("北京朝阳区扶贫办电话", {"北京", "朝阳区"}),
        ("广州天河区扶贫办电话", {"广州", "天河区"}),
        ("成都武侯区扶贫办电话", {"成都"}),
        ("武侯区的扶贫办电话是多少", {"武侯区"}),
        ("贵州遵义扶贫办电话", {"贵州", "遵义"}),
        ("长春市扶贫办电话", {"长春市"}),
        ("国务院扶贫办电话", {"国务院"}),  # the national office is outside the guideline too
        ("解放村是攻坚村吗", {"解放村"}),  # a village the attachments do not list
        ("龙门镇联系人", {"龙门镇"}),
    ],
)
def test_places_outside_chongqing_are_reported_as_such(
    engine: Engine, question: str, places: set[str]
) -> None:
    assert found(engine, question).get("other_place", set()) >= places


@pytest.mark.parametrize(
    "question",
    [
        "哪个县",
        "哪个区县扶贫办电话",
        "各区县",
        "该县",
        "本市",
        "这个区",
        "某县",
        "给我所有区县扶贫办电话",
        "我们县扶贫办电话",
        "我们村是攻坚村吗",
        "隔壁镇有攻坚村吗",
        "空心村怎么帮扶",
        "我们想去做点帮扶,县扶贫办电话",  # 帮扶 + 县 once the comma is gone
        "别的县",
        "两个县的扶贫办电话都发我一下",  # a count of places
        "想先打县扶贫办电话",  # a verb before 县
    ],
)
def test_question_words_with_a_place_ending_are_not_places(engine: Engine, question: str) -> None:
    assert found(engine, question) == {}


def test_chongqing_itself_is_the_city_not_a_district(engine: Engine) -> None:
    assert found(engine, "重庆市扶贫办电话") == {"city": {"重庆市"}}
    assert found(engine, "重庆市南川区扶贫办")["district"] == {"南川区"}


def test_changchun_village_is_a_village_and_changchun_city_a_city_elsewhere(engine: Engine) -> None:
    assert found(engine, "长春村在哪") == {"village": {"黔江区/金溪镇/长春村"}}
    assert "village" not in found(engine, "长春市扶贫办电话")


# --- shared names -------------------------------------------------------------------------------------------


def test_gaoqiao_village_is_in_xiushan_and_youyang(engine: Engine) -> None:
    (mention,) = mentions(engine, "高桥村在哪")
    assert {str(c.key) for c in mention.candidates} == {"秀山县/石堤镇/高桥村", "酉阳县/五福镇/高桥村"}
    assert districts(engine, "高桥村在哪") == {"秀山县", "酉阳县"}


def test_huilong_village_is_in_pengshui_and_shizhu(engine: Engine) -> None:
    assert found(engine, "回龙村在哪个区县") == {"village": {"彭水县/连湖镇/回龙村", "石柱县/六塘乡/回龙村"}}


def test_shuanglong_is_a_township_in_wushan_and_a_town_in_yunyang(engine: Engine) -> None:
    (mention,) = mentions(engine, "双龙镇联系人")
    assert set(mention.candidates) == {
        Entity(EntityType.TOWNSHIP, TownshipKey("巫山县", "双龙镇")),
        Entity(EntityType.TOWN, TownshipKey("云阳县", "双龙镇")),
    }
    assert mention.candidates[0].type is EntityType.TOWNSHIP  # the township reading comes first


def test_every_shared_village_name_keeps_every_reading(engine: Engine) -> None:
    by_name: dict[str, set[str]] = {}
    for village in KB.villages:
        by_name.setdefault(village.name, set()).add(f"{village.district}/{village.town}/{village.name}")
    shared = {name: keys for name, keys in by_name.items() if len(keys) > 1}
    assert set(shared) >= {"高桥村", "回龙村"}
    for name, keys in shared.items():
        assert found(engine, f"{name}在哪").get("village") == keys


# --- every township, town, village, contact and phone ----------------------------------------------------------


@pytest.mark.parametrize("township", KB.townships, ids=[t.name for t in KB.townships])
def test_every_township_is_found_by_its_name_its_contact_and_its_phone(
    engine: Engine, township: Township
) -> None:
    key = f"{township.district}/{township.name}"
    assert key in found(engine, f"{township.name}联系人").get("township", set())
    assert found(engine, f"{township.contact}是哪个乡镇的").get("township") == {key}
    assert found(engine, f"{township.phone}是谁的电话").get("township") == {key}
    assert districts(engine, f"{township.name}联系人") >= {township.district}


@pytest.mark.parametrize("village", KB.villages, ids=[f"{v.district}{v.name}" for v in KB.villages])
def test_every_village_is_found_by_its_name_and_with_its_town(engine: Engine, village: Village) -> None:
    key = f"{village.district}/{village.town}/{village.name}"
    assert key in found(engine, f"{village.name}在哪个区县").get("village", set())
    assert found(engine, f"{village.town}{village.name}在哪").get("village") == {key}


@pytest.mark.parametrize("district", KB.key_districts, ids=[d.name for d in KB.key_districts])
def test_every_office_phone_points_to_its_district(engine: Engine, district: District) -> None:
    assert district.phone is not None
    digits = district.phone.replace("-", "")
    for question in (
        f"{district.phone}是哪里的电话",
        f"{digits}是哪个区县的",
        f"{district.phone.replace('-', ' ')}是哪里",
    ):
        assert found(engine, question).get("district") == {district.name}, question


def test_an_unknown_number_is_no_entity(engine: Engine) -> None:
    assert found(engine, "023-12345678是哪里的电话") == {}
    assert found(engine, "13800000000是谁") == {}


@pytest.mark.parametrize(
    ("question", "township"),
    [
        ("三建乡", "丰都县/三建乡"),
        ("三建", "丰都县/三建乡"),  # a bare name that is no everyday word
        ("龙驹", "万州区/龙驹镇"),
        ("隘口", "秀山县/隘口镇"),
    ],
)
def test_township_names_with_and_without_their_ending(engine: Engine, question: str, township: str) -> None:
    assert township in found(engine, question).get("township", set())


@pytest.mark.parametrize("question", ["祝大家平安", "鸡鸣狗盗", "沿河走一走"])
def test_everyday_words_are_not_bare_township_names(engine: Engine, question: str) -> None:
    assert "township" not in found(engine, question)


# --- organization types, themes, tiers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kind", "key"),
    [
        ("医疗类组织能做什么", "org_type", "medical"),
        ("我们是基金会", "org_type", "charity"),
        ("行业协会商会怎么参与", "org_type", "industry"),
        ("志愿者要注意什么", "org_type", "volunteer"),
        ("心理咨询机构", "org_type", "psychology"),
        ("教育培训类社会组织", "org_type", "education"),
        ("其他类型的社会组织", "org_type", "other"),
        ("关爱留守儿童", "theme", "left_behind"),
        ("儿童心理问题怎么帮", "theme", "child_psychology"),  # the longer word wins over 心理
        ("农产品卖不出去", "theme", "produce"),
        ("残疾人帮扶", "theme", "disability"),
        ("国家级重点区县", "tier", "国家级"),
        ("市级重点区县有哪些", "tier", "市级"),
    ],
)
def test_organization_types_themes_and_tiers(engine: Engine, question: str, kind: str, key: str) -> None:
    assert key in found(engine, question).get(kind, set())


def test_mentions_come_in_order_without_overlaps(engine: Engine) -> None:
    found_mentions = mentions(engine, "我们是医疗类社会组织,想去城口县沿河乡义诊,还想去酉阳高桥村")
    starts = [m.start for m in found_mentions]
    assert starts == sorted(starts)
    for before, after in itertools.pairwise(found_mentions):
        assert before.end <= after.start
    assert [m.surface for m in found_mentions if m.type is not EntityType.ORG_TYPE] == [
        "城口县",
        "沿河乡",
        "酉阳",
        "高桥村",
    ]


def test_entity_district_property() -> None:
    assert Entity(EntityType.DISTRICT, "万州区").district == "万州区"
    assert Entity(EntityType.TOWNSHIP, TownshipKey("丰都县", "三建乡")).district == "丰都县"
    assert Entity(EntityType.VILLAGE, VillageKey("秀山县", "石堤镇", "高桥村")).district == "秀山县"
    assert Entity(EntityType.ORG_TYPE, "medical").district is None
    assert Entity(EntityType.OTHER_PLACE, "北京").district is None


@pytest.mark.parametrize(
    ("question", "keys"),
    [
        ("指引第十一条讲的是啥", {"11"}),
        ("第5条", {"5"}),
        ("第五条第九项说了什么", {"5/9"}),
        ("第五条(九)是什么意思", {"5/9"}),  # normalized to 第五条九是…
        ("第十八条(五)", {"18/5"}),
        ("第二十条", {"20"}),  # beyond the guideline: the answer says how many there are
        ("第一十条", set()),  # no numeral the guideline writes
        ("第三条八种人", {"3"}),  # a numeral before a noun is no item
    ],
)
def test_references_to_articles_and_items(engine: Engine, question: str, keys: set[str]) -> None:
    assert found(engine, question).get("article", set()) == keys


@pytest.mark.parametrize(
    ("question", "villages"),
    [
        ("庙霸村在哪里", {"万盛经开区/石林镇/庙坝村"}),  # shares 庙 with 庙坝村, nothing but 村 with 苗坝村
        ("苗霸村在哪里", {"酉阳县/偏柏乡/苗坝村"}),
        ("妙坝村在哪里", {"万盛经开区/石林镇/庙坝村", "酉阳县/偏柏乡/苗坝村"}),  # a tie keeps both
    ],
)
def test_of_names_that_sound_alike_the_closest_in_writing_is_taken(
    engine: Engine, question: str, villages: set[str]
) -> None:
    assert found(engine, question).get("village") == villages


@pytest.mark.parametrize(
    ("question", "kind", "key"),
    [
        ("我们是行业鞋会能做啥", "org_type", "industry"),  # dictated: 鞋会 for 协会
        ("三流守人员怎么关爱", "theme", "left_behind"),
        ("帮贫困户搞农民专业和作社", "theme", "produce"),
    ],
)
def test_organization_types_and_themes_of_three_characters_or_more_are_found_by_sound(
    engine: Engine, question: str, kind: str, key: str
) -> None:
    assert key in found(engine, question).get(kind, set())


@pytest.mark.parametrize("question", ["这次活动是谁组织的", "我们自愿参加", "村支部书记来了"])
def test_everyday_words_sounding_like_a_type_or_theme_are_not_one(engine: Engine, question: str) -> None:
    kinds = found(engine, question)
    assert "theme" not in kinds
    assert "org_type" not in kinds
