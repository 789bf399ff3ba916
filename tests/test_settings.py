"""Settings from the environment: validated once, one-line errors, and a token that never shows itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import PROJECT_ROOT, Secret, Settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"  # the shape @BotFather gives; not a real token


def settings_error(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_without_any_variable_the_defaults_are_the_projects() -> None:
    settings = Settings.from_env({})
    assert settings.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert settings.intents_dir == PROJECT_ROOT / "intents"
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert (settings.telegram_token, settings.telegram_api_url, settings.log_level) == (None, None, "INFO")
    assert settings.log_level_number == logging.INFO


# --- the token ----------------------------------------------------------------------------------------


def test_a_token_is_kept_as_a_secret() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": f"  {TOKEN} "})
    assert settings.telegram_token == Secret(TOKEN)
    assert settings.require_token().reveal() == TOKEN


def test_require_token_without_one_is_a_one_line_error_saying_how_to_get_one() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "  "})
    with pytest.raises(SettingsError) as caught:
        settings.require_token()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("TELEGRAM_BOT_TOKEN is not set")
    assert "@BotFather" in message


@pytest.mark.parametrize(
    "token",
    [
        "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX",  # the id is missing
        "123456789:short",
        f'"{TOKEN}"',  # pasted with its quotes
        f"{TOKEN[:20]} {TOKEN[20:]}",
        f"bot{TOKEN}",
    ],
)
def test_a_malformed_token_is_one_line_that_does_not_repeat_it(token: str) -> None:
    message = settings_error({"TELEGRAM_BOT_TOKEN": token})
    assert message.startswith("TELEGRAM_BOT_TOKEN is malformed")
    assert token.strip() not in message
    assert TOKEN.split(":")[1] not in message


@pytest.mark.parametrize(
    "show",
    [
        repr,
        str,
        lambda s: f"{s}",
        lambda s: f"{s!r}",
        lambda s: "%s" % s,  # noqa: UP031 - the old style is what is being tested
        lambda s: "{}".format(s),  # noqa: UP032 - so is str.format
        lambda s: str([s]),
    ],
    ids=["repr", "str", "f-string", "f-string-repr", "percent", "format", "in-a-list"],
)
def test_a_secret_never_shows_itself(show: Callable[[Secret], str]) -> None:
    shown = show(Secret(TOKEN))
    assert TOKEN not in shown
    assert "********" in shown


def test_the_settings_repr_hides_the_token() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN not in f"{settings}"


def test_a_secret_in_a_log_line_stays_hidden(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("bot.test").info("token %s", Secret(TOKEN))
    assert TOKEN not in caplog.text


def test_secrets_compare_by_value() -> None:
    assert Secret(TOKEN) == Secret(TOKEN)
    assert Secret(TOKEN) != Secret(TOKEN + "x")
    assert Secret(TOKEN) != TOKEN  # never equal to the bare string, which would invite comparing the two
    assert len({Secret(TOKEN), Secret(TOKEN)}) == 1


# --- the Bot API server -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081"),
        (" https://botapi.example.org/ ", "https://botapi.example.org"),
        ("", None),
        ("   ", None),
    ],
)
def test_a_bot_api_url_is_kept_without_its_trailing_slash(value: str, url: str | None) -> None:
    assert Settings.from_env({"TELEGRAM_API_URL": value}).telegram_api_url == url


@pytest.mark.parametrize(
    "value", ["127.0.0.1:8081", "localhost", "ftp://example.org", "http://", "https:///bot"]
)
def test_a_bot_api_url_that_is_not_a_server_root_is_refused(value: str) -> None:
    message = settings_error({"TELEGRAM_API_URL": value})
    assert message.startswith(
        "TELEGRAM_API_URL must be the root URL of a Bot API server such as http://127.0.0.1:8081"
    )
    assert repr(value.rstrip("/")) in message


# --- directories --------------------------------------------------------------------------------------


def test_directories_may_be_given_relative_or_with_a_tilde(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "k").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings.from_env({"BANGFU_KNOWLEDGE_DIR": "k", "BANGFU_DATA_DIR": "~/data"})
    assert settings.knowledge_dir == tmp_path.resolve() / "k"
    assert settings.data_dir == tmp_path.resolve() / "data"  # need not exist yet; it is created on first use


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("", encoding="utf-8")
    message = settings_error({"BANGFU_DATA_DIR": str(tmp_path / "data")})
    assert (
        message
        == f"BANGFU_DATA_DIR points to {tmp_path.resolve() / 'data'}, which is a file, not a directory"
    )


@pytest.mark.parametrize("name", ["BANGFU_KNOWLEDGE_DIR", "BANGFU_INTENTS_DIR"])
def test_knowledge_and_intents_must_be_existing_directories(tmp_path: Path, name: str) -> None:
    missing = tmp_path / "missing"
    assert (
        settings_error({name: str(missing)})
        == f"{name} points to {missing.resolve()}, which is not a directory"
    )


# --- log level ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level", "number"),
    [
        ("DEBUG", "DEBUG", 10),
        ("debug", "DEBUG", 10),
        (" warning ", "WARNING", 30),
        ("ERROR", "ERROR", 40),
        ("", "INFO", 20),
    ],
)
def test_a_log_level_is_read_in_any_case(value: str, level: str, number: int) -> None:
    settings = Settings.from_env({"BANGFU_LOG_LEVEL": value})
    assert (settings.log_level, settings.log_level_number) == (level, number)


@pytest.mark.parametrize("value", ["TRACE", "verbose", "10", "CRITICAL"])
def test_an_unknown_log_level_is_refused_with_the_choices(value: str) -> None:
    assert settings_error({"BANGFU_LOG_LEVEL": value}) == (
        f"BANGFU_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not {value.upper()!r}"
    )
