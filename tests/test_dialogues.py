"""bot/tools/dialogues.py: dialogue sets, played turn by turn, scored by dialogue and by turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import DataError
from bot.tools.dialogues import evaluate_dialogues, format_dialogue_report, is_dialogue_set, load_dialogues

GOOD = """\
- id: x1
  tag: pronoun
  turns:
    - {q: "开州区扶贫办电话是多少", all: ["023-52259476"]}
    - {q: "它有几个定点攻坚村", all: ["青云村"], none: ["大林村"]}
- id: x2
  tag: oos
  turns:
    - {q: "黔江区扶贫办电话", all: ["023-79223577"]}
    - {q: "它周末上班不", oos: true, decline: true}
"""


@pytest.fixture
def dialogue_set(tmp_path: Path) -> Path:
    path = tmp_path / "dialogs.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_a_dialogue_set_is_told_from_a_question_set(dialogue_set: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text('- {q: "万州区扶贫办电话", all: ["023-58569600"]}\n', encoding="utf-8")
    assert is_dialogue_set(dialogue_set)
    assert not is_dialogue_set(questions)


def test_each_dialogue_is_played_in_a_conversation_of_its_own(engine: Engine, dialogue_set: Path) -> None:
    report = evaluate_dialogues(engine, load_dialogues(dialogue_set))
    assert report.passed == 2
    text = format_dialogue_report(report)
    assert text.splitlines()[-1] == "2/2 dialogues passed (100.0%)"
    assert "turn" in text


def test_a_failed_turn_fails_its_dialogue_and_is_shown(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "dialogs.yaml"
    path.write_text(
        '- id: y1\n  tag: pronoun\n  turns:\n    - {q: "城口县扶贫办电话"}\n    - {q: "它有哪些攻坚村", all: ["大林村"]}\n',
        encoding="utf-8",
    )
    report = evaluate_dialogues(engine, load_dialogues(path))
    assert report.passed == 0
    shown = format_dialogue_report(report, show_fail=True)
    assert "✗ [pronoun] y1" in shown
    assert "missing ['大林村']" in shown


def test_a_malformed_dialogue_set_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "dialogs.yaml"
    path.write_text('- id: z1\n  tag: pronoun\n  turn:\n    - {q: "城口县扶贫办电话"}\n', encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_dialogues(path)
    assert "dialogs.yaml:3" in str(caught.value)
