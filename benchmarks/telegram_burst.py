"""The Telegram burst: many people asking at once, answered by the real bot through the stand-in Bot API.

The bot (``build_application``, Telegram's pacing limits, long polling) runs in this process against
``tests.fakebotapi`` on 127.0.0.1, with Telegram's flood control of 30 messages a second switched on. All
users ask their questions at once; the time runs from the first question to the arrival of the last
answer at the fake. Telegram's limit sets a floor no bot can beat: ``messages / 30`` seconds (300 answers:
10 s). The figures say how close the bot comes to it, and that it got no 429 on the way.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.channels.telegram.app import build_application, running
from bot.engine import Engine
from bot.settings import Settings
from tests.fakebotapi import FakeBotApi

BURST_USERS = 100
BURST_QUESTIONS_EACH = 3
# Telegram's documented limit for one bot: about 30 messages a second in all.
TELEGRAM_MESSAGES_PER_SECOND = 30
# Seconds allowed for the whole burst before the benchmark gives up.
BURST_TIMEOUT = 120.0
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass(frozen=True)
class BurstFigures:
    """One burst.

    Attributes:
        messages: Answers sent (one per question).
        seconds: From the first question to the last answer's arrival at the stand-in API.
        floor_s: ``messages`` at Telegram's 30 a second: no bot can be faster.
        per_second: Answers per second over the burst.
        max_in_a_second: Most answers that arrived within any one second.
        flood_refusals: Sends refused with 429 (Telegram's flood control).
    """

    messages: int
    seconds: float
    floor_s: float
    per_second: float
    max_in_a_second: int
    flood_refusals: int

    def line(self) -> str:
        """The report's line."""
        return (
            f"Telegram burst: {self.messages} answers in {self.seconds:.1f} s "
            f"(floor at Telegram's {TELEGRAM_MESSAGES_PER_SECOND}/s: {self.floor_s:.1f} s); "
            f"{self.per_second:.1f} answers/s, at most {self.max_in_a_second} in any second, "
            f"{self.flood_refusals} refused by flood control"
        )


def measure_burst(engine: Engine, users: int = BURST_USERS, each: int = BURST_QUESTIONS_EACH) -> BurstFigures:
    """Runs one burst of ``users`` × ``each`` questions (the same three questions per district, in turn)."""
    saved = {name: os.environ.pop(name) for name in _PROXY_VARIABLES if name in os.environ}
    try:
        with tempfile.TemporaryDirectory(prefix="bangfu-burst-") as data_dir:
            return asyncio.run(_burst(engine, Path(data_dir), users, each))
    finally:
        os.environ.update(saved)


async def _burst(engine: Engine, data_dir: Path, users: int, each: int) -> BurstFigures:
    districts = [d for d in engine.kb.key_districts if d.phone]
    async with FakeBotApi() as api:
        api.flood_limit(global_per_second=TELEGRAM_MESSAGES_PER_SECOND)
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_URL": api.root_url,
            "BANGFU_DATA_DIR": str(data_dir),
        }
        application = build_application(Settings.from_env(env), engine)
        async with running(application, poll=True):
            await api.wait_until(lambda: api.polls_waiting > 0, BURST_TIMEOUT)
            people = [api.user(10_000 + i, f"用户{i}") for i in range(users)]
            chats = [api.private_chat(person) for person in people]
            start = time.monotonic()  # the fake stamps calls with the same clock
            for round_ in range(each):
                for i, (person, chat) in enumerate(zip(people, chats, strict=True)):
                    api.send_text(chat, person, f"{districts[(i + round_) % len(districts)].name}扶贫办电话")
            total = users * each
            await api.wait_for_messages(total, within=BURST_TIMEOUT)
        arrivals = sorted(c.started for c in api.calls("sendMessage") if c.ok)
    seconds = arrivals[-1] - start
    return BurstFigures(
        messages=total,
        seconds=seconds,
        floor_s=total / TELEGRAM_MESSAGES_PER_SECOND,
        per_second=total / seconds if seconds > 0 else float("inf"),
        max_in_a_second=_most_within_a_second(arrivals),
        flood_refusals=api.flood_errors,
    )


def _most_within_a_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
