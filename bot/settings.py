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
BANGFU_LOG_FORMAT      text, json (one object a line) or journal (systemd)       journal under systemd,
                                                                                 else text
BANGFU_WEBHOOK_URL     public HTTPS URL Telegram posts updates to: webhook mode  unset (long polling)
BANGFU_WEBHOOK_SECRET  the secret Telegram sends with each update (webhook mode) required with the URL
BANGFU_LISTEN          host:port of the HTTP server (webhook, /healthz, /metrics) 127.0.0.1:8080 in webhook
                                                                                 mode, else no server
HTTPS_PROXY, ALL_PROXY proxy for the Bot API (http://, https://, socks5://);     none
                       lower case first, NO_PROXY honoured
BANGFU_ADMIN_IDS       Telegram user ids of the maintainers, who may send        none
                       /reload and /stats (comma-separated)
BANGFU_QUESTION_LOG    ``off`` keeps no log of the questions asked               on
BANGFU_QUESTION_LOG_DAYS  days a logged question is kept                         180
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

import ipaddress
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

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
LOG_FORMATS = ("text", "json", "journal")
TELEGRAM_API_ROOT = "https://api.telegram.org"
# Telegram's rule for a webhook's secret_token (setWebhook): 1 to 256 characters of these.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# The only ports Telegram posts webhooks to; a self-hosted Bot API server (--local) posts to any.
WEBHOOK_PORTS = (443, 80, 88, 8443)
DEFAULT_LISTEN = "127.0.0.1:8080"
# Paths the HTTP server answers itself, which a webhook URL cannot use.
RESERVED_PATHS = ("/healthz", "/metrics")
# Proxy schemes httpx supports (socks5 through python-telegram-bot's "socks" extra).
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
# "…/bot" or "…/bot<token>" at the end of TELEGRAM_API_URL: the method path pasted in with the root.
_BOT_PATH = re.compile(r"/bot(\d+:[^/]*)?(/.*)?$")
# Long enough to see what users ask across a season, short enough that old questions do not pile up.
DEFAULT_QUESTION_LOG_DAYS = 180
_OFF, _ON = ("off", "0", "false", "no"), ("on", "1", "true", "yes")


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
class Listen:
    """Where the HTTP server listens: ``host`` (a name or an IP address, IPv6 without brackets) and ``port``."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Proxy:
    """The proxy the Bot API is reached through.

    Attributes:
        url: The proxy URL (it may carry a user name and password).
        variable: The variable it came from (``HTTPS_PROXY``, ``all_proxy`` …).
        shown: The URL with any password replaced, for logs and messages.
    """

    url: Secret
    variable: str
    shown: str


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
        log_format: ``text``, ``json`` or ``journal``; None chooses (journal when stderr is systemd's).
        webhook_url: The public URL Telegram posts updates to (webhook mode), or None for long polling.
        webhook_secret: The secret Telegram sends with each update; set whenever ``webhook_url`` is.
        listen: Where the HTTP server (webhook, /healthz, /metrics) listens, or None for no server.
        proxy: The proxy for the Bot API from the environment, or None.
        admin_ids: Telegram user ids of the maintainers (``/reload``, ``/stats``).
        question_log: Whether the Telegram bot logs the questions it answers (without who asked).
        question_log_days: How many days a logged question is kept.
    """

    knowledge_dir: Path
    intents_dir: Path
    data_dir: Path
    telegram_token: Secret | None
    telegram_api_url: str | None
    log_level: str
    layout: Layout
    log_format: str | None = None
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    listen: Listen | None = None
    proxy: Proxy | None = None
    admin_ids: frozenset[int] = frozenset()
    question_log: bool = True
    question_log_days: int = DEFAULT_QUESTION_LOG_DAYS

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
        api_url = _api_url(env.get("TELEGRAM_API_URL", "").strip().rstrip("/") or None)
        level = env.get("BANGFU_LOG_LEVEL", "").strip().upper() or "INFO"  # empty means unset, as elsewhere
        if level not in _LOG_LEVELS:
            raise SettingsError(f"BANGFU_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {level!r}")
        log_format = env.get("BANGFU_LOG_FORMAT", "").strip().lower() or None
        if log_format is not None and log_format not in LOG_FORMATS:
            raise SettingsError(f"BANGFU_LOG_FORMAT must be text, json or journal, not {log_format!r}")
        webhook_url = _webhook_url(
            env.get("BANGFU_WEBHOOK_URL", "").strip() or None, self_hosted=bool(api_url)
        )
        webhook_secret = _webhook_secret(env.get("BANGFU_WEBHOOK_SECRET", "").strip(), webhook_url)
        listen = _listen(env.get("BANGFU_LISTEN", "").strip() or (DEFAULT_LISTEN if webhook_url else None))
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
            log_format=log_format,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            listen=listen,
            proxy=proxy_for(api_url or TELEGRAM_API_ROOT, env),
            admin_ids=_admin_ids(env.get("BANGFU_ADMIN_IDS", "")),
            question_log=_switch(env, "BANGFU_QUESTION_LOG"),
            question_log_days=_days(env, "BANGFU_QUESTION_LOG_DAYS", DEFAULT_QUESTION_LOG_DAYS),
        )

    @property
    def api_root(self) -> str:
        """The Bot API server's root URL: ``TELEGRAM_API_URL``, or Telegram's."""
        return self.telegram_api_url or TELEGRAM_API_ROOT

    @property
    def webhook_path(self) -> str | None:
        """The path of the webhook URL, where the HTTP server receives updates; None when polling."""
        return urlsplit(self.webhook_url).path or "/" if self.webhook_url else None

    @property
    def log_level_number(self) -> int:
        """The logging level as a number."""
        return int(logging.getLevelName(self.log_level))

    def secrets(self) -> list[str]:
        """Every string that must never appear in a log line: the token, the webhook's secret, the proxy's
        password."""
        found = [
            secret.reveal() for secret in (self.telegram_token, self.webhook_secret) if secret is not None
        ]
        password = urlsplit(self.proxy.url.reveal()).password if self.proxy else None
        return found + ([password] if password else [])

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


def _api_url(url: str | None) -> str | None:
    """``TELEGRAM_API_URL`` checked: a server's root, without the ``/bot…`` the bot appends itself."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"TELEGRAM_API_URL must be the root URL of a Bot API server such as http://127.0.0.1:8081, not {url!r}"
        )
    bot_path = _BOT_PATH.search(parts.path)
    if bot_path:  # never echo the rest: it may hold the token
        root = f"{parts.scheme}://{parts.netloc}{parts.path[: bot_path.start()]}"
        raise SettingsError(
            f"TELEGRAM_API_URL must be the Bot API server's root, without /bot: the bot adds "
            f"/bot<token>/<method> itself; set it to {root}"
        )
    return url


def _webhook_url(url: str | None, *, self_hosted: bool) -> str | None:
    """``BANGFU_WEBHOOK_URL`` checked against what Telegram accepts (``self_hosted``: any port, http too)."""
    if url is None:
        return None
    name, parts = "BANGFU_WEBHOOK_URL", urlsplit(url)
    schemes = ("https", "http") if self_hosted else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise SettingsError(
            f"{name} must be the public HTTPS URL Telegram posts updates to, such as "
            f"https://bot.example.org/telegram, not {url!r}"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise SettingsError(f"{name} has an invalid port: {url!r}") from None
    if not self_hosted and port not in WEBHOOK_PORTS:
        allowed = ", ".join(map(str, WEBHOOK_PORTS))
        raise SettingsError(f"{name} uses port {port}, but Telegram posts webhooks only to ports {allowed}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SettingsError(
            f"{name} must not carry a query, a fragment or credentials; the secret goes in BANGFU_WEBHOOK_SECRET"
        )
    if (parts.path or "/") in RESERVED_PATHS:
        raise SettingsError(f"{name} cannot use the path {parts.path}: the bot answers it itself")
    return url


def _webhook_secret(secret: str, webhook_url: str | None) -> Secret | None:
    """``BANGFU_WEBHOOK_SECRET``: required in webhook mode, of the characters Telegram allows."""
    how = "generate one with `openssl rand -hex 32`"
    if webhook_url is None:
        return Secret(secret) if secret else None
    if not secret:
        raise SettingsError(
            f"BANGFU_WEBHOOK_SECRET is required with BANGFU_WEBHOOK_URL: Telegram sends it with every update, "
            f"so that the bot can refuse anyone else's; {how}"
        )
    if not _WEBHOOK_SECRET.match(secret):  # never echo it
        raise SettingsError(
            f"BANGFU_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -, 1 to 256 of them (Telegram's rule); {how}"
        )
    return Secret(secret)


def _listen(value: str | None) -> Listen | None:
    """``BANGFU_LISTEN`` as host and port (``[::1]:8080`` for an IPv6 address)."""
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    host = host[1:-1] if bracketed else host
    unusable = any(c in host for c in "/[] ") or (":" in host and not bracketed)  # IPv6 needs brackets
    if not host or unusable or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(
            f"BANGFU_LISTEN must be host:port, such as 127.0.0.1:8080 (this machine only), 0.0.0.0:8080 "
            f"(every interface) or [::1]:8080, not {value!r}"
        )
    return Listen(host, int(port))


def proxy_for(url: str, env: Mapping[str, str]) -> Proxy | None:
    """The proxy the environment sets for ``url``, as httpx would choose it, checked.

    ``<scheme>_proxy`` before ``all_proxy``, lower case before upper case; none when ``NO_PROXY`` (or
    ``no_proxy``) names the host, a domain above it, its network, or ``*``.

    Raises:
        SettingsError: The variable's value is not a proxy URL httpx can use.
    """
    parts = urlsplit(url)
    names = [f"{parts.scheme}_proxy", f"{parts.scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"]
    variable = next((name for name in names if env.get(name, "").strip()), None)
    if variable is None or _bypassed(parts.hostname or "", env.get("no_proxy") or env.get("NO_PROXY") or ""):
        return None
    raw = env[variable].strip()
    proxy = urlsplit(raw if "://" in raw else f"http://{raw}")  # httpx reads a bare host:port as http
    shown = _without_password(proxy)
    try:
        proxy.port  # noqa: B018 - parsing it is the check
    except ValueError:
        proxy = proxy._replace(netloc="")
    if proxy.scheme not in _PROXY_SCHEMES or not proxy.hostname:
        hint = " (socks4 is not supported; use socks5://)" if proxy.scheme.startswith("socks4") else ""
        raise SettingsError(
            f"{variable} must be a proxy URL such as http://127.0.0.1:7890 or socks5://127.0.0.1:1080, "
            f"not {shown!r}{hint}"
        )
    return Proxy(Secret(proxy.geturl()), variable, shown)


def _without_password(url: SplitResult) -> str:
    if url.password is None:
        return url.geturl()
    host = url.netloc.rpartition("@")[2]
    return url._replace(netloc=f"{url.username}:***@{host}").geturl()


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` exempts ``host``: ``*``, the host, a domain above it, or a network holding it."""
    host = host.lower().strip("[]")
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*" or host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")):
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _admin_ids(raw: str) -> frozenset[int]:
    """Telegram user ids separated by commas or spaces."""
    parts = [part for part in re.split(r"[,\s]+", raw) if part]
    for part in parts:
        if not re.fullmatch(r"\d{1,20}", part):
            raise SettingsError(
                f"BANGFU_ADMIN_IDS must list Telegram user ids (numbers) separated by commas, not {part!r}; "
                "a user learns their id from @userinfobot"
            )
    return frozenset(int(part) for part in parts)


def _switch(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower() or "on"
    if raw not in _ON + _OFF:
        raise SettingsError(f"{name} must be on or off, not {raw!r}")
    return raw in _ON


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a whole number of days, 1 or more, not {raw!r}")
    return int(raw)
