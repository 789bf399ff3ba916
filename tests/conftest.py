"""Shared fixtures. Add yours in a section of its own; keep the others'."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_knowledge
from bot.engine import Engine
from bot.logsetup import RedactingFilter
from bot.settings import PROJECT_ROOT
from tests.engine_support import ProjectCopy, copy_project
from tests.fake_botapi import FakeBotApi
from tests.knowledge_support import BREAKAGES, KNOWLEDGE, Breakage, BrokenKnowledge, apply, copy_knowledge

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


# --- the knowledge files (helpers and the broken-knowledge table in tests/knowledge_support.py) ----------


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped knowledge, loaded and validated once per test session."""
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
    quieted = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "jieba")}
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
