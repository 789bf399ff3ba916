"""What ``GET /metrics`` reports, in Prometheus' text format (prometheus-client), for any channel.

One :class:`Metrics` per running bot, with a registry of its own (tests build many). The handlers count
questions (:meth:`Metrics.question`); the Bot API client counts errors and flood-control waits; whatever
sends or queues updates reports through the small methods below (:meth:`Metrics.flood_wait`,
:meth:`Metrics.retry`, :meth:`Metrics.lost_send`, :meth:`Metrics.watch_waiting`), so a new sender or
inbox plugs in without touching the server.

=============================================  ==================================================================
metric                                         meaning
=============================================  ==================================================================
bangfu_questions_total{outcome}                questions by outcome: answered, declined (no answer in the
                                               guideline), failed (an error while answering or sending)
bangfu_answer_seconds                          from a question's arrival at its handler to its answer sent
bangfu_botapi_errors_total{kind}               failed Bot API calls by kind (:class:`ApiErrorKind`)
bangfu_flood_waits_total                       answers "429 Too Many Requests" (flood control)
bangfu_flood_wait_seconds_total                the waits those answers asked for, summed
bangfu_botapi_retries_total                    calls repeated after a failure
bangfu_sends_lost_total                        answers given up (never delivered)
bangfu_updates_waiting{where}                  updates received and not yet handled (``bot``), and
                                               waiting at Telegram (``telegram``, from getWebhookInfo)
bangfu_botapi_last_reached_timestamp_seconds   when the Bot API last answered (Unix time)
bangfu_knowledge_info{version}                 1, labelled with the knowledge and intents' content hash
bangfu_knowledge_loaded_timestamp_seconds      when they were (last re)loaded
bangfu_build_info{version,python}              1, labelled with the package and Python versions
=============================================  ==================================================================
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
import time
from collections.abc import Callable, Iterator
from enum import StrEnum
from importlib import metadata
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# Answer times: the engine alone needs ~0.3 ms (README, Performance); a Telegram round trip 50 ms to 1 s;
# a flood-control wait or a slow proxy several seconds. Buckets from 10 ms to 30 s cover all three.
ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST
# The files whose content makes the knowledge version: everything the engine reads.
_KNOWLEDGE_PATTERNS = ("*.yaml", "source/*.txt", "source/news/*.txt")


class Outcome(StrEnum):
    """What became of a question."""

    ANSWERED = "answered"
    DECLINED = "declined"
    FAILED = "failed"


class ApiErrorKind(StrEnum):
    """Kinds of failed Bot API calls, by what an operator would do about them."""

    NETWORK = "network"  # no connection: the network, a firewall, the proxy
    TIMEOUT = "timeout"  # connected, no answer in time
    SERVER = "server"  # 5xx: Telegram's side (or a reverse proxy's)
    FLOOD = "flood"  # 429: flood control, retried after the wait it names
    BAD_REQUEST = "bad_request"  # 400: a message Telegram refused
    FORBIDDEN = "forbidden"  # 403: blocked by a user, removed from a group
    UNAUTHORIZED = "unauthorized"  # 401/404: the token is wrong or revoked
    CONFLICT = "conflict"  # 409: another process polls with the token, or a webhook is set
    NOT_JSON = "not_json"  # an HTML page or other non-JSON answer: not a Bot API server
    OTHER = "other"


class QuestionRecord:
    """What the handler says about the question it is answering (see :meth:`Metrics.question`)."""

    def __init__(self) -> None:
        """Starts as answered."""
        self.outcome = Outcome.ANSWERED

    def declined(self, declined: bool = True) -> None:
        """Marks the question declined (the guideline has no answer) or answered."""
        self.outcome = Outcome.DECLINED if declined else Outcome.ANSWERED


class Metrics:
    """The bot's metrics, in a registry of its own."""

    def __init__(self) -> None:
        """Creates every metric at zero, so that dashboards see them before the first event."""
        self.registry = registry = CollectorRegistry()
        self.questions = Counter("bangfu_questions", "Questions by outcome", ["outcome"], registry=registry)
        for outcome in Outcome:
            self.questions.labels(outcome.value)
        self.answer_seconds = Histogram(
            "bangfu_answer_seconds",
            "Time from a question reaching its handler to its answer sent",
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self.api_errors = Counter(
            "bangfu_botapi_errors", "Failed Bot API calls by kind", ["kind"], registry=registry
        )
        for kind in ApiErrorKind:
            self.api_errors.labels(kind.value)
        self.flood_waits = Counter(
            "bangfu_flood_waits", "Bot API answers 429 Too Many Requests (flood control)", registry=registry
        )
        self.flood_wait_seconds = Counter(
            "bangfu_flood_wait_seconds", "Seconds the flood-control answers asked to wait", registry=registry
        )
        self.retries = Counter(
            "bangfu_botapi_retries", "Bot API calls repeated after a failure", registry=registry
        )
        self.sends_lost = Counter("bangfu_sends_lost", "Answers given up, never delivered", registry=registry)
        self.updates_waiting = Gauge(
            "bangfu_updates_waiting",
            "Updates not handled yet: received by the bot (bot) or waiting at Telegram (telegram)",
            ["where"],
            registry=registry,
        )
        self.api_last_reached = Gauge(
            "bangfu_botapi_last_reached_timestamp_seconds",
            "When the Bot API last answered, as Unix time",
            registry=registry,
        )
        self.knowledge = Gauge(
            "bangfu_knowledge_info",
            "The knowledge and intents in use, by content hash",
            ["version"],
            registry=registry,
        )
        self.knowledge_loaded = Gauge(
            "bangfu_knowledge_loaded_timestamp_seconds",
            "When the knowledge and intents were last loaded, as Unix time",
            registry=registry,
        )
        build = Gauge("bangfu_build_info", "The running program", ["version", "python"], registry=registry)
        build.labels(_package_version(), platform.python_version()).set(1)

    # --- what the handlers report ----------------------------------------------------------------------

    @contextlib.contextmanager
    def question(self) -> Iterator[QuestionRecord]:
        """Counts one question and times its answer: ``with metrics.question() as q: … q.declined()``.

        An exception inside the block counts the question as failed (and goes on).
        """
        record, started = QuestionRecord(), time.perf_counter()
        try:
            yield record
        except BaseException:
            self.questions.labels(Outcome.FAILED.value).inc()
            raise
        self.questions.labels(record.outcome.value).inc()
        self.answer_seconds.observe(time.perf_counter() - started)

    # --- what a Bot API client, a sender or an inbox reports -----------------------------------------

    def api_error(self, kind: ApiErrorKind) -> None:
        """Counts a failed Bot API call."""
        self.api_errors.labels(kind.value).inc()

    def api_reached(self) -> None:
        """Notes that the Bot API answered just now."""
        self.api_last_reached.set_to_current_time()

    def flood_wait(self, seconds: float) -> None:
        """Counts a flood-control answer and the wait it asked for."""
        self.flood_waits.inc()
        self.flood_wait_seconds.inc(max(seconds, 0.0))

    def retry(self) -> None:
        """Counts a Bot API call repeated after a failure."""
        self.retries.inc()

    def lost_send(self) -> None:
        """Counts an answer given up."""
        self.sends_lost.inc()

    def watch_waiting(self, where: str, count: Callable[[], float]) -> None:
        """Reports ``count()`` as the updates waiting at ``where`` whenever the metrics are read."""
        self.updates_waiting.labels(where).set_function(count)

    def set_waiting(self, where: str, count: float) -> None:
        """Reports a number of updates waiting at ``where`` measured elsewhere (Telegram's, say)."""
        self.updates_waiting.labels(where).set(count)

    def knowledge_loaded_now(self, version: str) -> None:
        """Records the knowledge version just loaded (at start, or by a reload)."""
        self.knowledge.clear()
        self.knowledge.labels(version).set(1)
        self.knowledge_loaded.set_to_current_time()

    # --- reading ----------------------------------------------------------------------------------------

    def render(self) -> bytes:
        """Every metric in Prometheus' text format (:data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


def knowledge_version(*directories: Path) -> str:
    """A short hash of every knowledge and intent file's name and content: equal on two machines exactly
    when they answer from the same files."""
    digest = hashlib.sha256()
    for directory in directories:
        found = {
            path for pattern in _KNOWLEDGE_PATTERNS for path in directory.glob(pattern) if path.is_file()
        }
        for path in sorted(found):
            digest.update(f"{directory.name}/{path.relative_to(directory).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _package_version() -> str:
    try:
        return metadata.version("bangfu")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
