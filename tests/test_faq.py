"""knowledge/faq.yaml: plain questions and answers, matched by the engine, cited with their source."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from bot.compose.faq import faq_composers
from bot.compose.registry import Brief
from bot.compose.reply import ReplyKind
from bot.data.faq import FaqEntry, FaqFile
from bot.engine import Engine
from bot.errors import DataError
from bot.nlu.slots import Slots
from tests.engine_support import INTENTS, ask, line_of
from tests.knowledge_support import knowledge_listing, only_problem

ENTRY = """
  - question: 2026年帮扶报名入口在哪
    phrasings:
      - 今年的帮扶活动在哪里报名
      - 2026年怎么报名参加帮扶
    answer: |
      2026年的帮扶报名在重庆市社会组织公共服务平台进行:
      - 登录后选择"帮扶报名"
      - 填写机构信息并上传登记证书

      报名截止日期以平台公告为准。
    source: 重庆市民政局2026年1月通知
"""
SOURCE = "重庆市民政局2026年1月通知"


def with_faq(directory: Path, entries: str) -> Path:
    """A copy of the fixture knowledge at ``directory`` whose faq.yaml lists ``entries``."""
    return knowledge_listing(directory, "faq.yaml", "entries", entries)


@pytest.fixture(scope="module")
def faq_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The engine over the fixture knowledge with one FAQ entry."""
    return Engine.load(with_faq(tmp_path_factory.mktemp("faq") / "knowledge", ENTRY), INTENTS)


@pytest.mark.parametrize(
    "question",
    [
        "2026年帮扶报名入口在哪",
        "今年的帮扶活动在哪里报名",
        "2026年怎么报名参加帮扶",
        "2026年帮扶报名入口在哪里?",
    ],
)
def test_an_faq_entry_is_answered_with_its_text_and_source(faq_engine: Engine, question: str) -> None:
    reply, text = ask(faq_engine, question)
    assert reply.intent == "faq:2026年帮扶报名入口在哪"
    assert reply.sources == (SOURCE,)
    assert text == (
        "【2026年帮扶报名入口在哪】\n2026年的帮扶报名在重庆市社会组织公共服务平台进行:\n\n"
        '• 登录后选择"帮扶报名"\n• 填写机构信息并上传登记证书\n\n'
        f"报名截止日期以平台公告为准。\n(来源:{SOURCE})"
    )


def test_the_guideline_s_answers_stay_as_they_were(faq_engine: Engine, engine: Engine) -> None:
    for question in ("万州区扶贫办电话", "怎么参与脱贫攻坚", "今天天气怎么样"):
        assert ask(faq_engine, question)[1] == ask(engine, question)[1]


def test_without_entries_the_engine_has_only_the_intents(engine: Engine) -> None:
    assert not [intent for intent in engine.intents if intent.name.startswith("faq:")]


def entry(**dates: datetime.date) -> FaqEntry:
    return FaqEntry(question="问", phrasings=["问一", "问二"], answer="答", source="来源", **dates)


def test_an_entry_is_used_only_between_its_dates() -> None:
    day = datetime.date(2026, 6, 1)
    assert entry().valid_on(day)
    assert entry(valid_from=day, valid_until=day).valid_on(day)
    assert not entry(valid_until=day - datetime.timedelta(days=1)).valid_on(day)
    assert not entry(valid_from=day + datetime.timedelta(days=1)).valid_on(day)


def test_an_expired_entry_is_not_matched(tmp_path: Path) -> None:
    expired = ENTRY + "    valid_until: 2021-01-01\n"
    engine = Engine.load(with_faq(tmp_path / "knowledge", expired), INTENTS)
    assert not [intent for intent in engine.intents if intent.name.startswith("faq:")]
    assert ask(engine, "2026年帮扶报名入口在哪")[0].intent is None


def test_an_entry_that_expires_while_the_bot_runs_is_declined(faq_engine: Engine) -> None:
    faq = FaqFile(version=1, entries=[entry(valid_until=datetime.date(2026, 6, 1))])
    later = faq_composers(faq, lambda: datetime.date(2026, 6, 2))["faq:问"]
    on_time = faq_composers(faq, lambda: datetime.date(2026, 6, 1))["faq:问"]
    brief = Brief(faq_engine.kb, Slots())
    assert later(brief).kind is ReplyKind.DECLINE
    assert on_time(brief).kind is ReplyKind.ANSWER


@pytest.mark.parametrize(
    ("entries", "at", "message"),
    [
        (
            "  - question: 报名入口\n    phrasings: [在哪报名]\n    answer: 答\n    source: 通知\n",
            r"phrasings: \[在哪报名\]",
            "`entries[0].phrasings` has 1 entries; it needs at least 2",
        ),
        (
            "  - question: 报名入口\n    phrasings: [在哪报名, 怎么报名]\n    answer: 答\n",
            "question: 报名入口",
            "`entries[0].source` is missing",
        ),
        (
            "  - question: 报名入口\n    phrasings: [在哪报名, 怎么报名]\n    answer: 答\n    source: 通知\n"
            "    valid_from: 2026-06-01\n    valid_until: 2026-01-01\n",
            "valid_until: 2026-01-01",
            "valid_until 2026-01-01 is before valid_from 2026-06-01",
        ),
        (
            "  - question: 报名入口\n    phrasings: [在哪报名, 怎么报名]\n    answer: 答\n    source: 通知\n"
            "  - question: 报名截止\n    phrasings: [在哪报名?, 何时截止]\n    answer: 答\n    source: 通知\n",
            r"phrasings: \[在哪报名\?, 何时截止\]",
            "'在哪报名?' is asked already at knowledge/faq.yaml:",
        ),
        (
            "  - question: 报名入口\n    phrasings: [在哪报名, 怎么报名]\n    answer：答\n    source: 通知\n",
            "answer：答",
            "`answer：` has a full-width colon",
        ),
    ],
    ids=["one-phrasing", "no-source", "dates-reversed", "repeated-wording", "full-width-colon"],
)
def test_a_wrong_faq_entry_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: str, at: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    problem, text = only_problem(with_faq(tmp_path / "knowledge", entries), "faq.yaml")
    assert (problem.path, problem.line) == ("knowledge/faq.yaml", line_of(text, at))
    assert message in problem.message


def test_a_wording_that_is_an_intent_example_is_named_at_both_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents, copy_function=shutil.copyfile)
    entries = "  - question: 报名入口\n    phrasings: [在哪报名, 万州区扶贫办电话是多少!]\n    answer: 答\n    source: 通知\n"
    directory = with_faq(tmp_path / "knowledge", entries)
    with pytest.raises(DataError) as caught:
        Engine.load(directory, intents)
    (problem,) = caught.value.problems
    regions = (intents / "regions.yaml").read_text(encoding="utf-8")
    assert problem.path == "knowledge/faq.yaml"
    assert problem.message == (
        "'万州区扶贫办电话是多少!' is also an example of intent district_contact "
        f"(intents/regions.yaml:{line_of(regions, '^      - 万州区扶贫办电话是多少$')}); keep it in one place"
    )
