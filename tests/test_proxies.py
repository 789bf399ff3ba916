"""The proxy from HTTPS_PROXY/HTTP_PROXY/ALL_PROXY carries every Bot API call, socks5:// included, and a
failed start through it says so; all on 127.0.0.1 (tests/proxies.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.channels.telegram.app import TelegramUnavailableError, build_application, running, start_up_error
from bot.channels.telegram.request import NotABotApiError
from bot.engine import Engine
from bot.errors import SettingsError
from bot.settings import Settings
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.proxies import Kind, local_proxy
from tests.telegram_support import TOKEN, BotUnderTest


@pytest.mark.asyncio
@pytest.mark.parametrize(("kind", "variable"), [("http", "HTTP_PROXY"), ("socks5", "ALL_PROXY")])
async def test_every_bot_api_call_goes_through_the_proxy(
    fake_api: FakeBotApi,
    engine: Engine,
    tmp_path: Path,
    chat: FakeChat,
    user: FakeUser,
    kind: Kind,
    variable: str,
) -> None:
    async with local_proxy(kind) as proxy:
        env = {
            "TELEGRAM_BOT_TOKEN": fake_api.token,
            "TELEGRAM_API_URL": fake_api.root_url,
            variable: proxy.url,
        }
        settings = Settings.from_env(env | {"BANGFU_DATA_DIR": str(tmp_path)})
        assert settings.proxy is not None
        assert settings.proxy.variable == variable
        application = build_application(settings, engine)
        async with running(application, poll=False):
            bot = BotUnderTest(fake_api, application, polling=False)
            answer = await bot.ask(chat, user, "万州区扶贫办电话")
        assert "023-58569600" in answer[0]
        assert proxy.relayed, "nothing went through the proxy"
        assert {port for _, port in proxy.relayed} == {int(fake_api.root_url.rsplit(":", 1)[1])}


def failure(env: dict[str, str], error: Exception) -> str:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN} | env)
    explained = start_up_error(settings, error)  # type: ignore[arg-type]
    message = str(explained)
    assert "\n" not in message
    assert TOKEN not in message
    return f"{type(explained).__name__}: {message}"


def test_an_unreachable_telegram_without_a_proxy_says_mainland_china_needs_one() -> None:
    assert failure({}, NetworkError("httpx.ConnectError: [Errno 101] Network is unreachable")) == (
        "TelegramUnavailableError: cannot reach the Telegram Bot API at api.telegram.org: httpx.ConnectError: "
        "[Errno 101] Network is unreachable (in mainland China Telegram is reached only through a proxy: set "
        "HTTPS_PROXY or ALL_PROXY)"
    )


def test_an_unreachable_telegram_through_a_proxy_names_it_without_its_password() -> None:
    env = {"HTTPS_PROXY": "http://bangfu:hunter2@10.0.0.1:3128"}
    error = NetworkError("httpx.ProxyError: cannot connect to http://bangfu:hunter2@10.0.0.1:3128")
    message = failure(env, error)
    assert message.startswith(
        "TelegramUnavailableError: cannot reach the Telegram Bot API at api.telegram.org through the proxy "
        "http://bangfu:***@10.0.0.1:3128 (HTTPS_PROXY): "
    )
    assert "hunter2" not in message
    assert "mainland China" not in message


def test_a_proxy_demanding_credentials_is_a_setting_to_fix() -> None:
    env = {"ALL_PROXY": "http://10.0.0.1:3128"}
    assert failure(env, NetworkError("httpx.ProxyError: 407 Proxy Authentication Required")) == (
        "SettingsError: the proxy http://10.0.0.1:3128 (ALL_PROXY) refused its credentials (407): check the user "
        "and password in ALL_PROXY"
    )


def test_telegram_answered_by_an_html_page_points_to_something_in_between() -> None:
    message = failure({}, NotABotApiError(200, html=True))
    assert message.startswith(
        "TelegramUnavailableError: cannot reach the Telegram Bot API at api.telegram.org: "
    )
    assert "captive portal" in message


def test_a_rejected_token_at_telegram_and_at_a_self_hosted_server() -> None:
    assert failure({}, InvalidToken("Unauthorized")).startswith(
        "SettingsError: Telegram rejected TELEGRAM_BOT_TOKEN"
    )
    assert failure({"TELEGRAM_API_URL": "http://127.0.0.1:8081"}, InvalidToken("Not Found")) == (
        "SettingsError: the Bot API server at http://127.0.0.1:8081 rejected TELEGRAM_BOT_TOKEN: check the token, "
        "and that TELEGRAM_API_URL is the server's root URL (the bot adds /bot<token>/<method> itself)"
    )


def test_the_error_kinds_carry_the_exit_statuses_systemd_needs() -> None:
    assert SettingsError.exit_status == 2  # RestartPreventExitStatus=2: retrying cannot help
    assert TelegramUnavailableError.exit_status == 1  # Restart=on-failure retries
