"""Opening the bot's SQLite files (group settings, the inbox) the same way, with the same clear error."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

from bot.errors import SettingsError

# A file another process holds (a backup in progress) is waited for this long before an error.
BUSY_TIMEOUT_SECONDS = 10.0


def open_database(
    path: Path,
    schema: str,
    *,
    purpose: str,
    synchronous: Literal["FULL", "NORMAL"],
    user_version: int | None = None,
) -> sqlite3.Connection:
    """Opens (creating if needed) the SQLite file at ``path`` in WAL mode and applies ``schema``.

    The connection is used from worker threads too: its owner guards it with a lock.

    Args:
        path: The file.
        schema: SQL creating the tables if they do not exist.
        purpose: What the file holds, for the error message (the bot's inbox).
        synchronous: ``FULL`` when a write must survive a power cut before the bot goes on.
        user_version: The schema version to record, if any.

    Raises:
        SettingsError: The directory cannot be created or the file is not a usable database.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA synchronous={synchronous}")
            with connection:
                connection.executescript(schema)
                if user_version is not None:
                    connection.execute(f"PRAGMA user_version={int(user_version)}")
        except sqlite3.Error:
            connection.close()
            raise
    except (OSError, sqlite3.Error) as exc:
        raise SettingsError(f"cannot use {path} for {purpose} ({exc}); check BANGFU_DATA_DIR") from None
    return connection
