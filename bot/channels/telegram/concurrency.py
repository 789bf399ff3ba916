"""Concurrent updates that stay in order for each person.

python-telegram-bot's ``concurrent_updates`` runs updates side by side so one slow chat does not hold up
the others, but then two messages of one user can be handled out of order, and a /plan button press can
race the user's next message through the conversation. :class:`PerSenderUpdateProcessor` keeps the
concurrency across senders and processes the updates of one sender in one chat strictly in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def sender_key(update: object) -> tuple[int, int] | None:
    """The (chat, user) an update belongs to, or None if it has neither."""
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    user = update.effective_user
    if chat is None and user is None:
        return None
    return (chat.id if chat else 0, user.id if user else 0)


class PerSenderUpdateProcessor(BaseUpdateProcessor):
    """Processes updates concurrently, except that those of one sender in one chat wait their turn.

    Args:
        max_concurrent_updates: How many updates may be in progress at once (waiting ones included).
        on_handled: Awaited with each update once its handlers are done (not if they were cancelled): the
            inbox marks it handled.
    """

    def __init__(
        self, max_concurrent_updates: int, on_handled: Callable[[object], Awaitable[None]] | None = None
    ) -> None:
        """Creates the processor; see the class docstring."""
        super().__init__(max_concurrent_updates)
        self._on_handled = on_handled
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._users: dict[tuple[int, int], int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Awaits ``coroutine`` once the sender's earlier updates are done."""
        key = sender_key(update)
        if key is None:
            await coroutine
            await self._handled(update)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
            await self._handled(update)
        finally:
            # Forget idle senders so the table holds only those with updates in progress.
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def _handled(self, update: object) -> None:
        if self._on_handled is not None:
            await self._on_handled(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @property
    def active_senders(self) -> int:
        """How many senders have updates in progress or waiting (for tests and diagnostics)."""
        return len(self._locks)
