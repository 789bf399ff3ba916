"""Checks across knowledge files: duplicates, references, counts, sources and verbatim quotes.

The kinds of mistake every maintainer meets are in the shared table (tests/knowledge_support.py, exercised
by test_knowledge.py and test_cli_knowledge.py); these are the remaining cross-file checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.data.checks import check_knowledge, comparable
from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_files, load_knowledge
from bot.data.registry import KNOWLEDGE_FILES
from bot.errors import DataError, Problem
from tests.knowledge_support import KNOWLEDGE, edit, line_of


def problems_after(knowledge_dir: Path, file: str, old: str, new: str) -> tuple[list[Problem], str]:
    """Applies one edit to the knowledge copy and returns the problems found, and the edited text."""
    text = edit(knowledge_dir / file, old, new)
    with pytest.raises(DataError) as caught:
        load_knowledge(knowledge_dir)
    return caught.value.problems, text


def test_the_shipped_knowledge_passes_every_check(kb: KnowledgeBase) -> None:
    documents, _ = load_files(KNOWLEDGE, KNOWLEDGE_FILES)
    assert check_knowledge(kb, documents, KNOWLEDGE) == []


# --- verbatim comparison -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quoted", "printed"),
    [
        ("有钱出钱,有力出力。", "有钱出钱\uff0c有力出力。"),  # full-width comma
        ("链接地址:https://x", "链接地址\uff1ahttps://x"),  # full-width colon
        ("第五条(九)", "第五条\uff08九\uff09"),  # full-width brackets
        ("有钱 出钱", "有钱出钱"),  # spaces and line breaks are layout
        ("有钱\n出钱", "有钱出钱"),
    ],
)
def test_verbatim_comparison_ignores_punctuation_width_and_layout(quoted: str, printed: str) -> None:
    assert comparable(quoted) == comparable(printed)


@pytest.mark.parametrize(
    ("quoted", "printed"), [("有钱出钱", "有钱出力"), ("人生意外伤害保险", "人身意外伤害保险")]
)
def test_verbatim_comparison_still_sees_different_words(quoted: str, printed: str) -> None:
    assert comparable(quoted) != comparable(printed)


def test_a_quote_with_full_width_punctuation_is_accepted(knowledge_dir: Path) -> None:
    # A maintainer pasting from the published PDF gets full-width punctuation; the words are still verbatim.
    edit(
        knowledge_dir / "participation.yaml",
        "有钱出钱,有力出力。要因地制宜",
        "有钱出钱\uff0c有力出力。要因地制宜",
    )
    assert len(load_knowledge(knowledge_dir).participation.paths) == 9


def test_a_news_quote_that_is_not_verbatim_says_to_copy_it_from_the_report(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir, "background.yaml", "筹集扶贫资金2.16亿元", "筹集扶贫资金3.16亿元"
    )
    assert found == [
        Problem(
            "knowledge/background.yaml",
            line_of(text, "3.16亿元"),
            "text is not found verbatim in 000_1e745a1f9b73e742.txt; copy it from the news report or correct the source",
        )
    ]


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("第二条(九)", "an item the article does not have"),
        ("印发通知第四点", "a point the letter does not have"),
    ],
)
def test_a_source_that_points_nowhere_is_reported(knowledge_dir: Path, source: str, why: str) -> None:
    found, text = problems_after(knowledge_dir, "focus.yaml", "source: 第二条(一)", f"source: {source}")
    assert [(p.line, p.message.split(";")[0]) for p in found] == [
        (line_of(text, re.escape(f"source: {source}")), f"source {source} does not exist in the guideline")
    ], why


# --- regions --------------------------------------------------------------------------------------------


def test_a_duplicate_serial_is_reported_with_the_first_line(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir, "regions.yaml", "{serial: 2, name: 黔江区", "{serial: 1, name: 黔江区"
    )
    assert found == [
        Problem(
            "knowledge/regions.yaml",
            line_of(text, "name: 黔江区, tier"),
            f"duplicate serial 1 (also on line {line_of(text, 'name: 万州区, tier')})",
        )
    ]


def test_a_duplicate_village_is_reported(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir, "regions.yaml", "name: 富强村, town: 铁峰乡", "name: 大林村, town: 白土镇"
    )
    assert [(p.line, p.message) for p in found] == [
        (
            line_of(text, "serial: 2, name: 大林村"),
            f"duplicate village ('万州区', '白土镇', '大林村') (also on line {line_of(text, 'serial: 1, name: 大林村')}); keep one",
        )
    ]


def test_a_tier_moved_by_hand_disagrees_with_article_2_twice(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir, "regions.yaml", "name: 万州区, tier: 国家级", "name: 万州区, tier: 市级"
    )
    line = line_of(text, "^key_districts:$")
    assert [(p.line, p.message.split(";")[0]) for p in found] == [
        (line, "13 国家级 key districts listed, but 第二条 of the guideline says 14"),
        (line, "5 市级 key districts listed, but 第二条 of the guideline says 4"),
    ]


def test_a_township_count_that_disagrees_is_reported(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir,
        "regions.yaml",
        "- {serial: 18, name: 金溪镇, district: 黔江区, contact: 王雪生, phone: '13896482955', title: 镇社保所所长, source: 附件2 序号18}\n",
        "",
    )
    assert [(p.line, p.message.split(";")[0]) for p in found] == [
        (
            line_of(text, "^townships:$"),
            "17 deep-poverty townships listed, but 第二条 of the guideline says 18",
        )
    ]


def test_a_village_in_an_unknown_district_gets_a_suggestion_from_place_names(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir, "regions.yaml", "district: 万盛经开区", "district: 万盛开发区"
    )
    assert found == [
        Problem(
            "knowledge/regions.yaml",
            line_of(text, "万盛开发区"),
            "district 万盛开发区 does not exist in place_names.yaml; did you mean 万盛经开区?",
        )
    ]


def test_a_district_with_no_likely_match_says_where_districts_are_listed(knowledge_dir: Path) -> None:
    found, _ = problems_after(
        knowledge_dir, "regions.yaml", "name: 三建乡, district: 丰都县", "name: 三建乡, district: 北京"
    )
    assert [p.message for p in found] == [
        "district 北京 does not exist in 附件1; use a district listed in 附件1"
    ]


def test_a_township_may_only_belong_to_a_key_district(knowledge_dir: Path) -> None:
    # 北碚区 exists (it has a village) but is not one of the 18 key districts of 附件1.
    found, _ = problems_after(
        knowledge_dir, "regions.yaml", "name: 三建乡, district: 丰都县", "name: 三建乡, district: 北碚区"
    )
    assert [p.message.split(";")[0] for p in found] == ["district 北碚区 does not exist in 附件1"]


def test_a_key_district_missing_from_place_names_is_reported_where_it_is_used(knowledge_dir: Path) -> None:
    edit(
        knowledge_dir / "place_names.yaml",
        "  - {name: 潼南区, official: 潼南区, short: 潼南, aliases: [潼南县]}\n",
        "",
    )
    with pytest.raises(DataError) as caught:
        load_knowledge(knowledge_dir)
    regions = (knowledge_dir / "regions.yaml").read_text(encoding="utf-8")
    assert (
        Problem(
            "knowledge/regions.yaml",
            line_of(regions, "name: 潼南区, tier"),
            "潼南区 is not listed in place_names.yaml; add it there",
        )
        in caught.value.problems
    )


@pytest.mark.parametrize(
    ("old", "new", "duplicate"),
    [
        (
            "short: 黔江}",
            "short: 黔江, aliases: [万州区]}",
            "万州区",
        ),  # an alias that is another district's name
        ("official: 黔江区, short: 黔江}", "official: 万州区, short: 黔江}", "万州区"),
        ("aliases: [开县]", "aliases: [开县, 开县]", "开县"),
    ],
)
def test_a_place_name_may_mean_only_one_district(
    knowledge_dir: Path, old: str, new: str, duplicate: str
) -> None:
    found, _ = problems_after(knowledge_dir, "place_names.yaml", old, new)
    assert [p.message.split(" (")[0] for p in found] == [f"duplicate name {duplicate}"]


# --- ids, the platform link and the background reports ------------------------------------------------


def test_a_duplicate_id_is_reported(knowledge_dir: Path) -> None:
    found, text = problems_after(knowledge_dir, "reporting.yaml", "  - id: followup", "  - id: annual_plan")
    first, second = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  - id: annual_plan"]
    assert found == [
        Problem(
            "knowledge/reporting.yaml",
            second,
            f"duplicate id annual_plan (also on line {first}); ids must be unique",
        )
    ]


def test_the_platform_link_must_be_printed_where_it_is_cited(knowledge_dir: Path) -> None:
    found, text = problems_after(
        knowledge_dir,
        "platform.yaml",
        "url: https://www.zgshfp.com.cn/?p=1",
        "url: https://www.zgshfp.com.cn/?p=2",
    )
    assert found == [
        Problem(
            "knowledge/platform.yaml",
            line_of(text, "^url:"),
            "https://www.zgshfp.com.cn/?p=2 is not printed in 第五条(二)",
        )
    ]


def test_a_background_fact_must_cite_a_listed_report(knowledge_dir: Path) -> None:
    text = (knowledge_dir / "background.yaml").read_text(encoding="utf-8")
    last = text.rindex("source: 001_51fab34cd9c985c2.txt")
    text = (
        text[:last]
        + "source: 002_0123456789abcdef.txt"
        + text[last + len("source: 001_51fab34cd9c985c2.txt") :]
    )
    (knowledge_dir / "background.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_knowledge(knowledge_dir)
    assert caught.value.problems == [
        Problem(
            "knowledge/background.yaml",
            line_of(text, "002_0123456789abcdef"),
            "report 002_0123456789abcdef.txt is not listed under `sources` in knowledge/background.yaml; "
            "add it there",
        )
    ]


def test_a_listed_report_must_exist_in_the_news_folder(knowledge_dir: Path) -> None:
    (knowledge_dir / "source" / "news" / "001_51fab34cd9c985c2.txt").unlink()
    with pytest.raises(DataError) as caught:
        load_knowledge(knowledge_dir)
    text = (knowledge_dir / "background.yaml").read_text(encoding="utf-8")
    assert (
        Problem(
            "knowledge/background.yaml",
            line_of(text, r"^  001_51fab34cd9c985c2.txt:"),
            "report 001_51fab34cd9c985c2.txt is not in knowledge/source/news; add the file or remove this entry",
        )
        in caught.value.problems
    )
