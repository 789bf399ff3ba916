"""Shared fixtures. Add yours in a section of its own; keep the others'."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.channels.telegram.districts import DistrictDirectory
from bot.channels.telegram.services import Services
from bot.channels.telegram.store import Store
from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_knowledge
from bot.engine import Engine
from bot.logsetup import RedactingFilter
from tests.engine_support import INTENTS, ProjectCopy, copy_project
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.knowledge_support import BREAKAGES, KNOWLEDGE, Breakage, BrokenKnowledge, apply, copy_knowledge
from tests.telegram_support import (
    ADMIN,
    BOT_USERNAME,
    GROUP,
    MEMBER,
    TOKEN,
    USER,
    BotUnderTest,
    StartBot,
    bot_running,
)

# --- the knowledge the tests read ----------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """Points every command the tests run (in process or as a child) at the fixture knowledge and intents.

    The unit tests never read the shipped ``knowledge/`` and ``intents/``, which maintainers edit: their
    snapshot in ``tests/fixtures/`` follows the guideline alone (``make fixtures`` refreshes it).
    """
    os.environ["BANGFU_KNOWLEDGE_DIR"] = str(KNOWLEDGE)
    os.environ["BANGFU_INTENTS_DIR"] = str(INTENTS)


# --- the answer engine -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine over the fixture knowledge and intents, built once per test session (~1 s)."""
    return Engine.load(KNOWLEDGE, INTENTS)


# --- the Telegram bot (helpers and constants in tests/telegram_support.py) ----------------------------------

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
    async with FakeBotApi(TOKEN, BOT_USERNAME) as api:
        yield api


@pytest.fixture
def privacy_mode() -> bool:
    """Whether the ``bot`` fixture's bot has privacy mode on (BotFather's default); override to turn it off."""
    return True


@pytest.fixture
def start_bot(fake_api: FakeBotApi, engine: Engine, tmp_path: Path) -> Iterator[StartBot]:
    """Starts the bot against ``fake_api`` (``async with start_bot(poll=True) as bot``), as often as needed.

    Every start shares one store, so settings and buttons survive a restart. The test fails if the bot made
    a call Telegram would refuse, unless it forgets them (``fake_api.requests.clear()``).
    """
    yield functools.partial(bot_running, fake_api, engine, tmp_path)
    assert [call.summary() for call in fake_api.failed_calls()] == []


@pytest_asyncio.fixture
async def bot(start_bot: StartBot, fake_api: FakeBotApi, privacy_mode: bool) -> AsyncIterator[BotUnderTest]:
    """The bot, started without polling: ``await bot.flush()`` (or ``ask``, ``press``) handles its updates."""
    fake_api.can_read_all_group_messages = not privacy_mode
    async with start_bot() as running:
        yield running


@pytest.fixture
def user(fake_api: FakeBotApi) -> FakeUser:
    """A user who talks to the bot in a private chat."""
    return fake_api.user(*USER)


@pytest.fixture
def chat(fake_api: FakeBotApi, user: FakeUser) -> FakeChat:
    """The user's private chat with the bot."""
    return fake_api.private_chat(user)


@pytest.fixture
def admin(fake_api: FakeBotApi) -> FakeUser:
    """The creator of :func:`group`."""
    return fake_api.user(*ADMIN)


@pytest.fixture
def member(fake_api: FakeBotApi) -> FakeUser:
    """A member of :func:`group`, who is no admin."""
    return fake_api.user(*MEMBER)


@pytest.fixture
def group(fake_api: FakeBotApi, admin: FakeUser) -> FakeChat:
    """A supergroup the bot is in, created by ``admin``."""
    chat = fake_api.group(*GROUP, "supergroup")
    fake_api.set_admins(chat, {admin.id: "creator"})
    return chat


@pytest.fixture
def deps(engine: Engine, tmp_path: Path) -> Iterator[Services]:
    """What the handlers use (engine, store, district directory), for testing menus without the bot."""
    store = Store.open(tmp_path / "store.sqlite3")
    yield Services(engine, store, DistrictDirectory.build(engine.kb))
    store.close()


# --- the knowledge files (helpers and the broken-knowledge table in tests/knowledge_support.py) ----------


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The fixture knowledge, loaded and validated once per test session."""
    return load_knowledge(KNOWLEDGE)


@pytest.fixture
def knowledge_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of knowledge/ at ``<tmp>/knowledge``, with ``<tmp>`` the working directory.

    Problems are then reported as ``knowledge/<file>:<line>``, as a maintainer in the project would see them.
    """
    monkeypatch.chdir(tmp_path)
    return copy_knowledge(tmp_path / "knowledge")


@pytest.fixture(params=BREAKAGES, ids=[b.id for b in BREAKAGES])
def broken_knowledge(request: pytest.FixtureRequest, knowledge_dir: Path) -> BrokenKnowledge:
    """A copy of knowledge/ with one mistake in it; one instance per kind of mistake."""
    breakage: Breakage = request.param
    return apply(breakage, knowledge_dir)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Undoes ``configure_logging`` (which the command line calls) after a test."""
    root = logging.getLogger()
    level = root.level
    quieted = {
        name: logging.getLogger(name).level for name in ("httpx", "httpcore", "jieba", "aiohttp.access")
    }
    yield
    for handler in list(root.handlers):
        if any(isinstance(f, RedactingFilter) for f in handler.filters):
            root.removeHandler(handler)
    root.setLevel(level)
    for name, old in quieted.items():
        logging.getLogger(name).setLevel(old)


# --- the answer engine's unit tests, test_normalize.py … test_cli.py (helpers in tests/engine_support.py) ----


@pytest.fixture
def project_copy(tmp_path: Path) -> ProjectCopy:
    """Writable copies of knowledge/ and intents/ under ``tmp_path``, for breaking a file on purpose."""
    return copy_project(tmp_path)
