"""Webhook mode, /healthz and /metrics end to end, against the stand-in Bot API on 127.0.0.1.

The bot runs under ``serve`` as ``bangfu telegram`` runs it (tests/test_ops_cli.py adds the real command
and SIGTERM); the fake posts updates to the webhook as Telegram does, with the registered secret.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.channels.health import Phase
from bot.engine import Engine
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.fakebotapi.methods import ApiError, RecordedCall
from tests.fakebotapi.server import SECRET_HEADER
from tests.fakebotapi.state import Webhook
from tests.ops_support import HOOK_PATH, SECRET, get, metric, post, served, status_becomes, wait_until_served

WANZHOU = "023-58569600"  # 附件1: 万州区扶贫办


def an_update(api: FakeBotApi, chat: FakeChat, user: FakeUser, text: str) -> bytes:
    """A message update as Telegram would post it, taken out of the fake's queue before it is delivered."""
    message = api.send_text(chat, user, text)
    payload = api.queue.pop()  # nothing else runs in between: the fake's delivery waits for the next await
    assert payload["message"]["message_id"] == message.message_id
    return json.dumps(payload, ensure_ascii=False).encode()


@pytest.mark.asyncio
async def test_webhook_mode_registers_the_secret_refuses_others_and_answers(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser
) -> None:
    async with served(fake_api, engine, tmp_path, webhook=True) as bot:
        hook = fake_api.webhook
        assert hook is not None
        assert (hook.url, hook.secret_token) == (f"{bot.base}{HOOK_PATH}", SECRET)
        assert fake_api.allowed_updates == {"message", "callback_query", "my_chat_member"}

        # Telegram (the fake) posts the user's question with the secret; the bot answers it.
        fake_api.send_text(chat, user, "万州区扶贫办电话")
        [answer] = await fake_api.wait_for_messages(1, chat)
        assert WANZHOU in (answer.text or "")
        assert hook.deliveries[-1][1] == 200

        # Anyone else is refused, and nothing reaches the bot.
        forged = an_update(fake_api, chat, user, "城口县扶贫办电话")
        url = f"{bot.base}{HOOK_PATH}"
        json_type = {"Content-Type": "application/json"}
        assert await post(url, forged, json_type) == 403
        assert await post(url, forged, json_type | {SECRET_HEADER: SECRET[:-1]}) == 403
        assert await post(url, forged, json_type | {SECRET_HEADER: SECRET + "x"}) == 403
        assert await post(url, b"not json", json_type | {SECRET_HEADER: SECRET}) == 400
        assert (await get(url))[0] == 405
        assert (await get(f"{bot.base}/elsewhere"))[0] == 404
        await asyncio.sleep(0.2)
        assert len(fake_api.sent_messages(chat)) == 1

        # The same update with the right secret is answered.
        assert await post(url, forged, json_type | {SECRET_HEADER: SECRET}) == 200
        [second] = await fake_api.wait_for_messages(1, chat)
        assert "023-59221209" in (second.text or "")  # 城口县扶贫办

        status, text = await get(f"{bot.base}/metrics")
        assert status == 200
        assert metric(text, 'bangfu_questions_total{outcome="answered"}') == 2
        assert metric(text, "bangfu_answer_seconds_count") == 2
    assert fake_api.calls("getUpdates") == []
    assert fake_api.webhook is not None, "stopping keeps the webhook: Telegram holds updates meanwhile"


@pytest.mark.asyncio
async def test_returning_to_polling_deletes_the_webhook(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser
) -> None:
    fake_api.webhook = Webhook("https://old.example.org/hook", SECRET)
    fake_api.long_poll_cap = 0.5
    async with served(fake_api, engine, tmp_path, webhook=False):
        assert fake_api.webhook is None
        assert fake_api.calls("deleteWebhook")
        fake_api.send_text(chat, user, "万州区扶贫办电话")
        [answer] = await fake_api.wait_for_messages(1, chat)
        assert WANZHOU in (answer.text or "")


@pytest.mark.asyncio
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_healthz_and_metrics_answer_and_healthz_turns_503_during_an_outage(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser, webhook: bool
) -> None:
    fake_api.long_poll_cap = 0.2  # a long poll answers often, as with users writing
    async with served(fake_api, engine, tmp_path, webhook=webhook) as bot:
        bot.application.bot_data.health.stale_after = 1.0
        assert await get(f"{bot.base}/healthz") == (200, "ok\n")
        fake_api.send_text(chat, user, "今天天气怎么样")  # declined: not in the guideline
        await fake_api.wait_for_messages(1, chat)
        status, text = await get(f"{bot.base}/metrics")
        assert status == 200
        assert metric(text, 'bangfu_questions_total{outcome="declined"}') == 1
        assert metric(text, 'bangfu_questions_total{outcome="failed"}') == 0
        assert metric(text, 'bangfu_updates_waiting{where="bot"}') == 0
        assert metric(text, 'bangfu_updates_waiting{where="telegram"}') == 0
        assert metric(text, "bangfu_flood_waits_total") == 0
        assert 'bangfu_knowledge_info{version="' in text
        assert (metric(text, "bangfu_knowledge_loaded_timestamp_seconds") or 0) > 0

        async def outage(call: RecordedCall) -> None:
            raise ApiError(502, "Bad Gateway")

        fake_api.add_fault(outage)
        reason = await status_becomes(f"{bot.base}/healthz", 503)
        assert reason.startswith("the Bot API has not answered for ")
        assert "502" in reason
        assert reason.count("\n") == 1
        errors = metric((await get(f"{bot.base}/metrics"))[1], 'bangfu_botapi_errors_total{kind="server"}')
        assert errors is not None
        assert errors > 0

        fake_api.remove_fault(outage)
        await wait_until_served(bot.base, within=15)
    assert bot.application.bot_data.health.status().reason == Phase.STOPPING.value


@pytest.mark.asyncio
async def test_healthz_says_when_telegram_cannot_deliver_to_the_webhook(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser
) -> None:
    async with served(fake_api, engine, tmp_path, webhook=True) as bot:
        hook = fake_api.webhook
        assert hook is not None
        hook.secret_token = "changed-behind-the-bot-s-back"  # every post is now refused with 403
        fake_api.send_text(chat, user, "万州区扶贫办电话")
        reason = await status_becomes(f"{bot.base}/healthz", 503)
        assert (
            reason
            == "Telegram cannot deliver updates to the webhook: Wrong response from the webhook: 403 Forbidden\n"
        )
        _status, text = await get(f"{bot.base}/metrics")
        assert metric(text, 'bangfu_updates_waiting{where="telegram"}') == 1

        hook.secret_token = SECRET  # repaired: the waiting question is delivered and answered
        [reply] = await fake_api.wait_for_messages(1, chat, within=10)
        assert WANZHOU in (reply.text or "")


@pytest.mark.asyncio
async def test_the_webhook_refuses_updates_with_503_while_stopping(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser
) -> None:
    async with served(fake_api, engine, tmp_path, webhook=True) as bot:
        body = an_update(fake_api, chat, user, "万州区扶贫办电话")
        headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
        bot.application.bot_data.health.phase = Phase.STOPPING
        assert await get(f"{bot.base}/healthz") == (503, "stopping\n")
        bot.application.bot_data.health.phase = Phase.RUNNING
        assert await post(f"{bot.base}{HOOK_PATH}", body, headers) == 200
