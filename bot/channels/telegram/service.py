"""Running the Telegram bot as a service, in either mode, until SIGTERM or Ctrl-C.

* **Long polling** (the default): the bot fetches its updates; no port is needed.
* **Webhook** (``BANGFU_WEBHOOK_URL``): the bot registers the URL and its secret with Telegram
  (``setWebhook``) and receives the updates Telegram posts (:mod:`.webhook`). Returning to polling deletes
  the webhook (python-telegram-bot's ``start_polling`` calls ``deleteWebhook`` first).

With ``BANGFU_LISTEN`` (always in webhook mode) the HTTP server (:mod:`bot.channels.http`) answers
``/healthz`` and ``/metrics`` in both modes, and every :data:`PROBE_INTERVAL` seconds the bot asks
Telegram about delivery (``getWebhookInfo``: the updates waiting there, the webhook's last error).

Stopping: ``/healthz`` turns 503 ("stopping") and the webhook refuses new updates with 503 (Telegram keeps
them); the updates in hand are finished; then the server closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from telegram.error import TelegramError

from bot.channels.health import Phase
from bot.channels.http import OpsServer, Route
from bot.channels.telegram import webhook
from bot.channels.telegram.services import BangfuApplication
from bot.settings import Settings

logger = logging.getLogger(__name__)

# Seconds between two getWebhookInfo calls: keeps /healthz current in webhook mode, where no long poll
# shows that Telegram is reachable, and /metrics' count of updates waiting at Telegram.
PROBE_INTERVAL = 30.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def serve(
    application: BangfuApplication,
    settings: Settings,
    lifecycle: AbstractAsyncContextManager[object],
    *,
    allowed_updates: Sequence[str],
    stop: asyncio.Event | None = None,
    probe_interval: float = PROBE_INTERVAL,
) -> None:
    """Runs the bot until a stop signal (or ``stop``), with the HTTP server when ``settings.listen`` is set.

    Args:
        application: From ``build_application``; its ``bot_data`` holds the metrics and the health.
        settings: The mode (``webhook_url``), its secret and ``listen``.
        lifecycle: Starts and stops the application (``running(application, poll=…)``), polling or not.
        allowed_updates: The kinds of update to ask Telegram for.
        stop: Set to stop; by default SIGTERM and SIGINT set it.
        probe_interval: Seconds between two getWebhookInfo calls.
    """
    health, metrics = application.bot_data.health, application.bot_data.metrics
    stop = stop or asyncio.Event()
    receiver, server = _receiver(application, settings), None
    if settings.listen is not None:
        route = Route(settings.webhook_path or "/", receiver.handle) if receiver else None
        server = OpsServer(settings.listen, health, metrics, route)
        await server.start()
    handled = _on_signals(stop)
    try:
        async with lifecycle:
            if receiver is not None and settings.webhook_url and settings.webhook_secret:
                receiver.accepting = True
                secret = settings.webhook_secret.reveal()
                await webhook.register(application.bot, settings.webhook_url, secret, allowed_updates)
                logger.info("webhook mode: Telegram posts updates to %s", settings.webhook_url)
            else:
                logger.info("long polling for updates")
            health.phase = Phase.RUNNING
            probe = asyncio.create_task(_probe(application, settings, probe_interval)) if server else None
            await stop.wait()
            logger.info("stopping: finishing the updates in hand")
            health.phase = Phase.STOPPING
            if receiver is not None:
                receiver.accepting = False
            if probe is not None:
                probe.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await probe
    finally:
        health.phase = Phase.STOPPING
        for sig in handled:
            asyncio.get_running_loop().remove_signal_handler(sig)
        if server is not None:
            await server.stop()


def _receiver(application: BangfuApplication, settings: Settings) -> webhook.WebhookReceiver | None:
    if settings.webhook_url is None or settings.webhook_secret is None:
        return None
    return webhook.WebhookReceiver(
        application.bot, settings.webhook_secret.reveal(), application.update_queue.put
    )


def _on_signals(stop: asyncio.Event) -> list[signal.Signals]:
    """Makes SIGTERM and SIGINT set ``stop``; returns the signals handled (none outside the main thread)."""
    loop, handled = asyncio.get_running_loop(), []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no such support
            continue
        handled.append(sig)
    return handled


async def _probe(application: BangfuApplication, settings: Settings, interval: float) -> None:
    """Asks Telegram about delivery every ``interval`` seconds; logs a delivery problem when it changes."""
    health, metrics = application.bot_data.health, application.bot_data.metrics
    reported: str | None = None
    while True:
        try:
            problem = await webhook.check_delivery(application.bot, settings.webhook_url, metrics)
        except TelegramError as exc:  # counted and reported to the health by the request itself
            logger.debug("getWebhookInfo failed: %s", exc)
        else:
            health.delivery(problem)
            if problem != reported:
                if problem:
                    logger.warning("%s", problem)
                else:
                    logger.info("Telegram delivers updates again")
                reported = problem
        await asyncio.sleep(interval)
