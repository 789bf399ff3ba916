"""The one way out: every Bot API call passes here, paced, waiting out flood control, retrying what is worth it.

:class:`Sender` is python-telegram-bot's rate limiter (``ApplicationBuilder.rate_limiter``): ``ExtBot``
hands it every call but ``getUpdates``. For each call it

* waits for a turn from the :class:`~bot.channels.telegram.pacing.Pacer` if the call sends or edits a
  message, so messages go out within Telegram's limits;
* on ``429 Too Many Requests: retry after N`` (``RetryAfter``) holds **every** message for N seconds and
  then tries again, for as long as :data:`FLOOD_DEADLINE` allows;
* on a 5xx answer, a network error or a timeout (``NetworkError``, ``TimedOut``), waits with growing,
  jittered backoff and tries again, for as long as :data:`RETRY_DEADLINE` allows a call that delivers an
  answer, and :data:`SETUP_RETRY_DEADLINE` the start-up calls (which give up at once on a failure that
  says a setting is wrong: nothing listens at the API's address, it is no Bot API, the proxy refuses);
* gives up at once on errors that cannot succeed: a bad request, a chat that migrated (the outbox resends
  to the new chat), a user who blocked the bot or a group that removed it (logged once per chat), a wrong
  token.

python-telegram-bot asks a rate limiter to handle only ``RetryAfter``; this one also retries transient
errors, because a retry is one more send, which must take its turn and keep flood control's holds like the
first. A call given up after an attempt whose outcome is unknown (a timeout, a connection dropped after the
request left) raises :class:`DeliveryUnknownError`: the answer may have arrived, so nobody apologizes for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from bot.channels.metrics import Metrics
from bot.channels.telegram.pacing import TELEGRAM_LIMITS, ChatKey, Pacer, PacingLimits
from bot.channels.telegram.request import NotABotApiError, ProxyRefusedError

logger = logging.getLogger(__name__)
JSONDict = dict[str, Any]

# A send that meets flood control is tried again until this long after its first 429. Telegram's waits are
# seconds to minutes; one longer than half an hour means the bot is being punished for flooding, and the
# question (still in the inbox if the process stops) is logged as lost rather than kept waiting forever.
FLOOD_DEADLINE = 30 * 60.0
# A call failing with 5xx, network errors or timeouts is tried again until this long after its first
# failure: long enough to ride out a restart of Telegram's front ends or of a proxy (minutes), short enough
# that the person asking still waits for the answer.
RETRY_DEADLINE = 5 * 60.0
# Other calls (getMe, deleteWebhook, setMyCommands at start-up) are retried after 5xx answers, timeouts and
# dropped connections for this long, so that one hiccup does not stop the bot from starting; a failure that
# says a setting is wrong (_MISCONFIGURED) is reported at once.
SETUP_RETRY_DEADLINE = 30.0
# Backoff between tries: the first wait, doubled each time up to the cap; jitter (each wait drawn from half
# to all of it) keeps many failed sends from coming back in step. A wait ends early as soon as any call
# (or poll, :meth:`Sender.api_answers`) succeeds: the API is back, and the retries queue for their turns.
RETRY_FIRST_WAIT = 0.5
RETRY_MAX_WAIT = 4.0
# Added to every retry_after. Telegram started the wait when it answered, a moment before the bot read the
# answer, so waiting from the reading already clears it; the margin covers timer and clock granularity.
# (Every 429 holds every message: in a burst the margin is paid once per 429, so it stays small.)
FLOOD_MARGIN = 0.1

# Calls that send or edit a message: they are paced and held by flood control.
_PACED_PREFIXES = ("send", "editmessage", "copymessage", "forwardmessage")
# Calls that deliver an answer, retried for RETRY_DEADLINE after transient errors.
_ANSWERING_EXTRA = frozenset({"answercallbackquery", "getchatmember"})
# Errors whose call cannot succeed by trying again.
_FINAL = (BadRequest, ChatMigrated, Forbidden, InvalidToken, Conflict, EndPointNotFound)
# httpx errors after which the request surely did not reach Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures that say a setting is wrong (nothing listens at the URL, it is no Bot API, the proxy refuses):
# a start-up call reports them at once.
_MISCONFIGURED = (NotABotApiError, ProxyRefusedError)
_MISCONFIGURED_CAUSES = (httpx.ConnectError, httpx.ProxyError)


class DeliveryUnknownError(NetworkError):
    """A call was given up after tries of which one may have reached Telegram (its answer was lost)."""


@dataclass
class DeliveryStats:
    """What the sender has done since start-up (for logs, tests and metrics).

    Attributes:
        calls: Calls received (not counting retries).
        attempts: Requests made (retries included).
        flood_waits: 429 answers waited out.
        flood_wait_seconds: Seconds of those waits (``retry_after``), summed.
        retries: Retries after transient errors.
        recovered: Calls that succeeded after at least one retry or flood wait.
        possible_duplicates: Calls that succeeded after an attempt that may have been delivered too.
        refused: Calls refused for good (4xx: bad request, blocked, removed, migrated).
        lost: Calls given up at a deadline.
    """

    calls: int = 0
    attempts: int = 0
    flood_waits: int = 0
    flood_wait_seconds: float = 0.0
    retries: int = 0
    recovered: int = 0
    possible_duplicates: int = 0
    refused: int = 0
    lost: int = 0


def maybe_delivered(error: NetworkError) -> bool:
    """Whether a request that failed this way may still have been carried out by Telegram.

    An error answer (5xx) or a connection never made means no; a timeout or a connection dropped after the
    request left means perhaps.
    """
    cause = error.__cause__
    if isinstance(cause, _NOT_SENT):
        return False
    return cause is not None or isinstance(error, TimedOut)


def _retry_after_seconds(error: RetryAfter) -> float:
    wait = error._retry_after  # a timedelta whatever PTB_TIMEDELTA says (the public one may warn)
    return wait.total_seconds() if isinstance(wait, dtm.timedelta) else float(wait)


@dataclass
class _Call:
    """One call and its history of tries."""

    endpoint: str
    chat: ChatKey | None
    paced: bool
    answering: bool
    flood_since: float | None = None
    failing_since: float | None = None
    failures: int = 0
    uncertain: bool = False


def _chat_key(data: JSONDict) -> ChatKey | None:
    chat = data.get("chat_id")
    if isinstance(chat, int | str) and not isinstance(chat, bool):
        try:
            return int(chat)
        except ValueError:
            return str(chat)
    return None


class Sender(BaseRateLimiter[None]):
    """python-telegram-bot's rate limiter for this bot: pacing, flood control, retries (see the module).

    Args:
        limits: The pacing limits (Telegram's by default).
        flood_deadline: See :data:`FLOOD_DEADLINE`.
        retry_deadline: See :data:`RETRY_DEADLINE`.
        clock: Seconds, monotonic.
        rng: Draws the jitter.
        metrics: Told of each retry and each call given up (``/metrics``); flood-control answers are
            counted where the HTTP answers are (:class:`~bot.channels.telegram.request.ApiMonitor`).
    """

    def __init__(
        self,
        limits: PacingLimits = TELEGRAM_LIMITS,
        *,
        flood_deadline: float = FLOOD_DEADLINE,
        retry_deadline: float = RETRY_DEADLINE,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """Creates the sender; see the class docstring."""
        self._metrics = metrics
        self.pacer = Pacer(limits, clock)
        self.stats = DeliveryStats()
        self._flood_deadline, self._retry_deadline = flood_deadline, retry_deadline
        self._clock = clock
        self._rng = rng or random.Random()
        self._refusing: set[ChatKey] = set()
        self._outage_since: float | None = None
        self._answering = asyncio.Event()  # set (and replaced) whenever a call succeeds

    async def initialize(self) -> None:
        """Nothing to set up: the pacer starts with the first message."""

    async def shutdown(self) -> None:
        """Stops the pacer."""
        await self.pacer.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Makes the call, paced, waiting out flood control and retrying transient failures (see the module).

        Raises:
            TelegramError: The call's own error when it cannot succeed, or the last one at a deadline
                (:class:`DeliveryUnknownError` if a try may have been delivered).
        """
        name = endpoint.lower()
        paced = name.startswith(_PACED_PREFIXES)
        call = _Call(endpoint, _chat_key(data), paced, paced or name in _ANSWERING_EXTRA)
        self.stats.calls += 1
        while True:
            if call.paced:
                await self.pacer.turn(call.chat)
            self.stats.attempts += 1
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as error:
                await self._wait_out(call, error)
            except _FINAL as error:
                self._refused(call, error)
                raise
            except NetworkError as error:
                await self._back_off(call, error)
            else:
                self._succeeded(call)
                return result

    async def _wait_out(self, call: _Call, error: RetryAfter) -> None:
        now, seconds = self._clock(), _retry_after_seconds(error)
        call.flood_since = call.flood_since if call.flood_since is not None else now
        if now + seconds - call.flood_since > self._flood_deadline:
            self._give_up(call, error, "flood control still refuses it")
            raise error
        self.stats.flood_waits += 1
        self.stats.flood_wait_seconds += seconds
        logger.info(
            "flood control: Telegram asks to wait %.0f s (%s to chat %s); every message waits",
            seconds,
            call.endpoint,
            call.chat,
        )
        if call.paced:
            self.pacer.hold(seconds + FLOOD_MARGIN)  # the next turn comes after the hold
        else:
            await asyncio.sleep(seconds + FLOOD_MARGIN)

    async def _back_off(self, call: _Call, error: NetworkError) -> None:
        now = self._clock()
        call.uncertain = call.uncertain or maybe_delivered(error)
        if not call.answering and (
            isinstance(error, _MISCONFIGURED) or isinstance(error.__cause__, _MISCONFIGURED_CAUSES)
        ):
            raise error
        call.failing_since = call.failing_since if call.failing_since is not None else now
        wait = min(RETRY_MAX_WAIT, RETRY_FIRST_WAIT * 2**call.failures) * self._rng.uniform(0.5, 1.0)
        deadline = self._retry_deadline if call.answering else min(self._retry_deadline, SETUP_RETRY_DEADLINE)
        if now + wait - call.failing_since > deadline:
            self._give_up(call, error, "the Bot API kept failing")
            if call.uncertain:
                raise DeliveryUnknownError(f"{call.endpoint} may or may not have arrived: {error}") from error
            raise error
        if self._outage_since is None:
            self._outage_since = now
            logger.warning("Bot API call failed (%s: %s); retrying with backoff", call.endpoint, error)
        logger.debug("%s to chat %s failed (%s); retry in %.2f s", call.endpoint, call.chat, error, wait)
        call.failures += 1
        self.stats.retries += 1
        if self._metrics is not None:
            self._metrics.retry()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._answering.wait()

    def api_answers(self) -> None:
        """The Bot API answered a call (or a poll): retries waiting after failures may go now."""
        self._answering.set()
        self._answering = asyncio.Event()

    def _succeeded(self, call: _Call) -> None:
        self.api_answers()
        if call.failures or call.flood_since is not None:
            self.stats.recovered += 1
        if call.uncertain:
            # An earlier try may have arrived too: the person may see this message twice.
            self.stats.possible_duplicates += 1
        if call.failures and self._outage_since is not None:
            logger.info("Bot API calls succeed again after %.1f s", self._clock() - self._outage_since)
            self._outage_since = None
        if call.chat is not None:
            self._refusing.discard(call.chat)

    def _refused(self, call: _Call, error: Exception) -> None:
        self.stats.refused += 1
        # A group that removed the bot, a user who blocked it: said once, never retried.
        if isinstance(error, Forbidden) and call.chat is not None and call.chat not in self._refusing:
            self._refusing.add(call.chat)
            logger.info("chat %s does not take the bot's messages (%s); not retrying", call.chat, error)

    def _give_up(self, call: _Call, error: Exception, why: str) -> None:
        self.stats.lost += 1
        if self._metrics is not None:
            self._metrics.lost_send()
        logger.error("gave up %s to chat %s: %s (%s)", call.endpoint, call.chat, why, error)
