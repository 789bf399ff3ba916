"""Webhook mode: Telegram posts each update to ``BANGFU_WEBHOOK_URL``; the bot checks the secret and queues it.

:class:`WebhookReceiver` answers the POSTs on the URL's path (:mod:`bot.channels.http` serves it):

* without the right ``X-Telegram-Bot-Api-Secret-Token`` (``BANGFU_WEBHOOK_SECRET``, compared in constant
  time): 403, and nothing is done;
* while the bot is not ready or is stopping: 503, so that Telegram keeps the update and posts it again;
* a body that is not an update: 400;
* else the update is handed on (``deliver``: the application's update queue) and answered 200.

:func:`register` tells Telegram the URL and the secret (``setWebhook``); :func:`check_delivery` reads
``getWebhookInfo`` for the health check and the metrics.
"""

from __future__ import annotations

import datetime
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from telegram import Bot, Update, WebhookInfo

from bot.channels.metrics import Metrics

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Connections Telegram may open at once to post updates; its default (40) is plenty for ~1 ms answers.
MAX_CONNECTIONS = 40
# Telegram reports the last delivery error with its date; one older than this is history, not a problem.
DELIVERY_ERROR_FRESH_FOR = datetime.timedelta(minutes=5)

Deliver = Callable[[Update], Awaitable[object]]


class WebhookReceiver:
    """Receives the updates Telegram posts.

    Args:
        bot: For decoding updates.
        secret: ``BANGFU_WEBHOOK_SECRET``.
        deliver: Hands an update on (``application.update_queue.put``); an inbox that stores updates
            durably before acknowledging them plugs in here.
    """

    def __init__(self, bot: Bot, secret: str, deliver: Deliver) -> None:
        """Creates the receiver, closed: :attr:`accepting` opens it."""
        self._bot, self._secret, self._deliver = bot, secret.encode(), deliver
        self.accepting = False
        self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Answers one POST from Telegram (see the module's docstring)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            logger.debug("refused a webhook request without the right secret")
            return web.Response(status=403, text="forbidden\n")
        if not self.accepting:
            return web.Response(status=503, text="not ready; try again\n")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self._bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return web.Response(status=400, text="not a Telegram update\n")
        await self._deliver(update)
        return web.Response(text="ok\n")


async def register(bot: Bot, url: str, secret: str, allowed_updates: Sequence[str]) -> None:
    """Registers the webhook with its secret (``setWebhook``); pending updates are kept."""
    await bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=list(allowed_updates),
        max_connections=MAX_CONNECTIONS,
        drop_pending_updates=False,
    )


def delivery_problem(info: WebhookInfo, url: str | None, now: datetime.datetime) -> str | None:
    """What keeps Telegram from delivering updates, per ``getWebhookInfo``; None when nothing does.

    Args:
        info: Telegram's answer.
        url: ``BANGFU_WEBHOOK_URL`` in webhook mode; None when polling.
        now: The current time (aware).
    """
    if url is None:
        return None
    if info.url != url:
        where = info.url or "no webhook"
        return f"Telegram has {where} registered, not BANGFU_WEBHOOK_URL: did another instance change it?"
    fresh = info.last_error_date is not None and now - info.last_error_date < DELIVERY_ERROR_FRESH_FOR
    if fresh and info.pending_update_count:
        return f"Telegram cannot deliver updates to the webhook: {info.last_error_message}"
    return None


async def check_delivery(bot: Bot, url: str | None, metrics: Metrics) -> str | None:
    """Asks Telegram how delivery goes (``getWebhookInfo``): reports the updates waiting there, returns
    :func:`delivery_problem`'s answer."""
    info = await bot.get_webhook_info()
    metrics.set_waiting("telegram", info.pending_update_count)
    return delivery_problem(info, url, datetime.datetime.now(datetime.UTC))
