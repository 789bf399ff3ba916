"""Shared fixtures. Add yours in a section of its own; keep the others'."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.engine import Engine
from bot.settings import PROJECT_ROOT
from tests.fake_botapi import FakeBotApi

# --- the answer engine -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine over the project's knowledge and intents, built once per test session (~1 s)."""
    return Engine.load(PROJECT_ROOT / "knowledge", PROJECT_ROOT / "intents")


# --- the Telegram bot (helpers in tests/telegram_support.py) ----------------------------------------------

# Variables through which httpx would send even 127.0.0.1 traffic to a proxy.
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps the bot's HTTP client local (in production it honours proxy variables, as it should)."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest_asyncio.fixture
async def fake_api(no_proxy: None) -> AsyncIterator[FakeBotApi]:
    """A stand-in Bot API server on 127.0.0.1 for one test."""
    async with FakeBotApi(bot_username="bangfu_test_bot") as api:
        yield api
