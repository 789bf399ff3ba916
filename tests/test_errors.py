"""Problems are shown as ``file:line: message`` and collected in file and line order."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import BangfuError, DataError, Problem, SettingsError, display_path


def test_a_problem_reads_file_line_message() -> None:
    assert str(Problem("knowledge/regions.yaml", 14, "wrong")) == "knowledge/regions.yaml:14: wrong"


def test_a_whole_file_problem_has_no_line() -> None:
    assert (
        str(Problem("knowledge/safety.yaml", 0, "the file is empty"))
        == "knowledge/safety.yaml: the file is empty"
    )


def test_problems_are_listed_by_file_then_line() -> None:
    error = DataError([Problem("b.yaml", 2, "x"), Problem("a.yaml", 10, "y"), Problem("a.yaml", 9, "z")])
    assert str(error) == "a.yaml:9: z\na.yaml:10: y\nb.yaml:2: x"
    assert [p.line for p in error.problems] == [9, 10, 2]


def test_every_reported_error_is_a_bangfu_error() -> None:
    # The command line prints any BangfuError as a message instead of a traceback.
    assert issubclass(DataError, BangfuError)
    assert issubclass(SettingsError, BangfuError)


def test_a_path_inside_the_root_is_shown_relative(tmp_path: Path) -> None:
    assert display_path(tmp_path / "knowledge" / "x.yaml", tmp_path) == str(Path("knowledge") / "x.yaml")


def test_a_path_outside_the_root_is_shown_as_given(tmp_path: Path) -> None:
    outside = Path("/elsewhere/x.yaml")
    assert display_path(outside, tmp_path) == str(outside)


def test_without_a_root_paths_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "knowledge" / "x.yaml") == str(Path("knowledge") / "x.yaml")
