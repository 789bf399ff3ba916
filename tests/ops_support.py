"""Helpers for the operations tests: the bot run by ``serve`` in the test's loop, and plain HTTP requests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.channels.telegram.app import ALLOWED_UPDATES, BangfuApplication, build_application, running
from bot.channels.telegram.service import serve
from bot.engine import Engine
from bot.settings import Settings
from tests.fakebotapi import FakeBotApi

SECRET = "test_webhook-Secret_0123456789"
HOOK_PATH = "/telegram/hook"


def free_port() -> int:
    """A port free on 127.0.0.1 just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ops_env(api: FakeBotApi, data_dir: Path, *, webhook: bool, port: int) -> dict[str, str]:
    """The environment of a bot on the fake with its HTTP server on ``port``, by webhook or polling."""
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.root_url,
        "BANGFU_DATA_DIR": str(data_dir),
        "BANGFU_LISTEN": f"127.0.0.1:{port}",
    }
    if webhook:  # http: the fake, like a self-hosted Bot API server, posts to any URL
        env |= {"BANGFU_WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK_PATH}", "BANGFU_WEBHOOK_SECRET": SECRET}
    return env


@dataclass
class Served:
    """The bot running under ``serve``: its application, settings, and the server's base URL."""

    application: BangfuApplication
    settings: Settings
    base: str


@contextlib.asynccontextmanager
async def served(
    api: FakeBotApi, engine: Engine, data_dir: Path, *, webhook: bool, probe_interval: float = 0.2
) -> AsyncIterator[Served]:
    """Runs the bot as ``bangfu telegram`` does (``serve``), in this loop, until the block ends."""
    port = free_port()
    settings = Settings.from_env(ops_env(api, data_dir, webhook=webhook, port=port))
    application = build_application(settings, engine)
    stop = asyncio.Event()
    lifecycle = running(application, poll=not webhook)
    task = asyncio.create_task(
        serve(
            application,
            settings,
            lifecycle,
            allowed_updates=ALLOWED_UPDATES,
            stop=stop,
            probe_interval=probe_interval,
        )
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_served(base, task)
        yield Served(application, settings, base)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def wait_until_served(base: str, task: asyncio.Task[None] | None = None, within: float = 10.0) -> None:
    """Waits until /healthz says ok (fails early if ``task`` ended)."""
    async with asyncio.timeout(within):
        while (await get(f"{base}/healthz"))[0] != 200:
            if task is not None and task.done():
                task.result()
                raise AssertionError("serve() ended before the bot was healthy")
            await asyncio.sleep(0.05)


async def status_becomes(url: str, status: int, within: float = 10.0) -> str:
    """Asks ``url`` until it answers ``status``; returns that answer's body."""
    async with asyncio.timeout(within):
        while True:
            answer = await get(url)
            if answer[0] == status:
                return answer[1]
            await asyncio.sleep(0.1)


async def get(url: str) -> tuple[int, str]:
    """GET ``url`` without any proxy: (status, body), or (0, error) when nothing answers."""
    try:
        async with aiohttp.ClientSession(trust_env=False) as session, session.get(url) as answer:
            return answer.status, await answer.text()
    except aiohttp.ClientError as exc:
        return 0, repr(exc)


async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url`` without any proxy; the status."""
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.post(url, data=body, headers=headers) as answer,
    ):
        return answer.status


def metric(text: str, name: str) -> float | None:
    """The value of one sample (``name`` with its labels, as printed) in Prometheus' text format."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None
