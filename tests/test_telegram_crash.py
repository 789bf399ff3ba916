"""A bot process killed (``kill -9``) in the middle of a burst, restarted on the same data; then stopped (SIGTERM).

The bot runs as ``bangfu telegram`` does (``python -m bot telegram``), in a process of its own, polling the
fake Bot API that this test serves on 127.0.0.1. Nothing may be lost: the questions pending at the kill
are answered after the restart, answered twice only if their answer had reached Telegram before the
process could mark them handled; group settings are kept; SIGTERM exits 0 after answering the questions it
had fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.telegram import texts
from bot.channels.telegram.store import STORE_FILE
from bot.engine import Engine
from bot.settings import PROJECT_ROOT
from tests.delivery_support import ask_many, district_questions, outcome
from tests.fakebotapi import FakeBotApi, FakeUser, StoredMessage
from tests.telegram_support import phones

# Seconds to wait for a bot process to start polling (interpreter, imports, knowledge: about 2 s).
START_WITHIN = 30.0
# Seconds to wait for a burst's answers (100 at 28 a second, a restart between).
ANSWERS_WITHIN = 60.0
# Answers that must have arrived before the kill, so that it lands in the middle of the burst.
KILL_AFTER = 30
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@contextlib.asynccontextmanager
async def bot_process(
    api: FakeBotApi, data_dir: Path, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot telegram`` against the fake, its data in ``data_dir``; yields once it polls."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    env |= {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.root_url,
        "BANGFU_DATA_DIR": str(data_dir),
    }
    env |= {"BANGFU_LOG_LEVEL": "INFO", "PTB_TIMEDELTA": "true"}
    polls = len(api.calls("getUpdates"))
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "telegram", env=env, cwd=PROJECT_ROOT, stdout=out, stderr=out
        )
    try:
        await api.wait_for(
            "the bot process to poll", lambda: len(api.calls("getUpdates")) > polls or None, START_WITHIN
        )
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def unhandled_in_inbox(data_dir: Path) -> list[tuple[int, str]]:
    """(chat, text) of the messages the inbox holds as not handled, read from the file as a restart would."""
    with contextlib.closing(sqlite3.connect(data_dir / STORE_FILE)) as db:
        rows = db.execute("SELECT payload FROM inbox WHERE handled_at IS NULL").fetchall()
    messages = [json.loads(payload).get("message", {}) for (payload,) in rows]
    return [(m["chat"]["id"], m.get("text", "")) for m in messages if "chat" in m]


@pytest.mark.asyncio
async def test_kill_9_in_a_burst_then_restart_loses_nothing_and_sigterm_answers_what_it_fetched(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, admin: FakeUser, member: FakeUser
) -> None:
    api, log = fake_api, tmp_path / "bot.log"
    api.can_read_all_group_messages = True
    group = api.group(-1005001, "志愿者之家", "supergroup")
    api.set_admins(group, {admin.id: "creator"})
    async with bot_process(api, tmp_path, log) as first:
        # An admin switches the group to auto mode: a setting that must survive the crash.
        api.send_text(group, admin, "/settings")
        [panel] = await api.wait_for_messages(1, group, within=ANSWERS_WITHIN)
        api.press_button(panel, admin, texts.MODE_NAMES["auto"])
        await api.wait_for("the mode saved", lambda: panel.history or None, within=ANSWERS_WITHIN)
        asked = ask_many(api, engine, users=50, each=2)
        await api.wait_for(
            "answers before the kill", lambda: outcome(api, asked).answered >= KILL_AFTER or None
        )
        first.kill()  # SIGKILL: no clean-up at all
        await first.wait()
    killed_at = max(c.started for c in api.requests)
    pending_at_kill = unhandled_in_inbox(tmp_path)
    answered_before = outcome(api, asked).answered
    ask_many(api, engine, users=5, each=2, first_id=40_000, asked=asked)  # asked while the bot is down
    async with bot_process(api, tmp_path, log) as second:
        await api.wait_for(
            "every question answered", lambda: outcome(api, asked).missing == [] or None, ANSWERS_WITHIN
        )
        crash = outcome(api, asked)
        # Settings kept: auto mode answers a question that does not address the bot.
        phone = engine.kb.district("城口县").phone or ""
        api.send_text(group, member, "城口县扶贫办的联系电话是多少")
        auto = await api.wait_for("the auto answer", lambda: last_with(api, group.id, phone), ANSWERS_WITHIN)
        # SIGTERM with questions fetched and not yet answered: it answers them, then exits 0.
        stop = ask_many(api, engine, users=45, each=2, first_id=50_000)
        await api.wait_for(
            "the first answers", lambda: outcome(api, stop).answered >= 1 or None, ANSWERS_WITHIN
        )
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), ANSWERS_WITHIN) == 0
    stopped = outcome(api, stop)
    print(
        f"\nkill -9 after {answered_before} answers, {len(pending_at_kill)} updates in the inbox; after restart: {crash.line()}"
    )  # the report's figures
    print(f"SIGTERM: {stopped.line()}")
    assert (crash.answered, crash.apologies) == (crash.asked, 0)
    assert crash.duplicates <= answered_twice_allowed(api, engine, pending_at_kill, killed_at)
    assert crash.inside_waits == crash.flood_refusals == 0
    assert "023-59221209" in phones(auto.text)
    assert (stopped.answered, stopped.duplicates, stopped.apologies) == (stopped.asked, 0, 0)
    assert api.token.split(":")[1] not in log.read_text(encoding="utf-8")
    assert unhandled_in_inbox(tmp_path) == []
    assert not api.failed_calls()


def last_with(api: FakeBotApi, chat_id: int, phone: str) -> StoredMessage | None:
    """The bot's last message in a chat if it carries ``phone``."""
    sent = [m for m in api.bot_messages if m.chat.id == chat_id]
    return sent[-1] if sent and phone in phones(sent[-1].text) else None


def answered_twice_allowed(
    api: FakeBotApi, engine: Engine, pending: list[tuple[int, str]], killed_at: float
) -> int:
    """Questions that may be answered twice: pending in the inbox at the kill although their answer had left.

    Their answer reached Telegram before the process could mark them handled (or the kill cut off its
    response): only these may be answered again after the restart.
    """
    phone_of = dict(district_questions(engine))
    sent = api.calls("sendMessage")
    before = {
        (c.params["chat_id"], p) for c in sent if c.started <= killed_at for p in phones(c.params["text"])
    }
    return sum((chat, phone_of.get(text)) in before for chat, text in pending)
