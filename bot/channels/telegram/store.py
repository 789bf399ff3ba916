"""What the Telegram bot remembers across restarts, in one SQLite file in the data directory.

* Group settings: each group's answering mode (:class:`GroupMode`), moved along when a group becomes a
  supergroup and changes its id.
* Button questions: a button that asks a question carries a short key instead of the question (callback
  data is limited to 64 bytes); the key → question table makes buttons keep working after a restart.

Both tables are small and read on every message, so they are cached in memory and read from there; only
writes touch the file. The async methods change the memory at once and run the writes in a worker thread
(:func:`asyncio.to_thread`), so the event loop never waits for the disk; one lock serializes use of the
single connection. Memory holds every row, so it always knows what the file will hold.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from bot.channels.telegram.database import open_database

logger = logging.getLogger(__name__)

STORE_FILE = "telegram.sqlite3"
SCHEMA_VERSION = 1
# Nine bytes of hash give twelve base64 characters: far from a collision among the few hundred questions
# the engine suggests, and with "q:" well inside the 64 bytes of callback data.
_KEY_BYTES = 9
_SCHEMA = """
CREATE TABLE IF NOT EXISTS group_settings (
    chat_id INTEGER PRIMARY KEY,
    mode TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS button_queries (
    key TEXT PRIMARY KEY,
    query TEXT NOT NULL
);
"""


class GroupMode(StrEnum):
    """When the bot answers in a group."""

    ADDRESSED = "addressed"  # only commands, @mentions and replies to the bot (the default)
    AUTO = "auto"  # also messages the engine is highly confident are questions for it


DEFAULT_MODE = GroupMode.ADDRESSED


def query_key(query: str) -> str:
    """The short, stable key of a button's question: 12 characters of ``[A-Za-z0-9_-]``."""
    digest = hashlib.blake2b(query.encode("utf-8"), digest_size=_KEY_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


class Store:
    """The bot's SQLite file, with its tables cached in memory.

    Use :meth:`open`; call :meth:`close` when the bot stops.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        """Wraps an open connection whose schema exists; see :meth:`open`."""
        self.path = path
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._modes: dict[int, GroupMode] = {}
        self._queries: dict[str, str] = {}
        self._load()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Opens (creating if needed) the store at ``path``.

        Raises:
            SettingsError: The directory cannot be created or the file is not a usable database.
        """
        connection = open_database(
            path,
            _SCHEMA,
            purpose="the Telegram bot's settings",
            synchronous="NORMAL",
            user_version=SCHEMA_VERSION,
        )
        return cls(connection, path)

    def close(self) -> None:
        """Closes the file; later writes raise, reads still answer from memory."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the store is closed")
        return self._connection

    def _load(self) -> None:
        with self._lock:
            db = self._db()
            for chat_id, mode in db.execute("SELECT chat_id, mode FROM group_settings"):
                try:
                    self._modes[int(chat_id)] = GroupMode(mode)
                except ValueError:
                    logger.warning("ignoring unknown mode %r of chat %s in %s", mode, chat_id, self.path)
            self._queries.update(db.execute("SELECT key, query FROM button_queries"))

    # --- group settings --------------------------------------------------------------------------

    def group_mode(self, chat_id: int) -> GroupMode:
        """A group's answering mode (the default if never set)."""
        return self._modes.get(chat_id, DEFAULT_MODE)

    def _write_mode(self, chat_id: int, mode: GroupMode) -> None:
        with self._lock, self._db() as db:
            db.execute(
                "INSERT INTO group_settings (chat_id, mode) VALUES (?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET mode = excluded.mode, updated_at = datetime('now')",
                (chat_id, mode.value),
            )

    def set_group_mode_now(self, chat_id: int, mode: GroupMode) -> None:
        """Sets a group's mode, writing in the calling thread."""
        self._modes[chat_id] = mode
        self._write_mode(chat_id, mode)

    async def set_group_mode(self, chat_id: int, mode: GroupMode) -> None:
        """Sets a group's mode: at once for the messages that follow, on disk in a worker thread."""
        self._modes[chat_id] = mode
        await asyncio.to_thread(self._write_mode, chat_id, mode)

    def _write_migration(self, old_chat_id: int, new_chat_id: int) -> None:
        with self._lock, self._db() as db:
            # A setting made in the new supergroup already wins over the old group's.
            db.execute(
                "INSERT OR IGNORE INTO group_settings (chat_id, mode) "
                "SELECT ?, mode FROM group_settings WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            db.execute("DELETE FROM group_settings WHERE chat_id = ?", (old_chat_id,))

    def _move_in_memory(self, old_chat_id: int, new_chat_id: int) -> bool:
        old = self._modes.pop(old_chat_id, None)
        if old is None:
            return False
        self._modes.setdefault(new_chat_id, old)
        logger.info("group %s became supergroup %s; its settings moved along", old_chat_id, new_chat_id)
        return True

    def migrate_group_now(self, old_chat_id: int, new_chat_id: int) -> None:
        """Moves a group's settings to its new id, writing in the calling thread."""
        if old_chat_id != new_chat_id and self._move_in_memory(old_chat_id, new_chat_id):
            self._write_migration(old_chat_id, new_chat_id)

    async def migrate_group(self, old_chat_id: int, new_chat_id: int) -> None:
        """Moves a group's settings to its new id (a basic group upgraded to a supergroup).

        The move happens in memory before this first waits, so a message in the new supergroup that is
        handled concurrently already finds the settings there. Idempotent: Telegram reports a migration
        twice (in the old and in the new chat).
        """
        if old_chat_id != new_chat_id and self._move_in_memory(old_chat_id, new_chat_id):
            await asyncio.to_thread(self._write_migration, old_chat_id, new_chat_id)

    # --- button questions ------------------------------------------------------------------------

    def query(self, key: str) -> str | None:
        """The question a button key stands for, or None if unknown."""
        return self._queries.get(key)

    def _unknown(self, queries: Iterable[str]) -> dict[str, str]:
        return {query_key(q): q for q in queries if query_key(q) not in self._queries}

    def _write_queries(self, new: dict[str, str]) -> None:
        with self._lock, self._db() as db:
            db.executemany("INSERT OR IGNORE INTO button_queries (key, query) VALUES (?, ?)", new.items())

    def remember_queries_now(self, queries: Iterable[str]) -> None:
        """Stores questions under their keys, writing in the calling thread."""
        new = self._unknown(queries)
        if new:
            self._write_queries(new)
            self._queries.update(new)

    async def remember_queries(self, queries: Iterable[str]) -> None:
        """Stores questions under their keys before buttons carrying the keys are sent.

        Only questions never seen touch the file, so after the first few replies this does no I/O.
        """
        new = self._unknown(queries)
        if new:
            await asyncio.to_thread(self._write_queries, new)
            self._queries.update(new)
