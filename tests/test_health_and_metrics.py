"""Health and metrics in isolation: what makes the bot unhealthy, how Bot API answers are counted, the
knowledge version; and that INFO logs of a conversation hold no message text or user data."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from telegram.error import NetworkError, TimedOut

from bot.channels.health import STALE_AFTER, Health, Phase
from bot.channels.metrics import ApiErrorKind, Metrics, knowledge_version
from bot.channels.telegram.request import ApiMonitor, NotABotApiError
from bot.settings import PROJECT_ROOT
from tests.fakebotapi import FakeChat, FakeUser
from tests.ops_support import metric
from tests.telegram_support import BotUnderTest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def health(clock: Clock) -> Health:
    health = Health(clock=clock)
    health.phase = Phase.RUNNING
    health.reached()
    return health


def test_health_is_not_ok_while_starting_or_stopping(clock: Clock) -> None:
    health = Health(clock=clock)
    assert (health.status().healthy, health.status().reason) == (False, "starting")
    health.phase = Phase.STOPPING
    assert health.status().reason == "stopping"


def test_health_turns_503_when_the_api_has_not_answered_for_a_while(health: Health, clock: Clock) -> None:
    assert health.status().healthy
    health.problem("HTTP 502: Bad\nGateway")
    clock.now += STALE_AFTER  # a transient error alone, within the window, is still healthy
    assert health.status().healthy
    clock.now += 1
    status = health.status()
    assert not status.healthy
    assert status.reason == "the Bot API has not answered for 91 s; last error: HTTP 502: Bad Gateway"
    health.reached()
    assert health.status().healthy


def test_a_problem_retrying_cannot_fix_is_unhealthy_at_once(health: Health, clock: Clock) -> None:
    clock.now += 1
    health.problem("the Bot API rejects the token (401: Unauthorized)", blocking=True)
    assert health.status().reason == "the Bot API rejects the token (401: Unauthorized)"
    clock.now += 1
    health.reached()
    assert health.status().healthy


def test_a_webhook_delivery_problem_is_unhealthy_until_telegram_delivers(health: Health) -> None:
    health.delivery("Telegram cannot deliver updates to the webhook: SSL error")
    assert health.status().reason == "Telegram cannot deliver updates to the webhook: SSL error"
    health.delivery(None)
    assert health.status().healthy


@pytest.mark.parametrize(
    ("status", "payload", "kind", "reached"),
    [
        (200, b'{"ok":true,"result":[]}', None, True),
        (400, b'{"ok":false,"description":"Bad Request: chat not found"}', ApiErrorKind.BAD_REQUEST, True),
        (
            403,
            b'{"ok":false,"description":"Forbidden: bot was blocked by the user"}',
            ApiErrorKind.FORBIDDEN,
            True,
        ),
        (429, b'{"ok":false,"parameters":{"retry_after":7}}', ApiErrorKind.FLOOD, True),
        (
            409,
            b'{"ok":false,"description":"Conflict: terminated by other getUpdates"}',
            ApiErrorKind.CONFLICT,
            True,
        ),
        (401, b'{"ok":false,"description":"Unauthorized"}', ApiErrorKind.UNAUTHORIZED, False),
        (502, b'{"ok":false,"description":"Bad Gateway"}', ApiErrorKind.SERVER, False),
    ],
)
def test_each_answer_is_counted_by_kind(
    clock: Clock, status: int, payload: bytes, kind: ApiErrorKind | None, reached: bool
) -> None:
    metrics, health = Metrics(), Health(clock=clock)
    health.phase = Phase.RUNNING
    ApiMonitor(metrics, health).answered(status, payload)
    text = metrics.render().decode()
    for each in ApiErrorKind:
        assert metric(text, f'bangfu_botapi_errors_total{{kind="{each.value}"}}') == (
            1 if each is kind else 0
        )
    assert ((metric(text, "bangfu_botapi_last_reached_timestamp_seconds") or 0) > 0) is reached
    if kind is ApiErrorKind.FLOOD:
        assert metric(text, "bangfu_flood_waits_total") == 1
        assert metric(text, "bangfu_flood_wait_seconds_total") == 7
    if kind in (ApiErrorKind.CONFLICT, ApiErrorKind.UNAUTHORIZED):
        assert not health.status().healthy


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (TimedOut("Timed out"), ApiErrorKind.TIMEOUT),
        (NetworkError("httpx.ConnectError"), ApiErrorKind.NETWORK),
        (NotABotApiError(200, html=True), ApiErrorKind.NOT_JSON),
    ],
)
def test_failures_are_counted_by_kind(error: NetworkError, kind: ApiErrorKind) -> None:
    metrics = Metrics()
    ApiMonitor(metrics, Health()).failed(error)
    assert metric(metrics.render().decode(), f'bangfu_botapi_errors_total{{kind="{kind.value}"}}') == 1


def test_a_sender_and_an_inbox_plug_their_counts_in() -> None:
    metrics = Metrics()
    metrics.retry()
    metrics.lost_send()
    metrics.flood_wait(2.5)
    metrics.watch_waiting("inbox", lambda: 4)
    text = metrics.render().decode()
    assert metric(text, "bangfu_botapi_retries_total") == 1
    assert metric(text, "bangfu_sends_lost_total") == 1
    assert metric(text, "bangfu_flood_wait_seconds_total") == 2.5
    assert metric(text, 'bangfu_updates_waiting{where="inbox"}') == 4


def test_questions_are_counted_by_outcome_and_timed() -> None:
    metrics = Metrics()
    with metrics.question():
        pass
    with metrics.question() as declined:
        declined.declined()
    with pytest.raises(RuntimeError), metrics.question():
        raise RuntimeError("the send failed")
    text = metrics.render().decode()
    assert [
        metric(text, f'bangfu_questions_total{{outcome="{o}"}}') for o in ("answered", "declined", "failed")
    ] == [1, 1, 1]
    assert metric(text, "bangfu_answer_seconds_count") == 2


def test_the_knowledge_version_changes_with_any_file_and_only_then(tmp_path: Path) -> None:
    knowledge = shutil.copytree(PROJECT_ROOT / "knowledge", tmp_path / "knowledge")
    intents = shutil.copytree(PROJECT_ROOT / "intents", tmp_path / "intents")
    version = knowledge_version(knowledge, intents)
    assert version == knowledge_version(PROJECT_ROOT / "knowledge", PROJECT_ROOT / "intents")
    assert len(version) == 12
    with (intents / "smalltalk.yaml").open("a", encoding="utf-8") as file:
        file.write("\n# an edit\n")
    assert knowledge_version(knowledge, intents) != version


@pytest.mark.asyncio
async def test_info_logs_of_a_conversation_hold_no_message_text_or_user_data(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await bot.ask(chat, user, "我们是医疗类社会组织想去城口县义诊应该联系谁")
        await bot.ask(chat, user, "今天天气怎么样")
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    text = json.dumps([r.getMessage() for r in records], ensure_ascii=False)
    for private in ("城口", "天气", user.first_name, str(user.username)):
        assert private not in text
