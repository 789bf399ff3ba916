"""``bangfu telegram`` as an operator runs it: SIGTERM in both modes, health and metrics meanwhile, and one
clear line with the right exit status when the proxy or TELEGRAM_API_URL is wrong.

Like tests/test_telegram_app.py, the command runs in the main thread (it owns the event loop and the
signal handlers) while the fake Bot API serves from a thread of its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from bot.engine import Engine
from bot.settings import Listen
from bot.tools.healthcheck import check_health
from tests.fakebotapi import FakeBotApi
from tests.fakebotapi.server import SECRET_HEADER
from tests.ops_support import HOOK_PATH, SECRET, free_port, get, metric, ops_env, post, status_becomes
from tests.proxies import LocalProxy
from tests.telegram_support import TOKEN, USER
from tests.test_telegram_app import ThreadedFake

WANZHOU = "023-58569600"


@pytest.fixture
def shared_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """run_telegram loads the engine; reuse the session's instead of loading it again."""
    monkeypatch.setattr(Engine, "load", classmethod(lambda cls, knowledge, intents: engine))
    return engine


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """The command configures the root logger (as it should); undo that for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {
        name: logging.getLogger(name).level for name in ("httpx", "httpcore", "jieba", "aiohttp.access")
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def set_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("no_proxy", "shared_engine", "cli_logging")
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_bangfu_telegram_serves_health_and_metrics_and_exits_0_on_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], webhook: bool
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    async def operate(api: FakeBotApi) -> dict[str, object]:
        await status_becomes(f"{base}/healthz", 200, within=30)
        seen: dict[str, object] = {"healthz": await get(f"{base}/healthz")}
        seen["health command"] = await asyncio.to_thread(check_health, Listen("0.0.0.0", port))
        user = api.user(*USER)
        chat = api.private_chat(user)
        api.send_text(chat, user, "万州区扶贫办电话")
        [answer] = await api.wait_for_messages(1, chat, within=20)
        seen["answer"] = answer.text
        if webhook:
            seen["wrong secret"] = await post(f"{base}{HOOK_PATH}", b"{}", {SECRET_HEADER: "wrong"})
        seen["metrics"] = (await get(f"{base}/metrics"))[1]
        os.kill(os.getpid(), signal.SIGTERM)  # what `docker stop` or systemd sends
        return seen

    with ThreadedFake() as fake:
        fake.api.long_poll_cap = 1.0
        set_env(
            monkeypatch,
            ops_env(fake.api, tmp_path, webhook=webhook, port=port) | {"BANGFU_LOG_FORMAT": "json"},
        )
        seen = fake.run(operate)
        assert main(["telegram"]) == 0
        results = seen.result(5)
        hook = fake.api.webhook
    assert results["healthz"] == (200, "ok\n")
    assert results["health command"] == (True, "ok")
    assert WANZHOU in str(results["answer"])
    assert metric(str(results["metrics"]), 'bangfu_questions_total{outcome="answered"}') == 1
    if webhook:
        assert results["wrong secret"] == 403
        assert hook is not None
        assert hook.secret_token == SECRET
    else:
        assert hook is None
    err = capfd.readouterr().err
    assert '"message": "stopping: finishing the updates in hand"' in err
    assert TOKEN not in err
    assert SECRET not in err


# --- start-up failures: one line, and an exit status that tells systemd whether to retry ------------------


async def html_server(status: int) -> web.AppRunner:
    """A web server (not a Bot API server) that answers every request with an HTML page."""
    page = (
        "<!DOCTYPE html>\n<html>\n<head><title>Welcome</title></head>\n" + "<p>line</p>\n" * 25 + "</html>\n"
    )

    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=status, text=page, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "<html" not in err.lower()
    assert TOKEN not in err
    return err.strip()


@pytest.mark.usefixtures("no_proxy", "shared_engine", "cli_logging")
@pytest.mark.parametrize("status", [200, 404])
def test_an_api_url_answered_by_a_web_server_is_reported_as_such_with_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    with ThreadedFake() as thread:  # its loop serves the web server while the bot runs in this thread
        runner = thread.run(lambda api: html_server(status)).result(5)
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        set_env(
            monkeypatch,
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": url, "BANGFU_DATA_DIR": str(tmp_path)},
        )
        assert main(["telegram"]) == 2
        thread.run(lambda api: runner.cleanup()).result(5)
    assert one_line_error(capsys) == (
        f"bangfu: TELEGRAM_API_URL {url} is not a Bot API server: the server answered HTTP {status} with an "
        f"HTML page, not the Bot API's JSON; set it to the root URL of one, such as http://127.0.0.1:8081"
    )


@pytest.mark.usefixtures("no_proxy", "shared_engine", "cli_logging")
def test_an_api_url_ending_in_bot_is_refused_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_env(monkeypatch, {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot"})
    assert main(["telegram"]) == 2
    assert "without /bot" in one_line_error(capsys)


@pytest.mark.usefixtures("no_proxy", "shared_engine", "cli_logging")
@pytest.mark.parametrize("variable", ["ALL_PROXY", "HTTPS_PROXY"])
def test_a_dead_proxy_is_one_line_naming_it_with_status_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str
) -> None:
    """Status 1: systemd retries (the proxy may come back); the line names the proxy and its variable."""
    proxy = f"socks5://127.0.0.1:{free_port()}"
    set_env(monkeypatch, {"TELEGRAM_BOT_TOKEN": TOKEN, "BANGFU_DATA_DIR": str(tmp_path), variable: proxy})
    assert main(["telegram"]) == 1
    line = one_line_error(capsys)
    assert line.startswith(
        f"bangfu: cannot reach the Telegram Bot API at api.telegram.org through the proxy {proxy} ({variable}): "
    )


@pytest.mark.usefixtures("no_proxy", "shared_engine", "cli_logging")
def test_a_proxy_refusing_its_credentials_is_one_line_with_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ThreadedFake() as fake:
        proxy = fake.run(lambda api: LocalProxy("http-407").__aenter__()).result(5)
        url = proxy.url.replace("http://", "http://bangfu:hunter2@")
        env = {"TELEGRAM_BOT_TOKEN": fake.api.token, "TELEGRAM_API_URL": fake.api.root_url, "HTTP_PROXY": url}
        set_env(monkeypatch, env | {"BANGFU_DATA_DIR": str(tmp_path)})
        assert main(["telegram"]) == 2
        fake.run(lambda api: proxy.__aexit__()).result(5)
    line = one_line_error(capsys)
    assert line.startswith("bangfu: the proxy http://bangfu:***@127.0.0.1:")
    assert "(HTTP_PROXY) refused its credentials (407)" in line
    assert "hunter2" not in line
