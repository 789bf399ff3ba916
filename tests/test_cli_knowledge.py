"""The ``validate`` and ``build-knowledge`` commands, and the program refusing to start on broken knowledge."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import PROJECT_ROOT
from tests.engine_support import INTENTS
from tests.knowledge_support import KNOWLEDGE, BrokenKnowledge, edit, line_of

pytestmark = pytest.mark.usefixtures("restore_logging")

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
KEPT_HINT = (
    "Hand edits were kept. Run `bangfu build-knowledge --force` to replace them with the guideline's values."
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, tmp_path: Path) -> Path:
    """Points the program at the tmp copy of knowledge/ (no token, default logging); returns the copy."""
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "BANGFU_LOG_LEVEL", "BANGFU_INTENTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BANGFU_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "data"))
    return knowledge_dir


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


# --- validate -------------------------------------------------------------------------------------------


def test_validate_accepts_the_shipped_knowledge(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["validate"], capsys)
    assert status == EXIT_OK
    assert out.startswith("OK: 18 key districts, 18 townships, 100 villages, ")
    assert err == ""


@pytest.mark.parametrize("argv", [["validate"], ["ask", "x"]], ids=["validate", "ask"])
def test_broken_knowledge_is_refused_with_its_location_and_status_2(
    env: Path, broken_knowledge: BrokenKnowledge, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, out, err = run(argv, capsys)
    assert status == EXIT_ERROR
    assert out == ""
    header, problem = err.splitlines()
    assert header == "bangfu: the knowledge or intent files have 1 problem(s):"
    assert problem.startswith(f"{broken_knowledge.location}: ")
    for fragment in broken_knowledge.fragments:
        assert fragment in problem
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["validate"], ["ask", "x"]], ids=["validate", "ask"])
def test_the_program_itself_refuses_broken_knowledge_without_a_traceback(
    knowledge_dir: Path, tmp_path: Path, argv: list[str]
) -> None:
    edited = edit(knowledge_dir / "regions.yaml", "phone: 023-58569600", "phone: 023-5856960")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BANGFU_"))}
    environment |= {"BANGFU_KNOWLEDGE_DIR": str(knowledge_dir), "BANGFU_DATA_DIR": str(tmp_path / "data")}
    environment["BANGFU_INTENTS_DIR"] = str(INTENTS)
    environment["PYTHONPATH"] = str(PROJECT_ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_ERROR
    assert f"knowledge/regions.yaml:{line_of(edited, '023-5856960')}: phone `023-5856960`" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_an_unusable_knowledge_directory_is_one_line_and_status_2(
    env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BANGFU_KNOWLEDGE_DIR", str(tmp_path / "nowhere"))
    status, _, err = run(["validate"], capsys)
    assert status == EXIT_ERROR
    assert err == f"bangfu: BANGFU_KNOWLEDGE_DIR points to {tmp_path / 'nowhere'}, which is not a directory\n"


# --- build-knowledge -----------------------------------------------------------------------------------

UP_TO_DATE = "knowledge/regions.yaml: up to date\nknowledge/guideline.yaml: up to date\n"


def test_build_on_a_fresh_copy_is_up_to_date_twice_and_changes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in env.rglob("*") if p.is_file()}
    for _ in range(2):
        assert run(["build-knowledge"], capsys) == (EXIT_OK, UP_TO_DATE, "")
    assert {p: p.read_bytes() for p in env.rglob("*") if p.is_file()} == before


def test_check_on_the_shipped_knowledge_exits_0(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BANGFU_KNOWLEDGE_DIR", str(KNOWLEDGE))
    status, out, _ = run(["build-knowledge", "--check"], capsys)
    assert status == EXIT_OK
    assert out.splitlines() == [
        f"{path}: up to date" for path in (KNOWLEDGE / "regions.yaml", KNOWLEDGE / "guideline.yaml")
    ]


@pytest.mark.parametrize("name", ["regions.yaml", "guideline.yaml"])
def test_a_deleted_file_is_missing_for_check_and_recreated_by_build(
    env: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (env / name).unlink()
    status, out, _ = run(["build-knowledge", "--check"], capsys)
    assert (status, f"knowledge/{name}: missing\n" in out) == (EXIT_FAILED, True)
    assert KEPT_HINT not in out
    assert not (env / name).exists()
    status, out, _ = run(["build-knowledge"], capsys)
    assert (status, f"knowledge/{name}: created\n" in out) == (EXIT_OK, True)
    assert (env / name).read_bytes() == (KNOWLEDGE / name).read_bytes()


# (old, new, pattern of the line reported, the difference) — all in regions.yaml
HAND_EDITS = [
    pytest.param(
        "phone: 023-58569600",
        "phone: 023-58569601",
        r"serial: 1, name: 万州区",
        "`key_districts[0].phone` is '023-58569601'; the guideline says '023-58569600'",
        id="phone-edited",
    ),
    pytest.param(
        "- {serial: 50, name: 天池村, town: 石桥乡, district: 武隆区, source: 附件3 序号50}\n",
        "",
        r"serial: 51, name: 回龙村",
        "`villages` lacks entry 49 (天池村) that the guideline has",
        id="village-deleted",
    ),
    pytest.param(
        "source: 附件2 序号1}",
        "source: 附件2 序号1, note: 已核实}",
        r"note: 已核实",
        "`townships[0].note` is not in the guideline; remove it",
        id="field-added",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "difference"), HAND_EDITS)
@pytest.mark.parametrize(
    "argv", [["build-knowledge"], ["build-knowledge", "--check"]], ids=["build", "check"]
)
def test_a_hand_edit_is_reported_kept_and_fails_the_command(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    old: str,
    new: str,
    at: str,
    difference: str,
) -> None:
    edited = edit(env / "regions.yaml", old, new)
    status, out, err = run(argv, capsys)
    assert status == EXIT_FAILED
    assert (env / "regions.yaml").read_text(encoding="utf-8") == edited
    lines = out.splitlines()
    assert lines[:3] == [
        "knowledge/regions.yaml: differs from the guideline (kept)",
        f"  knowledge/regions.yaml:{line_of(edited, at)}: {difference}",
        "knowledge/guideline.yaml: up to date",
    ]
    assert lines[3:] == ([] if "--check" in argv else [KEPT_HINT])
    assert "Traceback" not in err


@pytest.mark.parametrize(("old", "new", "at", "difference"), HAND_EDITS)
def test_force_overwrites_a_hand_edit(
    env: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, at: str, difference: str
) -> None:
    edit(env / "regions.yaml", old, new)
    status, out, _ = run(["build-knowledge", "--force"], capsys)
    assert status == EXIT_OK
    assert out.startswith("knowledge/regions.yaml: overwritten\n  knowledge/regions.yaml:")
    assert difference in out
    assert (env / "regions.yaml").read_bytes() == (KNOWLEDGE / "regions.yaml").read_bytes()
    assert run(["build-knowledge", "--check"], capsys) == (EXIT_OK, UP_TO_DATE, "")


def test_check_and_force_cannot_be_combined(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["build-knowledge", "--check", "--force"])
    assert caught.value.code == EXIT_ERROR
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(
            lambda k: edit(k / "source" / "guideline.txt", "\n附件3\n", "\n"),
            "bangfu: the source text has no '附件3' heading\n",
            id="source-malformed",
        ),
        pytest.param(
            lambda k: (k / "source" / "guideline.txt").unlink(),
            "bangfu: the knowledge or intent files have 1 problem(s):\n"
            "knowledge/source/guideline.txt: the guideline's source text is missing\n",
            id="source-missing",
        ),
    ],
)
def test_a_broken_source_text_stops_the_build_with_one_message(
    env: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Path], object], message: str
) -> None:
    damage(env)
    assert run(["build-knowledge"], capsys) == (EXIT_ERROR, "", message)


def test_a_generated_file_that_is_not_yaml_stops_the_build_with_its_location(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = edit(env / "regions.yaml", "- {serial: 2, name: 黔江区", "\t- {serial: 2, name: 黔江区")
    status, out, err = run(["build-knowledge"], capsys)
    assert (status, out) == (EXIT_ERROR, "")
    line = line_of(edited, r"^\t- \{serial: 2,")
    assert f"knowledge/regions.yaml:{line}: YAML syntax error" in err
    assert "replace the tab on this line with spaces" in err
    assert "Traceback" not in err
    assert (env / "regions.yaml").read_text(encoding="utf-8") == edited
