"""Settings, read once from the environment into one frozen object and validated at start-up.

=====================  ========================================================  ======================
variable               meaning                                                   default
=====================  ========================================================  ======================
TELEGRAM_BOT_TOKEN     the bot's token from @BotFather; set → ``make run`` starts  unset (console)
                       the Telegram bot
TELEGRAM_API_URL       root of a self-hosted Bot API server                      Telegram's own
BANGFU_DATA_DIR        where group settings and console history are kept         ``data/`` in the project
BANGFU_KNOWLEDGE_DIR   the knowledge files                                       ``knowledge/``
BANGFU_INTENTS_DIR     the intent files                                          ``intents/``
BANGFU_LOG_LEVEL       DEBUG, INFO, WARNING or ERROR                             INFO
=====================  ========================================================  ======================
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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
class Settings:
    """Everything configurable, validated.

    Attributes:
        knowledge_dir: The knowledge files.
        intents_dir: The intent files.
        data_dir: Writable directory for group settings and console history.
        telegram_token: The Bot API token, or None when the console is used.
        telegram_api_url: Root URL of a self-hosted Bot API server, or None for Telegram's.
        log_level: Logging level name.
    """

    knowledge_dir: Path
    intents_dir: Path
    data_dir: Path
    telegram_token: Secret | None
    telegram_api_url: str | None
    log_level: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Reads and validates the settings.

        Args:
            env: The environment (``os.environ``).

        Raises:
            SettingsError: A variable is set to an unusable value; the message names it and says why.
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
        knowledge = _directory(env, "BANGFU_KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge", must_exist=True)
        intents = _directory(env, "BANGFU_INTENTS_DIR", PROJECT_ROOT / "intents", must_exist=True)
        data = _directory(env, "BANGFU_DATA_DIR", PROJECT_ROOT / "data", must_exist=False)
        return cls(
            knowledge_dir=knowledge,
            intents_dir=intents,
            data_dir=data,
            telegram_token=Secret(token) if token else None,
            telegram_api_url=api_url,
            log_level=level,
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


def _directory(env: Mapping[str, str], name: str, default: Path, *, must_exist: bool) -> Path:
    raw = env.get(name, "").strip()
    path = Path(raw).expanduser().resolve() if raw else default
    if must_exist and not path.is_dir():
        raise SettingsError(f"{name} points to {path}, which is not a directory")
    if not must_exist and path.exists() and not path.is_dir():
        raise SettingsError(f"{name} points to {path}, which is a file, not a directory")
    return path
