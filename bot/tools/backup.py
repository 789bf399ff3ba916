"""``bangfu backup DEST``: a consistent copy of the data directory, taken while the bot runs.

SQLite databases (recognized by their header, whatever their name) are copied with SQLite's online backup
API from a read-only connection: one snapshot of the whole database, however the bot writes meanwhile,
and never a half-written page; the copy is then checked (``PRAGMA integrity_check``). Their ``-wal`` and
``-shm`` companions are left out, their content being part of the snapshot. Other files (the console's
history) are copied as they are.

Restoring is copying the files back into ``BANGFU_DATA_DIR`` while the bot is stopped (README, "Backups").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.errors import SettingsError, TransientError

SQLITE_HEADER = b"SQLite format 3\x00"
# Files SQLite keeps beside a database while it is open: their content is in the online copy.
_COMPANIONS = ("-wal", "-shm", "-journal")
# Seconds a backup waits for a database the bot is writing before giving up (the bot's own wait is 10 s).
BUSY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Copied:
    """One file backed up.

    Attributes:
        name: Its path inside the data directory.
        size: Bytes written.
        database: Whether it was copied as an SQLite database (and checked).
    """

    name: str
    size: int
    database: bool

    def __str__(self) -> str:
        how = "SQLite database, online copy, integrity ok" if self.database else "file"
        return f"{self.name}: {how} ({self.size:,} bytes)"


def backup(data_dir: Path, destination: Path) -> list[Copied]:
    """Copies every file of ``data_dir`` into ``destination``, a new or empty directory.

    Raises:
        SettingsError: The data directory does not exist, or the destination is not a new or empty
            directory outside it.
        TransientError: A database stayed locked, or its copy failed its check: try again.
    """
    source, target = data_dir.resolve(), destination.resolve()
    if not source.is_dir():
        raise SettingsError(
            f"the data directory {source} does not exist (BANGFU_DATA_DIR): nothing to back up"
        )
    if target == source or source in target.parents:
        raise SettingsError(f"the backup must go outside the data directory {source}, not into {target}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SettingsError(f"{target} already exists and is not an empty directory; give a new one")
    files = sorted(path for path in source.rglob("*") if path.is_file() and not _companion(path))
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in files:
        name = path.relative_to(source)
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        database = _is_sqlite(path)
        if database:
            _copy_database(path, target / name)
        else:
            shutil.copy2(path, target / name)
        copied.append(Copied(name.as_posix(), (target / name).stat().st_size, database))
    return copied


def _companion(path: Path) -> bool:
    return any(
        path.name.endswith(suffix) and _is_sqlite(path.with_name(path.name.removesuffix(suffix)))
        for suffix in _COMPANIONS
    )


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _copy_database(source: Path, target: Path) -> None:
    """One consistent snapshot of ``source`` into ``target``, then checked.

    Even read-only, SQLite creates the ``-wal`` and ``-shm`` files of a database in WAL mode that is not
    open; made by root, the bot (another user) could no longer open its database, so they are handed to
    the database's owner.
    """
    owner = source.stat()
    if os.geteuid() not in (0, owner.st_uid):
        raise SettingsError(
            f"run bangfu backup as the user that owns {source} (uid {owner.st_uid}), or as root: SQLite "
            f"would leave it files the bot cannot open"
        )
    try:
        # Read-only: a backup run by another user (root) must not leave files the bot cannot open.
        read_only = f"{source.as_uri()}?mode=ro"
        with (
            closing(sqlite3.connect(read_only, uri=True, timeout=BUSY_TIMEOUT)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
            check = dst.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise TransientError(f"cannot back up {source}: {exc}; try again") from None
    finally:
        for suffix in _COMPANIONS:
            companion = source.with_name(source.name + suffix)
            if companion.exists() and companion.stat().st_uid != owner.st_uid:
                os.chown(companion, owner.st_uid, owner.st_gid)
    if check != ("ok",):
        target.unlink(missing_ok=True)
        raise TransientError(f"the copy of {source} failed its integrity check ({check}); try again")
