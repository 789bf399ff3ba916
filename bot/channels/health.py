"""What ``GET /healthz`` answers: whether the bot is receiving updates normally, and if not, why (one line).

The Bot API client reports every answer it gets (:meth:`Health.reached`) and every failure
(:meth:`Health.problem`); the service reports starting, running and stopping, and in webhook mode what
Telegram says about delivering to the webhook (:meth:`Health.delivery`). Healthy means: running, the
Bot API answered within :data:`STALE_AFTER` seconds, no problem since that only the operator can fix
(a rejected token, another process polling), and Telegram able to deliver to the webhook.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# Seconds without an answer from the Bot API after which the bot is unhealthy. Polling gets an answer at
# least every long poll (30 s, bot.channels.telegram.app.POLL_TIMEOUT), the webhook probe every 30 s
# (bot.channels.telegram.service.PROBE_INTERVAL); three missed in a row is an outage, not a slow answer.
STALE_AFTER = 90.0


class Phase(StrEnum):
    """Where the bot is in its life."""

    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"


@dataclass(frozen=True)
class Status:
    """The answer of ``/healthz``: ``healthy`` (200) or not (503), and ``reason``, one line."""

    healthy: bool
    reason: str


class Health:
    """The bot's health, fed by the Bot API client and the service.

    Args:
        stale_after: Seconds without an answer from the Bot API that make the bot unhealthy (default
            :data:`STALE_AFTER`).
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(self, stale_after: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        """Starts in :attr:`Phase.STARTING`."""
        self.stale_after = STALE_AFTER if stale_after is None else stale_after
        self.phase = Phase.STARTING
        self._clock = clock
        self._last_reached: float | None = None
        self._problem: tuple[float, str, bool] | None = None
        self._delivery: str | None = None

    def reached(self) -> None:
        """The Bot API answered (successfully, or refusing a request on its merits)."""
        self._last_reached = self._clock()

    def problem(self, description: str, *, blocking: bool = False) -> None:
        """A Bot API call failed; ``blocking`` when retrying cannot help (a rejected token, a conflict)."""
        self._problem = (self._clock(), " ".join(description.split()), blocking)

    def delivery(self, problem: str | None) -> None:
        """What Telegram reports about delivering to the webhook: a problem, or None when it delivers."""
        self._delivery = " ".join(problem.split()) if problem else None

    def status(self) -> Status:
        """Healthy or not, and why."""
        if self.phase is not Phase.RUNNING:
            return Status(False, self.phase.value)
        now = self._clock()
        last_problem = self._problem[1] if self._problem else None
        if self._last_reached is None or now - self._last_reached > self.stale_after:
            since = "since start" if self._last_reached is None else f"for {now - self._last_reached:.0f} s"
            why = f"; last error: {last_problem}" if last_problem else ""
            return Status(False, f"the Bot API has not answered {since}{why}")
        if self._problem and self._problem[2] and self._problem[0] >= self._last_reached:
            return Status(False, self._problem[1])
        if self._delivery:
            return Status(False, self._delivery)
        return Status(True, "ok")
