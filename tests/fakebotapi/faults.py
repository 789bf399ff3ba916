"""Faults: hooks that run before a Bot API method and may answer in its place.

A :data:`Fault` is an async callable given the :class:`~tests.fakebotapi.methods.RecordedCall`. It may
return (the method then runs), sleep first (a slow answer), raise ``ApiError`` (answered instead: a 429, a
5xx) or ``Drop`` (the connection closes without an answer, after the method ran if ``delivered``).
``api.add_fault(fault, "sendMessage", …)`` installs one (for every method without names),
``api.remove_fault(fault)`` takes it out; ``api.begin_outage()`` makes every call meet one.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakebotapi.builders import FakeChat
from tests.fakebotapi.methods import ApiError, Drop, RecordedCall

Fault = Callable[[RecordedCall], Awaitable[None]]

FLOOD_METHODS = ("sendMessage", "editMessageText")
"""The methods that count towards flood control: sending and editing messages."""


def refuse(code: int, description: str, **parameters: Any) -> Fault:
    """Answers ``code`` with ``description`` (``refuse(502, "Bad Gateway")``) instead of the method."""
    return _raising(lambda: ApiError(code, description, **parameters))


def flood(retry_after: int) -> Fault:
    """Answers ``429 Too Many Requests: retry after N``, as flood control does."""
    return refuse(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def drop(*, delivered: bool = False) -> Fault:
    """Closes the connection without an answer; ``delivered``: after the method ran (its response lost)."""
    return _raising(lambda: Drop(delivered=delivered))


def slow(seconds: float) -> Fault:
    """Answers ``seconds`` late; a client that gives up sooner cancels the call (nothing is done)."""
    return lambda call: asyncio.sleep(seconds)


def _raising(error: Callable[[], Exception]) -> Fault:
    async def fault(call: RecordedCall) -> None:
        raise error()

    return fault


class Sometimes:
    """Applies ``fault`` to a share (0–1) of the calls it sees, by a seeded draw, ``times`` at most."""

    def __init__(self, share: float, fault: Fault, *, seed: int = 12, times: int | None = None) -> None:
        self.share, self.fault, self.times = share, fault, times
        self.hits: list[RecordedCall] = []  # the calls it was applied to
        self._random = random.Random(seed)

    async def __call__(self, call: RecordedCall) -> None:
        if (self.times is None or len(self.hits) < self.times) and self._random.random() < self.share:
            self.hits.append(call)
            await self.fault(call)


@dataclass
class FloodControl:
    """Telegram's flood control: sliding windows per chat, for the whole bot, and per group and minute.

    A call over a limit (None: no limit) is answered 429 ``Too Many Requests: retry after N`` (for
    python-telegram-bot a ``RetryAfter``); refused calls do not count. N is ``retry_after``, or else the
    seconds until the window frees up. Telegram allows about 30 messages a second, and 20 a minute in a group.
    """

    chats: Mapping[int, FakeChat]
    per_chat_per_second: float | None = None
    global_per_second: float | None = None
    per_group_per_minute: float | None = None
    retry_after: int | None = None
    _hits: dict[tuple[str, object], deque[float]] = field(default_factory=dict, init=False)

    async def __call__(self, call: RecordedCall) -> None:
        """Counts the call, or refuses it with 429."""
        chat_id = call.params.get("chat_id")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        candidates = [
            (("chat", chat_id), 1.0, self.per_chat_per_second),
            (("all", None), 1.0, self.global_per_second),
            (("group", chat_id), 60.0, self.per_group_per_minute if chat is None or chat.is_group else None),
        ]
        windows = [(key, span, limit) for key, span, limit in candidates if limit is not None]
        now, wait = time.monotonic(), 0.0
        for key, span, limit in windows:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - span:
                hits.popleft()
            if len(hits) >= limit:
                wait = max(wait, hits[0] + span - now)
        if wait > 0:
            seconds = self.retry_after or max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        for key, _span, _limit in windows:
            self._hits[key].append(now)
