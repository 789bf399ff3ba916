"""Logging: the bot token is removed from every log line, wherever in the record it hides."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logsetup import REDACTED, RedactingFilter, configure_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"
URL = f"https://api.telegram.org/bot{TOKEN}/getUpdates"


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler redacts TOKEN, as configure_logging sets it up, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter([TOKEN]))
    logger = logging.getLogger("tests.logsetup")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_the_token_is_removed_from_the_message(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    message = f"polling {URL}"
    logger.info(message)
    assert stream.getvalue() == f"INFO polling https://api.telegram.org/bot{REDACTED}/getUpdates\n"


def test_the_token_is_removed_from_the_arguments(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.warning("HTTP %s %s -> %d", "POST", URL, 409)
    assert (
        stream.getvalue() == f"WARNING HTTP POST https://api.telegram.org/bot{REDACTED}/getUpdates -> 409\n"
    )


def test_the_token_is_removed_from_a_traceback(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    try:
        raise ConnectionError(f"cannot reach {URL}")
    except ConnectionError:
        logger.exception("polling failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "Traceback (most recent call last)" in output
    assert f"ConnectionError: cannot reach https://api.telegram.org/bot{REDACTED}/getUpdates" in output


def test_the_token_is_removed_from_a_chained_exception(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    try:
        try:
            raise ValueError(TOKEN)
        except ValueError as exc:
            raise RuntimeError("retry failed") from exc
    except RuntimeError:
        logger.exception("giving up")
    assert TOKEN not in stream.getvalue()
    assert f"ValueError: {REDACTED}" in stream.getvalue()


def test_every_secret_is_removed() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(["alpha", "beta"]))
    logger = logging.getLogger("tests.logsetup.two")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("alpha and beta")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"{REDACTED} and {REDACTED}\n"


def test_an_empty_secret_does_not_mangle_messages() -> None:
    # "".replace("", x) would put x between every character; an unset token must change nothing.
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    assert RedactingFilter(["", ""]).filter(record)
    assert record.getMessage() == "hello world"


def test_the_filter_keeps_every_record(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.debug("no secret here")
    assert stream.getvalue() == "DEBUG no secret here\n"


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_writes_redacted_lines_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(logging.INFO, [TOKEN])
    configure_logging(logging.INFO, [TOKEN])  # configuring again replaces, never duplicates
    logging.getLogger("bot.channels.telegram").info("started with %s", URL)
    logging.getLogger("bot.channels.telegram").debug("below the level")
    logging.getLogger("httpx").info("HTTP Request: POST %s", URL)  # httpx logs every URL at INFO
    err = capsys.readouterr().err
    assert TOKEN not in err
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        f" INFO bot.channels.telegram: started with https://api.telegram.org/bot{REDACTED}/getUpdates"
    )
    root = logging.getLogger()
    assert root.level == logging.INFO
    assert [h.stream for h in root.handlers if isinstance(h, logging.StreamHandler)] == [sys.stderr]
