"""The Bot API client's HTTP requests, watched: every answer and failure feeds the metrics and the health.

:class:`MonitoredRequest` is python-telegram-bot's ``HTTPXRequest`` (proxy included) that reports each
call to an :class:`ApiMonitor`, and refuses an answer that is not the Bot API's JSON with one clear
:class:`NotABotApiError` (python-telegram-bot would log the whole HTML page with a traceback).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from bot.channels.health import Health
from bot.channels.metrics import ApiErrorKind, Metrics

logger = logging.getLogger(__name__)

# HTTP statuses with which the Bot API refuses a request on its merits: it was reached and works.
_REFUSALS = {400: ApiErrorKind.BAD_REQUEST, 403: ApiErrorKind.FORBIDDEN, 429: ApiErrorKind.FLOOD}
# Statuses retrying cannot cure: the token is wrong, or another process polls with it.
_BLOCKING = {401: ApiErrorKind.UNAUTHORIZED, 404: ApiErrorKind.UNAUTHORIZED, 409: ApiErrorKind.CONFLICT}
_BLOCKING_WHY = {
    ApiErrorKind.UNAUTHORIZED: "the Bot API rejects the token",
    ApiErrorKind.CONFLICT: "another process is polling with this bot's token, or a webhook is set",
}


class NotABotApiError(NetworkError):
    """The server answered, but not with the Bot API's JSON (an HTML page, say): the URL or a proxy is wrong.

    A :class:`~telegram.error.NetworkError`, so that polling retries it like an outage.

    Attributes:
        status: The HTTP status of the answer.
        html: Whether the answer was an HTML page.
    """

    def __init__(self, status: int, *, html: bool) -> None:
        """Describes the answer without quoting it."""
        what = "an HTML page" if html else "something"
        super().__init__(f"the server answered HTTP {status} with {what}, not the Bot API's JSON")
        self.status, self.html = status, html


class ProxyRefusedError(NetworkError):
    """An HTTP proxy answered 407: it wants credentials it was not given (a setting, not an outage)."""


class ApiMonitor:
    """Turns Bot API answers and failures into metrics and health."""

    def __init__(self, metrics: Metrics, health: Health) -> None:
        """Reports to ``metrics`` and ``health``."""
        self.metrics, self.health = metrics, health

    def answered(self, status: int, payload: bytes) -> None:
        """A JSON answer with this HTTP status."""
        if 200 <= status <= 299 or status in _REFUSALS:
            self.health.reached()
            self.metrics.api_reached()
        if status in _REFUSALS:
            kind = _REFUSALS[status]
            self.metrics.api_error(kind)
            if kind is ApiErrorKind.FLOOD:
                self.metrics.flood_wait(_retry_after(payload))
        elif status in _BLOCKING:
            kind = _BLOCKING[status]
            self.metrics.api_error(kind)
            if kind is ApiErrorKind.CONFLICT:  # Telegram answered, but the bot cannot receive updates
                self.health.reached()
                self.metrics.api_reached()
            self.health.problem(f"{_BLOCKING_WHY[kind]} ({status}: {_description(payload)})", blocking=True)
        elif status >= 500:
            self.metrics.api_error(ApiErrorKind.SERVER)
            self.health.problem(f"HTTP {status}: {_description(payload)}")
        elif not 200 <= status <= 299:
            self.metrics.api_error(ApiErrorKind.OTHER)
            self.health.problem(f"HTTP {status}: {_description(payload)}")

    def failed(self, error: TelegramError) -> None:
        """No usable answer: a timeout, a connection or proxy failure, or an answer that is not JSON."""
        if isinstance(error, NotABotApiError):
            kind = ApiErrorKind.NOT_JSON
        elif isinstance(error, TimedOut):
            kind = ApiErrorKind.TIMEOUT
        elif isinstance(error, NetworkError):
            kind = ApiErrorKind.NETWORK
        else:
            kind = ApiErrorKind.OTHER
        self.metrics.api_error(kind)
        self.health.problem(f"{kind.value}: {error.message}")


class MonitoredRequest(HTTPXRequest):
    """``HTTPXRequest`` that reports every call to an :class:`ApiMonitor`.

    Args:
        monitor: Where to report.
        **kwargs: ``HTTPXRequest``'s arguments (``proxy``, ``connection_pool_size``, timeouts …).
    """

    def __init__(self, monitor: ApiMonitor, **kwargs: Any) -> None:
        """Creates the request; see the class docstring."""
        super().__init__(**kwargs)
        self._monitor = monitor

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
        """Makes the request as ``HTTPXRequest`` does, and reports its outcome.

        Raises:
            NotABotApiError: A Bot API method was answered with something other than JSON.
            telegram.error.NetworkError: As ``HTTPXRequest`` (a timeout, a connection or proxy failure).
        """
        try:
            status, payload = await super().do_request(
                url,
                method,
                request_data=request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except TelegramError as error:
            self._monitor.failed(error)
            raise
        if status == HTTPStatus.PROXY_AUTHENTICATION_REQUIRED:  # an HTTP proxy's answer, for http:// URLs
            refused_by_proxy = ProxyRefusedError("HTTP 407: the proxy requires credentials")
            self._monitor.failed(refused_by_proxy)
            raise refused_by_proxy
        if "/file/bot" not in url and payload.lstrip()[:1] != b"{":  # a file download is not JSON
            if status >= 500:  # a proxy's or load balancer's error page: an outage, retried as one
                self._monitor.answered(status, b"")
                raise NetworkError(f"HTTP {status} from the Bot API's server, with an error page")
            refused = NotABotApiError(status, html=payload.lstrip()[:1] == b"<")
            self._monitor.failed(refused)
            raise refused
        self._monitor.answered(status, payload)
        return status, payload


def _answer(payload: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(payload)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _description(payload: bytes) -> str:
    return str(_answer(payload).get("description") or "no description")


def _retry_after(payload: bytes) -> float:
    parameters = _answer(payload).get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return float(value) if isinstance(value, int | float) else 0.0
