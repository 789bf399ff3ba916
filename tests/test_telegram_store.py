"""The SQLite store: group modes and button questions survive a restart and follow a migration."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from pathlib import Path

import pytest

from bot.channels.telegram.store import DEFAULT_MODE, STORE_FILE, GroupMode, Store, query_key
from bot.errors import SettingsError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "data" / STORE_FILE


def test_a_new_store_creates_its_directory_and_knows_nothing(path: Path) -> None:
    store = Store.open(path)
    assert path.is_file()
    assert store.group_mode(-100123) is DEFAULT_MODE is GroupMode.ADDRESSED
    assert store.query("unknown") is None
    store.close()


def test_group_modes_survive_a_restart(path: Path) -> None:
    store = Store.open(path)
    store.set_group_mode_now(-1001, GroupMode.AUTO)
    store.set_group_mode_now(-1002, GroupMode.AUTO)
    store.set_group_mode_now(-1002, GroupMode.ADDRESSED)
    store.close()
    reopened = Store.open(path)
    assert reopened.group_mode(-1001) is GroupMode.AUTO
    assert reopened.group_mode(-1002) is GroupMode.ADDRESSED
    reopened.close()


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ({-5: GroupMode.AUTO}, {-5: DEFAULT_MODE, -1005: GroupMode.AUTO}),  # moved
        ({}, {-5: DEFAULT_MODE, -1005: DEFAULT_MODE}),  # nothing to move
        ({-5: GroupMode.AUTO, -1005: GroupMode.ADDRESSED}, {-5: DEFAULT_MODE, -1005: GroupMode.ADDRESSED}),
    ],
    ids=["moved", "nothing-set", "new-chat-setting-wins"],
)
def test_migration_moves_the_setting(
    path: Path, before: dict[int, GroupMode], expected: dict[int, GroupMode]
) -> None:
    store = Store.open(path)
    for chat_id, mode in before.items():
        store.set_group_mode_now(chat_id, mode)
    store.migrate_group_now(-5, -1005)
    store.migrate_group_now(-5, -1005)  # Telegram reports a migration twice
    assert {chat: store.group_mode(chat) for chat in expected} == expected
    store.close()
    reopened = Store.open(path)
    assert {chat: reopened.group_mode(chat) for chat in expected} == expected
    reopened.close()


def test_button_questions_survive_a_restart(path: Path) -> None:
    store = Store.open(path)
    questions = ["万州区扶贫办电话", "城口县有哪些深度贫困乡镇", "万州区扶贫办电话"]
    store.remember_queries_now(questions)
    store.close()
    reopened = Store.open(path)
    for question in questions:
        assert reopened.query(query_key(question)) == question
    reopened.close()


def test_query_keys_are_short_stable_and_distinct() -> None:
    questions = [f"问题{i}:{'扶贫' * (i % 50)}" for i in range(5000)]
    keys = {query_key(q) for q in questions}
    assert len(keys) == len(questions)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", key) for key in keys)
    assert query_key("万州区扶贫办电话") == query_key("万州区扶贫办电话")


@pytest.mark.asyncio
async def test_async_writes_run_concurrently_and_consistently(path: Path) -> None:
    store = Store.open(path)
    questions = [f"问题{i}" for i in range(200)]
    await asyncio.gather(
        *(store.remember_queries(questions[i::7]) for i in range(7)),
        *(store.set_group_mode(-i, GroupMode.AUTO if i % 2 else GroupMode.ADDRESSED) for i in range(1, 60)),
        store.migrate_group(-1, -1001),
    )
    assert all(store.query(query_key(q)) == q for q in questions)
    store.close()
    reopened = Store.open(path)
    assert all(reopened.query(query_key(q)) == q for q in questions)
    assert reopened.group_mode(-3) is GroupMode.AUTO
    assert reopened.group_mode(-2) is GroupMode.ADDRESSED
    reopened.close()


@pytest.mark.asyncio
async def test_known_questions_do_no_io(path: Path) -> None:
    store = Store.open(path)
    await store.remember_queries(["甲"])
    store.close()  # a write would now raise
    await store.remember_queries(["甲"])
    assert store.query(query_key("甲")) == "甲"
    with pytest.raises(RuntimeError, match="closed"):
        await store.remember_queries(["乙"])


def test_an_unusable_location_is_a_one_line_settings_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SettingsError, match="BANGFU_DATA_DIR") as caught:
        Store.open(blocker / STORE_FILE)
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_a_database_is_a_settings_error(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SettingsError, match="cannot use"):
        Store.open(path)


def test_an_unknown_mode_in_the_file_is_ignored(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO group_settings (chat_id, mode) VALUES (-9, 'shouting')")
    db.close()
    with caplog.at_level(logging.WARNING):
        store = Store.open(path)
    assert store.group_mode(-9) is DEFAULT_MODE
    assert "shouting" in caplog.text
    store.close()
