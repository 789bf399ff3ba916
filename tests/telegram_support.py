"""Helpers for the Telegram bot's tests: constants, settings for the fake Bot API, and the bot under test.

Tests get the bot from the fixtures in tests/conftest.py: ``bot`` (started without polling) or
``start_bot`` (to start it themselves: with long polling, twice for a restart, after setting up the fake).
Either way it is the real application (``build_application``) talking to the fake (``fake_api``) through
python-telegram-bot's HTTP stack.

* Without polling, :meth:`BotUnderTest.flush` hands the bot the updates the fake enqueued, one at a time,
  each handled to the end (``Application.process_update``): handler tests need no waiting.
* With polling, the bot fetches its updates as in production; tests wait for its messages with
  ``fake_api.wait_for_messages`` (or anything with ``fake_api.wait_for``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Final, Unpack

from telegram import Update

from bot.channels.telegram.app import BangfuApplication, build_application, running
from bot.channels.telegram.pacing import TELEGRAM_LIMITS, PacingLimits
from bot.channels.telegram.services import Services
from bot.engine import Engine
from bot.settings import Settings
from tests.engine_support import INTENTS, KNOWLEDGE, PHONE
from tests.fakebotapi import DEFAULT_TOKEN, DEFAULT_USERNAME, FakeBotApi, FakeChat, FakeUser, StoredMessage
from tests.fakebotapi.state import Where

TOKEN: Final = DEFAULT_TOKEN
BOT_USERNAME: Final = DEFAULT_USERNAME
MENTION: Final = f"@{DEFAULT_USERNAME}"
# The people of the tests: a user in a private chat, and a group's creator and one of its members.
USER: Final = (1001, "小明", "xiaoming")
ADMIN: Final = (4002, "群主老李")
MEMBER: Final = (4001, "志愿者小张")
GROUP: Final = (-100800, "重庆志愿者")
# Pacing for the handler tests, which hand the bot its updates one by one (BotUnderTest.flush): no wait, so
# a test of ten messages in one chat takes no ten seconds. A polling bot keeps Telegram's limits, as in
# production.
QUICK_PACING: Final = PacingLimits(
    overall_per_second=1000, overall_min_gap=0.0, chat_min_gap=0.0, group_per_window=1000, group_window=60.0
)


def bot_settings(
    data_dir: Path, api_url: str | None = None, token: str = TOKEN, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings read as from the environment: the token, the store in ``data_dir``, the fake's URL if given,
    and the fixture knowledge and intents."""
    variables = {
        "TELEGRAM_BOT_TOKEN": token,
        "BANGFU_DATA_DIR": str(data_dir),
        "BANGFU_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "BANGFU_INTENTS_DIR": str(INTENTS),
    } | dict(env or {})
    return Settings.from_env(variables | ({"TELEGRAM_API_URL": api_url} if api_url else {}))


def phones(text: str | None) -> set[str]:
    """The phone numbers in a text."""
    return set(PHONE.findall(text or ""))


class BotUnderTest:
    """The bot, running against the fake; ``api`` is the fake, ``application`` the bot's."""

    def __init__(self, api: FakeBotApi, application: BangfuApplication, *, polling: bool) -> None:
        """Starts after the updates enqueued so far."""
        self.api, self.application, self.polling = api, application, polling
        self._next = len(api.updates_sent)

    @property
    def services(self) -> Services:
        """The engine, store and district directory the handlers use."""
        services = self.application.bot_data.services
        assert isinstance(services, Services)
        return services

    async def flush(self) -> int:
        """Handles every update enqueued since the last call, each to the end; returns how many."""
        assert not self.polling, "a polling bot fetches its updates itself"
        count = 0
        while self._next < len(self.api.updates_sent):
            payload = self.api.updates_sent[self._next]
            self._next += 1
            await self.application.process_update(Update.de_json(payload, self.application.bot))
            count += 1
        return count

    async def ask(self, chat: FakeChat, user: FakeUser, text: str, **where: Unpack[Where]) -> list[str]:
        """``user`` writes ``text``; returns the texts of the bot's messages in ``chat`` that follow."""
        before = len(self.api.sent_messages(chat))
        self.api.send_text(chat, user, text, **where)
        await self.flush()
        return [m.text or "" for m in self.api.sent_messages(chat)[before:]]

    async def said(self, chat: FakeChat) -> list[str]:
        """Handles what is pending; returns the texts of every message the bot has sent in ``chat``."""
        await self.flush()
        return [m.text or "" for m in self.api.sent_messages(chat)]

    async def press(self, message: StoredMessage, user: FakeUser, button: str) -> StoredMessage:
        """Presses a button (by label or data) and returns ``message`` once the bot has answered the press.

        A polling bot is also waited for until it has edited ``message`` (browsing in place).
        """
        edits = len(message.history)
        query_id = self.api.press_button(message, user, button)
        if self.polling:

            def answered_and_edited() -> bool | None:
                return (
                    self.api.callback_answer(query_id) is not None and len(message.history) > edits
                ) or None

            await self.api.wait_for("answer and edit after a press", answered_and_edited)
        else:
            await self.flush()
        assert self.api.callback_answer(query_id) is not None, "the bot did not answer the button"
        return message


StartBot = Callable[..., contextlib.AbstractAsyncContextManager[BotUnderTest]]
"""The ``start_bot`` fixture: ``start_bot(poll=False)``, an async context manager of the running bot."""


@contextlib.asynccontextmanager
async def bot_running(
    api: FakeBotApi,
    engine: Engine,
    data_dir: Path,
    *,
    poll: bool = False,
    pacing: PacingLimits | None = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[BotUnderTest]:
    """The bot against ``api``, its store in ``data_dir``: long polling, or fed by :meth:`BotUnderTest.flush`.

    ``pacing``: by default Telegram's limits (:data:`TELEGRAM_LIMITS`) when polling, else :data:`QUICK_PACING`.
    ``env`` adds or overrides variables (``BANGFU_ADMIN_IDS``, ``BANGFU_KNOWLEDGE_DIR`` …).
    """
    pacing = pacing or (TELEGRAM_LIMITS if poll else QUICK_PACING)
    settings = bot_settings(data_dir, api.root_url, api.token, env)
    application = build_application(settings, engine, pacing=pacing)
    async with running(application, poll=poll):
        yield BotUnderTest(api, application, polling=poll)
