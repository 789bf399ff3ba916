"""`bangfu impact` (which answers an edit changes) and `bangfu review` (what users could not get answered)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from bot.channels.questionlog import Feedback, QuestionLog
from bot.cli import main
from bot.engine import Engine
from bot.tools.impact import Answer, Change
from tests.engine_support import KNOWLEDGE
from tests.knowledge_support import fixture_checkout, git

pytestmark = pytest.mark.usefixtures("restore_logging")

SET = """# a small question set
- {q: "万州区扶贫办的联系电话", all: ["023-58569600"], tag: district}
- {q: "黔江区扶贫办电话", all: ["023-79223577"], tag: district}
- {q: "怎么参与脱贫攻坚", any: ["区县扶贫部门"], tag: paths}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout of the fixture knowledge and intents, with a small question set; bangfu reads it."""
    root = fixture_checkout(tmp_path / "project")
    (root / "sets").mkdir()
    (root / "sets" / "small.yaml").write_text(SET, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("BANGFU_KNOWLEDGE_DIR", str(root / "knowledge"))
    monkeypatch.setenv("BANGFU_INTENTS_DIR", str(root / "intents"))
    monkeypatch.setenv("BANGFU_DATA_DIR", str(root / "data"))
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def log_questions(root: Path, engine: Engine, questions: dict[str, Feedback | None]) -> None:
    """Asks ``engine`` each question and logs it (with its feedback) as the Telegram bot would."""
    log = QuestionLog.open(root / "data", 180)
    for question, feedback in questions.items():
        ref = log.record(question, "private", engine.answer(question))
        if ref is not None and feedback is not None:
            log.rate(ref, feedback)
    log.close()


# --- impact -------------------------------------------------------------------------------------------------


def test_impact_lists_every_changed_answer_before_and_after(
    project: Path, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    log_questions(project, engine, {"万州扶贫办怎么联系": None, "今天天气怎么样": None})
    argv = [
        "update",
        "万州区",
        "--phone",
        "023-58569999",
        "--source",
        "万州区乡村振兴局通知",
        "--date",
        "2026-03-01",
    ]
    assert run(argv, capsys)[0] == 0
    status, out, err = run(["impact", "--sets", "sets"], capsys)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "5 stored questions replayed (3 from the question sets, 2 from the question log) against the knowledge "
        "and intents of HEAD and as they are now: 2 answer(s) change."
    )
    assert "问:万州区扶贫办的联系电话  [sets/small.yaml]" in lines
    assert "问:万州扶贫办怎么联系  [question log]" in lines
    first = lines.index("问:万州区扶贫办的联系电话  [sets/small.yaml]")
    assert lines[first + 1 : first + 4] == [
        "  before (district_contact):",
        "      扶贫办联系电话:023-58569600",
        "      (来源:《工作指引》附件1)",
    ]
    assert lines[first + 4] == "  after (district_contact):"
    assert lines[first + 5] == "      扶贫办联系电话:023-58569999(2026-03-01 更新,来源:万州区乡村振兴局通知)"
    assert "黔江" not in out


def test_impact_without_changes_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["impact", "--sets", "sets"], capsys)
    assert status == 0
    assert out.rstrip().endswith("no answer changes.")
    assert run(["impact", "--if-changed"], capsys)[1].startswith("No uncommitted change")


def test_impact_if_changed_runs_when_a_file_is_new(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "intents" / "extra.yaml").write_text("version: 1\nintents: []\n", encoding="utf-8")
    status, _, err = run(["impact", "--if-changed", "--sets", "sets"], capsys)
    assert status == 2  # it compared, and the new file is invalid
    assert "intents/extra.yaml" in err


def test_impact_needs_a_git_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    knowledge = Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge", copy_function=shutil.copyfile))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("BANGFU_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "data"))
    status, out, err = run(["impact"], capsys)
    assert (status, out) == (2, "")
    assert "is not in a git checkout: impact compares the files with their last commit" in err
    assert err.count("\n") == 1


def test_impact_of_an_unknown_revision(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["impact", "--against", "no-such-branch", "--sets", "sets"], capsys)
    assert status == 2
    assert "cannot read knowledge, intents at no-such-branch" in err


def test_a_change_shows_the_differing_lines_only() -> None:
    change = Change(
        "问题", "set.yaml", Answer("a", "同一行\n旧的\n尾"), Answer("b", "同一行\n新的\n新的二\n尾")
    )
    assert change.lines() == [
        "问:问题  [set.yaml]",
        "  before (a):",
        "      旧的",
        "  after (b):",
        "      新的",
        "      新的二",
    ]
    assert change.lines(limit=1)[-1] == "      … 1 more line(s); --full shows them"


# --- review -------------------------------------------------------------------------------------------------


QUESTIONS: dict[str, Feedback | None] = {
    "扶贫办几点上班": None,
    "扶贫办上班时间": None,
    "扶贫办上班时间是几点": None,
    "万州区扶贫办电话": Feedback.UNREACHABLE,
    "黔江区扶贫办电话": Feedback.UP,
    "怎么参与脱贫攻坚": None,
}


def test_review_groups_declined_and_down_rated_questions_with_the_nearest_intent(
    project: Path, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    log_questions(project, engine, QUESTIONS)
    status, out, _ = run(["review", "--csv", "review.csv"], capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == (
        "4 question(s) to review from the last 30 day(s) (declined, unsure, or rated 👎/号码有误/打不通), "
        "in 2 group(s):"
    )
    assert lines[2].startswith("1. 扶贫办")
    assert lines[2].endswith("×3  (declined 3)")
    assert lines[3].startswith("   also asked: ")
    assert lines[4].startswith("   nearest: ")
    assert lines[5] == "2. 万州区扶贫办电话  ×1  (打不通 1)"
    assert lines[6] == "   nearest: district_contact (similarity 100)"
    assert "黔江" not in out
    with (project / "review.csv").open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert [row["times asked"] for row in rows] == ["3", "1"]
    assert rows[1]["reasons"] == "打不通 1"


def test_review_of_an_empty_log(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["review"], capsys)[1] == "No declined, unsure or down-rated questions in the last 30 day(s).\n"
    )


def test_review_add_teaches_the_bot_and_runs_the_impact_check(
    project: Path, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    log_questions(project, engine, {"我们的人下乡受伤了怎么办": None})
    intents = project / "intents" / "reporting.yaml"
    status, out, err = run(["review", "--add", "1", "--to", "safety_insurance"], capsys)
    assert (status, err) == (0, "")
    assert git(project, "diff", "--numstat").split() == ["1", "0", "intents/reporting.yaml"]
    line = intents.read_text(encoding="utf-8").splitlines().index("      - 我们的人下乡受伤了怎么办") + 1
    lines = out.splitlines()
    assert lines[0] == f"intents/reporting.yaml:{line}: added '我们的人下乡受伤了怎么办' to safety_insurance."
    assert lines[1] == "The bot now answers it as safety_insurance."
    assert "stored questions replayed" in out
    change = lines.index("问:我们的人下乡受伤了怎么办  [question log]")
    assert lines[change + 1 : change + 3] == [
        "  before (declined):",
        "      抱歉,这个问题不在《重庆市社会组织参与脱贫攻坚工作指引》的范围内,我暂时回答不了。",
    ]


def test_review_add_to_an_faq_entry(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    faq = project / "knowledge" / "faq.yaml"
    entry = (
        "entries:\n  - question: 2026年帮扶报名入口在哪\n    phrasings:\n      - 今年的帮扶活动在哪里报名\n"
        "      - 2026年怎么报名参加帮扶\n    answer: 在重庆市社会组织公共服务平台报名。\n    source: 通知\n"
    )
    faq.write_text(faq.read_text(encoding="utf-8").replace("entries: []\n", entry), encoding="utf-8")
    status, out, _ = run(
        ["review", "--add", "帮扶报名的网址是什么", "--to", "2026年帮扶报名入口在哪"], capsys
    )
    assert status == 0
    assert "added '帮扶报名的网址是什么' to faq:2026年帮扶报名入口在哪." in out
    assert "      - 帮扶报名的网址是什么\n    answer:" in faq.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["review", "--add", "1"], "--add and --to go together"),
        (["review", "--add", "7", "--to", "district_contact"], "there is no question 7"),
        (["review", "--add", "扶贫办几点上班", "--to", "no_such_intent"], "there is no intent or FAQ entry"),
        (
            ["review", "--add", "万州区扶贫办电话是多少", "--to", "district_overview"],
            "appears also in intent",
        ),
    ],
)
def test_review_add_refuses_and_leaves_the_files(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, _, err = run(argv, capsys)
    assert status == 2
    assert message in err
    assert git(project, "status", "--porcelain", "--", "knowledge", "intents") == ""
