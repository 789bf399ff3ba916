"""The answer engine's commands: ``ask`` (plain and ``--json``, arguments or ``-``), ``console``, ``eval`` and
``eval-all``.

``validate`` and ``build-knowledge`` on broken knowledge are tested in tests/test_cli_knowledge.py; here only
the shipped files through the real entry point, and a broken intent file.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.channels.text import render_text
from bot.cli import main
from bot.engine import Engine
from bot.settings import PROJECT_ROOT
from bot.tools.quality import load_index
from tests.engine_support import DATA, INTENTS, KNOWLEDGE, PHONE, ProjectCopy

pytestmark = pytest.mark.usefixtures("restore_logging")

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
JSON_KEYS = {"question", "resolved", "intent", "confidence", "entities", "answer", "sources"}


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: Engine) -> Engine:
    """The command line over the shipped files, with the session's engine instead of a new one each time."""
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "BANGFU_LOG_LEVEL",
        "BANGFU_KNOWLEDGE_DIR",
        "BANGFU_INTENTS_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(Engine, "load", classmethod(lambda cls, knowledge, intents: engine))
    return engine


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)  # restored by pytest's capture
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


# --- ask ----------------------------------------------------------------------------------------------------


def test_ask_prints_each_question_and_its_answer(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["ask", "万州区扶贫办电话", "三建乡联系人"], capsys)
    assert status == EXIT_OK
    assert err == ""
    assert out == (
        f"问:万州区扶贫办电话\n{render_text(cli.answer('万州区扶贫办电话'))}\n\n"
        f"问:三建乡联系人\n{render_text(cli.answer('三建乡联系人'))}\n\n"
    )
    assert "023-58569600" in out
    assert "13594500668" in out


def test_ask_json_gives_one_object_per_question(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["ask", "--json", "万州区扶贫办电话", "讲个笑话"], capsys)
    assert status == EXIT_OK
    answered, declined = records(out)
    assert set(answered) == JSON_KEYS
    assert answered["question"] == "万州区扶贫办电话"
    assert answered["intent"] == "district_contact"
    assert 0 < answered["confidence"] <= 1
    assert answered["entities"] == {"district": ["万州区"]}
    assert answered["answer"] == render_text(cli.answer("万州区扶贫办电话"))
    assert "《工作指引》附件1" in answered["sources"]
    assert set(declined) == JSON_KEYS
    assert declined["intent"] is None
    assert 0 <= declined["confidence"] <= 1
    assert declined["entities"] == {}
    assert not PHONE.search(declined["answer"])
    assert declined["sources"] == []


def test_ask_json_keeps_chinese_readable_and_lists_every_entity(
    cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["ask", "--json", "我们是医疗类社会组织,想去城口县义诊,应该联系谁"], capsys)
    assert "城口县" in out  # not \\u escapes
    (record,) = records(out)
    assert record["intent"] == "org_in_district"
    assert record["entities"] == {"org_type": ["medical"], "district": ["城口县"]}
    assert "023-59221209" in record["answer"]
    assert any(source.startswith("《工作指引》第") for source in record["sources"])


def test_ask_json_shows_both_readings_of_a_shared_name(
    cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["ask", "--json", "高桥村在哪"], capsys)
    (record,) = records(out)
    assert record["entities"] == {"village": ["秀山县/石堤镇/高桥村", "酉阳县/五福镇/高桥村"]}


def test_ask_dash_reads_one_question_per_line_from_stdin(
    cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        ["ask", "--json", "-"], capsys, stdin="万州区扶贫办电话\n\n   \n彭水縣扶貧辦電話\n讲个笑话"
    )
    assert status == EXIT_OK
    found = records(out)
    assert [r["question"] for r in found] == ["万州区扶贫办电话", "彭水縣扶貧辦電話", "讲个笑话"]
    assert "023-78442457" in found[1]["answer"]
    assert found[2]["intent"] is None


def test_ask_dash_in_plain_text(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["ask", "-"], capsys, stdin="黔江扶贫办电话\n")
    assert out.startswith("问:黔江扶贫办电话\n")
    assert "023-79223577" in out


def test_ask_without_a_question_is_a_usage_error(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["ask"])
    assert raised.value.code == 2
    assert "usage" in capsys.readouterr().err


# --- console ------------------------------------------------------------------------------------------------


def test_console_with_piped_input_answers_each_line(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["console"], capsys, stdin="万州区扶贫办电话\n1\n")
    assert status == EXIT_OK
    assert "问:万州区扶贫办电话\n" in out
    assert "023-58569600" in out
    assert "大林村" in out  # "1" chose the first suggestion of the previous answer
    assert "[debug]" not in out


def test_console_debug_shows_intent_confidence_entities_and_runner_up(
    cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["console", "--debug"], capsys, stdin="万州区扶贫办电话\n")
    assert "[debug] intent=district_contact confidence=" in out
    assert "entities={'district': ['万州区']}" in out
    assert "[debug] runner-up=" in out


def test_without_a_command_or_token_the_console_runs(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([], capsys, stdin="万州区扶贫办电话\n")
    assert status == EXIT_OK
    assert "023-58569600" in out


# --- eval -----------------------------------------------------------------------------------------------------


@pytest.fixture
def half_set(tmp_path: Path) -> Path:
    """A question set of which the engine passes exactly half."""
    path = tmp_path / "half.yaml"
    path.write_text(
        '- {q: "万州区扶贫办电话", all: ["023-58569600"], tag: district}\n'
        '- {q: "黔江区扶贫办电话", all: ["这段文字不会出现"], tag: district}\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("minimum", "status"), [(None, EXIT_OK), ("50", EXIT_OK), ("50.1", EXIT_FAILED), ("95", EXIT_FAILED)]
)
def test_eval_exits_non_zero_below_min(
    cli: Engine, capsys: pytest.CaptureFixture[str], half_set: Path, minimum: str | None, status: int
) -> None:
    argv = ["eval", str(half_set)] + (["--min", minimum] if minimum else [])
    code, out, err = run(argv, capsys)
    assert code == status
    assert out.splitlines()[-1] == "1/2 passed (50.0%)"
    if status == EXIT_FAILED:
        assert err == f"bangfu: 50.0% is below the required {float(minimum or 0):g}%\n"
    else:
        assert err == ""


def test_eval_show_fail_lists_the_failed_cases(
    cli: Engine, capsys: pytest.CaptureFixture[str], half_set: Path
) -> None:
    _, out, _ = run(["eval", str(half_set), "--show-fail"], capsys)
    assert "✗ [district] 黔江区扶贫办电话" in out
    assert "这段文字不会出现" in out
    assert "✗ [district] 万州区扶贫办电话" not in out


@pytest.mark.parametrize(("name", "minimum"), [("dev.yaml", "95"), ("chatter.yaml", "100")])
def test_eval_of_the_shipped_sets_passes_its_minimum(
    cli: Engine, capsys: pytest.CaptureFixture[str], name: str, minimum: str
) -> None:
    status, out, err = run(["eval", str(DATA / name), "--min", minimum], capsys)
    assert status == EXIT_OK, out
    assert err == ""


def test_eval_of_a_malformed_set_names_file_and_line(
    cli: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text("- {q: a}\n- {q: b, alll: [x]}\n", encoding="utf-8")
    status, out, err = run(["eval", "bad.yaml", "--min", "95"], capsys)
    assert status == EXIT_ERROR
    assert out == ""
    assert "bad.yaml:2: unknown field `alll`" in err
    assert "Traceback" not in err


def test_eval_of_a_missing_file(cli: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(["eval", str(tmp_path / "nowhere.yaml")], capsys)
    assert status == EXIT_ERROR
    assert "not found" in err


@pytest.mark.parametrize(("first_run", "status"), [("1/2", EXIT_OK), ("2/2", EXIT_FAILED)])
def test_eval_all_prints_the_table_and_fails_below_a_first_run(
    cli: Engine,
    capsys: pytest.CaptureFixture[str],
    half_set: Path,
    monkeypatch: pytest.MonkeyPatch,
    first_run: str,
    status: int,
) -> None:
    monkeypatch.chdir(half_set.parent)
    Path("sets.yaml").write_text(
        f"version: 1\nsets:\n  - {{file: half.yaml, what: half of it, first_run: {first_run}}}\n",
        encoding="utf-8",
    )
    code, out, err = run(["eval-all", "sets.yaml"], capsys)
    assert code == status
    header, rule, row = out.splitlines()
    assert (header, rule) == ("| set | what | result | first run |", "|---|---|---|---|")
    if status == EXIT_OK:
        assert row == f"| `half.yaml` | half of it | 1/2 | {first_run} |"
        assert err == ""
    else:
        assert row == f"| `half.yaml` | half of it | **1/2**, below the first run | {first_run} |"
        assert err == f"bangfu: half.yaml passes 1/2, below its first run ({first_run})\n"


def test_eval_all_of_a_broken_index_names_file_and_line(
    cli: Engine, capsys: pytest.CaptureFixture[str], half_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(half_set.parent)
    Path("sets.yaml").write_text(
        "version: 1\nsets:\n  - {file: half.yaml, what: x}\n  - {file: gone.yaml, what: y}\n",
        encoding="utf-8",
    )
    status, out, err = run(["eval-all", "sets.yaml"], capsys)
    assert status == EXIT_ERROR
    assert out == ""
    assert "sets.yaml:4: question set gone.yaml not found" in err
    assert "Traceback" not in err


def test_eval_all_of_the_project_s_sets_passes_every_first_run(
    cli: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    status, out, err = run(["eval-all"], capsys)  # the default index, tests/data/sets.yaml
    assert status == EXIT_OK, err
    rows = out.splitlines()[2:]
    assert rows[0].startswith("| `tests/data/dev.yaml` | ")
    assert len(rows) == len(load_index(DATA / "sets.yaml"))


# --- the real entry point ------------------------------------------------------------------------------------------


def _program(
    argv: list[str], *, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BANGFU_"))}
    environment["PYTHONPATH"] = str(PROJECT_ROOT)
    environment |= {"BANGFU_KNOWLEDGE_DIR": str(KNOWLEDGE), "BANGFU_INTENTS_DIR": str(INTENTS)}
    environment |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_python_m_bot_validate_accepts_the_shipped_knowledge_and_intents(tmp_path: Path) -> None:
    result = _program(["validate"], cwd=PROJECT_ROOT, env={"BANGFU_DATA_DIR": str(tmp_path)})
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout.startswith("OK: 18 key districts, 18 townships, 100 villages, ")
    assert result.stderr == ""


def test_python_m_bot_ask_json_reads_stdin(tmp_path: Path) -> None:
    result = _program(
        ["ask", "--json", "-"],
        cwd=tmp_path,
        stdin="萬州區扶貧辦電話\nasdfghjkl\n",
        env={"BANGFU_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == EXIT_OK, result.stderr
    first, second = records(result.stdout)
    assert "023-58569600" in first["answer"]
    assert second["intent"] is None
    assert not PHONE.search(second["answer"])


def test_a_broken_intent_file_stops_the_program_with_file_line_and_status_2(
    project_copy: ProjectCopy, tmp_path: Path
) -> None:
    (project_copy.intents / "zz_broken.yaml").write_text(
        "version: 1\nintents:\n  - name: lost\n    description: 测试\n    answer: no_such_composer\n"
        "    examples: [一, 二, 三, 四, 五, 六, 七, 八]\n",
        encoding="utf-8",
    )
    for argv in (["validate"], ["ask", "万州区扶贫办电话"]):
        result = _program(
            argv,
            cwd=tmp_path,
            env={"BANGFU_INTENTS_DIR": str(project_copy.intents), "BANGFU_DATA_DIR": str(tmp_path / "data")},
        )
        assert result.returncode == EXIT_ERROR
        assert result.stdout == ""
        assert "intents/zz_broken.yaml:5: no answer composer named no_such_composer" in result.stderr
        assert "Traceback" not in result.stderr


def test_answers_do_not_depend_on_the_process_s_hash_seed(tmp_path: Path) -> None:
    # Python salts string hashes per process, so anything ordered by a set of words could differ between
    # runs; these two questions once got a different quoted sentence depending on the seed.
    questions = (
        "怎么通过发展产业带动贫困户增收\n我们是心理咨询机构,想去贫困地区服务留守的孩子,指引有什么建议\n"
    )
    outputs = [
        _program(
            ["ask", "--json", "-"],
            cwd=PROJECT_ROOT,
            stdin=questions,
            env={"BANGFU_DATA_DIR": str(tmp_path), "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2", "3")
    ]
    assert all(result.returncode == EXIT_OK for result in outputs), outputs[0].stderr
    assert outputs[0].stdout.count("\n") == 2
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout
