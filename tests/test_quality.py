"""bot/tools/quality.py: the index of question sets, their scores, and the README's quality table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import DataError
from bot.settings import PROJECT_ROOT
from bot.tools.quality import QuestionSet, Score, SetResult, format_table, load_index, score_sets
from tests.engine_support import DATA

# Files in tests/data that are not question sets: the index itself, and normalization fixtures.
NOT_QUESTION_SETS = {"sets.yaml", "traditional_news.yaml"}

PASSING = (
    "- {q: 万州区扶贫办电话, all: [023-58569600], tag: district}\n- {q: 讲个笑话, decline: true, tag: oos}\n"
)
HALF = "- {q: 万州区扶贫办电话, all: [023-58569600], tag: district}\n- {q: 黔江区扶贫办电话, all: [不会出现], tag: district}\n"


@pytest.fixture
def sets_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two small question sets in the working directory: ``passing.yaml`` (2/2) and ``half.yaml`` (1/2)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "passing.yaml").write_text(PASSING, encoding="utf-8")
    (tmp_path / "half.yaml").write_text(HALF, encoding="utf-8")
    return tmp_path


def write_index(folder: Path, text: str) -> Path:
    path = folder / "sets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the table -----------------------------------------------------------------------------------------------


def test_the_table_has_a_row_per_set_in_the_index_s_order(sets_dir: Path, engine: Engine) -> None:
    index = write_index(
        sets_dir,
        "version: 1\nsets:\n"
        "  - {file: passing.yaml, what: all good}\n"
        "  - {file: half.yaml, what: 'written blind: a | bar', first_run: 1/2}\n",
    )
    results = score_sets(engine, load_index(index))
    assert format_table(results) == (
        "| set | what | result | first run |\n"
        "|---|---|---|---|\n"
        "| `passing.yaml` | all good | 2/2 | — |\n"
        "| `half.yaml` | written blind: a \\| bar | 1/2 | 1/2 |"
    )
    assert not any(result.below_first_run for result in results)


def test_a_set_below_its_first_run_is_marked(sets_dir: Path, engine: Engine) -> None:
    index = write_index(sets_dir, "version: 1\nsets:\n  - {file: half.yaml, what: blind, first_run: 2/2}\n")
    (result,) = score_sets(engine, load_index(index))
    assert result.below_first_run
    assert format_table([result]).splitlines()[-1] == (
        "| `half.yaml` | blind | **1/2**, below the first run | 2/2 |"
    )


@pytest.mark.parametrize(
    ("now", "first", "below"),
    [
        (Score(9, 10), Score(9, 10), False),
        (Score(10, 10), Score(9, 10), False),
        (Score(8, 10), Score(9, 10), True),
        (Score(18, 20), Score(9, 10), False),  # cases added since: the share counts, not the number
        (Score(17, 20), Score(9, 10), True),
        (Score(0, 0), Score(0, 1), False),
    ],
)
def test_below_compares_shares_exactly(now: Score, first: Score, below: bool) -> None:
    assert now.is_below(first) is below
    result = SetResult(QuestionSet(Path("x.yaml"), "x.yaml", "x", first), now)
    assert result.below_first_run is below


def test_a_set_without_a_first_run_is_never_below_it() -> None:
    result = SetResult(QuestionSet(Path("x.yaml"), "x.yaml", "x", None), Score(0, 10))
    assert not result.below_first_run


# --- a broken index --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        (
            "version: 1\nsets:\n  - {file: half.yaml, what: x}\n  - {file: passing.yaml, wat: y}\n",
            4,
            ("`wat`", "`what`"),
        ),
        (
            "version: 1\nsets:\n  - {file: half.yaml, what: x}\n  - {what: y}\n",
            4,
            ("`sets[1].file` is missing",),
        ),
        (
            "version: 1\nsets:\n  - file: nowhere.yaml\n    what: x\n",
            3,
            ("nowhere.yaml not found", "relative to"),
        ),
        (
            "version: 1\nsets:\n  - {file: half.yaml, what: x}\n  - {file: ./half.yaml, what: y}\n",
            4,
            ("listed twice", "line 3"),
        ),
        (
            "version: 1\nsets:\n  - {file: half.yaml, what: x, first_run: 170/168}\n",
            3,
            ("first_run", "170/168", "e.g. 164/168"),
        ),
        (
            "version: 1\nsets:\n  - {file: half.yaml, what: x, first_run: 164}\n",
            3,
            ("first_run", "164", "e.g. 164/168"),
        ),
        ("version: 1\nsets:\n  - {file: half.yaml, what: x, first_run: 0/0}\n", 3, ("first_run",)),
        ("version: 1\nsets:\n  - {file: half.yaml, what: }\n", 3, ("`sets[0].what`",)),
        ("version: 1\nsets: []\n", 2, ("non-empty list",)),
        ("sets:\n  - {file: half.yaml, what: x}\n", 1, ("`version` is missing",)),
        ("version: 1\nsets:\n  - {file: half.yaml, what: [x}\n", 3, ("YAML syntax error",)),
        ("- {file: half.yaml, what: x}\n", 1, ("mapping",)),
    ],
    ids=[
        "misspelt-field",
        "missing-file-field",
        "file-not-found",
        "listed-twice",
        "more-passed-than-total",
        "score-without-total",
        "empty-total",
        "empty-what",
        "no-sets",
        "no-version",
        "syntax",
        "not-a-mapping",
    ],
)
def test_a_broken_index_is_reported_at_file_and_line(
    sets_dir: Path, text: str, line: int, fragments: tuple[str, ...]
) -> None:
    with pytest.raises(DataError) as raised:
        load_index(write_index(sets_dir, text))
    problem = raised.value.problems[0]
    assert str(problem).startswith(f"sets.yaml:{line}: "), str(raised.value)
    for fragment in fragments:
        assert fragment in problem.message, problem.message


def test_a_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError) as raised:
        load_index(tmp_path / "sets.yaml")
    assert "not found" in str(raised.value)


def test_a_broken_set_named_by_the_index_is_reported_at_its_own_file_and_line(
    sets_dir: Path, engine: Engine
) -> None:
    (sets_dir / "half.yaml").write_text("- {q: a}\n- {q: b, alll: [x]}\n", encoding="utf-8")
    index = write_index(sets_dir, "version: 1\nsets:\n  - {file: half.yaml, what: x}\n")
    with pytest.raises(DataError) as raised:
        score_sets(engine, load_index(index))
    assert str(raised.value.problems[0]).startswith("half.yaml:2: unknown field `alll`")


# --- the project's own index and the README ---------------------------------------------------------------------


def test_the_index_lists_every_question_set() -> None:
    listed = {question_set.path.name for question_set in load_index(DATA / "sets.yaml")}
    present = {path.name for path in DATA.glob("*.yaml")} - NOT_QUESTION_SETS
    assert listed == present


def test_the_readme_table_has_the_index_s_sets_descriptions_and_first_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The results column changes with the engine (run `make eval-all` and paste); the rest must not drift.
    monkeypatch.chdir(PROJECT_ROOT)
    quality = (
        (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split("\n## Quality\n")[1].split("\n## ")[0]
    )
    in_readme = [line for line in quality.splitlines() if line.startswith("|")]
    sets = load_index(Path("tests/data/sets.yaml"))
    expected = format_table([SetResult(s, Score(0, 1)) for s in sets]).splitlines()
    assert [_without_results(line) for line in in_readme] == [_without_results(line) for line in expected]


def _without_results(line: str) -> list[str]:
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    return cells[:2] + cells[3:]
