"""The operations settings: webhook mode, the HTTP server's address, the log format and the proxy, each
refused with one line that names the variable and says what would do."""

from __future__ import annotations

import pytest

from bot.errors import SettingsError
from bot.settings import DEFAULT_LISTEN, Listen, Settings, proxy_for

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"
SECRET = "s3cr3t_-Value"
WEBHOOK = {"BANGFU_WEBHOOK_URL": "https://bot.example.org/telegram/hook", "BANGFU_WEBHOOK_SECRET": SECRET}


def settings_error(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- webhook mode ------------------------------------------------------------------------------------------


def test_polling_is_the_default_without_a_server() -> None:
    settings = Settings.from_env({})
    assert (settings.webhook_url, settings.webhook_secret, settings.webhook_path, settings.listen) == (
        None,
        None,
        None,
        None,
    )


def test_webhook_mode_takes_its_path_from_the_url_and_listens_locally_by_default() -> None:
    settings = Settings.from_env(WEBHOOK)
    assert settings.webhook_url == "https://bot.example.org/telegram/hook"
    assert settings.webhook_path == "/telegram/hook"
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.reveal() == SECRET
    assert SECRET not in repr(settings)
    assert settings.listen == Listen("127.0.0.1", 8080)
    assert str(settings.listen) == DEFAULT_LISTEN


def test_a_webhook_url_without_a_path_is_posted_to_the_root() -> None:
    assert (
        Settings.from_env(WEBHOOK | {"BANGFU_WEBHOOK_URL": "https://bot.example.org:8443"}).webhook_path
        == "/"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://bot.example.org/hook", "must be the public HTTPS URL"),
        ("bot.example.org/hook", "must be the public HTTPS URL"),
        ("https:///hook", "must be the public HTTPS URL"),
        (
            "https://bot.example.org:8080/hook",
            "uses port 8080, but Telegram posts webhooks only to ports 443, 80, 88, 8443",
        ),
        ("https://bot.example.org:99999/hook", "has an invalid port"),
        ("https://bot.example.org/hook?secret=1", "must not carry a query"),
        ("https://user:pw@bot.example.org/hook", "must not carry a query, a fragment or credentials"),
        ("https://bot.example.org/healthz", "cannot use the path /healthz"),
        ("https://bot.example.org/metrics", "cannot use the path /metrics"),
    ],
)
def test_a_webhook_url_telegram_would_refuse_is_one_line(url: str, expected: str) -> None:
    message = settings_error(WEBHOOK | {"BANGFU_WEBHOOK_URL": url})
    assert message.startswith("BANGFU_WEBHOOK_URL")
    assert expected in message


def test_a_self_hosted_bot_api_server_may_post_to_any_port_over_http() -> None:
    env = WEBHOOK | {
        "TELEGRAM_API_URL": "http://127.0.0.1:8081",
        "BANGFU_WEBHOOK_URL": "http://10.0.0.5:9000/h",
    }
    assert Settings.from_env(env).webhook_path == "/h"


def test_webhook_mode_needs_the_secret() -> None:
    message = settings_error({"BANGFU_WEBHOOK_URL": WEBHOOK["BANGFU_WEBHOOK_URL"]})
    assert message.startswith("BANGFU_WEBHOOK_SECRET is required with BANGFU_WEBHOOK_URL")
    assert "openssl rand -hex 32" in message


@pytest.mark.parametrize("secret", ["with space", "ümlaut", "semi;colon", "x" * 257, "a/b", "pass+word"])
def test_a_secret_telegram_would_refuse_is_one_line_that_does_not_repeat_it(secret: str) -> None:
    message = settings_error(WEBHOOK | {"BANGFU_WEBHOOK_SECRET": secret})
    assert message.startswith("BANGFU_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -, 1 to 256 of them")
    assert secret not in message


def test_the_longest_secret_telegram_allows_is_accepted() -> None:
    assert Settings.from_env(WEBHOOK | {"BANGFU_WEBHOOK_SECRET": "A" * 256}).webhook_secret is not None


def test_a_secret_left_behind_after_returning_to_polling_is_harmless() -> None:
    settings = Settings.from_env({"BANGFU_WEBHOOK_SECRET": "left over!"})
    assert settings.webhook_url is None


# --- the HTTP server's address -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "listen"),
    [
        ("127.0.0.1:8080", Listen("127.0.0.1", 8080)),
        ("0.0.0.0:9100", Listen("0.0.0.0", 9100)),
        ("localhost:1", Listen("localhost", 1)),
        ("[::1]:8080", Listen("::1", 8080)),
        ("[::]:65535", Listen("::", 65535)),
    ],
)
def test_listen_is_host_and_port(value: str, listen: Listen) -> None:
    settings = Settings.from_env({"BANGFU_LISTEN": value})
    assert settings.listen == listen
    assert str(settings.listen) == value
    assert settings.webhook_url is None  # health and metrics while polling


@pytest.mark.parametrize(
    "value", ["8080", ":8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:0", "host:65536", "::1:80"]
)
def test_a_listen_address_that_is_not_host_and_port_is_one_line(value: str) -> None:
    message = settings_error({"BANGFU_LISTEN": value})
    assert message.startswith("BANGFU_LISTEN must be host:port, such as 127.0.0.1:8080")
    assert repr(value) in message


# --- the log format ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "log_format"),
    [("", None), ("json", "json"), (" JSON ", "json"), ("journal", "journal"), ("text", "text")],
)
def test_the_log_format_is_read_in_any_case(value: str, log_format: str | None) -> None:
    assert Settings.from_env({"BANGFU_LOG_FORMAT": value}).log_format == log_format


def test_an_unknown_log_format_is_refused_with_the_choices() -> None:
    assert (
        settings_error({"BANGFU_LOG_FORMAT": "xml"})
        == "BANGFU_LOG_FORMAT must be text, json or journal, not 'xml'"
    )


# --- TELEGRAM_API_URL's path ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "root"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081"),
        ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081"),
        (f"https://tg.example.org/api/bot{TOKEN}", "https://tg.example.org/api"),
        (f"https://tg.example.org/bot{TOKEN}/getMe", "https://tg.example.org"),
    ],
)
def test_an_api_url_ending_in_bot_says_to_drop_it_without_quoting_a_token(value: str, root: str) -> None:
    message = settings_error({"TELEGRAM_API_URL": value})
    assert message.startswith("TELEGRAM_API_URL must be the Bot API server's root, without /bot")
    assert message.endswith(f"set it to {root}")
    assert TOKEN.split(":")[1] not in message


def test_an_api_url_below_a_path_is_kept() -> None:
    assert (
        Settings.from_env({"TELEGRAM_API_URL": "https://example.org/botapi"}).api_root
        == "https://example.org/botapi"
    )


# --- the proxy ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "variable", "url"),
    [
        ({"HTTPS_PROXY": "http://127.0.0.1:7890"}, "HTTPS_PROXY", "http://127.0.0.1:7890"),
        ({"https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2"}, "https_proxy", "http://a:1"),
        ({"ALL_PROXY": "socks5://127.0.0.1:1080"}, "ALL_PROXY", "socks5://127.0.0.1:1080"),
        ({"all_proxy": "socks5h://proxy.lan:1080"}, "all_proxy", "socks5h://proxy.lan:1080"),
        ({"HTTPS_PROXY": "http://a:1", "ALL_PROXY": "socks5://b:2"}, "HTTPS_PROXY", "http://a:1"),
        ({"HTTPS_PROXY": "127.0.0.1:7890"}, "HTTPS_PROXY", "http://127.0.0.1:7890"),  # as httpx reads it
    ],
)
def test_the_proxy_for_telegram_is_the_one_httpx_would_choose(
    env: dict[str, str], variable: str, url: str
) -> None:
    proxy = Settings.from_env(env).proxy
    assert proxy is not None
    assert (proxy.variable, proxy.url.reveal(), proxy.shown) == (variable, url, url)


def test_an_http_proxy_does_not_apply_to_https() -> None:
    assert Settings.from_env({"HTTP_PROXY": "http://127.0.0.1:7890"}).proxy is None


def test_a_self_hosted_http_server_uses_http_proxy() -> None:
    env = {"HTTP_PROXY": "http://127.0.0.1:7890", "TELEGRAM_API_URL": "http://10.1.2.3:8081"}
    proxy = Settings.from_env(env).proxy
    assert proxy is not None
    assert proxy.variable == "HTTP_PROXY"


def test_the_proxy_password_is_never_shown() -> None:
    proxy = Settings.from_env({"ALL_PROXY": "socks5://bangfu:hunter2@127.0.0.1:1080"}).proxy
    assert proxy is not None
    assert proxy.shown == "socks5://bangfu:***@127.0.0.1:1080"
    assert "hunter2" not in repr(proxy)
    assert proxy.url.reveal() == "socks5://bangfu:hunter2@127.0.0.1:1080"


@pytest.mark.parametrize(
    "no_proxy",
    ["api.telegram.org", "telegram.org", ".telegram.org", "*", "localhost, telegram.org", "API.Telegram.org"],
)
def test_no_proxy_exempts_the_host_or_a_domain_above_it(no_proxy: str) -> None:
    assert proxy_for("https://api.telegram.org", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": no_proxy}) is None


@pytest.mark.parametrize("no_proxy", ["10.0.0.0/8", "10.1.2.3", "example.org, 10.1.0.0/16"])
def test_no_proxy_exempts_an_address_or_its_network(no_proxy: str) -> None:
    env = {"HTTP_PROXY": "http://p:1", "no_proxy": no_proxy}
    assert proxy_for("http://10.1.2.3:8081", env) is None


def test_no_proxy_for_another_domain_keeps_the_proxy() -> None:
    assert (
        proxy_for("https://api.telegram.org", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "legram.org"})
        is not None
    )


@pytest.mark.parametrize(
    ("value", "shown", "hint"),
    [
        ("ftp://127.0.0.1:21", "ftp://127.0.0.1:21", ""),
        ("socks4://127.0.0.1:1080", "socks4://127.0.0.1:1080", " (socks4 is not supported; use socks5://)"),
        ("http://", "http://", ""),
        ("http://u:secretpw@127.0.0.1:port", "http://u:***@127.0.0.1:port", ""),
    ],
)
def test_a_proxy_httpx_cannot_use_is_one_line_that_hides_the_password(
    value: str, shown: str, hint: str
) -> None:
    message = settings_error({"ALL_PROXY": value})
    assert message == (
        f"ALL_PROXY must be a proxy URL such as http://127.0.0.1:7890 or socks5://127.0.0.1:1080, "
        f"not {shown!r}{hint}"
    )
    assert "secretpw" not in message
