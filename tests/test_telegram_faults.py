"""Nothing lost: the real bot, polling the fake Bot API while it misbehaves as Telegram does under stress.

Each test injects one kind of fault (flood control, 5xx, dropped and slow connections, an outage, a
migration, a group removing the bot) into a burst of questions, and checks from the fake's record that
every question was answered, none given up, no send arrived inside a ``retry_after`` wait, the pace kept
Telegram's limits, nobody who got an answer got an apology, and answers came twice only where the fake
dropped a response after delivering the message. Each prints its figures (``pytest -s``).

Crashes (``kill -9``) and SIGTERM of a bot process are in test_telegram_crash.py.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.pacing import GROUP_PER_WINDOW
from bot.channels.telegram.polling import POLL_MAX_WAIT
from bot.channels.telegram.store import GroupMode
from bot.engine import Engine
from tests.delivery_support import Asked, Outcome, ask_in, ask_many, outcome
from tests.fakebotapi import FakeBotApi, FakeUser
from tests.fakebotapi.server import Sometimes, drop, flood, refuse, slow
from tests.telegram_support import MENTION, BotUnderTest, StartBot, phones

# Telegram's limits, as the checks read them: 30 messages in any second, one a second in a chat (the bot
# keeps CHAT_MIN_GAP; arrival times may shift by a few milliseconds), 20 a minute in a group.
MAX_PER_SECOND = 30
MIN_CHAT_GAP = 1.0
# Seconds a test waits for all its answers: the pace and the injected waits, with slack for a slow machine.
WITHIN = 90.0
# python-telegram-bot's read timeout for a call (HTTPXRequest's default): a slower answer is a timeout.
READ_TIMEOUT = 5.0
# Seconds the API is down in the outage test: long enough for the polls' backoff to reach its cap.
OUTAGE = 4.0
# How often a test looks whether the bot has handled every update.
SETTLE_STEP = 0.05


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 makes python-telegram-bot read retry_after; without this it warns of a deprecation."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def all_answered(bot: BotUnderTest, asked: Asked, within: float = WITHIN) -> Outcome:
    """Waits until every question has an answer and the bot is done (retries included); returns the outcome."""
    api, inbox = bot.api, delivery(bot).inbox
    await api.wait_for("every question answered", lambda: outcome(api, asked).missing == [] or None, within)
    for _ in range(int(within / SETTLE_STEP)):  # the fake sees no change when the last handler ends: poll
        if inbox.depth == 0:
            break
        await asyncio.sleep(SETTLE_STEP)
    assert inbox.depth == 0, f"updates still being handled: {inbox.pending()}"
    result = outcome(api, asked)
    print(f"\n{result.line()}")  # the figures of the report
    return result


def delivery(bot: BotUnderTest) -> Delivery:
    """The bot's inbox, sender and polling client."""
    found = bot.application.bot_data.delivery
    assert found is not None
    return found


def assert_paced(result: Outcome) -> None:
    """Within Telegram's limits, and no send during a flood-control wait."""
    assert result.inside_waits == 0
    assert result.max_per_second <= MAX_PER_SECOND
    assert result.min_chat_gap >= MIN_CHAT_GAP
    assert result.max_per_group_minute <= GROUP_PER_WINDOW


@pytest.mark.asyncio
async def test_flood_control_is_waited_out_by_every_send_and_nothing_is_given_up(
    start_bot: StartBot, fake_api: FakeBotApi, engine: Engine
) -> None:
    api = fake_api
    # 30 % of the sends of a burst meet "429: retry after 1 s" (the first 8 times: each holds every send 1 s).
    floods = api.add_fault(Sometimes(0.3, flood(1), times=8), "sendMessage")
    async with start_bot(poll=True) as bot:
        asked = ask_many(api, engine, users=50, each=2)
        result = await all_answered(bot, asked)
        stats = delivery(bot).sender.stats
    assert isinstance(floods, Sometimes)
    assert result.flood_refusals == len(floods.hits) == stats.flood_waits > 0
    assert (result.answered, result.duplicates, result.apologies) == (asked.count, 0, 0)
    assert stats.lost == 0
    assert_paced(result)
    api.requests.clear()  # the 429s were the point


@pytest.mark.asyncio
async def test_server_errors_are_retried_until_answered(
    start_bot: StartBot, fake_api: FakeBotApi, engine: Engine
) -> None:
    api = fake_api
    # A fifth of every call (polls included) is answered 500 or 502.
    api.add_fault(Sometimes(0.1, refuse(502, "Bad Gateway"), seed=1))
    api.add_fault(Sometimes(0.1, refuse(500, "Internal Server Error"), seed=2))
    async with start_bot(poll=True) as bot:
        asked = ask_many(api, engine, users=30, each=2)
        result = await all_answered(bot, asked)
        stats = delivery(bot).sender.stats
    assert (result.answered, result.duplicates, result.apologies) == (asked.count, 0, 0)
    assert stats.retries > 0
    assert stats.lost == 0
    assert_paced(result)
    assert api.failed_calls()
    api.requests.clear()


@pytest.mark.asyncio
async def test_dropped_and_slow_connections_lose_nothing_and_duplicate_only_lost_responses(
    start_bot: StartBot, fake_api: FakeBotApi, engine: Engine
) -> None:
    api = fake_api
    lost_requests = api.add_fault(Sometimes(0.1, drop(), seed=3), "sendMessage")
    lost_responses = api.add_fault(Sometimes(0.1, drop(delivered=True), seed=4), "sendMessage")
    too_slow = api.add_fault(Sometimes(0.1, slow(READ_TIMEOUT + 1), seed=5, times=3), "sendMessage")
    async with start_bot(poll=True) as bot:
        asked = ask_many(api, engine, users=15, each=2)
        result = await all_answered(bot, asked)
        stats = delivery(bot).sender.stats
    assert isinstance(lost_requests, Sometimes)
    assert isinstance(lost_responses, Sometimes)
    assert isinstance(too_slow, Sometimes)
    assert lost_requests.hits
    assert lost_responses.hits
    assert too_slow.hits
    assert result.answered == asked.count
    # A message delivered whose response was lost is sent again: the only duplicates, each counted.
    assert result.duplicates == len(lost_responses.hits)
    assert stats.possible_duplicates >= result.duplicates
    assert result.apologies == 0
    assert stats.lost == 0
    assert_paced(result)


@pytest.mark.asyncio
async def test_after_an_outage_polling_and_sending_resume_within_seconds(
    start_bot: StartBot, fake_api: FakeBotApi, engine: Engine
) -> None:
    api = fake_api
    async with start_bot(poll=True) as bot:
        asked = ask_many(api, engine, users=20, each=1)
        await api.wait_for_messages(1)
        api.begin_outage()  # answers still being sent meet it
        ask_many(api, engine, users=20, each=1, first_id=30_000, asked=asked)  # asked while it lasts
        await api.wait_until(lambda: False, OUTAGE)
        api.end_outage()
        result = await all_answered(bot, asked)
    [(began, ended)] = api.outages
    assert ended is not None
    first_poll = min(c.started for c in api.calls("getUpdates") if c.started > ended and c.ok)
    first_send = min(c.started for c in api.calls("sendMessage") if c.started > ended and c.ok)
    print(
        f"outage {ended - began:.1f} s; polls again {first_poll - ended:.2f} s, sends {first_send - ended:.2f} s after"
    )
    assert first_poll - ended <= POLL_MAX_WAIT + 1.0
    assert first_send - ended <= POLL_MAX_WAIT + 1.0
    assert (result.answered, result.duplicates, result.apologies) == (asked.count, 0, 0)
    assert_paced(result)


@pytest.mark.asyncio
async def test_an_answer_refused_because_the_group_migrated_goes_to_the_supergroup(
    start_bot: StartBot, fake_api: FakeBotApi, admin: FakeUser, member: FakeUser, engine: Engine
) -> None:
    api = fake_api
    api.can_read_all_group_messages = True
    group = api.group(-4001, "志愿者群", "group")
    api.set_admins(group, {admin.id: "creator"})
    async with start_bot(poll=True) as bot:
        await bot.services.store.set_group_mode(group.id, GroupMode.AUTO)

        async def migrate_first(call: object) -> None:
            if group.id not in api.migrated:
                api.migrate_to_supergroup(group, -1004001)  # while the answer is on its way

        api.add_fault(migrate_first, "sendMessage")
        asked = Asked()
        ask_in(api, group, member, f"{MENTION} 城口县扶贫办电话", "023-59221209", asked)
        [answer] = await api.wait_for_messages(1)
        supergroup = api.chats[-1004001]
        assert answer.chat is supergroup
        assert "023-59221209" in phones(answer.text)
        # Its settings followed: auto mode answers a question without a mention there.
        api.send_text(supergroup, member, "巫溪县扶贫办的联系电话是多少")
        [auto] = await api.wait_for_messages(1)
    assert "023-51522562" in phones(auto.text)
    assert [c.description for c in api.failed_calls()] == [
        "Bad Request: group chat was upgraded to a supergroup chat"
    ]
    api.requests.clear()


@pytest.mark.asyncio
async def test_a_group_that_removed_the_bot_is_not_retried_and_logged_once(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    admin: FakeUser,
    member: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = fake_api
    group = api.group(-4002, "小组", "supergroup")
    api.set_admins(group, {admin.id: "creator"})

    async def removed_meanwhile(call: object) -> None:
        if api.status(group, api.bot_id) != "kicked":
            api.remove_bot_from_group(group, admin)

    async with start_bot(poll=True) as bot:
        with caplog.at_level(logging.INFO, logger="bot.channels.telegram"):
            api.add_fault(removed_meanwhile, "sendMessage")
            for district in ("万州区", "城口县", "巫溪县"):
                api.send_text(group, member, f"{MENTION} {district}扶贫办电话")
            await api.wait_until(lambda: len(api.calls("sendMessage")) >= 3, 10.0)
            await api.wait_until(lambda: bot.application.update_queue.empty(), 5.0)
    refused = api.calls("sendMessage")
    assert [c.status for c in refused] == [403, 403, 403]  # one call each, none retried
    said = [r for r in caplog.records if "does not take the bot's messages" in r.getMessage()]
    assert [r.levelno for r in said] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    api.requests.clear()
