"""The inbox: every update is on disk before Telegram hears that the bot has it, until it has been handled.

Telegram forgets an update once the bot confirms it (the next ``getUpdates`` offset, or a webhook's 200),
and python-telegram-bot confirms a batch as soon as it has put it on the application's update queue, long
before a handler has answered it: a crash then lost every question still waiting. Here the queue itself
is durable: :class:`DurableUpdateQueue` writes each update to the ``inbox`` table of the bot's SQLite
file before queuing it (so before it can be confirmed, in polling and webhook mode alike), and the update
processor marks it handled when its handlers are done (:meth:`Inbox.handled`). At start-up the updates
stored and not handled are queued again (:meth:`DurableUpdateQueue.replay`), and an update Telegram sends
again (it had not been confirmed yet) is recognized by its ``update_id`` and skipped.

Answered twice can only be a question whose answer went out in the instant between Telegram accepting it
and the bot marking it handled, or whose HTTP response was lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from telegram import Bot, Update

from bot.channels.telegram.database import open_database

logger = logging.getLogger(__name__)

# Telegram keeps an update it has not been told about for 24 hours; one handled earlier than that (and an
# hour of margin) cannot come again, so its row is no longer needed to recognize it.
KEEP_HANDLED_SECONDS = 25 * 3600.0
# Handled rows are pruned at start-up and after this many more handled updates.
PRUNE_EVERY = 1000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    received_at REAL NOT NULL,
    handled_at REAL
);
CREATE INDEX IF NOT EXISTS inbox_handled_at ON inbox (handled_at);
"""


class Inbox:
    """The ``inbox`` table: updates received, and whether each has been handled.

    Its own connection to the bot's SQLite file (``synchronous=FULL``: a stored update survives a power
    cut too, not only a killed process). Use :meth:`open`; :meth:`close` when the bot stops.

    Attributes:
        stored: Updates stored since start-up.
        duplicates: Updates received again and skipped.
        replayed: Updates queued again at start-up.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        """Wraps an open connection whose table exists; see :meth:`open`."""
        self.path = path
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._known: set[int] = set()  # every update_id in the table
        self._pending: dict[int, str] = {}  # not handled yet
        self._fresh: set[int] = set()  # stored by store(), not queued yet
        self._handled_since_prune = 0
        self.stored = self.duplicates = self.replayed = 0
        self._prune()
        with self._lock:
            for update_id, payload, handled_at in connection.execute(
                "SELECT update_id, payload, handled_at FROM inbox ORDER BY update_id"
            ):
                self._known.add(update_id)
                if handled_at is None:
                    self._pending[update_id] = payload

    @classmethod
    def open(cls, path: Path) -> Inbox:
        """Opens (creating if needed) the inbox in the SQLite file at ``path``.

        Raises:
            SettingsError: The file cannot be used.
        """
        connection = open_database(path, _SCHEMA, purpose="the bot's inbox", synchronous="FULL")
        return cls(connection, path)

    def close(self) -> None:
        """Closes the connection; later writes raise."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @property
    def depth(self) -> int:
        """Updates stored and not handled yet (waiting or in progress)."""
        return len(self._pending)

    def pending(self) -> list[tuple[int, str]]:
        """The updates stored and not handled: ``(update_id, JSON)``, oldest first."""
        return sorted(self._pending.items())

    async def store(self, updates: list[tuple[int, str]]) -> int:
        """Stores a batch of updates ``(update_id, JSON)`` in one transaction, before they are queued.

        Those seen before are left out; the others are :meth:`admit`-ted without writing again. Returns how
        many were new.
        """
        new = {update_id: payload for update_id, payload in updates if update_id not in self._known}
        if new:
            await asyncio.to_thread(self._write, list(new.items()))
            self._stored(new)
            self._fresh.update(new)
        return len(new)

    async def admit(self, update_id: int, payload: str) -> bool:
        """Stores an update unless :meth:`store` did; False (and nothing stored) if it came before."""
        if update_id in self._fresh:
            self._fresh.discard(update_id)
            return True
        if update_id in self._known:
            self.duplicates += 1
            logger.debug("update %s came again; skipped", update_id)
            return False
        self._known.add(update_id)  # before waiting: the same update arriving meanwhile is a duplicate
        try:
            await asyncio.to_thread(self._write, [(update_id, payload)])
        except BaseException:
            self._known.discard(update_id)
            raise
        self._stored({update_id: payload})
        return True

    def _stored(self, updates: dict[int, str]) -> None:
        self._known.update(updates)
        self._pending.update(updates)
        self.stored += len(updates)

    async def handled(self, update_id: int) -> None:
        """Marks an update handled: it is not queued again at the next start."""
        if self._pending.pop(update_id, None) is None:
            return
        await asyncio.to_thread(self._mark, update_id)
        self._handled_since_prune += 1
        if self._handled_since_prune >= PRUNE_EVERY:
            self._handled_since_prune = 0
            await asyncio.to_thread(self._prune)

    def drop(self, update_id: int) -> None:
        """Marks an update handled without handling it (one that cannot be read), in the calling thread."""
        if self._pending.pop(update_id, None) is not None:
            self._mark(update_id)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the inbox is closed")
        return self._connection

    def _write(self, updates: list[tuple[int, str]]) -> None:
        now = time.time()
        with self._lock, self._db() as db:
            db.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [(update_id, payload, now) for update_id, payload in updates],
            )

    def _mark(self, update_id: int) -> None:
        with self._lock, self._db() as db:
            db.execute("UPDATE inbox SET handled_at = ? WHERE update_id = ?", (time.time(), update_id))

    def _prune(self) -> None:
        with self._lock, self._db() as db:
            cutoff = time.time() - KEEP_HANDLED_SECONDS
            gone = [
                row[0] for row in db.execute("SELECT update_id FROM inbox WHERE handled_at < ?", (cutoff,))
            ]
            db.execute("DELETE FROM inbox WHERE handled_at < ?", (cutoff,))
        self._known.difference_update(gone)


class DurableUpdateQueue(asyncio.Queue[object]):
    """The application's update queue (``ApplicationBuilder.update_queue``), storing each update first.

    python-telegram-bot's updater (and its webhook server) ``put`` updates here; an update already in the
    inbox is not queued again. Anything else (the application's stop signal) passes through.

    Args:
        inbox: Where updates are stored.
    """

    def __init__(self, inbox: Inbox) -> None:
        """Creates an empty queue over ``inbox``."""
        super().__init__()
        self.inbox = inbox

    async def store_polled(self, payload: bytes) -> None:
        """Stores the updates of a ``getUpdates`` answer (its raw body) in one transaction.

        :class:`~bot.channels.telegram.polling.PollingRequest` calls this before python-telegram-bot reads
        the answer: the updater's ``put`` of each then needs no disk, so a batch is queued at once (and
        whole, even when a stop interrupts the updater right after).
        """
        answer = json.loads(payload)
        results = answer.get("result") if isinstance(answer, dict) and answer.get("ok") else None
        if isinstance(results, list):
            updates = [
                (u["update_id"], json.dumps(u, ensure_ascii=False)) for u in results if "update_id" in u
            ]
            await self.inbox.store(updates)

    async def put(self, item: object) -> None:
        """Stores an update in the inbox, then queues it; a duplicate is dropped."""
        if isinstance(item, Update) and not await self.inbox.admit(item.update_id, item.to_json()):
            return
        await super().put(item)

    def replay(self, bot: Bot) -> int:
        """Queues again the updates stored and not handled (call once, at start-up); returns how many."""
        count = 0
        for update_id, payload in self.inbox.pending():
            try:
                data: dict[str, Any] = json.loads(payload)
                update = Update.de_json(data, bot)
            except (ValueError, TypeError, KeyError) as exc:
                logger.error("stored update %s cannot be read (%s); skipped", update_id, exc)
                self.inbox.drop(update_id)
                continue
            self.put_nowait(update)
            count += 1
        self.inbox.replayed += count
        if count:
            logger.info(
                "%s update(s) received before the last stop and not yet handled are handled now", count
            )
        return count

    async def handled(self, update: object) -> None:
        """Marks an update handled in the inbox (the update processor calls this when its handlers are done)."""
        if isinstance(update, Update):
            await self.inbox.handled(update.update_id)
