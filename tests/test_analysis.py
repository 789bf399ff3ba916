"""bot/analysis.py: a question becomes canonical words, with each entity replaced by its type."""

from __future__ import annotations

import pytest

from bot.data.entity_type import EntityType
from bot.engine import Engine
from bot.nlu.analysis import PLACEHOLDERS, Analysis


def analyze(engine: Engine, question: str) -> Analysis:
    return engine.analyzer.analyze(question)


DISTRICT = PLACEHOLDERS[EntityType.DISTRICT]
TOWNSHIP = PLACEHOLDERS[EntityType.TOWNSHIP]
VILLAGE = PLACEHOLDERS[EntityType.VILLAGE]


# --- placeholders: one example serves every place ------------------------------------------------------------


@pytest.mark.parametrize(
    "questions",
    [
        (
            "万州区扶贫办电话",
            "黔江区扶贫办电话",
            "忠县扶贫办电话",
            "酉阳土家族苗族自治县扶贫办电话",
            "秀山扶贫办电话",
        ),
        ("万州区扶贫办电话", "万洲区扶贫办电话", "彭水縣扶貧辦電話"),  # typo, Traditional
        ("万州区扶贫办电话", "万州区扶贫部门联系方式", "万州区扶贫开发办公室座机"),  # synonyms
        ("三建乡联系人", "泥溪镇联系人", "红池坝镇负责人"),
        ("高桥村在哪", "金岩村在哪", "小华莹村在哪里"),
        ("医疗类组织想去城口县义诊", "医疗类组织想去万州区义诊"),
    ],
    ids=["districts", "typo-traditional", "synonyms", "townships", "villages", "combined"],
)
def test_questions_differing_only_in_the_place_have_the_same_words(
    engine: Engine, questions: tuple[str, ...]
) -> None:
    words = {analyze(engine, q).words for q in questions}
    assert len(words) == 1, words


def test_entities_are_replaced_by_their_type(engine: Engine) -> None:
    assert analyze(engine, "万州区扶贫办电话").words == (DISTRICT, "扶贫办", "电话")
    assert analyze(engine, "三建乡联系人").words == (TOWNSHIP, "联系人")
    assert analyze(engine, "高桥村在哪").words[0] == VILLAGE
    assert "万州区" not in analyze(engine, "万州区扶贫办电话").words


def test_placeholders_cannot_be_typed_by_a_user(engine: Engine) -> None:
    # Normalized text is lower-case, so typing the placeholder's letters gives an ordinary word.
    words = analyze(engine, "DISTRICT扶贫办电话").words
    assert DISTRICT not in words
    assert "district" in words
    assert analyze(engine, "DISTRICT扶贫办电话").entity_types == frozenset()


def test_neighbouring_places_of_one_type_give_one_placeholder(engine: Engine) -> None:
    assert analyze(engine, "万州区黔江区扶贫办电话").words.count(DISTRICT) == 1


def test_stop_words_are_dropped_and_synonyms_folded(engine: Engine) -> None:
    words = analyze(engine, "请问万州区的扶贫部门联系方式是多少呢").words
    assert words == (DISTRICT, "扶贫办", "电话", "多少")


@pytest.mark.parametrize("question", ["hotel in 城口", "what should we do"])
def test_latin_words_are_never_cut_into_known_words(engine: Engine, question: str) -> None:
    words = analyze(engine, question).words
    assert "电话" not in words  # hotel once read as ho + tel
    assert all(len(w) > 2 for w in words if w.isascii())


def test_chongqing_itself_leaves_no_placeholder_and_no_entity_type(engine: Engine) -> None:
    analysis = analyze(engine, "重庆市扶贫办电话")
    assert analysis.words == ("扶贫办", "电话")
    assert analysis.entity_types == frozenset()
    assert [m.surface for m in analysis.mentions] == ["重庆市"]


def test_a_shared_name_counts_every_type_it_may_be(engine: Engine) -> None:
    assert analyze(engine, "双龙镇联系人").entity_types == {"township", "town"}


def test_combined_question_keeps_both_kinds_of_entity(engine: Engine) -> None:
    analysis = analyze(engine, "我们是医疗类社会组织,想去城口县义诊,应该联系谁")
    assert analysis.entity_types == {"org_type", "district"}
    assert "联系人" in analysis.words


def test_analysis_keeps_the_original_and_the_normalized_question(engine: Engine) -> None:
    analysis = analyze(engine, "  彭水縣扶貧辦電話？ ")
    assert analysis.original == "  彭水縣扶貧辦電話？ "
    assert analysis.text == "彭水县扶贫办电话"


@pytest.mark.parametrize("question", ["", "   ", "。。。", "😀😀", "\u200b\u202e"])
def test_nothing_to_analyze(engine: Engine, question: str) -> None:
    analysis = analyze(engine, question)
    assert analysis.words == ()
    assert analysis.mentions == ()
    assert not analysis.evidence


# --- evidence that a question is about the guideline ---------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "哈哈哈哈",
        "好的好的",
        "收到",
        "生日快乐",
        "今天下午几点开会",
        "晚安各位",
        "快递到了没有",
        "ok",
        "asdfghjkl",
        "123456",
    ],
)
def test_pure_chatter_is_no_evidence(engine: Engine, question: str) -> None:
    assert not analyze(engine, question).evidence


@pytest.mark.parametrize("question", ["我到了,在门口等你们", "群里谁会修电脑", "有人看昨晚的球赛吗"])
def test_chatter_with_common_function_words_is_no_evidence(engine: Engine, question: str) -> None:
    assert not analyze(engine, question).evidence


@pytest.mark.parametrize(
    "question",
    [
        "万州",  # a place alone
        "三建乡",
        "医疗类",  # an organization type
        "留守儿童",  # a theme
        "怎么参与脱贫攻坚",  # words of the guideline
        "扶贫办电话",
        "深度贫困乡镇有哪些",
        "北京朝阳区",  # a place the guideline does not cover is still a place
    ],
)
def test_places_types_themes_and_the_guideline_s_words_are_evidence(engine: Engine, question: str) -> None:
    assert analyze(engine, question).evidence


def test_chongqing_alone_is_no_evidence(engine: Engine) -> None:
    assert not analyze(engine, "重庆").evidence


@pytest.mark.parametrize(
    ("question", "evidence"),
    [
        ("解放村在哪", True),  # a question about a village the attachments do not list
        ("解放村", True),  # the name alone is asked about
        ("龙门镇有联系人吗", True),
        ("明天去李家镇吃饭", False),  # chatter that names a town is no question about it
        ("我老家是石桥村的", False),
        ("北京到重庆高铁票价", False),  # chatter naming a place elsewhere
        ("遵义", True),
        ("遵义扶贫办电话", True),  # beside a word of the guideline
    ],
)
def test_a_place_the_guideline_does_not_cover_is_evidence_only_when_asked_about(
    engine: Engine, question: str, evidence: bool
) -> None:
    assert engine.analyzer.analyze(question).evidence is evidence


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("咋个参与扶贫", ("怎么", "参与", "扶贫")),  # Chongqing speech
        ("要报些啥子", ("报送", "哪些")),
        ("没得好多钱也能参与吗", ("没钱", "能", "参与")),
    ],
)
def test_dialect_and_colloquial_words_fold_to_the_canonical_ones(
    engine: Engine, question: str, words: tuple[str, ...]
) -> None:
    assert engine.analyzer.analyze(question).words == words


@pytest.mark.parametrize(
    ("question", "asking"),
    [
        ("万州区扶贫办电话", True),
        ("黔江金溪镇社保所所长的手机", True),  # 手机 is 电话
        ("龙驹镇 contact person", True),
        ("秀山", True),  # a name alone is asked about
        ("彭水县的扶贫信息", True),
        ("我老家在石柱", False),
        ("城口好远啊", False),
    ],
)
def test_a_message_reads_as_a_question_or_a_remark(engine: Engine, question: str, asking: bool) -> None:
    assert engine.analyzer.analyze(question).asking is asking
