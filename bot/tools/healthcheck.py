"""``bangfu health``: asks the running bot's ``/healthz`` (``BANGFU_LISTEN``), for a container's
``HEALTHCHECK`` or a monitoring script. Never through a proxy."""

from __future__ import annotations

import urllib.error
import urllib.request

from bot.settings import Listen

# Seconds to wait for /healthz; Docker's HEALTHCHECK --timeout in the Dockerfile is 5 s.
TIMEOUT = 4.0
# A server listening on every interface is asked on this machine's loopback address.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def health_url(listen: Listen) -> str:
    """The ``/healthz`` URL of a server listening on ``listen``."""
    host = _LOOPBACK.get(listen.host, listen.host)
    return f"http://{Listen(host, listen.port)}/healthz"


def check_health(listen: Listen, timeout: float = TIMEOUT) -> tuple[bool, str]:
    """Whether the bot says it is healthy, and its one-line reason (or why nothing answered)."""
    url = health_url(listen)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as answer:
            return True, answer.read().decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as exc:
        return False, exc.read().decode("utf-8", "replace").strip() or f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"nothing answers at {url}: {reason}"
