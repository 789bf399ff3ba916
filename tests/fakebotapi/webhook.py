"""Webhooks, as Telegram runs them: ``setWebhook`` stores the URL and secret, and the fake then posts each
queued update there (with ``X-Telegram-Bot-Api-Secret-Token``) instead of handing it to ``getUpdates``.

An update leaves the queue when the webhook answers 2xx; otherwise the fake records the error as Telegram
reports it in ``getWebhookInfo`` (``last_error_date``, ``last_error_message``) and tries again after
:attr:`Webhook.retry_delay`. Updates are posted one at a time, in order (Telegram may use several
connections; one is enough here). The URL may be ``http://127.0.0.1:…``: like a self-hosted Bot API server
in ``--local`` mode, the fake accepts any scheme and port.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from tests.fakebotapi.builders import JSONDict

if TYPE_CHECKING:
    from tests.fakebotapi.state import TelegramState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Webhook:
    """The registered webhook and how delivery goes.

    Attributes:
        url: Where updates are posted.
        secret_token: Sent with each post, if set.
        max_connections: As given to ``setWebhook`` (not modelled beyond being reported).
        last_error_date: Unix time of the last failed delivery, or None.
        last_error_message: Its description, as Telegram words it.
        deliveries: ``(update_id, HTTP status or 0 for no answer)`` of every post, in order.
        retry_delay: Seconds before a failed delivery is tried again (Telegram waits longer).
    """

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: list[tuple[int, int]] = field(default_factory=list)
    retry_delay: float = 0.2

    def info(self, pending: int) -> JSONDict:
        """The ``WebhookInfo`` object."""
        info: JSONDict = {"url": self.url, "has_custom_certificate": False, "pending_update_count": pending}
        info["max_connections"] = self.max_connections
        if self.last_error_date is not None:
            info |= {"last_error_date": self.last_error_date, "last_error_message": self.last_error_message}
        return info


async def deliver(tg: TelegramState) -> None:
    """Posts queued updates to the webhook while one is set; runs until cancelled."""
    async with aiohttp.ClientSession(trust_env=False) as session:
        while True:
            hook = tg.webhook
            batch = tg.take_updates(1) if hook is not None else []
            if hook is None or not batch:
                await tg.changed(1.0)
                continue
            update = batch[0]
            status, error = await _post(session, hook, update)
            hook.deliveries.append((update["update_id"], status))
            if error is None:
                tg.confirm(update["update_id"] + 1)
            else:
                hook.last_error_date, hook.last_error_message = int(time.time()), error
            tg.notify()
            if error is not None:
                await asyncio.sleep(hook.retry_delay)


async def _post(session: aiohttp.ClientSession, hook: Webhook, update: JSONDict) -> tuple[int, str | None]:
    headers = {"Content-Type": "application/json"}
    if hook.secret_token:
        headers[SECRET_HEADER] = hook.secret_token
    try:
        timeout = aiohttp.ClientTimeout(total=10)
        async with session.post(
            hook.url, data=json.dumps(update), headers=headers, timeout=timeout
        ) as answer:
            if 200 <= answer.status <= 299:
                return answer.status, None
            return answer.status, f"Wrong response from the webhook: {answer.status} {answer.reason}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return 0, f"Connection failed: {exc.__class__.__name__}"
