"""bot/channels/ask.py: bangfu ask, one question per line or one conversation per block of lines."""

from __future__ import annotations

import io
import json

import pytest

from bot.channels.ask import FAILED, ask, conversations
from bot.engine import Conversation, Engine, Response


def test_lines_are_split_into_conversations_at_blank_lines() -> None:
    lines = ["城口县扶贫办电话\n", "它有哪些攻坚村\n", "\n", "\n", "巫溪县扶贫办电话\n"]
    assert list(conversations(lines)) == [["城口县扶贫办电话", "它有哪些攻坚村"], ["巫溪县扶贫办电话"]]


def test_in_conversations_a_follow_up_is_resolved_and_shown_as_understood(engine: Engine) -> None:
    out = io.StringIO()
    ask(engine, ["城口县扶贫办电话\n", "它有哪些攻坚村\n"], out, as_json=True, in_conversations=True)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["resolved"] == first["question"]
    assert second["resolved"] == "城口县有哪些攻坚村"
    assert "金岩村" in second["answer"]


def test_one_per_line_each_question_stands_alone(engine: Engine) -> None:
    out = io.StringIO()
    ask(engine, ["城口县扶贫办电话\n", "它有哪些攻坚村\n"], out, as_json=True, in_conversations=False)
    second = json.loads(out.getvalue().splitlines()[1])
    assert second["resolved"] == second["question"]
    assert "城口县有哪些攻坚村" not in second["answer"]


def test_a_question_the_engine_fails_on_is_reported_and_the_rest_answered(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    respond = engine.respond

    def fail_on_one(question: str, conversation: Conversation | None = None) -> Response:
        if question == "城口县扶贫办电话":
            raise RuntimeError("a bug")
        return respond(question, conversation)

    monkeypatch.setattr(engine, "respond", fail_on_one)
    out = io.StringIO()
    failed = ask(
        engine, ["城口县扶贫办电话\n", "巫溪县扶贫办电话\n"], out, as_json=True, in_conversations=False
    )
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert failed == 1
    assert first["error"] == FAILED
    assert "023-51522562" in second["answer"]
