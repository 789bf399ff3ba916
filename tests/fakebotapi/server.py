"""The HTTP side: an aiohttp server on 127.0.0.1 answering ``/bot<token>/<method>`` as Telegram does.

Each request is recorded (:attr:`FakeBotApi.requests`), its parameters decoded, the faults for its method
run (:data:`Fault`: flood control, errors, dropped connections, slow answers), then the method itself
(:mod:`tests.fakebotapi.methods`); whatever happens, the answer is the Bot API's JSON (``ok`` and
``result``, or ``error_code`` and ``description``). While ``setWebhook`` has set a webhook, the server
posts the updates there instead (``FakeBotApi._deliver``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Self, TypeVar

import aiohttp
from aiohttp import web
from telegram import Bot
from telegram.request import HTTPXRequest

from tests.fakebotapi.builders import FakeChat, JSONDict, StoredMessage
from tests.fakebotapi.methods import METHODS, ApiError, Drop, Params, RecordedCall, decode
from tests.fakebotapi.state import TelegramState

logger = logging.getLogger(__name__)
T = TypeVar("T")
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
"""The header of a webhook post that carries the webhook's ``secret_token``."""

Fault = Callable[[RecordedCall], Awaitable[None]]
"""A hook that runs before a Bot API method (``api.add_fault(fault, "sendMessage", …)``, every method without
names; ``api.begin_outage()``: every call). It may return (the method then runs), sleep first (a slow
answer), raise ``ApiError`` (answered instead: a 429, a 5xx) or ``Drop`` (the connection closes without an
answer, after the method ran if ``delivered``)."""


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
            await flood(self.retry_after or max(1, math.ceil(wait)))(call)
        for key, _span, _limit in windows:
            self._hits[key].append(now)


class FakeBotApi(TelegramState):
    """A stand-in Bot API server for one test: ``async with FakeBotApi() as api``; point the bot at
    :attr:`root_url` (``TELEGRAM_API_URL``) with :attr:`token`. The arguments are ``TelegramState``'s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[RecordedCall] = []  # every request received, in order of arrival
        self.flood_errors = 0  # how many calls were answered 429
        self.internal_errors: list[str] = []  # exceptions in the fake itself (answered 500), for diagnostics
        self.outages: list[tuple[float, float | None]] = []  # (began, ended) of each, in time.monotonic()
        self._faults: list[tuple[frozenset[str] | None, Fault]] = []
        self._flood: Fault | None = None
        self._seen: set[tuple[int, int]] = set()
        self._runner: web.AppRunner | None = None
        self._delivery: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # No access log: it would show the token. A request whose client went away (a cancelled long
        # poll) is cancelled too, as on Telegram.
        self._runner = runner = web.AppRunner(
            app, handle_signals=False, access_log=None, handler_cancellation=True, shutdown_timeout=1
        )
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.closing = False
        self._delivery = asyncio.create_task(self._deliver(), name="fake webhook delivery")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        # Long polls still waiting answer an empty list: the bot's client is not left hanging.
        self.closing = True
        self.notify()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        await asyncio.sleep(0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>``, for ``TELEGRAM_API_URL``."""
        if self._runner is None:
            raise RuntimeError("FakeBotApi is not running; use `async with FakeBotApi() as api`")
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    def request(self) -> HTTPXRequest:
        """A python-telegram-bot request object for the fake that ignores proxy variables (httpx sends even
        127.0.0.1 traffic to ``HTTP_PROXY``/``ALL_PROXY`` unless ``NO_PROXY`` names it)."""
        return HTTPXRequest(read_timeout=5.0, connect_timeout=2.0, httpx_kwargs={"trust_env": False})

    def bot(self) -> Bot:
        """A ``telegram.Bot`` pointed at the fake, proxy-free (``async with api.bot() as bot``)."""
        base_url = f"{self.root_url}/bot"
        return Bot(self.token, base_url=base_url, request=self.request(), get_updates_request=self.request())

    def add_fault(self, fault: Fault, *methods: str) -> Fault:
        """Runs ``fault`` before each call of ``methods`` (every call without any); see :data:`Fault`."""
        self._faults.append((frozenset(m.lower() for m in methods) or None, fault))
        return fault

    def remove_fault(self, fault: Fault) -> None:
        """Takes a fault out again."""
        self._faults = [(methods, f) for methods, f in self._faults if f is not fault]

    def begin_outage(self, fault: Fault | None = None) -> None:
        """From now every call meets ``fault`` (by default its connection drops), long polls waiting too."""
        self.outage = fault or drop()
        self.outages.append((time.monotonic(), None))
        self.notify()

    def end_outage(self) -> None:
        """The API answers again."""
        self.outage = None
        self.outages[-1] = (self.outages[-1][0], time.monotonic())

    def flood_limit(self, **limits: Any) -> None:
        """Turns flood control on with :class:`FloodControl`'s ``limits``, or off without any."""
        if self._flood is not None:
            self.remove_fault(self._flood)
        flood = FloodControl(self.chats, **limits)
        self._flood = self.add_fault(flood, "sendMessage", "editMessageText") if limits else None

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """The requests received (of one method), in order."""
        return [c for c in self.requests if method is None or c.method.lower() == method.lower()]

    def failed_calls(self, method: str | None = None) -> list[RecordedCall]:
        """The calls answered with an error (400, 401, 403, 404, 409, 429, 5xx)."""
        return [c for c in self.calls(method) if c.failed]

    async def wait_for(self, what: str, found: Callable[[], T | None], within: float = 5.0) -> T:
        """Waits until ``found()`` is not None, returns it; fails after ``within`` s (:meth:`diagnostics`)."""
        if not await self.wait_until(lambda: found() is not None, within) or (result := found()) is None:
            raise AssertionError(f"no {what} within {within}s\n{self.diagnostics()}")
        return result

    async def wait_for_messages(
        self, count: int = 1, chat: FakeChat | None = None, within: float = 5.0
    ) -> list[StoredMessage]:
        """Waits for the bot's next ``count`` messages (in ``chat``); the next call returns the ones after."""

        def fresh() -> list[StoredMessage] | None:
            new = [m for m in self.sent_messages(chat) if (m.chat.id, m.message_id) not in self._seen]
            return new[:count] if len(new) >= count else None

        taken = await self.wait_for(f"{count} new bot message(s)", fresh, within)
        self._seen.update((m.chat.id, m.message_id) for m in taken)
        return taken

    def diagnostics(self) -> str:
        """What the bot sent, which calls failed, what is unconfirmed: for assertion messages."""
        lines = ["bot messages:", *(f"  {m.chat.id}#{m.message_id}: {m.text!r}" for m in self.bot_messages)]
        lines += ["failed Bot API calls:", *(f"  {c.summary()}" for c in self.failed_calls()[-10:])]
        lines += [f"unconfirmed updates: {len(self.queue)}; calls received: {len(self.requests)}"]
        return "\n".join(lines + [f"FakeBotApi internal error: {e}" for e in self.internal_errors])

    async def _handle(self, request: web.Request) -> web.Response:
        name, token = request.match_info["method"], request.match_info["token"]
        known = METHODS.get(name.lower())
        call = RecordedCall(known[0] if known else name)
        self.requests.append(call)
        try:
            if token != self.token:  # as Telegram: 401 for a well-formed token it does not know, else 404
                raise ApiError(401, "Unauthorized") if ":" in token else ApiError(404, "Not Found")
            if known is None:
                logger.warning("FakeBotApi: method %r is not implemented", name)
                raise ApiError(404, "Not Found")
            # python-telegram-bot sends a form (or nothing); a query string is accepted too, as by Telegram.
            raw = dict(request.query) | dict(await request.post())
            call.params = params = Params({key: decode(key, value) for key, value in raw.items()})
            faults = [f for methods, f in self._faults if methods is None or call.method.lower() in methods]
            for fault in [self.outage, *faults] if self.outage else faults:
                await fault(call)
            body: JSONDict = {"ok": True, "result": await known[1](self, params)}
            call.status = 200
        except Drop as drop:  # no answer at all: the client sees the connection close
            if drop.delivered and known is not None:
                with contextlib.suppress(ApiError):
                    await known[1](self, Params(call.params))
            call.dropped, call.answered = True, time.monotonic()
            self.notify()
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)  # never reaches the client
        except ApiError as error:
            call.status, body = error.code, error.body
            self.flood_errors += error.code == 429
        except Exception as error:  # the fake must never break the test's event loop
            logger.exception("FakeBotApi internal error in %s", call.method)
            self.internal_errors.append(f"{call.method}: {error!r}")
            call.status, body = 500, ApiError(500, f"Internal Server Error: {error!r}").body
        call.response, call.answered = body, time.monotonic()
        self.notify()
        return web.json_response(body, status=call.status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _deliver(self) -> None:
        """Posts the queued updates to the webhook while one is set, one at a time, until cancelled: an
        update leaves the queue when the webhook answers 2xx; otherwise the error is kept as
        ``getWebhookInfo`` reports it, and the update is posted again after the webhook's ``retry_delay``."""
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(trust_env=False, timeout=timeout) as session:
            while True:
                hook = self.webhook
                batch = self.take_updates(1) if hook is not None else []
                if hook is None or not batch:
                    await self.changed(1.0)
                    continue
                update, error = batch[0], None
                headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
                try:
                    async with session.post(hook.url, json=update, headers=headers) as answer:
                        status = answer.status
                        if not 200 <= status <= 299:
                            error = f"Wrong response from the webhook: {status} {answer.reason}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status, error = 0, f"Connection failed: {exc.__class__.__name__}"
                hook.deliveries.append((update["update_id"], status))
                if error is None:
                    self.confirm(update["update_id"] + 1)
                else:
                    hook.last_error_date, hook.last_error_message = int(time.time()), error
                self.notify()
                if error is not None:
                    await asyncio.sleep(hook.retry_delay)
