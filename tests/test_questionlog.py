"""bot/channels/questionlog.py: what was asked and answered, without who, kept for a while, never in the way."""

from __future__ import annotations

import datetime
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.channels import questionlog
from bot.channels.questionlog import (
    QUESTION_LOG_FILE,
    Feedback,
    QuestionLog,
    read_questions,
    summarize,
)
from bot.compose.reply import Reply, ReplyKind, Section
from bot.engine import Engine

ANSWER = Reply(
    ReplyKind.ANSWER,
    (Section("万州区", ("023-58569600",), "《工作指引》附件1"),),
    intent="district_contact",
    confidence=0.91,
)
DECLINE = Reply(ReplyKind.DECLINE, (Section(None, ("抱歉",)),), confidence=0.2)


@pytest.fixture
def log(tmp_path: Path) -> QuestionLog:
    opened = QuestionLog.open(tmp_path, 180)
    yield opened
    opened.close()


def test_a_question_is_logged_with_what_it_got_and_nobody_s_identity(
    log: QuestionLog, tmp_path: Path
) -> None:
    ref = log.record("万州区扶贫办电话", "private", ANSWER)
    assert ref is not None
    assert log.flush()
    (row,) = read_questions(tmp_path / QUESTION_LOG_FILE)
    assert (row.ref, row.question, row.chat_type, row.intent, row.kind) == (
        ref,
        "万州区扶贫办电话",
        "private",
        "district_contact",
        "answer",
    )
    assert (row.confidence, row.sources, row.feedback) == (0.91, ("《工作指引》附件1",), None)
    assert abs(row.asked_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    columns = {
        c[1] for c in sqlite3.connect(tmp_path / QUESTION_LOG_FILE).execute("PRAGMA table_info(questions)")
    }
    assert not columns & {"user_id", "chat_id", "user", "name", "username"}


def test_a_decline_is_logged_without_an_intent(log: QuestionLog, tmp_path: Path) -> None:
    log.record("今天天气怎么样", "group", DECLINE)
    log.flush()
    (row,) = read_questions(tmp_path / QUESTION_LOG_FILE)
    assert (row.intent, row.kind, row.chat_type) == (None, "decline", "group")


def test_feedback_is_recorded_once(log: QuestionLog, tmp_path: Path) -> None:
    ref = log.record("万州区扶贫办电话", "private", ANSWER)
    assert ref is not None
    assert log.rate(ref, Feedback.UNREACHABLE)
    assert not log.rate(ref, Feedback.UP)
    log.flush()
    (row,) = read_questions(tmp_path / QUESTION_LOG_FILE)
    assert row.feedback is Feedback.UNREACHABLE


def test_questions_older_than_the_retention_are_deleted(tmp_path: Path) -> None:
    first = QuestionLog.open(tmp_path, 30)
    first.record("旧问题", "private", ANSWER)
    first.close()
    old = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=31)).isoformat(timespec="seconds")
    with sqlite3.connect(tmp_path / QUESTION_LOG_FILE) as connection:
        connection.execute("UPDATE questions SET asked_at = ?", (old,))
    second = QuestionLog.open(tmp_path, 30)
    second.record("新问题", "private", ANSWER)
    second.close()
    assert [row.question for row in read_questions(tmp_path / QUESTION_LOG_FILE)] == ["新问题"]


def test_reading_a_log_that_does_not_exist_gives_nothing(tmp_path: Path) -> None:
    assert read_questions(tmp_path / QUESTION_LOG_FILE) == []


class _FullDisk(sqlite3.Connection):
    def execute(self, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        raise sqlite3.OperationalError("database or disk is full")


def _full_disk(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, factory=_FullDisk)


def test_a_full_disk_loses_the_rows_not_the_answers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = QuestionLog(tmp_path / QUESTION_LOG_FILE, 180, connect=_full_disk)
    with caplog.at_level(logging.WARNING, logger=questionlog.__name__):
        refs = [log.record(f"问题{n}", "private", ANSWER) for n in range(3)]
        assert log.flush()
    log.close()
    assert all(refs)
    assert log.dropped == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once a minute at most
    assert "database or disk is full" in warnings[0]


def test_recording_never_waits_for_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stuck = threading.Event()

    def slow(path: Path) -> sqlite3.Connection:
        stuck.wait(10)
        return questionlog._connect(path)

    monkeypatch.setattr(questionlog, "QUEUE_LIMIT", 5)
    log = QuestionLog(tmp_path / QUESTION_LOG_FILE, 180, connect=slow)
    started = time.monotonic()
    refs = [log.record(f"问题{n}", "private", ANSWER) for n in range(20)]
    assert time.monotonic() - started < 1
    assert refs.count(None) >= 9  # the queue holds 5, and the stuck writer took one batch of at most 5
    stuck.set()
    log.close()


def test_summarize_counts_days_declines_intents_and_feedback(log: QuestionLog, tmp_path: Path) -> None:
    up = log.record("万州区扶贫办电话", "private", ANSWER)
    log.record("黔江区扶贫办电话", "group", ANSWER)
    log.record("今天天气怎么样", "private", DECLINE)
    assert up is not None
    log.rate(up, Feedback.UP)
    log.flush()
    today = datetime.datetime.now(datetime.UTC).date()
    summary = summarize(read_questions(tmp_path / QUESTION_LOG_FILE), today, 7)
    assert summary.days[-1] == (today, 3)
    assert len(summary.days) == 7
    assert (summary.total, summary.declined) == (3, 1)
    assert summary.top_intents == (("district_contact", 2),)
    assert summary.feedback == {Feedback.UP: 1}
    assert round(summary.decline_rate, 2) == 0.33


def test_a_real_reply_can_be_logged(log: QuestionLog, tmp_path: Path, engine: Engine) -> None:
    reply = engine.answer("城口县扶贫办电话")
    log.record("城口县扶贫办电话", "supergroup", reply)
    log.flush()
    (row,) = read_questions(tmp_path / QUESTION_LOG_FILE)
    assert row.sources == reply.sources
    assert row.intent == reply.intent
