"""The question log: what users asked and what they got, for maintainers to review (``bangfu review``).

One SQLite file in the data directory (``questions.sqlite3``). Each row holds the question's text, the chat
type (private, group, supergroup), the intent answered (none when declined), the kind of reply, the
confidence, the answer's sources, the user's feedback, and the time; never who asked or in which chat.
Rows older than the retention (``BANGFU_QUESTION_LOG_DAYS``, 180 days by default) are deleted;
``BANGFU_QUESTION_LOG=off`` keeps no log at all.

Writing never holds up an answer: :meth:`QuestionLog.record` only puts the row on a queue, and one thread
writes the queue to the file. When the disk is full or the file cannot be written, the rows are dropped
with a warning in the log; the answers go out all the same.
"""

from __future__ import annotations

import collections
import datetime
import json
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.compose.reply import Reply

logger = logging.getLogger(__name__)

QUESTION_LOG_FILE = "questions.sqlite3"
# Rows waiting for the disk. A burst of this many questions is far beyond a volunteer bot's traffic; past
# it, new rows are dropped rather than memory growing without bound while the disk is stuck.
QUEUE_LIMIT = 10_000
# How often the writer deletes rows past the retention (and once when it starts).
PURGE_EVERY_SECONDS = 6 * 3600
# A full disk fails every write; one warning a minute says so without flooding the log.
WARN_EVERY_SECONDS = 60
# How many answers remember in memory that they were rated, so a second tap is thanked only once.
REMEMBERED_RATINGS = 10_000
# Bytes of randomness in a row's reference (the key feedback buttons carry): 12 URL-safe characters.
_REF_BYTES = 9
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    ref TEXT PRIMARY KEY,
    asked_at TEXT NOT NULL,
    chat_type TEXT NOT NULL,
    question TEXT NOT NULL,
    intent TEXT,
    kind TEXT NOT NULL,
    confidence REAL NOT NULL,
    sources TEXT NOT NULL,
    feedback TEXT,
    feedback_at TEXT
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
"""


class Feedback(StrEnum):
    """What a user can say about an answer, with one tap."""

    UP = "up"  # 👍
    DOWN = "down"  # 👎
    WRONG_NUMBER = "wrong"  # 号码有误
    UNREACHABLE = "dead"  # 打不通

    @property
    def negative(self) -> bool:
        """Whether it says the answer did not help."""
        return self is not Feedback.UP


@dataclass(frozen=True)
class LoggedQuestion:
    """One row of the log."""

    ref: str
    asked_at: datetime.datetime
    chat_type: str
    question: str
    intent: str | None
    kind: str
    confidence: float
    sources: tuple[str, ...]
    feedback: Feedback | None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class QuestionLog:
    """Writes questions to the log file from a thread of its own; see the module docstring."""

    def __init__(
        self, path: Path, retention_days: int, *, connect: Callable[[Path], sqlite3.Connection]
    ) -> None:
        """Use :meth:`open`; ``connect`` opens the file (tests pass one that fails like a full disk)."""
        self.path = path
        self.retention = datetime.timedelta(days=retention_days)
        self.dropped = 0
        self._connect = connect
        self._queue: queue.Queue[tuple[str, tuple[object, ...]] | None] = queue.Queue(QUEUE_LIMIT)
        self._rated: collections.OrderedDict[str, Feedback] = collections.OrderedDict()
        self._last_warning = 0.0
        self._thread = threading.Thread(target=self._write, name="question-log", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, data_dir: Path, retention_days: int) -> QuestionLog:
        """Opens (creating if needed) the log in ``data_dir`` and starts its writer.

        Raises:
            OSError: The data directory cannot be created.
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(data_dir / QUESTION_LOG_FILE, retention_days, connect=_connect)

    def record(self, question: str, chat_type: str, reply: Reply) -> str | None:
        """Queues one answered question; returns its reference for feedback, or None if it was dropped."""
        ref = secrets.token_urlsafe(_REF_BYTES)
        row = (
            ref,
            _now().isoformat(timespec="seconds"),
            chat_type,
            question,
            reply.intent,
            reply.kind.value,
            reply.confidence,
            json.dumps(list(reply.sources), ensure_ascii=False),
        )
        if not self._put("INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)", row):
            return None
        return ref

    def rate(self, ref: str, feedback: Feedback) -> bool:
        """Records the feedback on an answer; False when that answer was rated already (the first counts)."""
        if ref in self._rated:
            return False
        self._rated[ref] = feedback
        if len(self._rated) > REMEMBERED_RATINGS:
            self._rated.popitem(last=False)
        at = _now().isoformat(timespec="seconds")
        self._put(
            "UPDATE questions SET feedback = ?, feedback_at = ? WHERE ref = ? AND feedback IS NULL",
            (feedback.value, at, ref),
        )
        return True

    def _put(self, sql: str, values: tuple[object, ...]) -> bool:
        try:
            self._queue.put_nowait((sql, values))
        except queue.Full:
            self.dropped += 1
            self._warn("the question log is %d rows behind; dropping new rows", QUEUE_LIMIT)
            return False
        return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits until every queued row is written (or given up on); False if that takes over ``timeout``."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._queue.unfinished_tasks

    def close(self) -> None:
        """Writes what is queued, then stops the writer."""
        self._queue.put(None)
        self._thread.join()

    def _warn(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY_SECONDS:
            self._last_warning = now
            logger.warning(message, *args)

    def _write(self) -> None:
        connection: sqlite3.Connection | None = None
        next_purge = 0.0
        while True:
            batch = [self._queue.get()]
            while len(batch) < QUEUE_LIMIT:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = None in batch
            try:
                if connection is None:
                    connection = self._connect(self.path)
                with connection:
                    for item in batch:
                        if item is not None:
                            connection.execute(*item)
                    if time.monotonic() >= next_purge:
                        cutoff = (_now() - self.retention).isoformat(timespec="seconds")
                        connection.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
                        next_purge = time.monotonic() + PURGE_EVERY_SECONDS
            except (sqlite3.Error, OSError) as exc:
                # A full disk, a removed directory: the answers went out; only these rows are lost.
                self.dropped += sum(item is not None for item in batch)
                self._warn(
                    "cannot write the question log %s (%s); questions are not being logged", self.path, exc
                )
                if connection is not None:
                    connection.close()
                connection = None
            finally:
                for _ in batch:
                    self._queue.task_done()
            if stop:
                if connection is not None:
                    connection.close()
                return


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level="DEFERRED")
    connection.execute("PRAGMA journal_mode=WAL")  # readers (review, /stats) never wait for the writer
    connection.executescript(SCHEMA)
    return connection


def read_questions(path: Path, since: datetime.datetime | None = None) -> list[LoggedQuestion]:
    """Every logged question asked since ``since`` (all when None), oldest first; none if there is no log."""
    return list(_rows(path, since))


def _rows(path: Path, since: datetime.datetime | None) -> Iterator[LoggedQuestion]:
    if not path.exists():
        return
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        cutoff = since.isoformat(timespec="seconds") if since else ""
        cursor = connection.execute(
            "SELECT ref, asked_at, chat_type, question, intent, kind, confidence, sources, feedback "
            "FROM questions WHERE asked_at >= ? ORDER BY asked_at, rowid",
            (cutoff,),
        )
        for ref, asked_at, chat_type, question, intent, kind, confidence, sources, feedback in cursor:
            yield LoggedQuestion(
                ref,
                datetime.datetime.fromisoformat(asked_at),
                chat_type,
                question,
                intent,
                kind,
                float(confidence),
                tuple(json.loads(sources)),
                Feedback(feedback) if feedback else None,
            )
    finally:
        connection.close()


@dataclass(frozen=True)
class Summary:
    """What ``/stats`` shows: questions per day, declines, the commonest intents and the feedback.

    Attributes:
        days: The days covered, oldest first, each with its number of questions (UTC dates).
        total: Questions in those days.
        declined: Of them, those declined (no intent).
        top_intents: The intents answered most often, with their counts, most first.
        feedback: How often each feedback was given.
    """

    days: tuple[tuple[datetime.date, int], ...]
    total: int
    declined: int
    top_intents: tuple[tuple[str, int], ...]
    feedback: dict[Feedback, int]

    @property
    def decline_rate(self) -> float:
        """The share of questions declined (0 when there were none)."""
        return self.declined / self.total if self.total else 0.0


# How many intents /stats names.
TOP_INTENTS = 5


def summarize(rows: list[LoggedQuestion], today: datetime.date, days: int) -> Summary:
    """Counts ``rows`` (from :func:`read_questions`) over the ``days`` days up to ``today``."""
    first = today - datetime.timedelta(days=days - 1)
    kept = [row for row in rows if first <= row.asked_at.date() <= today]
    per_day = collections.Counter(row.asked_at.date() for row in kept)
    intents = collections.Counter(row.intent for row in kept if row.intent)
    return Summary(
        days=tuple(
            (first + datetime.timedelta(days=n), per_day[first + datetime.timedelta(days=n)])
            for n in range(days)
        ),
        total=len(kept),
        declined=sum(row.intent is None for row in kept),
        top_intents=tuple(intents.most_common(TOP_INTENTS)),
        feedback=dict(collections.Counter(row.feedback for row in kept if row.feedback)),
    )
