"""Updates run concurrently across senders and in order for each sender."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.concurrency import PerSenderUpdateProcessor, sender_key


def message_update(update_id: int, chat_id: int, user_id: int) -> Update:
    payload: dict[str, Any] = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": user_id, "is_bot": False, "first_name": "用户"},
            "text": "问题",
        },
    }
    update = Update.de_json(payload, None)
    assert update is not None
    return update


def test_sender_key() -> None:
    assert sender_key(message_update(1, -100, 7)) == (-100, 7)
    assert sender_key(message_update(1, 7, 7)) == (7, 7)
    assert sender_key("not an update") is None
    assert sender_key(Update(5)) is None


@pytest.mark.asyncio
async def test_one_sender_in_order_others_alongside() -> None:
    processor = PerSenderUpdateProcessor(16)
    release = asyncio.Event()
    log: list[str] = []

    async def handle(name: str, wait: bool) -> None:
        log.append(f"start {name}")
        if wait:
            await release.wait()
        log.append(f"end {name}")

    async with processor:
        first = asyncio.create_task(processor.process_update(message_update(1, 7, 7), handle("a1", True)))
        second = asyncio.create_task(processor.process_update(message_update(2, 7, 7), handle("a2", False)))
        other = asyncio.create_task(processor.process_update(message_update(3, 8, 8), handle("b1", False)))
        await other  # another sender is not held up by a1
        assert log == ["start a1", "start b1", "end b1"]
        assert processor.active_senders == 1
        release.set()
        await asyncio.gather(first, second)
    assert log == ["start a1", "start b1", "end b1", "end a1", "start a2", "end a2"]
    assert processor.active_senders == 0


@pytest.mark.asyncio
async def test_a_failing_update_does_not_block_the_next() -> None:
    processor = PerSenderUpdateProcessor(4)

    async def fail() -> None:
        raise RuntimeError("boom")

    async def succeed() -> str:
        return "ok"

    with pytest.raises(RuntimeError):
        await processor.process_update(message_update(1, 7, 7), fail())
    await processor.process_update(message_update(2, 7, 7), succeed())
    assert processor.active_senders == 0


@pytest.mark.asyncio
async def test_updates_without_a_sender_run_directly() -> None:
    processor = PerSenderUpdateProcessor(4)
    done: list[int] = []

    async def note() -> None:
        done.append(1)

    await processor.process_update(Update(9), note())
    assert done == [1]
