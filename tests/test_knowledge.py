"""The knowledge base: the shipped facts match the guideline, and broken knowledge is refused with its location.

The phone checks read knowledge/source/guideline.txt with plain regular expressions, independently of
bot/guideline.py, so that a parser bug cannot hide behind itself.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from bot.data.citations import parse_citation
from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_knowledge
from bot.data.registry import KNOWLEDGE_FILES
from bot.data.schema import iter_models
from bot.errors import DataError
from tests.knowledge_support import SOURCE_TEXT, BrokenKnowledge, edit, line_of

# --- the guideline's attachments, read independently ---------------------------------------------------


def attachment(number: int) -> str:
    """The raw text of 附件N: from its heading line to the next attachment's heading."""
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    start = text.index(f"\n附件{number}\n")
    end = text.find(f"\n附件{number + 1}\n", start)
    return text[start : end if end != -1 else len(text)]


def printed_office_phones() -> dict[str, str]:
    """附件1 as printed: district → office phone (cells are separated by `` |`` and a line break)."""
    return dict(re.findall(r"^(\S+?[区县]) \|\n(\d{3}-\d{8}) \|", attachment(1), flags=re.MULTILINE))


def printed_township_contacts() -> dict[str, tuple[str, str, str]]:
    """附件2 as printed: district+township → (contact, mobile, title)."""
    rows = re.findall(r"^(\S+?[乡镇]) \|\n(\S+) \|\n(\d{11}) \|\n(\S+) \|", attachment(2), flags=re.MULTILINE)
    return {place: (contact, mobile, title) for place, contact, mobile, title in rows}


def printed_villages() -> list[str]:
    """附件3 as printed: every cell naming a town and its village, e.g. 白土镇大林村."""
    return re.findall(r"^(\S+?(?:镇|乡|街道)\S+?(?:村|社区|居委会)) \|", attachment(3), flags=re.MULTILINE)


def test_the_independent_reading_of_the_source_finds_every_row() -> None:
    # Guards the regular expressions above: a pattern that matched nothing would prove nothing.
    assert len(printed_office_phones()) == 18
    assert len(printed_township_contacts()) == 18
    assert len(printed_villages()) == 100


# --- counts -------------------------------------------------------------------------------------------

KEY_DISTRICTS_IN_ORDER = [
    *("万州区", "黔江区", "武隆区", "丰都县", "秀山县", "开州区", "云阳县", "巫山县", "奉节县"),
    *("石柱县", "城口县", "巫溪县", "酉阳县", "彭水县", "涪陵区", "潼南区", "南川区", "忠县"),
]

# 附件3, counted by hand from the guideline: every district with designated villages and how many.
VILLAGES_PER_DISTRICT = {
    "万州区": 7,
    "云阳县": 7,
    "巫山县": 4,
    "巫溪县": 7,
    "奉节县": 5,
    "开州区": 6,
    "城口县": 4,
    "黔江区": 3,
    "秀山县": 4,
    "武隆区": 3,
    "彭水县": 9,
    "酉阳县": 9,
    "石柱县": 5,
    "丰都县": 4,
    "涪陵区": 2,
    "南川区": 2,
    "忠县": 2,
    "潼南区": 2,
    **dict.fromkeys(
        [
            *("北碚区", "渝北区", "巴南区", "长寿区", "江津区", "合川区", "永川区", "綦江区"),
            *("大足区", "璧山区", "铜梁区", "荣昌区", "梁平区", "垫江县", "万盛经开区"),
        ],
        1,
    ),
}


def test_the_hand_count_table_covers_the_whole_attachment() -> None:
    assert len(VILLAGES_PER_DISTRICT) == 33
    assert sum(VILLAGES_PER_DISTRICT.values()) == 100
    assert sum(count == 1 for count in VILLAGES_PER_DISTRICT.values()) == 15


def test_there_are_18_key_districts_14_national_then_4_municipal(kb: KnowledgeBase) -> None:
    assert [d.name for d in kb.key_districts] == KEY_DISTRICTS_IN_ORDER
    assert [d.tier for d in kb.key_districts] == ["国家级"] * 14 + ["市级"] * 4
    assert [d.name for d in kb.districts_of_tier("市级")] == ["涪陵区", "潼南区", "南川区", "忠县"]
    assert len(kb.districts_of_tier("国家级")) == 14


def test_there_are_18_townships_and_100_villages(kb: KnowledgeBase) -> None:
    assert len(kb.townships) == 18
    assert len(kb.villages) == 100
    assert [v.serial for v in kb.villages] == list(range(1, 101))


@pytest.mark.parametrize(("district", "count"), VILLAGES_PER_DISTRICT.items())
def test_each_district_has_as_many_villages_as_the_guideline_lists(
    kb: KnowledgeBase, district: str, count: int
) -> None:
    assert len(kb.district(district).villages) == count


def test_no_other_district_has_villages(kb: KnowledgeBase) -> None:
    assert {d.name for d in kb.districts if d.villages} == set(VILLAGES_PER_DISTRICT)


def test_every_village_is_the_one_printed(kb: KnowledgeBase) -> None:
    assert sorted(f"{v.town}{v.name}" for v in kb.villages) == sorted(printed_villages())


# --- phones, exactly as printed ------------------------------------------------------------------------


def test_every_office_phone_is_exactly_as_printed(kb: KnowledgeBase) -> None:
    assert {d.name: d.phone for d in kb.key_districts} == printed_office_phones()


def test_every_township_contact_is_exactly_as_printed(kb: KnowledgeBase) -> None:
    shipped = {f"{t.district}{t.name}": (t.contact, t.phone, t.title) for t in kb.townships}
    assert shipped == printed_township_contacts()


# Copied from 附件1.
OFFICE_PHONES = [
    ("万州区", "023-58569600"),
    ("黔江区", "023-79223577"),
    ("武隆区", "023-77768273"),
    ("丰都县", "023-70605638"),
    ("秀山县", "023-76662856"),
    ("开州区", "023-52259476"),
    ("云阳县", "023-55128041"),
    ("巫山县", "023-57686016"),
    ("奉节县", "023-56557211"),
    ("石柱县", "023-73378574"),
    ("城口县", "023-59221209"),
    ("巫溪县", "023-51522562"),
    ("酉阳县", "023-75581421"),
    ("彭水县", "023-78442457"),
    ("涪陵区", "023-81812280"),
    ("潼南区", "023-44578259"),
    ("南川区", "023-71422583"),
    ("忠县", "023-54453819"),
]

# Copied from 附件2: district, township, contact, mobile, title (备注) — 鸡鸣乡's contact is printed as 镇扶贫办主任.
TOWNSHIP_CONTACTS = [
    ("丰都县", "三建乡", "陶松森", "13594500668", "乡民政和社会事务办主任"),
    ("彭水县", "三义乡", "谢旨祺", "19908372085", "乡民政办工作人员"),
    ("彭水县", "大垭乡", "传王", "18896021007", "乡扶贫办主任"),
    ("奉节县", "平安乡", "许念安", "15902380725", "县民政局工作人员"),
    ("酉阳县", "车田乡", "姚健", "13452219014", "乡工作人员"),
    ("云阳县", "泥溪镇", "吴劲松", "13896982283", "镇民政和社会事务办副主任"),
    ("武隆区", "后坪乡", "蹇隆森", "18716878996", "乡社会事务办主任"),
    ("酉阳县", "浪坪乡", "李智明", "18996967608", "乡民政办主任"),
    ("石柱县", "中益乡", "崔建", "15823078830", "乡工作人员"),
    ("城口县", "沿河乡", "曾令", "15084309089", "乡扶贫办主任"),
    ("城口县", "鸡鸣乡", "张代斌", "15213029113", "镇扶贫办主任"),
    ("巫山县", "双龙镇", "卢梦蝶", "15523963725", "镇民政办工作人员"),
    ("开州区", "大进镇", "张劲鹏", "15025553118", "镇社事办工作人员"),
    ("巫溪县", "红池坝镇", "张锡定", "15730595678", "镇党委副书记"),
    ("万州区", "龙驹镇", "张成林", "18223503665", "镇脱贫攻坚办公室主任"),
    ("秀山县", "隘口镇", "蒲云", "18716920002", "镇社会事务办主任"),
    ("巫溪县", "天元乡", "熊洪", "13452887370", "镇党委委员"),
    ("黔江区", "金溪镇", "王雪生", "13896482955", "镇社保所所长"),
]


@pytest.mark.parametrize(("district", "phone"), OFFICE_PHONES)
def test_office_phone(kb: KnowledgeBase, district: str, phone: str) -> None:
    assert kb.district(district).phone == phone


@pytest.mark.parametrize(("district", "township", "contact", "mobile", "title"), TOWNSHIP_CONTACTS)
def test_township_contact(
    kb: KnowledgeBase, district: str, township: str, contact: str, mobile: str, title: str
) -> None:
    (row,) = [t for t in kb.district(district).townships if t.name == township]
    assert (row.contact, row.phone, row.title) == (contact, mobile, title)


def test_phones_stay_text_so_no_leading_digit_or_dash_is_lost(kb: KnowledgeBase) -> None:
    phones = [d.phone for d in kb.key_districts] + [t.phone for t in kb.townships]
    assert all(isinstance(phone, str) for phone in phones)


# --- districts ------------------------------------------------------------------------------------------


def test_an_autonomous_county_is_known_by_its_printed_full_and_short_names(kb: KnowledgeBase) -> None:
    xiushan = kb.district("秀山县")
    assert xiushan.official == "秀山土家族苗族自治县"
    assert xiushan.label == "秀山县(秀山土家族苗族自治县)"
    assert set(xiushan.names) == {"秀山县", "秀山土家族苗族自治县", "秀山自治县", "秀山"}
    assert xiushan.names[0] == "秀山土家族苗族自治县"  # longest first, so the longest mention wins


def test_a_district_with_the_same_official_name_is_labelled_once(kb: KnowledgeBase) -> None:
    assert kb.district("万州区").label == "万州区"
    assert kb.district("忠县").short is None


def test_a_district_with_villages_only_has_no_office_phone(kb: KnowledgeBase) -> None:
    wansheng = kb.district("万盛经开区")
    assert wansheng.in_guideline
    assert (wansheng.key, wansheng.phone, wansheng.tier) == (None, None, None)
    assert [(v.town, v.name) for v in wansheng.villages] == [("石林镇", "庙坝村")]


def test_a_district_the_guideline_does_not_mention_is_known_but_not_in_it(kb: KnowledgeBase) -> None:
    yuzhong = kb.district("渝中区")
    assert not yuzhong.in_guideline
    assert (yuzhong.phone, yuzhong.townships, yuzhong.villages) == (None, (), ())


def test_a_key_district_gathers_its_townships_and_villages(kb: KnowledgeBase) -> None:
    pengshui = kb.district("彭水县")
    assert [t.name for t in pengshui.townships] == ["三义乡", "大垭乡"]
    assert pengshui.villages[0].name == "回龙村"
    assert pengshui.tier == "国家级"


def test_looking_up_an_unknown_district_raises_key_error(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        kb.district("秀山")  # only the printed name; the engine resolves short names


# --- the document and citations ---------------------------------------------------------------------


def test_the_document_is_dated_and_issued_as_printed(kb: KnowledgeBase) -> None:
    assert kb.document.title == "重庆市社会组织参与脱贫攻坚工作指引"
    assert kb.document.date == datetime.date(2020, 5, 14)
    assert kb.document.issuers == ["重庆市社会组织工作领导小组办公室", "重庆市扶贫开发领导小组办公室"]


@pytest.mark.parametrize("number", [0, 19])
def test_there_is_no_article_outside_1_to_18(kb: KnowledgeBase, number: int) -> None:
    with pytest.raises(IndexError):
        kb.article(number)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "第五条(九)",
            "要加强经验总结交流,提炼典型案例,探索可复制可推广的帮扶模式,定期向主管单位和登记机关报送工作经验和成效。",
        ),
        (
            "第四条",
            "社会组织参与脱贫攻坚工作,要关注聚焦的重点领域:残疾人帮扶、医疗救助、教育帮扶、产业扶持、志愿帮扶等。",
        ),
        ("印发通知第三点", "各受援地方要进一步健全扶贫荣誉制度"),
        ("附件3 序号100", ""),
        ("000_1e745a1f9b73e742.txt", ""),
    ],
)
def test_a_citation_leads_to_the_text_it_names(kb: KnowledgeBase, source: str, expected: str) -> None:
    text = kb.cited_text(parse_citation(source))
    assert text is not None
    assert text.startswith(expected)


def test_an_article_citation_covers_its_lead_text_and_every_item(kb: KnowledgeBase) -> None:
    text = kb.cited_text(parse_citation("第二条"))
    assert text == "社会组织参与脱贫攻坚工作,要关注聚焦的重点地区:" + "".join(
        [
            "(一)14个国家级扶贫开发工作重点区县;",
            "(二)4个市级扶贫开发工作重点区县;",
            "(三)18个深度贫困乡镇;",
            "(四)100个定点攻坚村。",
        ]
    )


@pytest.mark.parametrize(
    "source",
    ["第十九条", "第二条(五)", "印发通知第四点", "附件3 序号101", "附件4", "009_0123456789abcdef.txt"],
)
def test_a_citation_of_something_that_does_not_exist_leads_nowhere(kb: KnowledgeBase, source: str) -> None:
    assert kb.cited_text(parse_citation(source)) is None


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("第五条(九)", "《工作指引》第五条(九)"),
        ("印发通知第一点", "《工作指引》印发通知第一点"),
        ("附件1 序号3", "《工作指引》附件1"),
        ("000_1e745a1f9b73e742.txt", "背景资料:重庆市民政局《重庆:引导社会组织积极参与脱贫攻坚》"),
    ],
)
def test_sources_are_shown_to_users_by_document_and_place(kb: KnowledgeBase, source: str, shown: str) -> None:
    assert kb.cite(source) == shown


def test_every_fact_in_the_knowledge_carries_a_source(kb: KnowledgeBase) -> None:
    # Every record that quotes a text says where the text comes from.
    for field in ("focus", "participation", "activities", "reporting", "safety", "platform", "background"):
        for loc, record in iter_models(getattr(kb, field)):
            if "text" in type(record).model_fields:
                assert getattr(record, "source", None), f"{field}{loc} has text but no source"


def test_org_types_and_themes_are_found_by_id(kb: KnowledgeBase) -> None:
    assert kb.org_type("medical").source == "第八条"
    assert kb.theme("left_behind").source == "第十三条"
    with pytest.raises(KeyError):
        kb.org_type("nonexistent")


# --- broken knowledge is refused, each mistake with its own located message ---------------------------


def test_each_broken_file_is_reported_once_at_its_line(broken_knowledge: BrokenKnowledge) -> None:
    with pytest.raises(DataError) as caught:
        load_knowledge(broken_knowledge.directory)
    (problem,) = caught.value.problems
    assert problem.path == f"knowledge/{broken_knowledge.breakage.file}"
    assert problem.line == broken_knowledge.line
    for fragment in broken_knowledge.fragments:
        assert fragment in problem.message
    assert str(caught.value) == f"{broken_knowledge.location}: {problem.message}"


def test_every_broken_file_is_reported_not_just_the_first(knowledge_dir: Path) -> None:
    safety = edit(knowledge_dir / "safety.yaml", "version: 1", "version: 2")
    platform = edit(knowledge_dir / "platform.yaml", "name: 中国社会扶贫网", "nmae: 中国社会扶贫网")
    with pytest.raises(DataError) as caught:
        load_knowledge(knowledge_dir)
    assert [(p.path, p.line) for p in caught.value.problems] == [
        ("knowledge/platform.yaml", line_of(platform, "^nmae:")),
        ("knowledge/safety.yaml", line_of(safety, "^version: 2")),
    ]
    assert "`version` is 2; it must be one of 1" in caught.value.problems[1].message


def test_a_missing_knowledge_file_is_named(knowledge_dir: Path) -> None:
    (knowledge_dir / "focus.yaml").unlink()
    with pytest.raises(DataError, match=r"knowledge/focus.yaml: file not found; restore it from git"):
        load_knowledge(knowledge_dir)


def test_every_knowledge_file_is_loaded(knowledge_dir: Path) -> None:
    # A file listed in KNOWLEDGE_FILES but never read would let its mistakes through.
    for name in KNOWLEDGE_FILES:
        edit(knowledge_dir / name, "version: 1", "version: 1\nbogus: 1")
    with pytest.raises(DataError) as caught:
        load_knowledge(knowledge_dir)
    assert sorted({p.path for p in caught.value.problems}) == sorted(
        f"knowledge/{n}" for n in KNOWLEDGE_FILES
    )
