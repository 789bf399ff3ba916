"""The bot's HTTP server (aiohttp), when ``BANGFU_LISTEN`` is set: ``/healthz``, ``/metrics`` and the webhook.

* ``GET /healthz``: ``200 ok`` while the bot receives updates normally, else ``503`` and one line saying
  why (:mod:`bot.channels.health`).
* ``GET /metrics``: Prometheus' text format (:mod:`bot.channels.metrics`).
* The webhook (webhook mode only): the URL's path, handled by the channel
  (:mod:`bot.channels.telegram.webhook`).

Anything else is 404. The server runs in the bot's event loop; it has no access log (a webhook request's
body is a user's message).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.channels.health import Health
from bot.channels.metrics import CONTENT_TYPE, Metrics
from bot.errors import SettingsError, TransientError
from bot.settings import Listen

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Seconds a request in progress may take to finish when the server stops.
SHUTDOWN_TIMEOUT = 5.0
# Largest request body accepted: a Telegram update is a few kilobytes; 1 MiB is aiohttp's own default.
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Route:
    """An extra route: ``handler`` answers POST requests to ``path``."""

    path: str
    handler: Handler


class OpsServer:
    """``/healthz``, ``/metrics`` and maybe the webhook, on ``listen``.

    Args:
        listen: Host and port (port 0: any free one, see :attr:`port`).
        health: What ``/healthz`` reports.
        metrics: What ``/metrics`` reports.
        webhook: The webhook's route, in webhook mode.
    """

    def __init__(
        self, listen: Listen, health: Health, metrics: Metrics, webhook: Route | None = None
    ) -> None:
        """Prepares the server; :meth:`start` opens the port."""
        self.listen, self.health, self.metrics = listen, health, metrics
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        if webhook is not None:
            app.router.add_post(webhook.path, webhook.handler)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        self._site: web.TCPSite | None = None

    async def start(self) -> None:
        """Opens the port.

        Raises:
            TransientError: The port is in use (by another process, or a previous run still stopping).
            SettingsError: The address cannot be used at all (not this machine's, or a privileged port).
        """
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen.host, self.listen.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            where = f"cannot listen on {self.listen} (BANGFU_LISTEN)"
            if exc.errno == errno.EADDRINUSE:
                raise TransientError(f"{where}: the port is in use by another process") from None
            raise SettingsError(f"{where}: {exc.strerror or exc}") from None
        self._site = site
        logger.info("HTTP server on %s: /healthz, /metrics", self.url)

    async def stop(self) -> None:
        """Closes the port, letting requests in progress finish."""
        await self._runner.cleanup()
        self._site = None

    @property
    def port(self) -> int:
        """The port listened on (the one chosen when ``listen`` asked for port 0)."""
        addresses = self._runner.addresses if self._site is not None else []
        return int(addresses[0][1]) if addresses else self.listen.port

    @property
    def url(self) -> str:
        """``http://host:port`` of the server."""
        return f"http://{Listen(self.listen.host, self.port)}"

    async def _healthz(self, request: web.Request) -> web.Response:
        status = self.health.status()
        return web.Response(status=200 if status.healthy else 503, text=status.reason + "\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        response = web.Response(body=self.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response
