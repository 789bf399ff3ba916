"""Log formats: text for a terminal, journal under systemd (priority prefixes, no timestamp, one line a
record), JSON for containers; the token redacted in each; chosen by BANGFU_LOG_FORMAT or by JOURNAL_STREAM."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.logsetup import (
    JournalFormatter,
    JsonFormatter,
    RedactingFilter,
    choose_format,
    configure_logging,
    syslog_priority,
    writes_to_journal,
)

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"


def emit(formatter: logging.Formatter, level: int, message: str, *args: object, error: bool = False) -> str:
    """What one record looks like through ``formatter``, the token filter in front as configured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter([TOKEN]))
    logger = logging.getLogger("bot.tests.formats")
    logger.addHandler(handler)
    logger.propagate, logger.level = False, logging.DEBUG
    try:
        if error:
            try:
                raise RuntimeError(f"boom with {TOKEN}\nsecond line")
            except RuntimeError:
                logger.log(level, message, *args, exc_info=True)
        else:
            logger.log(level, message, *args)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.DEBUG, 7),
        (logging.INFO, 6),
        (logging.WARNING, 4),
        (logging.ERROR, 3),
        (logging.CRITICAL, 2),
        (25, 6),
        (5, 7),
    ],
)
def test_levels_map_to_syslog_priorities(level: int, priority: int) -> None:
    assert syslog_priority(level) == priority


def test_journal_lines_start_with_the_priority_and_carry_no_timestamp() -> None:
    line = emit(JournalFormatter(), logging.WARNING, "cannot fetch updates, retrying: %s", "timed out")
    assert line == "<4>bot.tests.formats: cannot fetch updates, retrying: timed out\n"


def test_a_traceback_stays_in_one_journal_line() -> None:
    out = emit(JournalFormatter(), logging.ERROR, "error while handling update %s", 7, error=True)
    assert out.count("\n") == 1
    line = out.rstrip("\n")
    assert line.startswith(
        "<3>bot.tests.formats: error while handling update 7\\nTraceback (most recent call last):"
    )
    assert "RuntimeError: boom with <TOKEN>\\nsecond line" in line
    assert TOKEN not in out


def test_a_backslash_in_a_journal_line_is_doubled_so_that_line_breaks_read_back() -> None:
    line = emit(JournalFormatter(), logging.INFO, "path C:\\new")
    assert line == "<6>bot.tests.formats: path C:\\\\new\n"


def test_json_lines_are_one_object_each_with_the_traceback_in_a_field() -> None:
    out = emit(JsonFormatter(), logging.ERROR, "失败 %s", "一次", error=True)
    assert out.count("\n") == 1
    entry = json.loads(out)
    assert set(entry) == {"time", "level", "logger", "message", "exception"}
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "bot.tests.formats", "失败 一次")
    assert entry["time"].endswith("Z")
    assert "T" in entry["time"]
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert "boom with <TOKEN>\nsecond line" in entry["exception"]
    assert "失败" in out  # readable, not \\u escapes
    assert TOKEN not in out


def test_a_json_line_without_an_error_has_no_exception_field() -> None:
    assert "exception" not in json.loads(emit(JsonFormatter(), logging.INFO, "started"))


# --- choosing the format ----------------------------------------------------------------------------------


@pytest.fixture
def stderr_file(tmp_path: Path) -> Iterator[io.TextIOWrapper]:
    with (tmp_path / "stderr").open("w") as stream:
        yield stream


def journal_stream_of(stream: io.TextIOWrapper) -> str:
    status = os.fstat(stream.fileno())
    return f"{status.st_dev}:{status.st_ino}"


def test_under_systemd_the_journal_format_is_chosen(stderr_file: io.TextIOWrapper) -> None:
    env = {"JOURNAL_STREAM": journal_stream_of(stderr_file)}
    assert writes_to_journal(env, stderr_file)
    assert choose_format(None, env, stderr_file) == "journal"
    assert choose_format("json", env, stderr_file) == "json"  # the setting wins


@pytest.mark.parametrize("journal_stream", ["", "garbage", "1:2"])
def test_a_redirected_stderr_or_no_systemd_logs_text(
    stderr_file: io.TextIOWrapper, journal_stream: str
) -> None:
    """JOURNAL_STREAM is inherited by children whose stderr goes elsewhere: the device and inode must match."""
    env = {"JOURNAL_STREAM": journal_stream}
    assert not writes_to_journal(env, stderr_file)
    assert choose_format(None, env, stderr_file) == "text"


def test_a_stream_without_a_descriptor_is_not_the_journal() -> None:
    assert not writes_to_journal({"JOURNAL_STREAM": "1:2"}, io.StringIO())


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(
    ("log_format", "start"), [("json", '{"time": '), ("journal", "<6>bot.x: hello"), ("text", "20")]
)
def test_configure_logging_writes_the_chosen_format(
    capsys: pytest.CaptureFixture[str], log_format: str, start: str
) -> None:
    configure_logging(logging.INFO, [TOKEN], log_format)
    logging.getLogger("bot.x").info("hello %s", TOKEN)
    err = capsys.readouterr().err
    assert err.startswith(start)
    assert TOKEN not in err
    assert [h.stream for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)] == [
        sys.stderr
    ]


@pytest.mark.usefixtures("restore_logging")
def test_the_command_line_logs_json_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("BANGFU_LOG_FORMAT", "json")
    monkeypatch.setenv("BANGFU_LOG_LEVEL", "INFO")
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("bot.cli._run", lambda *args: logging.getLogger("bot.cli").info("ran") or 0)
    assert main(["validate"]) == 0
    assert json.loads(capsys.readouterr().err)["message"] == "ran"
