"""Reading YAML with the line of every value, and syntax errors explained at the line to fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.data import yamlio
from bot.data.yamlio import load_yaml, parse_yaml
from bot.errors import DataError, Problem

SAMPLE = """\
# a comment
version: 1
districts:
  - name: 万州区
    phone: 023-58569600
  - {name: 黔江区, phone: 023-79223577}
empty:
"""


def test_values_are_parsed_as_plain_data() -> None:
    document = parse_yaml(SAMPLE, "f.yaml")
    assert document.data == {
        "version": 1,
        "districts": [
            {"name": "万州区", "phone": "023-58569600"},
            {"name": "黔江区", "phone": "023-79223577"},
        ],
        "empty": None,
    }
    assert document.display == "f.yaml"


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("version",), 2),
        (("districts",), 3),
        (("districts", 0), 4),
        (("districts", 0, "phone"), 5),
        (("districts", 1), 6),
        (("districts", 1, "phone"), 6),
        (("empty",), 7),
        # A place that holds no value is located at its nearest enclosing one.
        (("districts", 0, "tier"), 4),
        (("districts", 5, "name"), 3),
        (("nowhere", "at", "all"), 2),
    ],
)
def test_every_value_knows_its_line(loc: tuple[str | int, ...], line: int) -> None:
    assert parse_yaml(SAMPLE, "f.yaml").line(loc) == line


def test_a_problem_is_located_at_its_value() -> None:
    document = parse_yaml(SAMPLE, "f.yaml")
    problem = document.problem(("districts", 0, "phone"), "wrong")
    assert problem == Problem("f.yaml", 5, "wrong")
    assert str(problem) == "f.yaml:5: wrong"


@pytest.fixture(params=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test with the C parser (when installed) and with PyYAML's own, whose messages differ."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("libyaml is not installed")
        monkeypatch.setattr(yamlio, "_Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    return str(request.param)


def problem_of(text: str) -> Problem:
    with pytest.raises(DataError) as caught:
        parse_yaml(text, "f.yaml")
    (problem,) = caught.value.problems
    return problem


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        pytest.param(
            "a:\n  - x: 1\n    y: 2\n\tz: 3\n", 4, "replace the tab on this line with spaces", id="tab-indent"
        ),
        pytest.param("a:\n\t- 1\n", 2, "replace the tab on this line with spaces", id="tab-before-dash"),
        pytest.param(
            "a:\n  - x\n  -\ty\n", 3, "replace the tab on this line with spaces", id="tab-after-dash"
        ),
        pytest.param(
            "a:\n  - x: 1\n    y: 2\n  z: 3\nb: 4\n", 4, "check the indentation", id="indented-too-little"
        ),
        pytest.param(
            "a:\n  - x: 1\n      y: 2\nb: 4\n",
            3,
            "indent this line like the lines around it",
            id="indented-too-much",
        ),
        pytest.param(
            'a: 1\nb: "never closed\nc: 3\nd: 4\ne: 5\n',
            2,
            "close the quote that opens on this line",
            id="unclosed-quote",
        ),
        pytest.param(
            "a:\n  - {x: 'never closed, y: 2}\n  - {x: 3}\n",
            2,
            "close the quote",
            id="unclosed-quote-in-flow-row",
        ),
        pytest.param("text: 注意: 安全\n", 1, "quote a value that contains ': '", id="colon-in-value"),
    ],
)
def test_a_syntax_error_names_its_line_and_how_to_fix_it(
    loader: str, text: str, line: int, hint: str
) -> None:
    problem = problem_of(text)
    assert (problem.path, problem.line) == ("f.yaml", line)
    assert problem.message.startswith("YAML syntax error: ")
    assert hint in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_is_reported_as_empty(text: str) -> None:
    assert problem_of(text) == Problem("f.yaml", 0, "the file is empty; it needs at least `version: 1`")


@pytest.mark.parametrize(
    ("text", "line", "first"),
    [
        pytest.param("version: 1\nname: a\nurl: b\nname: c\n", 4, 2, id="top-level"),
        pytest.param("rows:\n  - name: a\n    phone: x\n    name: b\n", 4, 2, id="in-a-list-item"),
        pytest.param("rows:\n  - {name: a, name: b}\n", 2, 2, id="in-a-flow-row"),
    ],
)
def test_a_repeated_key_is_an_error_not_a_silent_overwrite(text: str, line: int, first: int) -> None:
    assert problem_of(text) == Problem(
        "f.yaml", line, f"duplicate key `name` (first on line {first}); keep one of them"
    )


def test_every_repeated_key_is_reported() -> None:
    with pytest.raises(DataError) as caught:
        parse_yaml("a: 1\na: 2\nb: 1\nb: 2\n", "f.yaml")
    assert [p.line for p in caught.value.problems] == [2, 4]


def test_more_than_one_document_is_an_error() -> None:
    problem = problem_of("a: 1\n---\nb: 2\n")
    assert problem.line == 2
    assert "single document" in problem.message


def test_load_yaml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    assert load_yaml(path, "shown.yaml").data["districts"][1]["name"] == "黔江区"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda p: None, "file not found; restore it from git or create it", id="missing"),
        pytest.param(
            lambda p: p.write_bytes("name: 万州区\n".encode("gbk")),
            "not valid UTF-8 (invalid continuation byte); save the file as UTF-8",
            id="not-utf8",
        ),
        pytest.param(lambda p: p.mkdir(), "cannot be read: ", id="a-directory"),
    ],
)
def test_an_unreadable_file_is_one_problem_naming_it(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / "f.yaml"
    make(path)
    with pytest.raises(DataError) as caught:
        load_yaml(path, "knowledge/f.yaml")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("knowledge/f.yaml", 0)
    assert problem.message.startswith(message)  # the OS words why a directory cannot be read


@pytest.mark.parametrize(
    ("text", "line", "value"),
    [
        pytest.param("version: 1\ndate: 2020-02-30\n", 2, "2020-02-30", id="no-such-day"),
        pytest.param("rows:\n  - {a: 1}\n  - {date: 2020-13-01}\n", 3, "2020-13-01", id="no-such-month"),
    ],
)
def test_an_impossible_date_is_a_located_problem_not_a_crash(
    loader: str, text: str, line: int, value: str
) -> None:
    problem = problem_of(text)
    assert problem.line == line
    assert problem.message.startswith(f"`{value}` is not a valid date (")
    assert problem.message.endswith("write a real date as YYYY-MM-DD")


def test_a_quoted_date_like_text_stays_text() -> None:
    assert parse_yaml("date: '2020-02-30'\n", "f.yaml").data == {"date": "2020-02-30"}
