"""bot/passages.py: the guideline's own sentences, found by the specific words of a question."""

from __future__ import annotations

import pytest

from bot.data.citations import parse_citation
from bot.engine import Engine
from bot.nlu.passages import Passage, PassageHit, PassageIndex
from tests.engine_support import PHONE, ask


@pytest.fixture(scope="module")
def index(engine: Engine) -> PassageIndex:
    return engine.passages


def search(engine: Engine, question: str, *, exclude: str = "", limit: int = 1) -> list[PassageHit]:
    """The passages for ``question``, given its words as the engine's analysis cuts them."""
    return engine.passages.search(engine.analyzer.analyze(question).tokens, exclude=exclude, limit=limit)


def test_every_passage_is_a_sentence_of_the_guideline_with_its_source(
    engine: Engine, index: PassageIndex
) -> None:
    assert len(index.passages) > 50
    for passage in index.passages:
        cited = engine.kb.cited_text(parse_citation(passage.source))
        assert cited, passage.source
        assert passage.text in cited, (passage.source, passage.text)
        assert engine.kb.cite(passage.source).startswith("《工作指引》")
        assert passage.words, passage.text


def test_no_passage_comes_from_the_attachments_or_the_news(index: PassageIndex) -> None:
    # Phone lists and news reports are answered from the knowledge records, never quoted as sentences.
    assert not [p for p in index.passages if PHONE.search(p.text)]
    assert not [p for p in index.passages if p.source.startswith(("附件", "news"))]


@pytest.mark.parametrize(
    ("question", "phrase", "source"),
    [
        ("社会组织可以参与第三方评估吗", "第三方评估", "第十条(二)"),
        ("主流媒体宣传", "主流媒体", "印发通知第二点"),
    ],
)
def test_a_specific_phrase_finds_the_sentence_holding_it(
    engine: Engine, question: str, phrase: str, source: str
) -> None:
    hits = search(engine, question)
    assert hits
    assert phrase in hits[0].passage.text
    assert hits[0].passage.source == source
    assert hits[0].specific


@pytest.mark.parametrize("question", ["社会组织扶贫", "参与脱贫攻坚", "", "。。。"])
def test_common_words_alone_find_no_sentence(engine: Engine, question: str) -> None:
    assert search(engine, question) == []


def test_words_already_shown_do_not_count(engine: Engine) -> None:
    hit = search(engine, "社会组织可以参与第三方评估吗")[0]
    assert search(engine, "社会组织可以参与第三方评估吗", exclude=hit.passage.text) == []


def test_limit_and_order(engine: Engine) -> None:
    hits = search(engine, "贫困人口合理诉求第三方评估主流媒体宣传", limit=2)
    assert 1 <= len(hits) <= 2
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_hit_on_one_everyday_word_is_not_specific() -> None:
    passage = Passage("好做法", "第一条", frozenset({"做法"}))
    assert not PassageHit(passage, 5.0, ("做法",)).specific
    assert PassageHit(passage, 5.0, ("第三方",)).specific
    assert PassageHit(passage, 5.0, ("做法", "模式")).specific


def test_mostly_within(engine: Engine, index: PassageIndex) -> None:
    passage = search(engine, "社会组织可以参与第三方评估吗")[0].passage
    assert index.mostly_within(passage, passage.text)
    assert not index.mostly_within(passage, "")


# --- what the user sees -------------------------------------------------------------------------------------


def test_a_question_no_intent_names_is_answered_with_the_guideline_s_sentence(engine: Engine) -> None:
    _, text = ask(engine, "社会组织可以参与第三方评估吗")
    assert "第三方评估" in text
    assert "第十条(二)" in text


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("能为贫困家庭的老人提供哪些服务", "生活照料"),  # 老人, with 提供 and 服务 in the same sentence
        ("有没有针对农村妇女健康的项目可以做", "两癌筛查"),  # 妇女, with 项目
    ],
)
def test_one_word_backed_by_another_of_the_question_is_reason_to_quote(
    engine: Engine, question: str, quoted: str
) -> None:
    reply, text = ask(engine, question)
    assert reply.intent == "guideline_text"
    assert quoted in text


def test_one_word_alone_in_its_sentence_is_no_reason_to_quote(engine: Engine) -> None:
    # 参加 is in one sentence only (参加高考), and nothing else of the question is.
    reply, text = ask(engine, "周末我想参加个聚会")
    assert reply.intent is None
    assert "高考" not in text


def test_one_shared_everyday_word_is_no_reason_to_quote(engine: Engine) -> None:
    reply, text = ask(engine, "红烧肉的做法")
    assert reply.intent is None
    assert "好做法" not in text
    assert not PHONE.search(text)


def test_an_everyday_word_of_an_answered_question_quotes_nothing(engine: Engine) -> None:
    # 电话 is in one sentence (电话回访), but a phone question must not be followed by that sentence.
    _, text = ask(engine, "万州区扶贫办电话")
    assert "023-58569600" in text
    assert "回访" not in text


# --- the background news reports ------------------------------------------------------------------------------


def test_news_sentences_are_simplified_without_the_page_s_pinyin_and_cite_their_report(
    engine: Engine,
) -> None:
    news = engine.news.passages
    assert {p.source for p in news} == set(engine.kb.background.sources)
    hebei = [p.text for p in news if p.source == "003_07b9cb6cf1cdec41.txt"]
    assert "3年6300多家社会组织助力河北脱贫" in hebei  # printed as 3年6300多家社會組織助力河北脫貧
    assert not any("(" in text and "ǎ" in text for text in hebei)


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("近五年重庆社会组织扶贫公益支出有多少钱", "25.2亿元"),
        ("贫困区县网络零售额是多少", "65.8亿元"),
        ("鲁渝社会组织扶贫协作框架协议是哪天签的", "3月25日"),
    ],
)
def test_a_question_about_the_news_is_answered_from_the_reports(
    engine: Engine, question: str, quoted: str
) -> None:
    reply, text = ask(engine, question)
    assert reply.intent in {"news_text", "background"}
    assert quoted in text
    assert "不属于《工作指引》正文" in text


def test_another_province_s_practice_comes_from_the_reports_but_its_office_does_not(engine: Engine) -> None:
    _, practice = ask(engine, "河南鼓励社会组织用哪些帮扶形式")
    assert "没有写河南的做法" in practice
    assert "商贸帮扶" in practice
    _, office = ask(engine, "河南扶贫办电话")
    assert "新闻报道" not in office
    assert not PHONE.search(office)


@pytest.mark.parametrize(
    "question",
    [
        "昨晚的联赛中主队由替补前锋头球破门,以1比0战胜客队,主教练赛后表示球队更加团结",
        "帮我写一篇800字的脱贫攻坚征文",  # 800 is in a report too, by chance
    ],
)
def test_everyday_words_or_numbers_shared_with_a_report_are_no_reason_to_quote_it(
    engine: Engine, question: str
) -> None:
    reply, _ = ask(engine, question)
    assert reply.intent is None
