"""Long polling that comes back within seconds of an outage.

python-telegram-bot's updater retries a failed ``getUpdates`` after 1 s, then 1.5 times longer each time
up to 30 s, and only a timeout resets that: after a few minutes' outage the bot would notice the API's
return up to half a minute late. :class:`PollingRequest` is the HTTP client of ``getUpdates`` alone
(``ApplicationBuilder.get_updates_request``): after a failure it waits a backoff capped at
:data:`POLL_MAX_WAIT` before the next poll, and reports the failure to the updater as a timeout, which the
updater retries at once. Conflicts (409: another instance polls) and a rejected token go through
unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from bot.channels.telegram.request import ApiMonitor, MonitoredRequest

logger = logging.getLogger(__name__)

# The first wait after a failed poll, doubled after each further failure up to the cap: with the API back,
# the bot fetches its updates again within POLL_MAX_WAIT seconds (plus one request).
POLL_FIRST_WAIT = 0.25
POLL_MAX_WAIT = 1.0
# HTTP statuses from 500 up are the API's (or a proxy's) failures, retried like network errors.
_SERVER_ERROR = 500


@dataclass
class PollStats:
    """How fetching updates goes.

    Attributes:
        polls: ``getUpdates`` requests answered.
        failures: Requests that failed (network, timeout, 5xx).
        failing_since: ``time.monotonic()`` of the first of the current run of failures; None once a poll is
            answered again (a long poll in progress is answered when updates come, or after its timeout).
        last_success: ``time.monotonic()`` of the last answered poll; None before the first.
    """

    polls: int = 0
    failures: int = 0
    failing_since: float | None = None
    last_success: float | None = None


class PollingRequest(MonitoredRequest):
    """``getUpdates``' HTTP client: capped backoff after failures (see the module).

    A :class:`~bot.channels.telegram.request.MonitoredRequest` (every poll feeds the metrics and the
    health); the connection pool holds one connection by default, as python-telegram-bot's own for
    ``getUpdates``.
    """

    def __init__(
        self,
        monitor: ApiMonitor,
        *,
        connection_pool_size: int = 1,
        on_answer: Callable[[], None] | None = None,
        keep: Callable[[bytes], Awaitable[None]] | None = None,
        **kwargs: Any,
    ) -> None:
        """Creates the client.

        Args:
            monitor: Where each poll's outcome is reported.
            connection_pool_size: Connections kept open.
            on_answer: Called after each answered poll.
            keep: Awaited with the body of each answered poll before python-telegram-bot reads it (the
                inbox stores the updates there); if it fails, the poll counts as failed, so the updates are
                not confirmed and come again.
            **kwargs: :class:`~telegram.request.HTTPXRequest`'s other arguments (``proxy``, timeouts).
        """
        super().__init__(monitor, connection_pool_size=connection_pool_size, **kwargs)
        self.stats = PollStats()
        self._run = 0  # failures in a row
        self._on_answer, self._keep = on_answer, keep

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One poll, after the backoff its predecessors' failures call for.

        Raises:
            TimedOut: The poll failed (network error, timeout, 5xx); the updater polls again at once.
        """
        if self._run:
            await asyncio.sleep(min(POLL_MAX_WAIT, POLL_FIRST_WAIT * 2 ** (self._run - 1)))
        try:
            code, payload = await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        except NetworkError as error:
            raise self._failed(str(error)) from error
        if code >= _SERVER_ERROR:
            raise self._failed(f"the Bot API answered HTTP {code}")
        if code != HTTPStatus.OK:
            return code, payload  # a conflict (409), a rejected token: python-telegram-bot reports them
        if self._keep is not None:
            try:
                await self._keep(payload)
            except (OSError, ValueError, sqlite3.Error) as error:
                logger.error("cannot store the updates received (%s); they will come again", error)
                raise self._failed(f"storing them failed: {error}") from error
        self._succeeded()
        return code, payload

    def _failed(self, why: str) -> TimedOut:
        stats = self.stats
        stats.failures += 1
        self._run += 1
        if stats.failing_since is None:
            stats.failing_since = time.monotonic()
            logger.warning("cannot fetch updates (%s); retrying every %.0f s at most", why, POLL_MAX_WAIT)
        else:
            logger.debug("fetching updates failed again (%s)", why)
        return TimedOut(f"getUpdates failed: {why}")

    def _succeeded(self) -> None:
        stats = self.stats
        now = time.monotonic()
        if stats.failing_since is not None:
            logger.info("fetching updates again after %.1f s", now - stats.failing_since)
            stats.failing_since = None
        stats.polls += 1
        stats.last_success = now
        self._run = 0
        if self._on_answer is not None:
            self._on_answer()
