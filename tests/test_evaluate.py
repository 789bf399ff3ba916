"""bot/evaluate.py: question sets, their checks, and the development and chatter sets themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import DataError
from bot.tools.evaluate import Case, Report, check, evaluate, format_report, load_cases
from tests.engine_support import DATA

ANSWER = "【万州区】\n扶贫办联系电话:023-58569600\n国家级扶贫开发工作重点区县\n(来源:《工作指引》附件1)"


# --- check() ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "passes"),
    [
        (Case(q="q", all=["023-58569600", "万州区"]), True),
        (Case(q="q", all=["023-58569600", "黔江区"]), False),
        (Case(q="q", all=["万州 区", "扶贫办 联系电话"]), True),  # whitespace in the expectation ignored
        (Case(q="q", all=["工作重点区县(来源"]), True),  # and in the answer (the line break)
        (Case(q="q", any=["黔江区", "万州区"]), True),
        (Case(q="q", any=["黔江区", "城口县"]), False),
        (Case(q="q", any=["国家级 扶贫"]), True),
        (Case(q="q", none=[r"023-7\d+"]), True),
        (Case(q="q", none=[r"023-5\d+"]), False),
        (Case(q="q", none=["】\n扶贫办"]), False),  # a regex sees the answer as it is, line breaks too
        (Case(q="q", none=["】扶贫办"]), True),
        (Case(q="q"), True),  # no expectation
    ],
)
def test_all_any_and_none(case: Case, passes: bool) -> None:
    assert (check(case, ANSWER, "district_contact") == ()) is passes


def test_every_failed_expectation_is_described() -> None:
    case = Case(
        q="q", all=["黔江区", "万州区", "城口县"], any=["巫山县"], none=["023"], oos=True, decline=True
    )
    failures = check(case, ANSWER, "district_contact")
    assert len(failures) == 5
    assert "黔江区" in failures[0]
    assert "城口县" in failures[0]
    assert "万州区" not in failures[0]
    assert "巫山县" in failures[1]
    assert "023" in failures[2]
    assert "phone" in failures[3]
    assert "district_contact" in failures[4]


@pytest.mark.parametrize(
    ("answer", "passes"),
    [
        ("抱歉,这个问题不在指引的范围内。", True),
        ("请拨打023-58569600", False),
        ("联系人:13594500668", False),
        ("他的手机是 135 9450 0668", True),  # not how the bot prints a phone
        ("订单号12345678901", True),  # a mobile starts with 13–19
        ("共有18个区县、100个村,2020年印发", True),
    ],
)
def test_oos_means_no_phone_number(answer: str, passes: bool) -> None:
    assert (check(Case(q="q", oos=True), answer, None) == ()) is passes


@pytest.mark.parametrize(
    ("intent", "passes"), [(None, True), ("district_contact", False), ("greeting", False)]
)
def test_decline_means_no_intent(intent: str | None, passes: bool) -> None:
    assert (check(Case(q="q", decline=True), "抱歉", intent) == ()) is passes


def test_case_defaults() -> None:
    case = Case(q="万州区扶贫办电话")
    assert (case.all, case.any, case.none, case.oos, case.decline, case.tag) == (
        [],
        [],
        [],
        False,
        False,
        "untagged",
    )


# --- question-set files -----------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_question_set_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# header\n- {q: 万州区扶贫办电话, all: [023-58569600], tag: district}\n"
        "- {q: 讲个笑话, oos: true, decline: true}\n",
    )
    first, second = load_cases(path)
    assert first.q == "万州区扶贫办电话"
    assert first.all == ["023-58569600"]
    assert first.tag == "district"
    assert second.oos
    assert second.decline


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        ("- {q: a}\n- {q: b, alll: [x]}\n", 2, ("alll", "all")),
        ("- {q: a}\n- {all: [x]}\n", 2, ("q", "missing")),
        ("- {q: a}\n- {q: b, oos: maybe}\n", 2, ("oos",)),
        ("- {q: a}\n- {q: b, all: [x}\n", 2, ("YAML syntax error",)),
        ("- {q: a}\n-\tq: b\n", 2, ("YAML syntax error",)),
        ("q: a\nall: [x]\n", 1, ("list of cases",)),
    ],
    ids=["misspelt-field", "missing-question", "not-a-boolean", "unclosed-bracket", "tab", "not-a-list"],
)
def test_a_malformed_question_set_is_reported_at_file_and_line(
    tmp_path: Path, text: str, line: int, fragments: tuple[str, ...]
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as raised:
        load_cases(path)
    problem = raised.value.problems[0]
    assert problem.path.endswith("set.yaml")
    assert problem.line == line, str(raised.value)
    for fragment in fragments:
        assert fragment in problem.message, problem.message
    assert str(problem).startswith(f"{problem.path}:{line}: ")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "[]\n"])
def test_an_empty_question_set_is_reported(tmp_path: Path, text: str) -> None:
    with pytest.raises(DataError):
        load_cases(_write(tmp_path, text))


def test_a_missing_question_set_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError) as raised:
        load_cases(tmp_path / "nowhere.yaml")
    assert "not found" in str(raised.value)


# --- evaluate() and the report ------------------------------------------------------------------------------------


def test_evaluate_and_report(engine: Engine) -> None:
    cases = [
        Case(q="万州区扶贫办电话", all=["023-58569600"], tag="district"),
        Case(q="讲个笑话", oos=True, decline=True, tag="oos"),
        Case(q="黔江区扶贫办电话", all=["不会出现的文字"], tag="district"),
    ]
    report = evaluate(engine, cases)
    assert [o.passed for o in report.outcomes] == [True, True, False]
    assert report.outcomes[1].intent is None
    assert "023-79223577" in report.outcomes[2].answer
    assert report.passed == 2
    assert report.percent == pytest.approx(200 / 3)
    text = format_report(report)
    lines = text.splitlines()
    assert lines[-1] == "2/3 passed (66.7%)"
    assert any(line.startswith("district") and "1/2" in line and line.endswith("<") for line in lines)
    assert any(line.startswith("oos") and "1/1" in line for line in lines)
    assert "district → district_contact: 1" in text
    assert "黔江区扶贫办电话" not in text  # failed questions only with --show-fail
    shown = format_report(report, show_fail=True)
    assert "✗ [district] 黔江区扶贫办电话" in shown
    assert "不会出现的文字" in shown


def test_an_empty_report() -> None:
    assert Report().percent == 0.0
    assert format_report(Report()).splitlines()[-1] == "0/0 passed (0.0%)"


# --- the development and chatter sets ------------------------------------------------------------------------------


def _failures(report: Report) -> str:
    return "\n".join(
        f"[{o.case.tag}] {o.case.q} → {o.intent}: {'; '.join(o.failures)}"
        for o in report.outcomes
        if not o.passed
    )


def test_the_development_set_passes_at_least_95_percent(engine: Engine) -> None:
    report = evaluate(engine, load_cases(DATA / "dev.yaml"))
    assert len(report.outcomes) >= 250
    assert report.percent >= 95, f"{report.percent:.1f}% passed; failing:\n{_failures(report)}"


def test_every_chatter_question_is_declined(engine: Engine) -> None:
    report = evaluate(engine, load_cases(DATA / "chatter.yaml"))
    assert len(report.outcomes) >= 50
    assert report.percent == 100, f"{report.percent:.1f}% passed; failing:\n{_failures(report)}"
