"""Renders a :class:`bot.compose.reply.Reply` as Telegram HTML messages with inline keyboards.

The words are the console's (:mod:`bot.channels.text`): each section's title in bold, its lines (with a
bullet for list entries), and its source as an italic ``来源:…`` line. Choices and suggestions become
inline buttons instead of numbered lines. Every dynamic text is escaped; long replies are split at line
boundaries into messages Telegram accepts.

Callback data is ``<kind>:<argument>…`` in ASCII. A button that asks a question carries ``q:`` and a short
key of the question (:func:`bot.channels.telegram.store.query_key`), never the Chinese question itself: Telegram
allows only 64 bytes, which is 21 Chinese characters.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram import texts
from bot.channels.telegram.store import query_key
from bot.compose.reply import Choice, Reply, ReplyKind, Section

# Telegram's limit for one message: 4096 UTF-16 code units of text after the HTML is parsed.
MAX_MESSAGE_LENGTH = 4096
# Telegram refuses callback data over 64 bytes (UTF-8) with BUTTON_DATA_INVALID.
MAX_CALLBACK_DATA_BYTES = 64
BULLET = "• "
# Callback data of the buttons this module makes.
QUESTION = "q"
HELP = "h"


def utf16_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def callback_data(*parts: str) -> str:
    """Joins parts into callback data, checking Telegram's limit.

    Raises:
        ValueError: The data would be longer than 64 bytes or contains no part.
    """
    data = ":".join(parts)
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"callback data must be 1-{MAX_CALLBACK_DATA_BYTES} bytes: {data!r}")
    return data


def question_data(query: str) -> str:
    """Callback data of a button that asks ``query``."""
    return callback_data(QUESTION, query_key(query))


@dataclass(frozen=True)
class Button:
    """An inline button: its label and the callback data it sends."""

    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


def keyboard_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """The keyboard as python-telegram-bot's markup, or None when it has no buttons."""
    rows = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard if row]
    return InlineKeyboardMarkup(rows) if rows else None


def rows_of(buttons: Sequence[Button], per_row: int) -> Keyboard:
    """Lays buttons out ``per_row`` to a row."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


@dataclass(frozen=True)
class Rendered:
    """A reply ready for Telegram.

    Attributes:
        chunks: HTML texts, each a message within Telegram's length limit, in order.
        keyboard: Buttons shown under the last message.
        queries: The questions the buttons ask, to be remembered under their keys.
    """

    chunks: tuple[str, ...]
    keyboard: Keyboard = ()
    queries: tuple[str, ...] = ()

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        """The keyboard as python-telegram-bot's markup."""
        return keyboard_markup(self.keyboard)


@dataclass(frozen=True)
class _Line:
    """One line of output: its HTML, the length Telegram counts for it, and whether it shows anything."""

    html: str
    length: int
    visible: bool


def _line(text: str, tag: str | None = None) -> _Line:
    escaped = html.escape(text, quote=False)
    return _Line(f"<{tag}>{escaped}</{tag}>" if tag else escaped, utf16_length(text), bool(text.strip()))


_BLANK = _Line("", 0, False)


def _lines(text: str, tag: str | None, limit: int) -> list[_Line]:
    """One line, or several if it is longer than a message (cut by length, never inside an escape)."""
    if utf16_length(text) <= limit:
        return [_line(text, tag)]
    pieces: list[_Line] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = utf16_length(char)
        if size + width > limit:
            pieces.append(_line("".join(current), tag))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append(_line("".join(current), tag))
    return pieces


def section_lines(section: Section, limit: int = MAX_MESSAGE_LENGTH) -> list[_Line]:
    """A section as lines: bold title, entries (bulleted if a list), italic source."""
    lines: list[_Line] = []
    if section.title:
        lines += _lines(section.title, "b", limit)
    for entry in section.lines:
        if entry:
            lines += _lines(f"{BULLET}{entry}" if section.bullet else entry, None, limit)
    if section.source:
        lines += _lines(texts.SOURCE.format(source=section.source), "i", limit)
    return lines


def pack(blocks: Iterable[list[_Line]], limit: int = MAX_MESSAGE_LENGTH) -> tuple[str, ...]:
    """Joins blocks with blank lines into as few messages as fit, splitting only between lines.

    Args:
        blocks: Each block's lines; empty blocks are skipped.
        limit: The most UTF-16 code units of visible text per message.

    Returns:
        The messages' HTML, each at most ``limit`` long once Telegram parses it. A message that would show
        only whitespace is dropped: Telegram trims it to nothing and refuses it.
    """
    chunks: list[str] = []
    current: list[_Line] = []
    size = 0

    def flush() -> None:
        if any(line.visible for line in current):
            chunks.append("\n".join(line.html for line in current).strip("\n"))

    for block in blocks:
        for index, line in enumerate(block):
            # A block starts after a blank line ("\n\n"); other lines after a line break.
            separator = (2 if index == 0 else 1) if current else 0
            if current and size + separator + line.length > limit:
                flush()
                current, size, separator = [], 0, 0
            if separator == 2:
                current.append(_BLANK)
            current.append(line)
            size += separator + line.length
    flush()
    return tuple(chunks)


def reply_queries(reply: Reply) -> tuple[str, ...]:
    """The questions a reply's buttons ask: choices first, then suggestions, each once."""
    return tuple(dict.fromkeys(c.query for c in (*reply.choices, *reply.suggestions) if c.query.strip()))


def reply_keyboard(reply: Reply) -> Keyboard:
    """One button per choice and suggestion (one to a row: their labels are questions)."""
    seen: set[str] = set()
    rows: list[tuple[Button, ...]] = []
    choices: Iterable[Choice] = (*reply.choices, *reply.suggestions)
    for choice in choices:
        # Telegram refuses a button without a label; a choice without a question would ask nothing.
        if choice.label.strip() and choice.query.strip() and choice.query not in seen:
            seen.add(choice.query)
            rows.append((Button(choice.label, question_data(choice.query)),))
    if reply.kind is ReplyKind.DECLINE:
        rows.append((Button(texts.HELP_BUTTON, callback_data(HELP)),))
    return tuple(rows)


def render_reply(
    reply: Reply,
    *,
    question: str | None = None,
    extra_rows: Keyboard = (),
    limit: int = MAX_MESSAGE_LENGTH,
) -> Rendered:
    """Renders a reply as Telegram HTML messages with its buttons under the last one.

    Args:
        reply: The engine's reply.
        question: Shown first as ``问:…`` when the user did not type it (a pressed button).
        extra_rows: Buttons to add below the reply's own (e.g. Back).
        limit: Longest message; Telegram's own limit unless a test wants a smaller one.

    Returns:
        The messages, the keyboard and the questions its buttons ask.
    """
    blocks: list[list[_Line]] = []
    if question:
        blocks.append(_lines(texts.QUESTION.format(question=question), "b", limit))
    blocks += [section_lines(section, limit) for section in reply.sections]
    if reply.kind is ReplyKind.DECLINE:
        blocks.append(_lines(texts.DECLINE_HINT, None, limit))
    # A reply with nothing to show would be refused as empty; the hint at least says what to do.
    chunks = pack(blocks, limit) or pack([_lines(texts.DECLINE_HINT, None, limit)], limit)
    return Rendered(chunks, reply_keyboard(reply) + extra_rows, reply_queries(reply))


def render_text_block(text: str, *, keyboard: Keyboard = (), limit: int = MAX_MESSAGE_LENGTH) -> Rendered:
    """A plain UI text (from :mod:`bot.channels.telegram.texts`, already filled in), escaped, with buttons."""
    blocks = [
        [line for part in paragraph.split("\n") for line in _lines(part, None, limit)]
        for paragraph in text.split("\n\n")
    ]
    return Rendered(pack(blocks, limit), keyboard)
