"""bot/normalize.py: one canonical form for every question, whatever characters and spacing it came in."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.data.loader import load_knowledge
from bot.data.normalize import MAX_QUESTION_CHARS, normalize, to_simplified
from bot.engine import Engine
from tests.engine_support import DATA, KNOWLEDGE

TRADITIONAL_NEWS = DATA / "traditional_news.yaml"


def _news_lines() -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = yaml.safe_load(TRADITIONAL_NEWS.read_text(encoding="utf-8"))
    return lines


# --- full-width, case, punctuation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits → ASCII, lower-case
        ("万州区扶贫办电话？", "万州区扶贫办电话"),  # full-width question mark
        ("万州区，扶贫办！电话；", "万州区扶贫办电话"),
        ("（万州区）【扶贫办】「电话」", "万州区扶贫办电话"),  # brackets of every kind
        ("万州区\u3000扶贫办\u3000电话", "万州区扶贫办电话"),  # ideographic spaces
        ("Python怎么安装", "python怎么安装"),
        ("ＮＧＯ可以参与吗", "ngo可以参与吗"),
        ("０２３－５８５６９６００", "023 58569600"),  # a full-width phone keeps its digits
        ("①②③", "123"),  # circled digits are digits
    ],
)
def test_full_width_forms_fold_to_ascii_and_punctuation_goes(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "？？", "。。。", "!!!", "\n\t", "😀😀😀", "\u200b\u200d\ufeff", "——……"]
)
def test_nothing_meaningful_leaves_an_empty_string(raw: str) -> None:
    assert normalize(raw) == ""


# --- Traditional → Simplified ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("彭水縣扶貧辦電話", "彭水县扶贫办电话"),
        ("萬州區扶貧辦聯繫電話", "万州区扶贫办联系电话"),
        ("巫谿縣", "巫溪县"),
        ("醫療衛生類社會組織能做哪些事", "医疗卫生类社会组织能做哪些事"),
        ("城口縣沿河鄉聯繫人", "城口县沿河乡联系人"),
        ("秀山縣有哪些定點攻堅村", "秀山县有哪些定点攻坚村"),
        ("深度貧困鄉鎮一共有幾個", "深度贫困乡镇一共有几个"),
    ],
)
def test_traditional_questions_become_simplified(traditional: str, simplified: str) -> None:
    assert normalize(traditional) == simplified


# The 18 key districts as a Traditional-character user writes them.
TRADITIONAL_DISTRICTS = {
    "萬州區": "万州区",
    "黔江區": "黔江区",
    "武隆區": "武隆区",
    "豐都縣": "丰都县",
    "秀山縣": "秀山县",
    "開州區": "开州区",
    "雲陽縣": "云阳县",
    "巫山縣": "巫山县",
    "奉節縣": "奉节县",
    "石柱縣": "石柱县",
    "城口縣": "城口县",
    "巫溪縣": "巫溪县",
    "酉陽縣": "酉阳县",
    "彭水縣": "彭水县",
    "涪陵區": "涪陵区",
    "潼南區": "潼南区",
    "南川區": "南川区",
    "忠縣": "忠县",
}


@pytest.mark.parametrize(("traditional", "name"), TRADITIONAL_DISTRICTS.items())
def test_traditional_district_names_become_the_names_the_guideline_prints(
    engine: Engine, traditional: str, name: str
) -> None:
    assert normalize(traditional) == name
    assert name in {d.name for d in engine.kb.key_districts}


@pytest.mark.parametrize("entry", _news_lines(), ids=lambda e: str(e["traditional"]).strip()[:12])
def test_real_traditional_newspaper_text_becomes_simplified(entry: dict[str, Any]) -> None:
    text = normalize(entry["traditional"])
    for phrase in entry["simplified"]:
        assert phrase in text, f"{phrase!r} not in {text!r}"
    # No character that OpenCC would still convert is left.
    assert to_simplified(text) == text


def test_simplified_text_passes_through_opencc_unchanged() -> None:
    text = "社会组织参与脱贫攻坚工作指引:重点区县扶贫办联系电话、深度贫困乡镇联系人和定点攻坚村"
    assert to_simplified(text) == text


# --- invisible and hostile characters ---------------------------------------------------------------------

INVISIBLE = {
    "zero width space": "\u200b",
    "zero width non-joiner": "\u200c",
    "zero width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "left-to-right embedding": "\u202a",
    "right-to-left embedding": "\u202b",
    "pop directional formatting": "\u202c",
    "left-to-right override": "\u202d",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "null": "\x00",
    "bell": "\x07",
    "escape": "\x1b",
    "delete": "\x7f",
    "next line": "\x85",
    "emoji": "😀",
    "emoji with skin tone": "👍🏽",
    "emoji zwj sequence": "👨\u200d👩\u200d👧",
    "flag": "🇨🇳",
    "combining keycap": "\u20e3",
    "variation selector": "\ufe0f",
    "combining mark alone": "\u0301",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_control_zero_width_bidi_and_emoji_characters_disappear(char: str) -> None:
    # Anywhere in the question: before, inside a name, between words, after.
    question = f"{char}万{char}州区{char}扶贫办{char}电话{char}"
    assert normalize(question) == "万州区扶贫办电话"


def test_normalized_text_holds_only_letters_digits_and_single_spaces() -> None:
    raw = "\u202e万州区\x00 扶贫办\t\t电话 ☎️ 023—58569600 ✔ hello\u200b  world"
    text = normalize(raw)
    assert text == "万州区扶贫办电话 023 58569600 hello world"


# --- spaces -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("万 州 区 扶 贫 办 电 话", "万州区扶贫办电话"),
        ("南川  扶贫办\t电话", "南川扶贫办电话"),
        ("万州区\n扶贫办\r\n电话", "万州区扶贫办电话"),
        ("  万州区扶贫办电话  ", "万州区扶贫办电话"),
        ("hello    world", "hello world"),  # between Latin words one space stays
        ("python 怎么 安装", "python 怎么安装"),  # between a Latin word and Chinese one space stays
        ("023 58569600 是 哪里", "023 58569600 是哪里"),
    ],
)
def test_spaces_between_chinese_characters_are_removed_and_others_collapse(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


# --- place names --------------------------------------------------------------------------------------------


def _knowledge_names() -> list[tuple[str, str]]:
    """Every name a user may type that the knowledge holds, as (kind, name)."""
    kb = load_knowledge(KNOWLEDGE)
    names: dict[str, str] = {}
    for district in kb.districts:
        for name in district.names:
            names.setdefault(name, "district")
    for township in kb.townships:
        names.setdefault(township.name, "township")
        names.setdefault(township.contact, "contact")
    for village in kb.villages:
        names.setdefault(village.town, "town")
        names.setdefault(village.name, "village")
        names.setdefault(village.town + village.name, "village")
    return sorted((kind, name) for name, kind in names.items())


KNOWLEDGE_NAMES = _knowledge_names()


@pytest.mark.parametrize(("kind", "name"), KNOWLEDGE_NAMES, ids=[f"{k}-{n}" for k, n in KNOWLEDGE_NAMES])
def test_every_name_in_the_knowledge_survives_normalization_unchanged(kind: str, name: str) -> None:
    # OpenCC must not "simplify" a place or person: 綦江区, 璧山区, 蹇隆森 are written exactly so.
    assert to_simplified(name) == name
    assert normalize(name) == name
    assert normalize(f"请问{name}在哪里") == f"请问{name}在哪里"


def test_the_name_table_covers_every_kind_of_name() -> None:
    kinds = {kind for kind, _ in KNOWLEDGE_NAMES}
    assert kinds == {"district", "township", "contact", "town", "village"}
    names = {name for _, name in KNOWLEDGE_NAMES}
    assert {"綦江区", "璧山区", "酉阳土家族苗族自治县", "蹇隆森", "小华莹村", "红池坝镇"} <= names


# --- properties ---------------------------------------------------------------------------------------------

# Any Unicode text (every category but surrogates), short, or long and built cheaply by repeating a short
# random text.
LONG_TEXT = st.builds(
    lambda unit, times: (unit * times)[:100_000], st.text(min_size=1, max_size=40), st.integers(1, 100_000)
)
IDEMPOTENCE_TEXT = st.text()


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        IDEMPOTENCE_TEXT,
        st.text(max_size=5_000),
        LONG_TEXT,
    )
)
@example("万州区扶贫办电话")
@example("彭水縣扶貧辦電話")
@example("ＡＢＣ　万州")
@example("\u202e万州区\x00 扶贫办\t电话 😀")
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert len(once) <= MAX_QUESTION_CHARS
    assert normalize(once) == once


@settings(max_examples=150, deadline=None)
@given(st.one_of(IDEMPOTENCE_TEXT, LONG_TEXT))
def test_normalized_text_never_contains_what_the_pipeline_relies_on_being_absent(text: str) -> None:
    once = normalize(text)
    # Placeholders for entities are upper-case ASCII: user text must never produce them.
    assert not any("A" <= char <= "Z" for char in once)
    assert once == once.strip()
    assert "  " not in once
    assert all(char == " " or unicodedata.category(char)[0] in "LN" for char in once)


# Former counterexamples to idempotence, each a real input a user could send.


def test_normalize_is_idempotent_for_dotted_capital_i() -> None:
    once = normalize("İstanbul")
    assert all(unicodedata.category(char)[0] in "LN" for char in once)
    assert normalize(once) == once


def test_normalize_is_idempotent_for_characters_opencc_converts_twice() -> None:
    once = normalize("薴麻")
    assert normalize(once) == once


def test_normalize_is_idempotent_for_long_text_that_nfkc_lengthens() -> None:
    once = normalize("\ufdfa" * 100)
    assert normalize(once) == once
