"""bot/channels/telegram/database.py: the bot's SQLite files opened alike, with one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.telegram.database import open_database
from bot.errors import SettingsError

SCHEMA = "CREATE TABLE IF NOT EXISTS t (x INTEGER);"


def test_a_new_file_is_created_with_its_schema_and_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "data.sqlite3"
    connection = open_database(path, SCHEMA, purpose="a test", synchronous="FULL", user_version=3)
    try:
        assert connection.execute("PRAGMA user_version").fetchone() == (3,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        connection.execute("INSERT INTO t VALUES (1)")
    finally:
        connection.close()


def test_a_file_that_is_no_database_names_the_file_its_purpose_and_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    path.write_text("not a database, just text" * 100)
    with pytest.raises(SettingsError) as caught:
        open_database(path, SCHEMA, purpose="the bot's inbox", synchronous="NORMAL")
    message = str(caught.value)
    assert str(path) in message
    assert "the bot's inbox" in message
    assert "BANGFU_DATA_DIR" in message
