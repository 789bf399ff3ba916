"""Logging set-up for the entry point: three formats, and a filter that keeps the bot token out of every line.

* ``text`` (a terminal): ``2025-01-02 03:04:05,678 INFO bot.x: message``, a traceback on the lines after.
* ``journal`` (systemd, chosen by itself when stderr is the journal's stream, ``JOURNAL_STREAM``): no
  timestamp of our own (the journal keeps one), a syslog priority prefix (``<3>`` for an error) that
  journald turns into the entry's priority, so ``journalctl -p err`` finds errors; one line a record, a
  traceback included (its line breaks written ``\\n``), so a traceback is one journal entry.
* ``json`` (containers, log shippers): one JSON object a line with ``time`` (UTC, ISO 8601), ``level``,
  ``logger``, ``message`` and, when there is one, ``exception`` (the traceback).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<TOKEN>"
# Syslog priorities (RFC 5424) of Python's levels, which journald reads from a "<N>" line prefix.
SYSLOG_PRIORITIES = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}


class RedactingFilter(logging.Filter):
    """Replaces secrets in a record's message and its traceback before any handler writes it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remembers the secrets to hide (empty strings are ignored)."""
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrites the record in place; never drops it."""
        if not self._secrets:
            return True
        record.msg = self._scrub(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True


def syslog_priority(level: int) -> int:
    """The syslog priority of a logging level (a custom level takes the priority of the level below it)."""
    known = [known for known in sorted(SYSLOG_PRIORITIES) if known <= level]
    return SYSLOG_PRIORITIES[known[-1]] if known else SYSLOG_PRIORITIES[logging.DEBUG]


def _details(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The record's traceback and stack, as ``logging.Formatter.format`` would append them."""
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    parts = [record.exc_text or "", formatter.formatStack(record.stack_info) if record.stack_info else ""]
    return "\n".join(part for part in parts if part)


class JournalFormatter(logging.Formatter):
    """``<priority>logger: message``, on one line however many the message and its traceback have."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one journal line."""
        text = f"{record.name}: {record.getMessage()}"
        details = _details(self, record)
        if details:
            text = f"{text}\n{details}"
        one_line = text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")
        return f"<{syslog_priority(record.levelno)}>{one_line}"


class JsonFormatter(logging.Formatter):
    """One JSON object a record: ``time``, ``level``, ``logger``, ``message`` and maybe ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (non-ASCII text kept readable)."""
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        entry: dict[str, str] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        details = _details(self, record)
        if details:
            entry["exception"] = details
        return json.dumps(entry, ensure_ascii=False)


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "journal": JournalFormatter}


def writes_to_journal(env: Mapping[str, str], stream: TextIO) -> bool:
    """Whether ``stream`` is the journal's: systemd sets ``JOURNAL_STREAM`` to its ``device:inode``.

    Comparing the two (as systemd's documentation asks) tells a redirected stderr from the journal's own.
    """
    device, _, inode = env.get("JOURNAL_STREAM", "").partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):  # no descriptor: a test's capture, a closed stream
        return False
    return (status.st_dev, status.st_ino) == (int(device), int(inode))


def choose_format(setting: str | None, env: Mapping[str, str], stream: TextIO) -> str:
    """The format to log in: the setting (``BANGFU_LOG_FORMAT``), else journal under systemd, else text."""
    if setting:
        return setting
    return "journal" if writes_to_journal(env, stream) else "text"


def configure_logging(level: int, secrets: Iterable[str] = (), log_format: str = "text") -> None:
    """Configures the root logger once, for the process's entry point.

    Args:
        level: The level for Bangfu's own loggers.
        secrets: Strings that must never appear in a log line (the bot token).
        log_format: ``text``, ``json`` or ``journal`` (see the module's docstring).
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FORMATTERS.get(log_format, logging.Formatter)(LOG_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    # aiohttp's access log would show every request to the webhook, /healthz and /metrics.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
