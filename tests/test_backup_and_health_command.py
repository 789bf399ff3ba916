"""``bangfu backup DEST`` (a consistent copy while the bot writes; restoring it gives the same settings) and
``bangfu health`` (asks /healthz on BANGFU_LISTEN)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.channels.health import Health, Phase
from bot.channels.http import OpsServer
from bot.channels.metrics import Metrics
from bot.channels.telegram.store import STORE_FILE, GroupMode, Store
from bot.cli import main
from bot.settings import Listen
from bot.tools.backup import backup
from bot.tools.healthcheck import check_health, health_url
from tests.ops_support import free_port

# The command line configures logging (httpx quieted among it); undo that for the tests that follow.
pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory with the bot's store (a group in auto mode) and the console's history."""
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(data / STORE_FILE)
    store.set_group_mode_now(-100800, GroupMode.AUTO)
    store.remember_queries_now(["万州区扶贫办电话"])
    (data / "console_history").write_text("万州区扶贫办电话\n", encoding="utf-8")
    monkeypatch.setenv("BANGFU_DATA_DIR", str(data))
    yield data
    store.close()


def test_backup_copies_the_store_while_it_is_open_and_a_restore_keeps_the_settings(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (data_dir / f"{STORE_FILE}-wal").exists()  # the bot's store is open, in WAL mode
    destination = tmp_path / "backups" / "2025-01-01"
    assert main(["backup", str(destination)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("console_history: file (")
    assert out[1].startswith(f"{STORE_FILE}: SQLite database, online copy, integrity ok (")
    assert out[2] == f"backed up 2 file(s) from {data_dir} to {destination}"
    assert sorted(p.name for p in destination.iterdir()) == ["console_history", STORE_FILE]

    restored = Store.open(destination / STORE_FILE)  # restoring is copying the files back
    try:
        assert restored.group_mode(-100800) is GroupMode.AUTO
    finally:
        restored.close()


def test_backup_is_one_snapshot_while_the_database_is_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    writer = sqlite3.connect(data / "busy.sqlite3", check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (n INTEGER, pad TEXT)")
    writer.commit()
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            writer.execute("INSERT INTO t VALUES (?, ?)", (n, "x" * 500))
            writer.commit()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = [backup(data, tmp_path / f"copy{i}") for i in range(5)]
    finally:
        stop.set()
        thread.join()
        writer.close()
    for i, copied in enumerate(copies):
        assert [(c.name, c.database) for c in copied] == [("busy.sqlite3", True)]
        with sqlite3.connect(tmp_path / f"copy{i}" / "busy.sqlite3") as copy:
            count, top = copy.execute("SELECT count(*), coalesce(max(n), 0) FROM t").fetchone()
        assert count == top  # rows 1..top, none missing: a consistent snapshot


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("inside", "the backup must go outside the data directory"),
        ("not empty", "already exists and is not an empty directory"),
        ("a file", "already exists and is not an empty directory"),
    ],
)
def test_backup_refuses_a_destination_it_would_spoil(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, message: str
) -> None:
    destination = {
        "inside": data_dir / "copy",
        "not empty": tmp_path,
        "a file": tmp_path / "a-file",
    }[where]
    (tmp_path / "a-file").write_text("x")
    assert main(["backup", str(destination)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_backup_without_a_data_directory_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "missing"))
    assert main(["backup", str(tmp_path / "copy")]) == 2
    assert "does not exist (BANGFU_DATA_DIR): nothing to back up" in capsys.readouterr().err


# --- bangfu health ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listen", "url"),
    [
        (Listen("0.0.0.0", 8080), "http://127.0.0.1:8080/healthz"),
        (Listen("::", 9000), "http://[::1]:9000/healthz"),
        (Listen("10.1.2.3", 80), "http://10.1.2.3:80/healthz"),
    ],
)
def test_the_health_command_asks_the_loopback_address_for_a_wildcard(listen: Listen, url: str) -> None:
    assert health_url(listen) == url


def test_the_health_command_needs_bangfu_listen(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BANGFU_LISTEN", raising=False)
    assert main(["health"]) == 2
    assert "BANGFU_LISTEN is not set" in capsys.readouterr().err


def test_the_health_command_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    monkeypatch.setenv("BANGFU_LISTEN", f"127.0.0.1:{port}")
    assert main(["health"]) == 1
    assert capsys.readouterr().out.startswith(f"nothing answers at http://127.0.0.1:{port}/healthz: ")


@pytest.mark.asyncio
async def test_the_health_command_prints_the_reason_and_fails_when_unhealthy() -> None:
    health = Health()
    server = OpsServer(Listen("127.0.0.1", 0), health, Metrics())
    await server.start()
    try:
        listen = Listen("127.0.0.1", server.port)
        assert await asyncio.to_thread(check_health, listen) == (False, "starting")
        health.phase = Phase.RUNNING
        health.reached()
        assert await asyncio.to_thread(check_health, listen) == (True, "ok")
    finally:
        await server.stop()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root, as a backup by root is"
)
def test_a_backup_by_root_leaves_the_bot_s_files_its_own(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with closing(sqlite3.connect(data / STORE_FILE)) as db:  # closed cleanly: no -wal or -shm left
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (n INTEGER)")
        db.commit()
    os.chown(data / STORE_FILE, 12345, 12345)
    backup(data, tmp_path / "copy")
    for path in data.iterdir():  # SQLite made -wal and -shm as root: handed back to the bot's user
        assert (path.name, path.stat().st_uid, path.stat().st_gid) == (path.name, 12345, 12345)
