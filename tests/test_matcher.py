"""bot/matcher.py: intents ranked for a question. Only the order is asserted, never a score."""

from __future__ import annotations

import pytest

from bot.data.intents import Intent
from bot.engine import Engine
from bot.nlu.matcher import Candidate, IntentMatcher


def ranking(engine: Engine, question: str) -> list[Candidate]:
    return engine.matcher.rank(engine.analyzer.analyze(question))


def order(engine: Engine, question: str) -> list[str]:
    return [c.intent.name for c in ranking(engine, question)]


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("万州区扶贫办电话", "district_contact"),
        ("钱江扶贫办的联系方式", "district_contact"),
        ("各区县扶贫办电话", "district_phone_list"),
        ("介绍一下黔江区的情况", "district_overview"),
        ("涪陵区是市级还是国家级重点区县", "district_tier"),
        ("市级重点区县有哪些", "tier_list"),
        ("三建乡联系人", "township_contact"),
        ("城口县有哪些深度贫困乡镇", "townships_in_district"),
        ("深度贫困乡镇联系人有哪些", "township_list"),
        ("高桥村在哪", "village_location"),
        ("武隆区有哪些攻坚村", "villages_in_district"),
        ("重点对象包括哪些人", "focus_people"),
        ("医疗类组织能做哪些事", "activities_by_orgtype"),
        ("我们是医疗类社会组织,想去城口县义诊,应该联系谁", "org_in_district"),
        ("帮扶工作人员要买保险吗", "safety_insurance"),
        ("中国社会扶贫网怎么注册", "online_platform"),
        ("北京扶贫办电话", "other_region"),
        ("你好", "greeting"),
        ("谢谢", "thanks"),
        ("今天天气怎么样", "out_of_scope"),
    ],
)
def test_clear_questions_rank_their_intent_first(engine: Engine, question: str, intent: str) -> None:
    assert order(engine, question)[0] == intent


@pytest.mark.parametrize(
    ("without", "with_entity", "needs_it", "general"),
    [
        ("扶贫办电话", "万州区扶贫办电话", "district_contact", "district_phone_list"),
        ("有哪些深度贫困乡镇", "城口县有哪些深度贫困乡镇", "townships_in_district", "township_list"),
        ("有哪些攻坚村", "武隆区有哪些攻坚村", "villages_in_district", "village_list"),
        ("能开展哪些帮扶活动", "医疗类组织能开展哪些帮扶活动", "activities_by_orgtype", "activities_general"),
    ],
)
def test_a_missing_required_entity_ranks_an_intent_below_one_that_needs_none(
    engine: Engine, without: str, with_entity: str, needs_it: str, general: str
) -> None:
    ranked = order(engine, without)
    assert ranked.index(general) < ranked.index(needs_it)
    ranked = order(engine, with_entity)
    assert ranked.index(needs_it) < ranked.index(general)


EXAMPLES = (
    *(f"{place}扶贫办电话是多少" for place in ("万州区", "黔江区", "城口县", "巫山县")),
    "秀山扶贫办怎么联系",
    "忠县扶贫办电话",
    "云阳扶贫办座机",
    "开州区扶贫部门电话",
)


def _twin(name: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> Intent:
    return Intent(name, "test", "district_contact", required, optional, EXAMPLES)


def test_with_identical_examples_the_intent_whose_required_entity_is_present_wins(engine: Engine) -> None:
    matcher = IntentMatcher(
        [_twin("plain"), _twin("needs_district", required=("district",))], engine.analyzer
    )
    with_district = matcher.rank(engine.analyzer.analyze("万州区扶贫办电话"))
    assert [c.intent.name for c in with_district] == ["needs_district", "plain"]
    without = matcher.rank(engine.analyzer.analyze("扶贫办电话"))
    assert [c.intent.name for c in without] == ["plain", "needs_district"]


def test_with_identical_examples_an_entity_the_intent_cannot_use_ranks_it_lower(engine: Engine) -> None:
    matcher = IntentMatcher(
        [_twin("no_org_type", required=("district",)), _twin("uses_org_type", ("district",), ("org_type",))],
        engine.analyzer,
    )
    ranked = matcher.rank(engine.analyzer.analyze("医疗类组织想去万州区,扶贫办电话"))
    assert [c.intent.name for c in ranked] == ["uses_org_type", "no_org_type"]


def test_every_intent_is_ranked_once_best_first(engine: Engine) -> None:
    ranked = ranking(engine, "万州区扶贫办电话")
    assert sorted(c.intent.name for c in ranked) == sorted(i.name for i in engine.intents)
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    for candidate in ranked:
        assert candidate.example in candidate.intent.examples


def test_the_best_example_is_the_closest_one(engine: Engine) -> None:
    best = ranking(engine, "万州区扶贫办电话是多少")[0]
    assert best.example == "万州区扶贫办电话是多少"


@pytest.mark.parametrize("question", ["", "。。。", "😀", "的了吗"])
def test_a_question_without_words_ranks_nothing(engine: Engine, question: str) -> None:
    assert ranking(engine, question) == []


def test_ranking_does_not_depend_on_which_place_is_named(engine: Engine) -> None:
    first = [
        order(engine, f"{place}扶贫办电话")[:3]
        for place in ("万州区", "黔江区", "忠县", "酉阳土家族苗族自治县")
    ]
    assert all(top == first[0] for top in first)


def test_distinctive_words_point_at_few_intents(engine: Engine) -> None:
    safety = next(i for i in engine.intents if i.name == "safety_insurance")
    documents = next(i for i in engine.intents if i.name == "document_info")
    assert engine.matcher.distinctive_words(safety, ("工作人员", "保险", "哪些")) == ["工作人员", "保险"]
    # 联系, 哪个 and 部门 are in many intents' examples: they point at none in particular.
    assert engine.matcher.distinctive_words(documents, ("联系", "哪个", "部门")) == []
