"""Nothing lost: the pieces that get every question answered, wired together, and their counters.

* :mod:`~bot.channels.telegram.inbox`: updates stored before Telegram hears they arrived, replayed after
  a crash, recognized when they come twice;
* :mod:`~bot.channels.telegram.sender` and :mod:`~bot.channels.telegram.pacing`: every call paced within
  Telegram's limits, flood control waited out, transient failures retried;
* :mod:`~bot.channels.telegram.polling`: ``getUpdates`` back within seconds after an outage.

:meth:`Delivery.counters` is the public view of what they did (for logs and metrics).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot

from bot.channels.telegram.inbox import DurableUpdateQueue, Inbox
from bot.channels.telegram.pacing import TELEGRAM_LIMITS, PacingLimits
from bot.channels.telegram.polling import PollingRequest
from bot.channels.telegram.request import ApiMonitor
from bot.channels.telegram.sender import Sender


@dataclass(frozen=True)
class Delivery:
    """The inbox and its queue, the sender, and the polling client of one bot.

    Attributes:
        inbox: The durable table of updates.
        queue: The application's update queue (``ApplicationBuilder.update_queue``).
        sender: The rate limiter (``ApplicationBuilder.rate_limiter``).
        polling: The ``getUpdates`` client (``ApplicationBuilder.get_updates_request``).
    """

    inbox: Inbox
    queue: DurableUpdateQueue
    sender: Sender
    polling: PollingRequest

    @classmethod
    def open(
        cls,
        database: Path,
        limits: PacingLimits = TELEGRAM_LIMITS,
        *,
        monitor: ApiMonitor,
        proxy: str | None = None,
    ) -> Delivery:
        """Opens the inbox in the SQLite file ``database`` and creates the rest.

        Args:
            database: The bot's SQLite file.
            limits: How fast messages may go out.
            monitor: Watches the polls (for the metrics and the health); its metrics also count the
                sender's retries and lost calls.
            proxy: The proxy to poll through, if any.

        Raises:
            SettingsError: The file cannot be used.
        """
        inbox, sender = Inbox.open(database), Sender(limits, metrics=monitor.metrics)
        queue = DurableUpdateQueue(inbox)
        # Each poll's updates are stored before the updater reads them; an answered poll tells the sender
        # the API is back, so retries waiting after an outage go at once.
        polling = PollingRequest(monitor, proxy=proxy, on_answer=sender.api_answers, keep=queue.store_polled)
        return cls(inbox, queue, sender, polling)

    def replay(self, bot: Bot) -> int:
        """Queues the updates stored and not handled before the last stop; returns how many."""
        return self.queue.replay(bot)

    def close(self) -> None:
        """Closes the inbox."""
        self.inbox.close()

    def counters(self) -> dict[str, float]:
        """What happened since start-up, by name (each a count, or seconds where the name says so).

        ``messages_waiting`` and ``inbox_depth`` are gauges; ``seconds_since_last_poll`` is -1 before the
        first poll and ``polling_failing_seconds`` 0 while polls succeed.
        """
        stats, polls, inbox = self.sender.stats, self.polling.stats, self.inbox
        now = time.monotonic()
        return {
            "api_calls": stats.calls,
            "api_attempts": stats.attempts,
            "flood_waits": stats.flood_waits,
            "flood_wait_seconds": stats.flood_wait_seconds,
            "retries": stats.retries,
            "recovered_calls": stats.recovered,
            "possible_duplicates": stats.possible_duplicates,
            "refused_calls": stats.refused,
            "lost_calls": stats.lost,
            "messages_waiting": self.sender.pacer.waiting,
            "inbox_depth": inbox.depth,
            "updates_stored": inbox.stored,
            "updates_replayed": inbox.replayed,
            "updates_received_twice": inbox.duplicates,
            "polls": polls.polls,
            "poll_failures": polls.failures,
            "seconds_since_last_poll": -1.0 if polls.last_success is None else now - polls.last_success,
            "polling_failing_seconds": 0.0 if polls.failing_since is None else now - polls.failing_since,
        }
