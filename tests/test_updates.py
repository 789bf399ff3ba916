"""knowledge/updates.yaml and `bangfu update`: updated facts with provenance, laid over the guideline."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from bot.channels.text import render_text
from bot.cli import main
from bot.compose.districts import district_reply
from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_knowledge
from bot.engine import Engine
from bot.errors import DataError, Problem
from bot.tools import update
from bot.tools.builder import build_knowledge
from bot.tools.evaluate import Case, evaluate, follow_updates, load_cases
from bot.tools.update import UpdateError, UpdateRequest, record_update
from tests.engine_support import DATA, INTENTS, KNOWLEDGE, ask, line_of, phones_in
from tests.knowledge_support import knowledge_listing, only_problem

pytestmark = pytest.mark.usefixtures("restore_logging")

OLD, NEW = "023-58569600", "023-58569999"
PROVENANCE = "2026-03-01 更新,来源:万州区乡村振兴局通知"
TODAY = datetime.date(2026, 11, 29)
UPDATES = f"""
  - place: 万州区
    phone: '{NEW}'
    date: 2026-03-01
    source: 万州区乡村振兴局通知
  - place: 龙驹镇
    contact: 王五
    title: 镇长
    phone: '13900000001'
    date: 2026-04-01
    source: 龙驹镇政府公告
"""


def with_updates(directory: Path, entries: str = UPDATES) -> Path:
    """A copy of the fixture knowledge at ``directory`` whose updates.yaml lists ``entries``."""
    return knowledge_listing(directory, "updates.yaml", "updates", entries)


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The engine over the fixture knowledge with 万州区's phone and 龙驹镇's contact updated."""
    return Engine.load(with_updates(tmp_path_factory.mktemp("updated") / "knowledge"), INTENTS)


# --- answers ------------------------------------------------------------------------------------------------


def test_the_current_phone_is_answered_with_its_provenance_and_the_guideline_s_as_superseded(
    updated: Engine,
) -> None:
    reply, text = ask(updated, "万州区扶贫办电话")
    assert f"扶贫办联系电话:{NEW}({PROVENANCE})" in text
    assert f"《工作指引》原列电话{OLD}已于2026-03-01更新。" in text
    assert text.index(NEW) < text.index(OLD)
    assert "万州区乡村振兴局通知(2026-03-01)" in " ".join(reply.sources)


def test_every_answer_that_shows_an_updated_number_shows_its_provenance(updated: Engine) -> None:
    for question in (
        "各区县扶贫办电话",
        "万州区是国家级重点区县吗",
        "龙驹镇联系人",
        "万州区有哪些深度贫困乡镇",
    ):
        _, text = ask(updated, question)
        for phone in (NEW, "13900000001"):
            assert text.count(phone) == text.count(f"{phone}("), (question, text)


def test_browsing_commands_show_the_provenance_too(updated: Engine) -> None:
    text = render_text(district_reply(updated.kb, updated.kb.district("万州区")))
    assert f"{NEW}({PROVENANCE})" in text
    assert "龙驹镇:王五(镇长),13900000001(2026-04-01 更新,来源:龙驹镇政府公告)" in text


def test_a_question_quoting_the_old_number_is_told_it_was_updated(updated: Engine) -> None:
    for question in (f"万州区扶贫办电话是{OLD}吗", f"{OLD}是哪里的电话"):
        _, text = ask(updated, question)
        assert text.startswith(
            f"您提到的号码{OLD}是《工作指引》原列的万州区扶贫办电话,已于2026-03-01更新为{NEW}"
            "(来源:万州区乡村振兴局通知)。"
        ), text
        assert "不在《工作指引》中" not in text


def test_a_question_naming_the_old_contact_is_told_who_replaced_them(updated: Engine) -> None:
    _, text = ask(updated, "张成林是什么职务")
    assert "您提到的张成林是《工作指引》原列的万州区龙驹镇联系人,已于2026-04-01更新为王五(镇长)" in text
    assert "联系人:王五(镇长)" in text


def test_a_number_nobody_printed_is_still_flagged_without_being_repeated(updated: Engine) -> None:
    _, text = ask(updated, "万州区扶贫办电话是023-58560000吗")
    assert "您提到的号码不在《工作指引》中" in text
    assert "023-58560000" not in text


def test_the_guideline_s_own_files_are_untouched_by_an_update(tmp_path: Path) -> None:
    directory = with_updates(tmp_path / "knowledge")
    kb = load_knowledge(directory)
    assert kb.regions.key_districts[0].phone == OLD
    assert kb.district("万州区").guideline_phone == OLD
    assert kb.district("万州区").phone == NEW
    assert [r.outcome.value for r in build_knowledge(directory, check=True)] == ["up to date", "up to date"]


def test_removing_the_update_restores_the_guideline_s_value(tmp_path: Path, engine: Engine) -> None:
    directory = with_updates(tmp_path / "knowledge")
    request = UpdateRequest(place="万州区", remove=True)
    record_update(directory, request, today=TODAY)
    record_update(directory, UpdateRequest(place="万州区龙驹镇", remove=True), today=TODAY)
    restored = Engine.load(directory, INTENTS)
    for question in ("万州区扶贫办电话", "龙驹镇联系人"):
        assert ask(restored, question)[1] == ask(engine, question)[1]


# --- the question sets follow the updates ------------------------------------------------------------------


def test_expectations_follow_the_updates(updated: Engine) -> None:
    case = Case(q="万州区扶贫办的联系电话", all=[OLD], any=["张成林", "镇脱贫攻坚办公室主任"])
    followed = follow_updates(case, updated.kb)
    assert followed.all == [NEW]
    assert followed.any == ["王五", "镇长"]
    report = evaluate(updated, load_cases(DATA / "dev.yaml"))
    assert report.percent >= 95
    assert report.followed_updates > 0


def test_without_updates_expectations_are_the_guideline_s(engine: Engine) -> None:
    case = Case(q="万州区扶贫办的联系电话", all=[OLD])
    assert follow_updates(case, engine.kb) is case


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "at", "message"),
    [
        (
            "  - place: 万洲区\n    phone: '023-58569999'\n    date: 2026-03-01\n    source: 通知\n",
            "place: 万洲区",
            "万洲区 is neither a key district of 附件1 nor a deep-poverty township of 附件2; did you mean 万州区?",
        ),
        (
            "  - place: 江津区\n    phone: '023-58569999'\n    date: 2026-03-01\n    source: 通知\n",
            "place: 江津区",
            "江津区 is not a key district of 附件1",
        ),
        (
            f"  - place: 萬州區\n    phone: '{OLD}'\n    date: 2026-03-01\n    source: 通知\n",
            "place: 萬州區",
            f"{OLD} is the guideline's own number for 万州区; remove this entry instead",
        ),
        (
            "  - place: 龙驹镇\n    contact: 王五\n    date: 2026-03-01\n    source: 通知\n",
            "place: 龙驹镇",
            "`contact` and `title` go together",
        ),
        (
            "  - place: 万州区\n    phone: '023-5856999'\n    date: 2026-03-01\n    source: 通知\n",
            "phone: '023-5856999'",
            "phone `023-5856999` is not in a known format",
        ),
        (
            "  - place: 万州区\n    phone: '023-58569999'\n    date: 2019-03-01\n    source: 通知\n",
            "date: 2019-03-01",
            "2019-03-01 is before the guideline (2020-05-14)",
        ),
        (
            "  - place: 万州区\n    phone: '023-58569999'\n    date: 2026-03-01\n",
            "^  - place: 万州区",
            "`updates[0].source` is missing",
        ),
        (
            "  - place: 万州区\n    phone: '023-58569999'\n    date: 2026-03-01\n    source: 通知\n"
            "  - place: 万州\n    phone: '023-58569998'\n    date: 2026-04-01\n    source: 通知\n",
            "place: 万州$",
            "万州 is updated twice (first on line ",
        ),
    ],
    ids=[
        "unknown-place",
        "not-a-key-district",
        "same-as-guideline",
        "contact-without-title",
        "phone-format",
        "before-the-guideline",
        "no-source",
        "twice",
    ],
)
def test_a_wrong_update_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, at: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    problem, text = only_problem(with_updates(tmp_path / "knowledge", entry), "updates.yaml")
    assert (problem.path, problem.line) == ("knowledge/updates.yaml", line_of(text, at))
    assert message in problem.message


def test_a_knowledge_copy_without_updates_yaml_loads(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory, copy_function=shutil.copyfile)
    (directory / "updates.yaml").unlink()
    assert load_knowledge(directory).updated == {}


# --- bangfu update ------------------------------------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def knowledge_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture knowledge that ``bangfu`` reads (BANGFU_KNOWLEDGE_DIR), the cwd above it."""
    monkeypatch.chdir(tmp_path)
    directory = with_updates(tmp_path / "knowledge", "")
    monkeypatch.setenv("BANGFU_KNOWLEDGE_DIR", str(directory))
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "data"))
    return directory


def test_bangfu_update_records_the_fact_with_its_provenance(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = (knowledge_copy / "updates.yaml").read_text(encoding="utf-8").split("version:")[0]
    argv = ["update", "万州区", "--phone", NEW, "--source", "万州区乡村振兴局通知", "--date", "2026-03-01"]
    status, out, err = run(argv, capsys)
    assert (status, err) == (0, "")
    assert out.startswith(f"knowledge/updates.yaml: 万州区扶贫办电话: {OLD} → {NEW} ({PROVENANCE})\n")
    assert "bangfu impact" in out
    text = (knowledge_copy / "updates.yaml").read_text(encoding="utf-8")
    assert text == header + (
        f"version: 1\nupdates:\n  - place: 万州区\n    phone: '{NEW}'\n    date: 2026-03-01\n"
        "    source: 万州区乡村振兴局通知\n"
    )
    assert load_knowledge(knowledge_copy).district("万州区").phone == NEW


def test_bangfu_update_of_a_township_contact_then_again_replaces_the_entry(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ["update", "龙驹镇", "--contact", "王五", "--title", "镇长", "--source", "公告: 第1号"]
    assert run(first, capsys)[0] == 0
    second = ["update", "万州区龙驹镇", "--phone", "13900000001", "--source", "公告", "--date", "2026-05-01"]
    status, out, _ = run(second, capsys)
    assert status == 0
    assert "张成林(镇脱贫攻坚办公室主任),18223503665 → 张成林(镇脱贫攻坚办公室主任),13900000001" in out
    kb = load_knowledge(knowledge_copy)
    assert len(kb.updates.updates) == 1
    (township,) = (t for t in kb.townships if t.name == "龙驹镇")
    assert (township.contact, township.phone) == ("张成林", "13900000001")


def test_bangfu_update_without_a_date_uses_today(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["update", "城口", "--phone", "023-59221000", "--source", "通知"], capsys)[0] == 0
    assert load_knowledge(knowledge_copy).updates.updates[0].date == datetime.date.today()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["update", "万洲", "--phone", NEW, "--source", "x"], "did you mean 万州区?"),
        (["update", "万州区", "--phone", NEW], "say where the new fact comes from with --source"),
        (["update", "万州区", "--source", "x"], "write the new office phone of 万州区 as --phone"),
        (["update", "万州区", "--phone", "023-5856999", "--source", "x"], "is not in a known format"),
        (["update", "万州区", "--phone", OLD, "--source", "x"], "is the guideline's own number"),
        (["update", "龙驹镇", "--contact", "王五", "--source", "x"], "--contact and --title go together"),
        (["update", "万州区", "--phone", NEW, "--source", "x", "--date", "2019-01-01"], "must lie between"),
        (["update", "万州区", "--remove"], "万州区 has no update to remove"),
    ],
)
def test_bangfu_update_refuses_what_cannot_be_recorded_and_leaves_the_file(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = (knowledge_copy / "updates.yaml").read_bytes()
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    assert message in err
    assert (knowledge_copy / "updates.yaml").read_bytes() == before


def test_a_bad_date_is_a_usage_error(knowledge_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["update", "万州区", "--phone", NEW, "--source", "x", "--date", "2026-02-30"])
    assert "is not a date written as YYYY-MM-DD" in capsys.readouterr().err


def test_an_update_that_does_not_load_is_undone(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (knowledge_copy / "updates.yaml").read_bytes()
    loads = []

    def load_once(directory: Path) -> KnowledgeBase:
        loads.append(directory)
        if len(loads) > 1:
            raise DataError([Problem("knowledge/updates.yaml", 3, "broken")])
        return load_knowledge(directory)

    monkeypatch.setattr(update, "load_knowledge", load_once)
    with pytest.raises(DataError) as caught:
        record_update(knowledge_copy, UpdateRequest("万州区", phone=NEW, source="x"), today=TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "knowledge/updates.yaml: the edit was undone",
        "knowledge/updates.yaml:3: broken",
    ]
    assert (knowledge_copy / "updates.yaml").read_bytes() == before


def test_knowledge_with_problems_is_not_updated(knowledge_copy: Path) -> None:
    (knowledge_copy / "focus.yaml").write_text("version: 1\n", encoding="utf-8")
    with pytest.raises(DataError):
        record_update(knowledge_copy, UpdateRequest("万州区", phone=NEW, source="x"), today=TODAY)
    assert "updates: []" in (knowledge_copy / "updates.yaml").read_text(encoding="utf-8")


def test_update_errors_are_one_line(knowledge_copy: Path) -> None:
    with pytest.raises(UpdateError) as caught:
        record_update(knowledge_copy, UpdateRequest("解放村", phone=NEW, source="x"), today=TODAY)
    assert "\n" not in str(caught.value)


def test_the_updated_answer_reads_the_same_in_the_console(updated: Engine) -> None:
    assert phones_in(ask(updated, "万州区扶贫办电话")[1])[:2] == [NEW, OLD]
