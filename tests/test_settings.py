"""Settings from the environment: validated once, one-line errors, a token that never shows itself, and the
default directories of a checkout and of an installed package (tests/test_install.py installs it for real)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import PROJECT_ROOT, Secret, Settings, detect_layout

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"  # the shape @BotFather gives; not a real token


def settings_error(env: dict[str, str], package_dir: Path | None = None) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env, package_dir=package_dir)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_without_any_variable_the_defaults_are_the_projects() -> None:
    settings = Settings.from_env({})
    assert settings.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert settings.intents_dir == PROJECT_ROOT / "intents"
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.layout.kind == "checkout"
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


# --- where the files are: a checkout or an installed package ---------------------------------------------

PYPROJECT = '[project]\nname = "bangfu"\nversion = "0.1.0"\n'


def checkout(tmp_path: Path, pyproject: str = PYPROJECT) -> Path:
    """A source tree like the repository's; returns its package directory."""
    root = tmp_path / "repo"
    for folder in ("bot", "knowledge", "intents"):
        (root / folder).mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root / "bot"


def installation(tmp_path: Path, *, shipped: tuple[str, ...] = ("knowledge", "intents")) -> Path:
    """A site-packages directory with the package as a wheel installs it; returns its package directory."""
    package = tmp_path / "site-packages" / "bot"
    package.mkdir(parents=True)
    for folder in shipped:
        (package / "_shipped" / folder).mkdir(parents=True)
    return package


def test_a_checkout_uses_the_repository_s_folders(tmp_path: Path) -> None:
    package = checkout(tmp_path)
    settings = Settings.from_env({"HOME": str(tmp_path / "home")}, package_dir=package)
    root = package.parent
    assert settings.layout.kind == "checkout"
    assert (settings.knowledge_dir, settings.intents_dir, settings.data_dir) == (
        root / "knowledge",
        root / "intents",
        root / "data",
    )


def test_an_installed_package_uses_its_shipped_copies_and_keeps_data_in_the_home_directory(
    tmp_path: Path,
) -> None:
    package = installation(tmp_path)
    home = tmp_path / "home"
    settings = Settings.from_env({"HOME": str(home)}, package_dir=package)
    assert settings.layout.kind == "installed"
    assert settings.knowledge_dir == package / "_shipped" / "knowledge"
    assert settings.intents_dir == package / "_shipped" / "intents"
    assert settings.data_dir == home / ".local" / "share" / "bangfu"
    assert not settings.data_dir.is_relative_to(package.parent)  # never inside site-packages


def test_an_installed_package_keeps_data_in_xdg_data_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    settings = Settings.from_env(env, package_dir=installation(tmp_path))
    assert settings.data_dir == tmp_path / "xdg" / "bangfu"


def test_a_relative_xdg_data_home_is_ignored_as_the_specification_says(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": "relative/share"}
    settings = Settings.from_env(env, package_dir=installation(tmp_path))
    assert settings.data_dir == tmp_path / "home" / ".local" / "share" / "bangfu"


def test_a_checkout_ignores_xdg_data_home(tmp_path: Path) -> None:
    package = checkout(tmp_path)
    settings = Settings.from_env({"XDG_DATA_HOME": str(tmp_path / "xdg")}, package_dir=package)
    assert settings.data_dir == package.parent / "data"


@pytest.mark.parametrize(
    "pyproject",
    ['[project]\nname = "someone-else"\n', "[tool.black]\n", "not = [toml\n", None],
    ids=["another-project", "no-project-table", "malformed", "absent"],
)
def test_only_the_project_s_own_pyproject_beside_the_package_makes_a_checkout(
    tmp_path: Path, pyproject: str | None
) -> None:
    # Folders named knowledge/ and intents/ beside an installed package (in site-packages, say) are not
    # taken for the repository's.
    package = checkout(tmp_path)
    if pyproject is None:
        (package.parent / "pyproject.toml").unlink()
    else:
        (package.parent / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    layout = detect_layout(package, {"HOME": str(tmp_path / "home")})
    assert layout.kind == "installed"
    assert layout.knowledge_dir == package / "_shipped" / "knowledge"


@pytest.mark.parametrize("make", [checkout, installation], ids=["checkout", "installed"])
def test_the_variables_override_both_layouts(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    package = make(tmp_path)
    for folder in ("k", "i"):
        (tmp_path / folder).mkdir()
    env = {
        "BANGFU_KNOWLEDGE_DIR": str(tmp_path / "k"),
        "BANGFU_INTENTS_DIR": str(tmp_path / "i"),
        "BANGFU_DATA_DIR": str(tmp_path / "d"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    settings = Settings.from_env(env, package_dir=package)
    assert (settings.knowledge_dir, settings.intents_dir, settings.data_dir) == (
        tmp_path / "k",
        tmp_path / "i",
        tmp_path / "d",
    )


def test_an_installation_without_its_copies_runs_on_the_variables_alone(tmp_path: Path) -> None:
    package = installation(tmp_path, shipped=())
    for folder in ("k", "i"):
        (tmp_path / folder).mkdir()
    env = {"BANGFU_KNOWLEDGE_DIR": str(tmp_path / "k"), "BANGFU_INTENTS_DIR": str(tmp_path / "i")}
    settings = Settings.from_env(env | {"HOME": str(tmp_path / "home")}, package_dir=package)
    assert settings.knowledge_dir == tmp_path / "k"


@pytest.mark.parametrize(
    ("shipped", "variable", "files"),
    [
        (("intents",), "BANGFU_KNOWLEDGE_DIR", "knowledge files"),
        (("knowledge",), "BANGFU_INTENTS_DIR", "intent files"),
    ],
)
def test_an_installation_without_its_copies_names_the_variable_to_set(
    tmp_path: Path, shipped: tuple[str, ...], variable: str, files: str
) -> None:
    package = installation(tmp_path, shipped=shipped)
    missing = package / "_shipped" / ("knowledge" if "knowledge" in files else "intents")
    message = settings_error({"HOME": str(tmp_path / "home")}, package)
    assert message == (
        f"the {files} are not found at {missing}, where the installed package keeps them; "
        f"set {variable} to the directory that holds them"
    )


def test_a_checkout_without_its_knowledge_names_the_variable_to_set(tmp_path: Path) -> None:
    package = checkout(tmp_path)
    (package.parent / "knowledge").rmdir()
    message = settings_error({}, package)
    assert message.startswith(f"the knowledge files are not found at {package.parent / 'knowledge'}, ")
    assert "a source checkout" in message
    assert message.endswith("set BANGFU_KNOWLEDGE_DIR to the directory that holds them")


def test_an_installation_without_a_home_directory_asks_for_bangfu_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    package = installation(tmp_path)
    message = settings_error({}, package)
    assert message.startswith("BANGFU_DATA_DIR is not set and there is no home directory")
    assert Settings.from_env({"BANGFU_DATA_DIR": str(tmp_path / "d")}, package_dir=package).data_dir == (
        tmp_path / "d"
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


# --- the maintainers and the question log ---------------------------------------------------------------------


def test_maintainers_are_listed_by_user_id() -> None:
    assert Settings.from_env({}).admin_ids == frozenset()
    assert Settings.from_env({"BANGFU_ADMIN_IDS": " 1001, 2002 3003,"}).admin_ids == {1001, 2002, 3003}


def test_a_maintainer_must_be_named_by_user_id() -> None:
    message = settings_error({"BANGFU_ADMIN_IDS": "1001,@xiaoming"})
    assert message.startswith("BANGFU_ADMIN_IDS must list Telegram user ids (numbers)")
    assert "'@xiaoming'" in message


def test_the_question_log_is_on_for_180_days_unless_told_otherwise() -> None:
    settings = Settings.from_env({})
    assert (settings.question_log, settings.question_log_days) == (True, 180)
    settings = Settings.from_env({"BANGFU_QUESTION_LOG": "OFF", "BANGFU_QUESTION_LOG_DAYS": "30"})
    assert (settings.question_log, settings.question_log_days) == (False, 30)


@pytest.mark.parametrize(
    ("env", "start"),
    [
        ({"BANGFU_QUESTION_LOG": "maybe"}, "BANGFU_QUESTION_LOG must be on or off"),
        ({"BANGFU_QUESTION_LOG_DAYS": "0"}, "BANGFU_QUESTION_LOG_DAYS must be a whole number of days"),
        ({"BANGFU_QUESTION_LOG_DAYS": "half a year"}, "BANGFU_QUESTION_LOG_DAYS must be a whole number"),
    ],
)
def test_a_bad_question_log_setting_is_one_line(env: dict[str, str], start: str) -> None:
    assert settings_error(env).startswith(start)
