"""Parsing the published text of the guideline: the cover letter, the eighteen articles and the attachments."""

from __future__ import annotations

import pytest

from bot.data.numerals import chinese_numeral
from bot.tools.guideline_parser import (
    GuidelineFormatError,
    ParsedGuideline,
    parse_guideline,
)
from tests.knowledge_support import SOURCE_TEXT, replace_once


@pytest.fixture(scope="module")
def source_text() -> str:
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(source_text: str) -> ParsedGuideline:
    return parse_guideline(source_text)


# --- the cover letter ----------------------------------------------------------------------------------


def test_the_cover_letter_names_the_document_its_issuers_and_date(parsed: ParsedGuideline) -> None:
    assert parsed.title == "重庆市社会组织参与脱贫攻坚工作指引"
    assert parsed.addressees == "各区县(自治县)民政局、扶贫办,各全市性社会组织业务主管单位,各全市性社会组织:"
    assert parsed.issuers == ("重庆市社会组织工作领导小组办公室", "重庆市扶贫开发领导小组办公室")
    assert parsed.sealed_by == "重庆市民政局代章"
    assert parsed.date == "2020-05-14"


def test_the_cover_letter_has_three_numbered_points(parsed: ParsedGuideline) -> None:
    assert [(p.number, p.label) for p in parsed.notice_points] == [(1, "一"), (2, "二"), (3, "三")]
    assert parsed.notice_points[0].text.startswith(
        "各级民政部门、扶贫部门要加强对社会组织参与脱贫攻坚工作的指导"
    )
    assert parsed.notice_points[1].text.endswith("实现“互联网+”精准帮扶。")
    assert parsed.notice_points[2].text.endswith("社会上受尊重。")
    # The intro is the letter's text outside its numbered points.
    assert parsed.notice_intro.startswith("为引导和推动社会组织参与脱贫攻坚工作")
    assert parsed.notice_intro.endswith("供工作中掌握和参考。")


def test_the_preamble_is_the_paragraph_before_the_first_article(parsed: ParsedGuideline) -> None:
    assert parsed.preamble.startswith("社会组织是我国社会主义现代化建设的重要力量")
    assert parsed.preamble.endswith("供各社会组织工作时掌握。")


# --- the articles -------------------------------------------------------------------------------------

# Numbered items per article: 第二条 4, 第三条 8, 第五条 9, 第十条 3, 第十八条 5; the others have none.
ITEM_COUNTS = {2: 4, 3: 8, 5: 9, 10: 3, 18: 5}


def test_there_are_eighteen_articles_in_order(parsed: ParsedGuideline) -> None:
    assert [a.number for a in parsed.articles] == list(range(1, 19))
    assert [a.label for a in parsed.articles][:3] == ["第一条", "第二条", "第三条"]
    assert parsed.articles[-1].label == "第十八条"


@pytest.mark.parametrize("number", range(1, 19))
def test_each_article_has_its_numbered_items(parsed: ParsedGuideline, number: int) -> None:
    article = parsed.articles[number - 1]
    count = ITEM_COUNTS.get(number, 0)
    assert len(article.items) == count
    assert [item.number for item in article.items] == list(range(1, count + 1))
    assert [item.label for item in article.items] == [f"({chinese_numeral(n)})" for n in range(1, count + 1)]
    assert article.text, "every article has lead text"


@pytest.mark.parametrize(
    ("number", "item", "text"),
    [
        (2, 1, "14个国家级扶贫开发工作重点区县;"),
        (2, 4, "100个定点攻坚村。"),
        (3, 8, "因遭受严重自然灾害或家庭成员发生较大意外事故的人群。"),
        (
            5,
            2,
            "社会组织要广泛发动、引导干部职工注册成为“中国社会扶贫网”爱心人士,线上实施精准帮扶。链接地址:https://www.zgshfp.com.cn/?p=1。",
        ),
        (
            5,
            9,
            "要加强经验总结交流,提炼典型案例,探索可复制可推广的帮扶模式,定期向主管单位和登记机关报送工作经验和成效。",
        ),
        (18, 5, "在实施帮扶工作过程中,要注意工作人员安全保障,倡议为其购买人生意外伤害保险。"),
    ],
)
def test_items_are_kept_verbatim(parsed: ParsedGuideline, number: int, item: int, text: str) -> None:
    assert parsed.articles[number - 1].items[item - 1].text == text


def test_space_after_a_label_is_not_part_of_the_text(parsed: ParsedGuideline) -> None:
    # The source prints "第二条 社会组织…" and "(三) 鼓励…" with a space, "第一条各社会组织…" without.
    assert parsed.articles[0].text.startswith("各社会组织要提高政治自觉")
    assert parsed.articles[1].text == "社会组织参与脱贫攻坚工作,要关注聚焦的重点地区:"
    assert parsed.articles[9].items[2].text.startswith("鼓励社会组织向贫困群众宣传现代文明理念")


def test_an_articles_full_text_is_its_lead_text_and_items_as_printed(parsed: ParsedGuideline) -> None:
    assert parsed.articles[1].full_text == (
        "社会组织参与脱贫攻坚工作,要关注聚焦的重点地区:(一)14个国家级扶贫开发工作重点区县;"
        "(二)4个市级扶贫开发工作重点区县;(三)18个深度贫困乡镇;(四)100个定点攻坚村。"
    )


def test_the_attachment_list_closes_the_articles(parsed: ParsedGuideline) -> None:
    assert parsed.attachments == (
        "扶贫开发工作重点区县及扶贫办联系电话",
        "深度贫困乡镇名单及联系电话",
        "定点攻坚村名单",
    )
    assert "附件" not in parsed.articles[-1].full_text


# --- the attachments ----------------------------------------------------------------------------------


def test_attachment_1_has_18_districts_with_their_tier(parsed: ParsedGuideline) -> None:
    assert [d.serial for d in parsed.districts] == list(range(1, 19))
    assert [d.tier for d in parsed.districts] == ["国家级"] * 14 + ["市级"] * 4
    assert (parsed.districts[0].name, parsed.districts[0].phone) == ("万州区", "023-58569600")
    assert (parsed.districts[17].name, parsed.districts[17].phone) == ("忠县", "023-54453819")


def test_attachment_2_splits_each_township_from_its_district(parsed: ParsedGuideline) -> None:
    assert len(parsed.townships) == 18
    row = parsed.townships[13]
    assert (row.serial, row.district, row.name, row.contact, row.phone, row.title) == (
        14,
        "巫溪县",
        "红池坝镇",
        "张锡定",
        "15730595678",
        "镇党委副书记",
    )


@pytest.mark.parametrize(
    ("serial", "district", "town", "village"),
    [
        (1, "万州区", "白土镇", "大林村"),
        (7, "万州区", "恒合乡", "里坪村"),
        (25, "巫溪县", "下堡镇", "宁桥村"),  # last of the left column of the first block
        (26, "奉节县", "平安乡", "桃树村"),  # first of the right column, printed beside 1
        (30, "奉节县", "康乐镇", "阳北村"),
        (31, "开州区", "赵家街道", "青云村"),
        (44, "秀山县", "溪口镇", "龙洞居委会"),
        (50, "武隆区", "石桥乡", "天池村"),
        (51, "彭水县", "连湖镇", "回龙村"),
        (59, "彭水县", "长生镇", "长生社区"),
        (74, "丰都县", "都督乡", "沙坪村"),
        (76, "丰都县", "龙河镇", "石堡村"),  # last row of the left column, beside empty cells
        (77, "丰都县", "保和镇", "余家坝村"),  # district printed again at the top of the right column
        (86, "北碚区", "金刀峡镇", "小华莹村"),
        (89, "长寿区", "长寿湖镇", "龙沟村"),
        (100, "万盛经开区", "石林镇", "庙坝村"),
    ],
)
def test_attachment_3_attributes_villages_across_its_interleaved_columns(
    parsed: ParsedGuideline, serial: int, district: str, town: str, village: str
) -> None:
    row = parsed.villages[serial - 1]
    assert (row.serial, row.district, row.town, row.name) == (serial, district, town, village)


def test_attachment_3_has_100_villages_in_serial_order(parsed: ParsedGuideline) -> None:
    assert [v.serial for v in parsed.villages] == list(range(1, 101))


# --- malformed source text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param("\n附件3\n", "\n", "the source text has no '附件3' heading", id="attachment-3-missing"),
        pytest.param("\n附件2\n", "\n", "the source text has no '附件2' heading", id="attachment-2-missing"),
        pytest.param("\n附件1\n", "\n", "no line starting with '附件1'", id="attachments-missing"),
        pytest.param(
            "第一条各社会组织", "各社会组织", "no line starting with '第一条'", id="no-first-article"
        ),
        pytest.param("2020年5月14日", "2020-5-14", "the cover letter has no issuing date", id="date-missing"),
        pytest.param(
            "\n二、各社会组织",
            "\n四、各社会组织",
            "numbered points (一、二、…) are missing or out of order",
            id="points",
        ),
        pytest.param(
            "重庆市社会组织参与脱贫攻坚\n工作指引",
            "重庆市社会组织参与扶贫\n工作指引",
            "the title after the cover letter is not '重庆市社会组织参与脱贫攻坚工作指引'",
            id="title-mismatch",
        ),
        pytest.param(
            "第四条 社会组织", "第五条 社会组织", "article '第五条 社会' is out of order", id="article-order"
        ),
        pytest.param(
            "(二)边缘户和监测户",
            "(三)边缘户和监测户",
            "item '(三)边缘户' of 第三条 is out of order",
            id="item-order",
        ),
        pytest.param(
            "023-58569600",
            "023 58569600",
            "附件1 row 1 is not `district | phone | [note]`",
            id="office-phone",
        ),
        pytest.param(
            "|\n国家级扶贫开发工作重点区县 |",
            "|\n省级扶贫开发工作重点区县 |",
            "附件1 row 1: unknown tier note",
            id="tier",
        ),
        pytest.param(
            "丰都县三建乡",
            "丰都三建乡",
            "附件2 row 1: '丰都三建乡' does not start with a 附件1 district",
            id="township",
        ),
        pytest.param(
            "13594500668 |\n",
            "",
            "附件2 row 1 is not `township | contact | phone | title`",
            id="township-row",
        ),
        pytest.param(
            "99 |\n垫江县 |\n五洞镇卧龙村 | |\n", "", "附件3 has no row 99", id="village-row-missing"
        ),
        pytest.param(
            "白土镇大林村",
            "白土大林村",
            "附件3 row 1: '白土大林村' does not start with a town",
            id="village-town",
        ),
        pytest.param(
            "1 |\n万州区 |\n白土镇", "1 |\n白土镇", "附件3 row 1 has no district", id="village-district"
        ),
    ],
)
def test_malformed_source_text_raises_a_clear_error(
    source_text: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(GuidelineFormatError) as caught:
        parse_guideline(replace_once(source_text, old, new))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
