"""bot/console.py: the terminal chat, piped or interactive, with numbered follow-ups and --debug."""

from __future__ import annotations

import builtins
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.console import ConsoleSession, run_console
from bot.channels.text import render_text
from bot.engine import Engine
from tests.engine_support import PHONE


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _piped(engine: Engine, text: str, *, debug: bool = False) -> tuple[int, str]:
    stdout = io.StringIO()
    status = run_console(engine, stdin=io.StringIO(text), stdout=stdout, debug=debug, history=None)
    return status, stdout.getvalue()


# --- piped input ------------------------------------------------------------------------------------------


def test_piped_input_answers_each_line_and_exits(engine: Engine) -> None:
    status, output = _piped(engine, "万州区扶贫办电话\n\n三建乡联系人\n   \n讲个笑话\n")
    assert status == 0
    questions = [line for line in output.splitlines() if line.startswith("问:")]
    assert questions == ["问:万州区扶贫办电话", "问:三建乡联系人", "问:讲个笑话"]  # blank lines are skipped
    blocks = re.split(r"^问:", output, flags=re.MULTILINE)[1:]
    assert blocks[0].startswith("万州区扶贫办电话\n")
    assert "023-58569600" in blocks[0]
    assert blocks[1].startswith("三建乡联系人\n")
    assert "陶松森" in blocks[1]
    assert "13594500668" in blocks[1]
    assert blocks[2].startswith("讲个笑话\n")
    assert not PHONE.search(blocks[2])


def test_piped_answers_are_the_engine_s_replies(engine: Engine) -> None:
    _, output = _piped(engine, "城口县有哪些深度贫困乡镇\n")
    assert (
        output == f"问:城口县有哪些深度贫困乡镇\n{render_text(engine.answer('城口县有哪些深度贫困乡镇'))}\n\n"
    )


def test_piped_input_without_a_final_newline_and_with_windows_line_ends(engine: Engine) -> None:
    _, output = _piped(engine, "万州区扶贫办电话\r\n黔江扶贫办电话")
    assert "023-58569600" in output
    assert "023-79223577" in output
    assert "\r" not in output


def test_empty_piped_input_prints_nothing(engine: Engine) -> None:
    assert _piped(engine, "") == (0, "")


def test_piped_debug_shows_the_understanding(engine: Engine) -> None:
    _, output = _piped(engine, "万州区扶贫办电话\n", debug=True)
    assert "[debug] intent=district_contact" in output


# --- numbers choose the previous reply's suggestions ------------------------------------------------------------


def test_a_number_asks_the_previous_reply_s_suggestion(engine: Engine) -> None:
    session = ConsoleSession(engine)
    session.respond("万州区扶贫办电话")
    suggestion = engine.answer("万州区扶贫办电话").suggestions[0]
    answer = session.respond("1")
    assert answer == render_text(engine.answer(suggestion.query))
    assert "大林村" in answer  # 万州's villages


def test_numbers_count_choices_first_then_suggestions(engine: Engine) -> None:
    session = ConsoleSession(engine)
    first = engine.answer("我们能开展哪些帮扶活动")
    assert first.choices
    session.respond("我们能开展哪些帮扶活动")
    answer = session.respond("3")
    assert answer == render_text(engine.answer(first.choices[2].query))
    assert "义诊" in answer  # the third choice is 医疗卫生类


def test_a_number_takes_whitespace_around_it(engine: Engine) -> None:
    session = ConsoleSession(engine)
    session.respond("万州区扶贫办电话")
    assert "大林村" in session.respond("  1 \n")


def test_a_number_with_no_such_option_is_asked_as_it_is(engine: Engine) -> None:
    session = ConsoleSession(engine)
    assert session.respond("1") == render_text(engine.answer("1"))  # nothing offered yet
    session.respond("万州区扶贫办电话")
    assert session.respond("99") == render_text(engine.answer("99"))
    assert session.respond("0") == render_text(engine.answer("0"))


def test_the_options_are_those_of_the_latest_reply(engine: Engine) -> None:
    session = ConsoleSession(engine)
    session.respond("万州区扶贫办电话")
    session.respond("三建乡联系人")
    latest = engine.answer("三建乡联系人").suggestions[0]
    assert session.respond("1") == render_text(engine.answer(latest.query))


# --- --debug -----------------------------------------------------------------------------------------------------


def test_debug_shows_intent_confidence_entities_and_runner_up(engine: Engine) -> None:
    output = ConsoleSession(engine, debug=True).respond("万州区扶贫办电话")
    debug = [line for line in output.splitlines() if line.startswith("[debug]")]
    shown = "\n".join(debug)
    understanding = engine.understand("万州区扶贫办电话")
    assert understanding.runner_up is not None
    assert "intent=district_contact" in shown
    assert f"confidence={understanding.confidence:.2f}" in shown
    assert "'district': ['万州区']" in shown
    assert f"runner-up={understanding.runner_up.intent.name}" in shown
    assert output.endswith(render_text(engine.answer("万州区扶贫办电话")))


def test_debug_of_a_declined_question(engine: Engine) -> None:
    output = ConsoleSession(engine, debug=True).respond("讲个笑话")
    assert "intent=(declined)" in output
    assert "entities={}" in output


def test_without_debug_nothing_internal_is_shown(engine: Engine) -> None:
    output = ConsoleSession(engine).respond("万州区扶贫办电话")
    assert "[debug]" not in output
    assert "district_contact" not in output


# --- interactive ----------------------------------------------------------------------------------------------------


def _typing(
    monkeypatch: pytest.MonkeyPatch, lines: list[str], *, end: type[BaseException] = EOFError
) -> None:
    typed: Iterator[str] = iter(lines)

    def fake_input(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise end from None

    monkeypatch.setattr(builtins, "input", fake_input)


@pytest.mark.parametrize("quit_word", ["退出", "exit", "/quit"])
def test_interactive_session_greets_answers_and_quits(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, quit_word: str
) -> None:
    _typing(monkeypatch, ["万州区扶贫办电话", "", "1", quit_word, "黔江扶贫办电话"])
    stdout = _Terminal()
    history = tmp_path / "history" / "console_history"
    status = run_console(engine, stdin=_Terminal(), stdout=stdout, debug=False, history=history)
    output = stdout.getvalue()
    assert status == 0
    assert output.startswith(render_text(engine.answer("帮助")))
    assert "023-58569600" in output
    assert "大林村" in output  # "1" chose the first suggestion
    assert "023-79223577" not in output  # nothing after the quit word
    assert history.exists()


@pytest.mark.parametrize("end", [EOFError, KeyboardInterrupt])
def test_interactive_session_ends_on_end_of_input_or_ctrl_c(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, end: type[BaseException]
) -> None:
    _typing(monkeypatch, ["万州区扶贫办电话"], end=end)
    stdout = _Terminal()
    assert run_console(engine, stdin=_Terminal(), stdout=stdout, debug=False, history=None) == 0
    assert "023-58569600" in stdout.getvalue()
