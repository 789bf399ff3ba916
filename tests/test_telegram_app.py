"""Wiring and running: build_application's set-up, run_telegram's exits, and the token kept out of logs.

The run_telegram tests call it as ``bangfu telegram`` does, in the main thread (it owns the event loop
and the stop signals), with the fake Bot API in a thread of its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import pytest
from telegram.ext import CommandHandler, ConversationHandler

from bot.channels.telegram import texts
from bot.channels.telegram.app import (
    MAX_CONCURRENT_UPDATES,
    TelegramUnavailableError,
    TokenGuard,
    build_application,
    run_telegram,
)
from bot.channels.telegram.concurrency import PerSenderUpdateProcessor
from bot.channels.telegram.services import BotData, Context, Services
from bot.cli import main
from bot.engine import Engine
from bot.errors import SettingsError
from tests.fakebotapi import FakeBotApi
from tests.telegram_support import TOKEN, USER, bot_settings

T = TypeVar("T")
OTHER_TOKEN = "123456789:AAOtherTokenThatTelegramWillReject_xyz"


def test_build_application_wires_limits_concurrency_and_the_api_url(engine: Engine, tmp_path: Path) -> None:
    application = build_application(bot_settings(tmp_path, "http://127.0.0.1:8081"), engine)
    try:
        assert application.bot.base_url.startswith("http://127.0.0.1:8081/bot")
        assert application.bot.base_file_url.startswith("http://127.0.0.1:8081/file/bot")
        delivery = application.bot_data.delivery
        assert delivery is not None
        assert application.bot.rate_limiter is delivery.sender
        assert application.update_queue is delivery.queue
        assert application.bot._request[0] is delivery.polling  # getUpdates' own client
        assert isinstance(application.update_processor, PerSenderUpdateProcessor)
        assert application.concurrent_updates == MAX_CONCURRENT_UPDATES > 1
        assert isinstance(application.bot_data, BotData)
        assert isinstance(application.bot_data.services, Services)
        assert application.context_types.context is Context
        assert (tmp_path / "telegram.sqlite3").is_file()
    finally:
        application.bot_data.services.store.close()
        delivery.close()


def test_without_an_api_url_the_bot_talks_to_telegram(engine: Engine, tmp_path: Path) -> None:
    application = build_application(bot_settings(tmp_path), engine)
    application.bot_data.services.store.close()
    assert application.bot.base_url.startswith("https://api.telegram.org/bot")


def test_every_menu_command_has_a_handler(engine: Engine, tmp_path: Path) -> None:
    application = build_application(bot_settings(tmp_path), engine)
    application.bot_data.services.store.close()
    handled: set[str] = set()
    for handler in application.handlers[0]:
        if isinstance(handler, CommandHandler):
            handled |= handler.commands
        if isinstance(handler, ConversationHandler):
            handled |= {c for h in handler.entry_points if isinstance(h, CommandHandler) for c in h.commands}
    menus = {c for c, _ in texts.PRIVATE_COMMANDS} | {c for c, _ in texts.GROUP_COMMANDS}
    assert menus <= handled


def test_the_token_guard_redacts_every_library_logger(caplog: pytest.LogCaptureFixture) -> None:
    guard = TokenGuard(TOKEN)
    guard.install()
    try:
        with caplog.at_level(logging.DEBUG):
            for name in ("httpx", "telegram.ext", "telegram.ext.Updater", "bot.channels.telegram.handlers"):
                logging.getLogger(name).info("POST http://127.0.0.1/bot%s/getMe", TOKEN)
            try:
                raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
            except ValueError:
                logging.getLogger("telegram.ext").exception("Invalid token")
        assert TOKEN not in caplog.text
        assert caplog.text.count("<TOKEN>") == 5
    finally:
        guard.remove()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").info("after removal %s", "visible")
    assert "after removal visible" in caplog.text


# --- run_telegram, as `bangfu telegram` runs it ---------------------------------------------------


class ThreadedFake:
    """A FakeBotApi serving from its own thread and event loop, for code that runs its own loop."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-bot-api", daemon=True)
        self.api: FakeBotApi
        self._loop: asyncio.AbstractEventLoop
        self._stop: asyncio.Event

    def _serve(self) -> None:
        async def serve() -> None:
            self._stop = asyncio.Event()
            self._loop = asyncio.get_running_loop()
            async with FakeBotApi() as api:
                self.api = api
                self._ready.set()
                await self._stop.wait()

        asyncio.run(serve())

    def __enter__(self) -> ThreadedFake:
        self._thread.start()
        assert self._ready.wait(10), "the fake Bot API did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def run(self, coroutine: Callable[[FakeBotApi], Coroutine[Any, Any, T]]) -> Future[T]:
        """Runs ``coroutine(api)`` in the fake's loop (its methods are not thread-safe)."""
        return asyncio.run_coroutine_threadsafe(coroutine(self.api), self._loop)


@pytest.fixture
def shared_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """run_telegram loads the engine; reuse the session's instead of loading it again."""
    monkeypatch.setattr(Engine, "load", classmethod(lambda cls, knowledge, intents: engine))
    return engine


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """The CLI configures the root logger (as it should); undo that for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "jieba")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.usefixtures("no_proxy", "shared_engine")
def test_a_token_telegram_rejects_is_a_one_line_error_without_the_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rejected = pytest.raises(SettingsError, match="rejected TELEGRAM_BOT_TOKEN")
    with ThreadedFake() as fake, caplog.at_level(logging.DEBUG), rejected as caught:
        run_telegram(bot_settings(tmp_path, fake.api.root_url, OTHER_TOKEN))
    assert "\n" not in str(caught.value)
    assert OTHER_TOKEN.split(":")[1] not in str(caught.value) + caplog.text


@pytest.mark.usefixtures("no_proxy", "shared_engine")
def test_an_unreachable_api_is_a_one_line_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TelegramUnavailableError, match="cannot reach the Telegram Bot API") as caught:
        run_telegram(bot_settings(tmp_path, url))
    assert url in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "TELEGRAM_BOT_TOKEN is not set"), ("not-a-token", "TELEGRAM_BOT_TOKEN is malformed")],
)
def test_bangfu_telegram_without_a_usable_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], token: str | None, message: str
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    if token:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    assert main(["telegram"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.usefixtures("no_proxy", "shared_engine", "restored_logging")
def test_bangfu_telegram_answers_and_stops_cleanly_on_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    async def chat_then_stop(api: FakeBotApi) -> str | None:
        await api.wait_for("a waiting getUpdates", lambda: api.polls_waiting or None, within=20)
        user = api.user(*USER)
        chat = api.private_chat(user)
        api.send_text(chat, user, "巫溪县扶贫办电话")
        [answer] = await api.wait_for_messages(1, chat, within=20)
        os.kill(os.getpid(), signal.SIGTERM)  # what `docker stop` or systemd sends
        return answer.text

    with ThreadedFake() as fake:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.api.token)
        monkeypatch.setenv("TELEGRAM_API_URL", fake.api.root_url)
        monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("BANGFU_LOG_LEVEL", "DEBUG")
        answered = fake.run(chat_then_stop)
        assert main(["telegram"]) == 0
        assert "023-51522562" in (answered.result(5) or "")
        menu = fake.api.commands({"type": "all_private_chats"})
    assert [c["command"] for c in menu] == [c for c, _ in texts.PRIVATE_COMMANDS]
    out, err = capfd.readouterr()
    assert "is running" in err  # the CLI's log handler wrote to stderr …
    assert TOKEN not in out + err
    assert TOKEN.split(":")[1] not in out + err


@pytest.mark.usefixtures("no_proxy", "shared_engine", "restored_logging")
def test_bangfu_telegram_with_the_api_unreachable_says_so_in_one_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exit status 1 (not 2) lets a service manager retry: the network may come back."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", url)
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path))
    assert main(["telegram"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"cannot reach the Telegram Bot API at {url}" in err
    assert "Traceback" not in err
    assert TOKEN not in err
