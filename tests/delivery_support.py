"""Helpers for the tests of delivery under faults: many people asking at once, and what the fake saw.

:func:`ask_many` has users ask questions whose answers each carry a known phone number; :func:`outcome`
reads the fake's record afterwards: which questions were answered, how often, apologies, and how the bot
paced its sends (from the arrival times the fake recorded, never from the test's own clock).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.channels.telegram import texts
from bot.channels.telegram.pacing import is_group
from bot.engine import Engine
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.fakebotapi.methods import RecordedCall
from tests.telegram_support import phones

SENDS = ("sendMessage", "editMessageText")
"""The calls that put a message in a chat (what Telegram's limits count)."""
# Districts apart in the list, so that the two questions of one user have different answers.
_SECOND_QUESTION_OFFSET = 7


@dataclass
class Asked:
    """Questions asked: for each chat, the phone number each question's answer must carry, in order."""

    expected: dict[int, list[str]] = dataclasses.field(default_factory=lambda: defaultdict(list))

    @property
    def count(self) -> int:
        """How many questions."""
        return sum(len(phones) for phones in self.expected.values())


def district_questions(engine: Engine) -> list[tuple[str, str]]:
    """(question, phone its answer carries) for each key district, in three wordings each, district by district."""
    questions = []
    for district in engine.kb.key_districts:
        assert district.phone is not None
        short = district.short or district.name
        questions += [
            (f"{district.name}扶贫办电话", district.phone),
            (f"{short}扶贫办的联系电话是多少", district.phone),
            (f"我想联系{district.name}扶贫办", district.phone),
        ]
    return questions


def ask_many(
    api: FakeBotApi,
    engine: Engine,
    users: int,
    each: int,
    *,
    first_id: int = 20_000,
    asked: Asked | None = None,
) -> Asked:
    """``users`` users (ids from ``first_id``) each ask ``each`` questions (at most 2 … 18) in their chats."""
    questions = district_questions(engine)
    districts = len(questions) // 3
    asked = asked or Asked()
    for round_ in range(each):
        for i in range(users):
            user = api.users.get(first_id + i) or api.user(first_id + i, f"用户{i}")
            chat = api.chats.get(user.id) or api.private_chat(user)
            district = (i + round_ * _SECOND_QUESTION_OFFSET) % districts
            question, phone = questions[3 * district + (i + round_) % 3]
            api.send_text(chat, user, question)
            asked.expected[chat.id].append(phone)
    return asked


def ask_in(api: FakeBotApi, chat: FakeChat, user: FakeUser, text: str, phone: str, asked: Asked) -> None:
    """One more question, in any chat, whose answer must carry ``phone``."""
    api.send_text(chat, user, text)
    asked.expected[chat.id].append(phone)


@dataclass
class Outcome:
    """What became of the questions, and how the bot sent (arrival times as the fake recorded them).

    Attributes:
        asked: Questions asked.
        answered: Questions with at least one answer.
        duplicates: Answers beyond the first to one question.
        apologies: Apology messages sent.
        flood_refusals: Sends answered 429.
        inside_waits: Sends that arrived while a ``retry_after`` announced before their arrival ran.
        max_per_second: Most sends in any one second, over all chats.
        min_chat_gap: Shortest time between two sends to one chat (infinite if none).
        max_per_group_minute: Most sends to one group in any minute.
        missing: (chat, phone) of every question not answered.
    """

    asked: int
    answered: int
    duplicates: int
    apologies: int
    flood_refusals: int
    inside_waits: int
    max_per_second: int
    min_chat_gap: float
    max_per_group_minute: int
    missing: list[tuple[int, str]]

    def line(self) -> str:
        """One line for the test's output (``pytest -s``) and the report."""
        return (
            f"asked {self.asked}, answered {self.answered}, duplicates {self.duplicates}, "
            f"apologies {self.apologies}, 429s {self.flood_refusals}, sends inside a wait {self.inside_waits}, "
            f"max sends/s {self.max_per_second}, min gap in a chat {self.min_chat_gap:.2f} s, "
            f"max sends/min in a group {self.max_per_group_minute}"
        )


def outcome(api: FakeBotApi, asked: Asked) -> Outcome:
    """Reads the fake's record: answers per question, apologies, and the pacing of every send."""
    answered = duplicates = apologies = 0
    missing: list[tuple[int, str]] = []
    for chat_id, wanted in asked.expected.items():
        texts_sent = [m.text or "" for m in api.bot_messages if m.chat.id == chat_id]
        apologies += sum(text == texts.ERROR_APOLOGY for text in texts_sent)
        got = Counter(phone for text in texts_sent for phone in phones(text) if phone in wanted)
        for phone, times in Counter(wanted).items():
            answered += min(times, got[phone])
            duplicates += max(0, got[phone] - times)
            missing += [(chat_id, phone)] * max(0, times - got[phone])
    sends = [c for c in api.requests if c.method in SENDS]
    return Outcome(
        asked=asked.count,
        answered=answered,
        duplicates=duplicates,
        apologies=apologies,
        flood_refusals=sum(c.status == 429 for c in sends),
        inside_waits=len(inside_flood_waits(sends)),
        max_per_second=most_within([c.started for c in sends], 1.0),
        min_chat_gap=min_gap_per_chat(sends),
        max_per_group_minute=max(
            (most_within(times, 60.0) for chat, times in by_chat(sends).items() if is_group(chat)), default=0
        ),
        missing=missing,
    )


def inside_flood_waits(sends: list[RecordedCall]) -> list[RecordedCall]:
    """Sends that arrived after a 429 had been answered and before its ``retry_after`` ran out."""
    waits = [
        (c.answered, c.answered + c.response["parameters"]["retry_after"])
        for c in sends
        if c.status == 429 and c.answered is not None and c.response is not None
    ]
    return [c for c in sends if any(begin < c.started < end for begin, end in waits)]


def most_within(times: Iterable[float], span: float) -> int:
    """The most of ``times`` in any window of ``span`` seconds."""
    ordered, most, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= span:
            first += 1
        most = max(most, last - first + 1)
    return most


def by_chat(calls: Iterable[RecordedCall]) -> dict[int, list[float]]:
    """Arrival times of the calls, by ``chat_id``."""
    times: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        if "chat_id" in call.params:  # (not yet read while the request arrives)
            times[call.params["chat_id"]].append(call.started)
    return times


def min_gap_per_chat(calls: Iterable[RecordedCall]) -> float:
    """The shortest time between two calls to the same chat."""
    gaps = [b - a for times in by_chat(calls).values() for a, b in itertools.pairwise(sorted(times))]
    return min(gaps, default=float("inf"))
