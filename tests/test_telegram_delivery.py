"""The delivery machinery in parts: pacing decisions, the sender's retry rules, the inbox, the polling client.

No test here measures time: pacing is checked on given times, the sender with scripted answers and short
waits, the inbox on its file. The end-to-end behaviour under faults is in test_telegram_faults.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.health import Health
from bot.channels.metrics import Metrics
from bot.channels.telegram import inbox as inbox_module
from bot.channels.telegram import sender as sender_module
from bot.channels.telegram.inbox import DurableUpdateQueue, Inbox
from bot.channels.telegram.pacing import TELEGRAM_LIMITS, Pacer, PacingLimits, PacingState
from bot.channels.telegram.polling import PollingRequest
from bot.channels.telegram.request import ApiMonitor, NotABotApiError, ProxyRefusedError
from bot.channels.telegram.sender import DeliveryUnknownError, Sender, maybe_delivered
from tests.fakebotapi import FakeBotApi
from tests.fakebotapi.server import refuse
from tests.ops_support import metric

LIMITS = TELEGRAM_LIMITS
PRIVATE, OTHER, GROUP = 1001, 1002, -100500

# --- pacing ------------------------------------------------------------------------------------------------


def test_sends_keep_the_overall_gap_and_at_most_n_a_second() -> None:
    state = PacingState(LIMITS)
    assert state.earliest(PRIVATE, 5.0) == 5.0
    state.record(PRIVATE, 5.0)
    assert state.earliest(OTHER, 5.0) == 5.0 + LIMITS.overall_min_gap
    t = 5.0
    for i in range(1, LIMITS.overall_per_second):
        t = state.earliest(OTHER + i, t)
        state.record(OTHER + i, t)
    # The next send and the N before it span a second: it waits for the first to leave the window.
    assert state.earliest(OTHER + 99, t) == pytest.approx(5.0 + 1.0)


def test_one_chat_waits_its_gap_and_a_group_its_minute() -> None:
    state = PacingState(LIMITS)
    state.record(PRIVATE, 10.0)
    assert state.earliest(PRIVATE, 10.5) == pytest.approx(10.0 + LIMITS.chat_min_gap)
    assert state.earliest(OTHER, 10.5) == 10.5
    first, t = 20.0, 20.0
    for _ in range(LIMITS.group_per_window):
        t = state.earliest(GROUP, t)
        state.record(GROUP, t)
    assert state.earliest(GROUP, t) == pytest.approx(first + LIMITS.group_window)
    state.record(PRIVATE + 1, t)  # a private chat has no minute window
    for _ in range(LIMITS.group_per_window):
        t = state.earliest(PRIVATE + 1, t)
        state.record(PRIVATE + 1, t)
    assert state.earliest(PRIVATE + 1, t) == pytest.approx(t + LIMITS.chat_min_gap)


def test_idle_chats_are_forgotten() -> None:
    state = PacingState(LIMITS)
    state.record(PRIVATE, 0.0)
    state.record(GROUP, 0.0)
    state.forget_idle(LIMITS.chat_min_gap + 1)
    assert state.chats == 1  # the group's minute still counts
    state.forget_idle(LIMITS.group_window + 1)
    assert state.chats == 0


@pytest.mark.asyncio
async def test_turns_come_in_order_but_a_waiting_chat_lets_others_pass() -> None:
    pacer = Pacer(PacingLimits(1000, 0.0, chat_min_gap=0.2, group_per_window=20, group_window=60.0))
    order: list[str] = []

    async def send(name: str, chat: int) -> None:
        await pacer.turn(chat)
        order.append(name)

    await asyncio.gather(send("A1", PRIVATE), send("A2", PRIVATE), send("B1", OTHER))
    await pacer.close()
    assert order == ["A1", "B1", "A2"]


@pytest.mark.asyncio
async def test_no_turn_is_given_during_a_hold() -> None:
    pacer = Pacer(PacingLimits(1000, 0.0, 0.0, 20, 60.0))
    pacer.hold(0.05)
    held = pacer.held_for()
    await pacer.turn(PRIVATE)
    assert held > 0
    assert pacer.held_for() == 0  # the turn came after the hold
    await pacer.close()


# --- the sender ----------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff and flood margins of milliseconds: the tests count tries, not seconds."""
    monkeypatch.setattr(sender_module, "RETRY_FIRST_WAIT", 0.001)
    monkeypatch.setattr(sender_module, "RETRY_MAX_WAIT", 0.002)
    monkeypatch.setattr(sender_module, "FLOOD_MARGIN", 0.001)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def scripted(*answers: object) -> tuple[Callable[..., Any], list[int]]:
    """A callback raising or returning ``answers`` in turn; and the list counting its calls."""
    calls: list[int] = []

    async def callback(*args: object, **kwargs: object) -> object:
        answer = answers[len(calls)]
        calls.append(1)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return callback, calls


def caused(error: NetworkError, cause: BaseException) -> NetworkError:
    error.__cause__ = cause
    return error


QUICK = PacingLimits(1000, 0.0, 0.0, 1000, 60.0)


async def call(
    sender: Sender, callback: Callable[..., Any], endpoint: str = "sendMessage", chat: int = PRIVATE
) -> Any:
    return await sender.process_request(callback, (), {}, endpoint, {"chat_id": chat, "text": "x"}, None)


@pytest.mark.asyncio
async def test_flood_control_is_waited_out_and_the_send_repeated() -> None:
    sender = Sender(QUICK)
    callback, calls = scripted(RetryAfter(0), RetryAfter(0), {"message_id": 1})
    assert await call(sender, callback) == {"message_id": 1}
    assert len(calls) == 3
    assert (sender.stats.flood_waits, sender.stats.recovered, sender.stats.lost) == (2, 1, 0)
    await sender.shutdown()


@pytest.mark.asyncio
async def test_flood_control_beyond_the_deadline_is_logged_as_lost(caplog: pytest.LogCaptureFixture) -> None:
    sender = Sender(QUICK, flood_deadline=1.0)
    callback, _ = scripted(RetryAfter(5))
    with caplog.at_level(logging.ERROR), pytest.raises(RetryAfter):
        await call(sender, callback)
    assert sender.stats.lost == 1
    assert "gave up sendMessage to chat 1001" in caplog.text
    await sender.shutdown()


@pytest.mark.asyncio
async def test_server_and_network_errors_are_retried() -> None:
    metrics = Metrics()
    sender = Sender(QUICK, metrics=metrics)
    refused = caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused"))
    callback, calls = scripted(NetworkError("Bad Gateway"), refused, True)
    assert await call(sender, callback) is True
    assert len(calls) == 3
    assert (sender.stats.retries, sender.stats.possible_duplicates) == (2, 0)
    assert metric(metrics.render().decode(), "bangfu_botapi_retries_total") == 2
    await sender.shutdown()


@pytest.mark.asyncio
async def test_a_retry_after_a_timeout_may_duplicate_and_is_counted() -> None:
    sender = Sender(QUICK)
    callback, _ = scripted(caused(TimedOut(), httpx.ReadTimeout("slow")), True)
    assert await call(sender, callback) is True
    assert sender.stats.possible_duplicates == 1
    await sender.shutdown()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "raised"),
    [
        (caused(TimedOut(), httpx.ReadTimeout("slow")), DeliveryUnknownError),  # it may have arrived
        (NetworkError("Bad Gateway"), NetworkError),  # surely not: an error answer
    ],
)
async def test_at_the_deadline_a_send_is_given_up_saying_whether_it_may_have_arrived(
    first: NetworkError, raised: type[Exception]
) -> None:
    metrics = Metrics()
    sender = Sender(QUICK, retry_deadline=0.0, metrics=metrics)
    callback, calls = scripted(first)
    with pytest.raises(raised) as caught:
        await call(sender, callback)
    assert (len(calls), sender.stats.lost) == (1, 1)
    assert metric(metrics.render().decode(), "bangfu_sends_lost_total") == 1
    assert isinstance(caught.value, DeliveryUnknownError) == (raised is DeliveryUnknownError)
    await sender.shutdown()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "error", [BadRequest("Can't parse entities"), Conflict("terminated"), Forbidden("kicked")]
)
async def test_errors_that_cannot_succeed_are_not_retried(error: Exception) -> None:
    sender = Sender(QUICK)
    callback, calls = scripted(error)
    with pytest.raises(type(error)):
        await call(sender, callback)
    assert (len(calls), sender.stats.refused) == (1, 1)
    await sender.shutdown()


@pytest.mark.asyncio
async def test_a_chat_that_refuses_the_bot_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    sender = Sender(QUICK)
    with caplog.at_level(logging.INFO, logger="bot.channels.telegram.sender"):
        for _ in range(3):
            callback, _calls = scripted(Forbidden("Forbidden: bot was kicked from the group chat"))
            with pytest.raises(Forbidden):
                await call(sender, callback, chat=GROUP)
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    await sender.shutdown()


@pytest.mark.asyncio
async def test_start_up_calls_retry_hiccups_but_not_a_refused_connection() -> None:
    sender = Sender(QUICK)
    callback, calls = scripted(NetworkError("Bad Gateway"), {"id": 1})
    assert await call(sender, callback, endpoint="getMe") == {"id": 1}
    refused = caused(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused"))
    for misconfigured in (refused, NotABotApiError(200, html=True), ProxyRefusedError("HTTP 407")):
        callback, calls = scripted(misconfigured)
        with pytest.raises(NetworkError):
            await call(sender, callback, endpoint="deleteWebhook")
        assert len(calls) == 1
    await sender.shutdown()


def test_what_may_have_been_delivered() -> None:
    assert maybe_delivered(caused(TimedOut(), httpx.ReadTimeout("slow")))
    assert maybe_delivered(caused(NetworkError("x"), httpx.RemoteProtocolError("disconnected")))
    assert not maybe_delivered(caused(TimedOut(), httpx.ConnectTimeout("no connection")))
    assert not maybe_delivered(caused(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")))
    assert not maybe_delivered(caused(NetworkError("x"), httpx.ConnectError("refused")))
    assert not maybe_delivered(NetworkError("Bad Gateway"))


# --- the inbox -------------------------------------------------------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    opened = Inbox.open(tmp_path / "bot.sqlite3")
    yield opened
    opened.close()


def update_json(update_id: int, text: str = "万州区扶贫办电话") -> str:
    chat = {"id": PRIVATE, "type": "private", "first_name": "小明"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "text": text}
    return json.dumps({"update_id": update_id, "message": message}, ensure_ascii=False)


@pytest.mark.asyncio
async def test_the_inbox_keeps_what_is_not_handled_across_a_restart(inbox: Inbox, tmp_path: Path) -> None:
    assert await inbox.store([(1, update_json(1)), (2, update_json(2))]) == 2
    assert await inbox.admit(1, update_json(1))  # stored by the poll: queued without writing again
    assert not await inbox.admit(1, update_json(1))  # a second time: a duplicate
    assert await inbox.admit(3, update_json(3))  # not stored before (a webhook): written now
    assert await inbox.store([(3, update_json(3)), (4, update_json(4))]) == 1
    await inbox.handled(1)
    assert (inbox.depth, inbox.duplicates) == (3, 1)
    inbox.close()
    again = Inbox.open(tmp_path / "bot.sqlite3")
    assert [update_id for update_id, _ in again.pending()] == [2, 3, 4]
    assert not await again.admit(1, update_json(1))  # handled before the restart: still known
    again.close()


@pytest.mark.asyncio
async def test_handled_updates_are_forgotten_after_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Inbox.open(tmp_path / "bot.sqlite3")
    await first.store([(1, update_json(1)), (2, update_json(2))])
    await first.handled(1)
    first.close()
    monkeypatch.setattr(inbox_module, "KEEP_HANDLED_SECONDS", -1.0)  # as if a day had passed
    later = Inbox.open(tmp_path / "bot.sqlite3")
    assert [update_id for update_id, _ in later.pending()] == [2]
    assert await later.admit(1, update_json(1))  # no longer known (Telegram would not send it again)
    later.close()


@pytest.mark.asyncio
async def test_the_queue_stores_before_queuing_drops_duplicates_and_replays(
    inbox: Inbox, tmp_path: Path
) -> None:
    bot = Bot("7000000001:AAFakeBangfuTestToken_0123456789abcdef")
    queue = DurableUpdateQueue(inbox)
    body = json.dumps({"ok": True, "result": [json.loads(update_json(7)), json.loads(update_json(8))]})
    await queue.store_polled(body.encode())
    for update_id in (7, 8, 7):
        await queue.put(Update.de_json(json.loads(update_json(update_id)), bot))
    stop = object()
    await queue.put(stop)  # the application's stop signal passes through
    queued = [queue.get_nowait() for _ in range(queue.qsize())]
    assert [getattr(u, "update_id", u) for u in queued] == [7, 8, stop]
    await queue.handled(queued[0])
    inbox.close()
    restarted = DurableUpdateQueue(Inbox.open(tmp_path / "bot.sqlite3"))
    assert restarted.replay(bot) == 1
    assert restarted.get_nowait().update_id == 8  # type: ignore[attr-defined]
    restarted.inbox.close()


# --- polling ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_failed_poll_is_a_timeout_and_a_conflict_passes(fake_api: FakeBotApi) -> None:
    kept: list[bytes] = []

    async def keep(payload: bytes) -> None:
        kept.append(payload)

    polling = PollingRequest(ApiMonitor(Metrics(), Health()), keep=keep, httpx_kwargs={"trust_env": False})
    bot = Bot(fake_api.token, base_url=f"{fake_api.root_url}/bot", get_updates_request=polling)
    user = fake_api.user(1001, "小明")
    fake_api.send_text(fake_api.private_chat(user), user, "万州区扶贫办电话")
    async with bot:
        outage = fake_api.add_fault(refuse(502, "Bad Gateway"), "getUpdates")
        with pytest.raises(TimedOut):  # the updater polls again at once; the client waits first
            await bot.get_updates(timeout=0)
        assert polling.stats.failing_since is not None
        fake_api.remove_fault(outage)
        [update] = await bot.get_updates(timeout=0)
        assert (polling.stats.failures, polling.stats.polls, polling.stats.failing_since) == (1, 1, None)
        assert json.loads(kept[-1])["result"][0]["update_id"] == update.update_id  # stored before PTB read it
        fake_api.add_fault(refuse(409, "Conflict: terminated by other getUpdates request"), "getUpdates")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        assert polling.stats.polls == 1  # a conflict is no answered poll
    fake_api.requests.clear()
