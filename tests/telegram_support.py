"""Helpers for the Telegram bot's tests: settings for the fake Bot API, and two ways to run the bot.

* :func:`offline_bot` builds the real application and feeds it the fake's updates with
  ``Application.process_update``, which returns once every handler has finished: handler tests need no
  polling and no waiting. The bot's calls still go through python-telegram-bot's HTTP stack to the fake.
* :func:`polling_bot` runs it exactly as in production, long polling the fake; tests wait for the bot's
  messages with ``FakeBotApi.wait_for_messages``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

from telegram import Update

from bot.channels.telegram.app import BangfuApplication, build_application, running
from bot.engine import Engine
from bot.settings import Settings
from tests.fake_botapi import FakeBotApi

PHONE = re.compile(r"(?<!\d)(?:0\d{2}-\d{8}|1[3-9]\d{9})(?!\d)")


def bot_settings(api: FakeBotApi, data_dir: Path) -> Settings:
    """Settings pointing the bot at ``api``, with its store in ``data_dir``, read as from the environment."""
    return Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.root_url, "BANGFU_DATA_DIR": str(data_dir)}
    )


def phones(text: str | None) -> set[str]:
    """The phone numbers in a text."""
    return set(PHONE.findall(text or ""))


class Driver:
    """Hands the updates the fake enqueues to the application, one at a time, each handled to the end."""

    def __init__(self, api: FakeBotApi, application: BangfuApplication) -> None:
        """Starts after the updates enqueued so far."""
        self.api = api
        self.application = application
        self._next = len(api.updates_sent)

    async def flush(self) -> int:
        """Processes every update enqueued since the last call; returns how many."""
        count = 0
        while self._next < len(self.api.updates_sent):
            payload = self.api.updates_sent[self._next]
            self._next += 1
            update = Update.de_json(payload, self.application.bot)
            await self.application.process_update(update)
            count += 1
        return count


@contextlib.asynccontextmanager
async def offline_bot(api: FakeBotApi, engine: Engine, data_dir: Path) -> AsyncIterator[Driver]:
    """The bot, started without polling; its :class:`Driver` delivers updates."""
    application = build_application(bot_settings(api, data_dir), engine)
    async with running(application, poll=False):
        yield Driver(api, application)


@contextlib.asynccontextmanager
async def polling_bot(api: FakeBotApi, engine: Engine, data_dir: Path) -> AsyncIterator[BangfuApplication]:
    """The bot, long polling the fake as it would poll Telegram."""
    application = build_application(bot_settings(api, data_dir), engine)
    async with running(application):
        yield application
