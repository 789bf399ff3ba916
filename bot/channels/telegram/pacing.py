"""Pacing: when each message may go out, within Telegram's limits.

Telegram lets a bot send about 30 messages a second in all, about one a second in one chat, and 20 a
minute in one group (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this);
beyond them it answers ``429 Too Many Requests: retry after N``. :class:`PacingState` decides, from the
times of earlier sends, when the next send to a chat may go (pure, so it is tested without clocks);
:class:`Pacer` hands out turns to the sends waiting, first come first served among the chats that may
send, and holds every turn while flood control's ``retry_after`` runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

ChatKey = int | str
"""A ``chat_id`` as the Bot API takes it: a number, or ``@username`` for public supergroups and channels."""


@dataclass(frozen=True)
class PacingLimits:
    """How fast messages may go out.

    Attributes:
        overall_per_second: At most this many sends in any one second, over all chats.
        overall_min_gap: Seconds between two sends at least, over all chats (so a queue never leaves at once).
        chat_min_gap: Seconds between two sends to one chat at least.
        group_per_window: At most this many sends to one group in any ``group_window``.
        group_window: Seconds of the per-group window.
    """

    overall_per_second: int
    overall_min_gap: float
    chat_min_gap: float
    group_per_window: int
    group_window: float


# Telegram allows "about 30" a second. Our clock is not Telegram's: a request reaches it a few milliseconds
# sooner or later than it left, so the pace keeps below the limit: 28 a second leave 70 ms of slack over a
# second (30 sends at 28/s span 1.07 s), and 300 answers take 10.7 s against the 10 s floor of 30/s.
OVERALL_PER_SECOND = 28
# Never two sends closer than 25 ms (40 a second): after a wait the queue leaves at the pace, not at once.
OVERALL_MIN_GAP = 1 / 40
# One message a second in one chat; 10 % over the second absorbs the same jitter.
CHAT_MIN_GAP = 1.1
# Twenty messages a minute in one group; the window is a second longer for the jitter.
GROUP_PER_WINDOW = 20
GROUP_WINDOW = 61.0

TELEGRAM_LIMITS = PacingLimits(
    OVERALL_PER_SECOND, OVERALL_MIN_GAP, CHAT_MIN_GAP, GROUP_PER_WINDOW, GROUP_WINDOW
)
"""Telegram's limits, with the slack above: what the bot uses."""


def is_group(chat: ChatKey) -> bool:
    """Whether a ``chat_id`` is a group's (negative ids and ``@username`` are groups or channels)."""
    return isinstance(chat, str) or chat < 0


class PacingState:
    """When the next send to a chat may go, from the times of the sends before it.

    Args:
        limits: The limits to keep.
    """

    def __init__(self, limits: PacingLimits) -> None:
        """Starts with no send made."""
        self.limits = limits
        self._recent: deque[float] = deque(maxlen=limits.overall_per_second)
        self._last_in_chat: dict[ChatKey, float] = {}
        self._in_group: dict[ChatKey, deque[float]] = {}

    def earliest(self, chat: ChatKey | None, now: float) -> float:
        """The earliest time, not before ``now``, at which a send to ``chat`` keeps every limit."""
        limits = self.limits
        at = now
        if self._recent:
            at = max(at, self._recent[-1] + limits.overall_min_gap)
            if len(self._recent) == self._recent.maxlen:
                # This send and the last N before it must span a second at least.
                at = max(at, self._recent[0] + 1.0)
        if chat is None:
            return at
        at = max(at, self._last_in_chat.get(chat, -math.inf) + limits.chat_min_gap)
        hits = self._in_group.get(chat)
        if hits is not None and len(hits) == hits.maxlen:
            at = max(at, hits[0] + limits.group_window)
        return at

    def record(self, chat: ChatKey | None, at: float) -> None:
        """Counts a send to ``chat`` made at ``at``."""
        self._recent.append(at)
        if chat is None:
            return
        self._last_in_chat[chat] = at
        if is_group(chat):
            self._in_group.setdefault(chat, deque(maxlen=self.limits.group_per_window)).append(at)

    def forget_idle(self, now: float) -> None:
        """Drops the chats whose past sends no longer limit anything (keeps memory to the active chats)."""
        gap, window = self.limits.chat_min_gap, self.limits.group_window
        self._last_in_chat = {c: t for c, t in self._last_in_chat.items() if t + gap > now}
        self._in_group = {c: hits for c, hits in self._in_group.items() if hits[-1] + window > now}

    @property
    def chats(self) -> int:
        """How many chats are remembered (for tests)."""
        return len(self._last_in_chat.keys() | self._in_group.keys())


@dataclass(eq=False)
class _Turn:
    chat: ChatKey | None
    ready: asyncio.Future[None]


# Idle chats are forgotten after this many turns.
_FORGET_EVERY = 1000


class Pacer:
    """Gives each send its turn: in order of arrival among the chats that may send, within the limits.

    One dispatcher task (started by the first :meth:`turn`) wakes when a turn can be given and gives it;
    sends that must wait (their chat sent a moment ago, or the bot is held) let later ones to other chats
    pass, and a chat's own sends keep their order.

    Args:
        limits: The limits to keep.
        clock: Seconds, monotonic (tests may pass their own).
    """

    def __init__(self, limits: PacingLimits, clock: Callable[[], float] = time.monotonic) -> None:
        """Creates the pacer; nothing runs until the first turn is asked for."""
        self.state = PacingState(limits)
        self._clock = clock
        self._waiting: deque[_Turn] = deque()
        self._held_until = -math.inf
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._given = 0

    @property
    def waiting(self) -> int:
        """How many sends wait for their turn."""
        return len(self._waiting)

    def held_for(self) -> float:
        """Seconds until a hold (:meth:`hold`) ends; 0 when none runs."""
        return max(0.0, self._held_until - self._clock())

    def hold(self, seconds: float) -> None:
        """Gives no turn for ``seconds`` from now (or longer, if a longer hold runs already)."""
        self._held_until = max(self._held_until, self._clock() + seconds)
        self._wake.set()

    async def turn(self, chat: ChatKey | None) -> None:
        """Waits until a send to ``chat`` may go; the send counts as made when this returns."""
        while True:
            ready = asyncio.get_running_loop().create_future()
            turn = _Turn(chat, ready)
            self._waiting.append(turn)
            self._start()
            self._wake.set()
            try:
                await ready
            except asyncio.CancelledError:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(turn)
                raise
            # A hold that began between the turn and now (another send met flood control) holds this one too.
            if self.held_for() <= 0:
                return

    async def close(self) -> None:
        """Stops the dispatcher; sends still waiting are cancelled."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
        while self._waiting:
            self._waiting.popleft().ready.cancel()

    def _start(self) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch(), name="bangfu-pacer")

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            delay = self._give(self._clock())
            if delay is not None and delay <= 0:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    def _give(self, now: float) -> float | None:
        """Gives the first turn that may go now; returns seconds until the next may (None: nobody waits)."""
        if now < self._held_until:
            return self._held_until - now
        soonest: float | None = None
        for turn in self._waiting:
            if turn.ready.done():
                continue
            at = self.state.earliest(turn.chat, now)
            if at <= now:
                self._waiting.remove(turn)
                self.state.record(turn.chat, now)
                turn.ready.set_result(None)
                self._given += 1
                if self._given % _FORGET_EVERY == 0:
                    self.state.forget_idle(now)
                return 0.0
            soonest = at if soonest is None else min(soonest, at)
        # Cancelled turns leave the queue here.
        self._waiting = deque(t for t in self._waiting if not t.ready.done())
        return None if soonest is None else soonest - now
