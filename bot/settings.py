"""Settings, read once from the environment into one frozen object and validated at start-up.

=====================  ========================================================  ======================
variable               meaning                                                   default
=====================  ========================================================  ======================
TELEGRAM_BOT_TOKEN     the bot's token from @BotFather; set → ``make run`` starts  unset (console)
                       the Telegram bot
TELEGRAM_API_URL       root of a self-hosted Bot API server                      Telegram's own
BANGFU_DATA_DIR        where group settings and console history are kept         see below
BANGFU_KNOWLEDGE_DIR   the knowledge files                                       see below
BANGFU_INTENTS_DIR     the intent files                                          see below
BANGFU_LOG_LEVEL       DEBUG, INFO, WARNING or ERROR                             INFO
=====================  ========================================================  ======================

Where the files are when no variable says otherwise depends on how the package runs (:func:`detect_layout`):

* **checkout**: the package sits in its source tree (``make run``, an editable install, ``PYTHONPATH``),
  recognized by the ``pyproject.toml`` of project ``bangfu`` beside it. Knowledge, intents and data are the
  repository's ``knowledge/``, ``intents/`` and ``data/``, so edits show at once.
* **installed** (``pip install .``, a wheel): knowledge and intents are the copies shipped inside the
  package (``bot/_shipped/``, put there by the build step in ``setup.py``). They are read only: data is never
  kept beside them, but in ``$XDG_DATA_HOME/bangfu`` (``~/.local/share/bangfu`` when that is unset).

A directory that cannot be found stops the program with one line naming the variable to set.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from bot.errors import SettingsError

PACKAGE_DIR = Path(__file__).resolve().parent
# The directory above the package: the repository in a checkout (tests use it to find their files);
# site-packages, or a --target directory, when installed.
PROJECT_ROOT = PACKAGE_DIR.parent
# Where a built package carries its knowledge and intents; setup.py writes the same name.
SHIPPED_DIR = "_shipped"
PROJECT_NAME = "bangfu"
# Bot API tokens are "<bot id>:<35 characters>"; the check only catches pasting mistakes.
_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,60}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or formatted logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        """Wraps ``value``."""
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Layout:
    """How the package runs, and where its files are unless a variable says otherwise.

    Attributes:
        kind: ``"checkout"`` when the package runs from its source tree, ``"installed"`` otherwise.
        knowledge_dir: The knowledge files.
        intents_dir: The intent files.
        data_dir: Writable directory for group settings and console history, never inside an installed
            package; None when there is no home directory to put it in.
    """

    kind: Literal["checkout", "installed"]
    knowledge_dir: Path
    intents_dir: Path
    data_dir: Path | None


def detect_layout(package_dir: Path, env: Mapping[str, str]) -> Layout:
    """Tells a checkout from an installed package, and where each keeps its files.

    Args:
        package_dir: The directory of the ``bot`` package (:data:`PACKAGE_DIR`).
        env: The environment, for ``XDG_DATA_HOME`` and ``HOME``.
    """
    root = package_dir.parent
    if _is_checkout(root):
        return Layout("checkout", root / "knowledge", root / "intents", root / "data")
    shipped = package_dir / SHIPPED_DIR
    return Layout("installed", shipped / "knowledge", shipped / "intents", _user_data_dir(env))


def _is_checkout(root: Path) -> bool:
    # The project's own pyproject.toml beside the package, rather than the mere presence of knowledge/:
    # a site-packages directory could hold anything, but never this file.
    try:
        with (root / "pyproject.toml").open("rb") as file:
            project = tomllib.load(file).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return isinstance(project, dict) and project.get("name") == PROJECT_NAME


def _user_data_dir(env: Mapping[str, str]) -> Path | None:
    xdg = env.get("XDG_DATA_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG specification says to ignore a relative path
        return Path(xdg) / PROJECT_NAME
    home = env.get("HOME", "").strip()
    if not home:
        try:
            home = str(Path.home())
        except RuntimeError:  # no HOME and no entry in the password database: a bare service account
            return None
    return Path(home) / ".local" / "share" / PROJECT_NAME


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated.

    Attributes:
        knowledge_dir: The knowledge files.
        intents_dir: The intent files.
        data_dir: Writable directory for group settings and console history.
        telegram_token: The Bot API token, or None when the console is used.
        telegram_api_url: Root URL of a self-hosted Bot API server, or None for Telegram's.
        log_level: Logging level name.
        layout: How the package runs and its default directories, which the variables may override.
    """

    knowledge_dir: Path
    intents_dir: Path
    data_dir: Path
    telegram_token: Secret | None
    telegram_api_url: str | None
    log_level: str
    layout: Layout

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, package_dir: Path | None = None) -> Settings:
        """Reads and validates the settings.

        Args:
            env: The environment (``os.environ``).
            package_dir: The ``bot`` package's directory (default :data:`PACKAGE_DIR`), whose surroundings
                give the default directories (see :func:`detect_layout`); tests simulate a checkout or an
                installation with it.

        Raises:
            SettingsError: A variable is set to an unusable value, or the knowledge or intents cannot be
                found; the message names the variable to set and says why.
        """
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if token and not _TOKEN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AA… that @BotFather gives; "
                "check that it was copied whole and without quotes"
            )
        api_url = env.get("TELEGRAM_API_URL", "").strip().rstrip("/") or None
        if api_url is not None:
            parts = urlsplit(api_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise SettingsError(
                    f"TELEGRAM_API_URL must be the root URL of a Bot API server such as http://127.0.0.1:8081, "
                    f"not {api_url!r}"
                )
        level = env.get("BANGFU_LOG_LEVEL", "").strip().upper() or "INFO"  # empty means unset, as elsewhere
        if level not in _LOG_LEVELS:
            raise SettingsError(f"BANGFU_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {level!r}")
        layout = detect_layout(package_dir or PACKAGE_DIR, env)
        knowledge = _directory(env, "BANGFU_KNOWLEDGE_DIR", layout, layout.knowledge_dir, "knowledge files")
        intents = _directory(env, "BANGFU_INTENTS_DIR", layout, layout.intents_dir, "intent files")
        data = _directory(env, "BANGFU_DATA_DIR", layout, layout.data_dir, None)
        return cls(
            knowledge_dir=knowledge,
            intents_dir=intents,
            data_dir=data,
            telegram_token=Secret(token) if token else None,
            telegram_api_url=api_url,
            log_level=level,
            layout=layout,
        )

    @property
    def log_level_number(self) -> int:
        """The logging level as a number."""
        return int(logging.getLevelName(self.log_level))

    def require_token(self) -> Secret:
        """The token, or a one-line error saying how to get one.

        Raises:
            SettingsError: No token is set.
        """
        if self.telegram_token is None:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather, then "
                "export TELEGRAM_BOT_TOKEN=<its token> (see README, 'Running the Telegram bot')"
            )
        return self.telegram_token


def _directory(
    env: Mapping[str, str], name: str, layout: Layout, default: Path | None, files: str | None
) -> Path:
    """The directory ``name`` names, else ``default``; ``files`` names what a directory that must exist holds."""
    raw = env.get(name, "").strip()
    if raw:
        path = Path(raw).expanduser().resolve()
        if files is not None and not path.is_dir():
            raise SettingsError(f"{name} points to {path}, which is not a directory")
    elif default is None:
        raise SettingsError(
            f"{name} is not set and there is no home directory to keep data in; set {name} to a writable directory"
        )
    else:
        path = default
        if files is not None and not path.is_dir():
            where = "a source checkout" if layout.kind == "checkout" else "the installed package"
            raise SettingsError(
                f"the {files} are not found at {path}, where {where} keeps them; set {name} to the "
                f"directory that holds them"
            )
    if files is None and path.exists() and not path.is_dir():
        raise SettingsError(f"{name} points to {path}, which is a file, not a directory")
    return path
