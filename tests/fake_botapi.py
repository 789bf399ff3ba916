"""A stand-in Telegram Bot API server for tests: aiohttp on 127.0.0.1, no network.

The bot under test talks to this server through python-telegram-bot's (PTB) real HTTP stack
(``HTTPXRequest`` / httpx), so request encoding, error mapping, long polling and the
``telegram.ext.Application`` life cycle are all exercised for real. The test drives the "users"
through builder methods that enqueue realistic updates and inspects what the bot did through the
recorded calls and the stored messages.

Quick start::

    async with FakeBotApi(bot_username="bangfu_test_bot") as api:
        app = api.application_builder().build()      # token, URLs and proxy-free requests set
        app.add_handler(...)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            user = api.user(1001, "小明")
            chat = api.private_chat(user)
            api.send_text(chat, user, "你好")
            [reply] = await api.wait_for_messages(1, chat_id=chat.id)
            await app.updater.stop()
            await app.stop()

Pointing PTB at the server by hand
----------------------------------
PTB 22.8 builds the endpoint URL as ``f"{base_url}/{method}"`` (``Bot._do_post``), where
``base_url`` is the configured string with ``{token}`` substituted if it contains that
placeholder, and *otherwise with the token appended directly* (``_parse_base_url``: ``value +
token``). Telegram's own default is ``"https://api.telegram.org/bot"``. So the right settings are
``base_url=f"{api.root_url}/bot"`` and ``base_file_url=f"{api.root_url}/file/bot"`` (no trailing
slash, no token) -- equivalently ``f"{api.root_url}/bot{{token}}"``. Both give
``http://127.0.0.1:PORT/bot<TOKEN>/sendMessage``::

    Application.builder().token(api.token)
        .base_url(f"{api.root_url}/bot").base_file_url(f"{api.root_url}/file/bot")
        .request(api.request()).get_updates_request(api.request())

(:meth:`FakeBotApi.configure` does exactly this.) Every request is a ``POST``; the server also
accepts ``GET`` with a query string, as Telegram does.

How PTB 22.8 encodes requests
-----------------------------
``HTTPXRequest.do_request`` sends ``data=request_data.json_parameters`` (and ``files=`` only when
something is uploaded). So a normal call is **application/x-www-form-urlencoded**, and a call with
an upload is **multipart/form-data**; PTB never sends a JSON body. ``json_parameters`` leaves
``str`` values as they are and ``json.dumps`` everything else: ``chat_id=123`` is sent as ``"123"``,
booleans as ``"true"``/``"false"``, and objects (``reply_markup``, ``reply_parameters``,
``allowed_updates``, ``commands``, ``scope``, ``entities``, ``link_preview_options``,
``menu_button`` ...) as JSON text inside the form field. ``None`` values are dropped before
sending, and a call without parameters (``getMe``) has an empty body. ``datetime``/``timedelta``
values become integer seconds. The server decodes each parameter by its Bot API type (see
``_JSON_PARAMS`` etc.); a JSON body (``application/json``) is accepted too, and there object
parameters may be either real JSON objects or JSON text, as with Telegram.

Proxies
-------
``HTTPXRequest`` passes ``proxy=None`` to ``httpx.AsyncClient``, but httpx's ``trust_env=True``
default then takes ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` from the environment, and httpx
does *not* exempt 127.0.0.1 unless ``NO_PROXY`` names it. On a machine or CI with a proxy
configured, a default ``HTTPXRequest`` would send the fake's traffic to the proxy. :meth:`request`
therefore builds ``HTTPXRequest(httpx_kwargs={"trust_env": False})``; always use it (or
:meth:`configure` / :meth:`bot` / :meth:`application_builder`) rather than PTB's default request
objects. ``test_fake_botapi.py::test_requests_ignore_proxy_environment`` proves it.

Things the bot author should know
---------------------------------
* PTB turns an error description into the exception message by removing ``"Bad Request: "``
  and calling ``str.capitalize()``, which *lower-cases the rest*: Telegram's
  ``"Bad Request: BUTTON_DATA_INVALID"`` surfaces as ``BadRequest("Button_data_invalid")``.
  Match errors case-insensitively, or assert on :attr:`RecordedCall.description` here.
* ``RetryAfter`` reads ``retry_after`` through a PTB 22 deprecation shim that warns unless the
  environment has ``PTB_TIMEDELTA=true``; set it in tests that provoke flood control.
* ``editMessageText`` without ``reply_markup`` removes the inline keyboard (as on Telegram).
* In groups, ``Message.reply_text`` quotes (sends ``reply_parameters``) by default; in private
  chats it does not.
* With privacy mode on (the default, ``can_read_all_group_messages=False``) the bot only gets
  group messages that start with ``/`` (and are not ``/cmd@other_bot``), mention the bot, reply to
  one of its messages, or are service messages -- unless the bot is an administrator there.

Where the fake knowingly differs from Telegram
----------------------------------------------
* ``strict_html_ampersand=True`` (the default) refuses a bare ``&`` that does not start one of
  the four named entities or a numeric reference, as the Bot API documentation demands. Real
  Telegram (tdlib's ``parse_html``) is lenient there and keeps such an ``&`` literally; pass
  ``strict_html_ampersand=False`` for exactly Telegram's behaviour. The error text for this case
  is the fake's own.
* Markdown and MarkdownV2 are not implemented: they answer 400 instead of silently passing.
* Only ``bot_command`` and ``mention`` entities are detected in user messages; URLs, hashtags,
  etc. are not. Entities of messages the bot sends are exactly those of its HTML (or its
  ``entities`` parameter); Telegram would add auto-detected URL/mention entities.
* Message ids count per chat; callback queries never expire; inline mode, files and payments
  are not modelled. Methods not listed in ``FakeBotApi.METHODS`` answer 404 like an unknown
  method, and are logged.
* Error wordings: the HTML parser's messages follow tdlib's source; the ``_ERR_*`` constants
  are Telegram's descriptions as Telegram reports them. For rarer malformed input (wrong
  parameter types, invalid command lists or language codes, bad buttons other than
  ``BUTTON_DATA_INVALID`` and "Text buttons are unallowed ...") the wording is the fake's best
  imitation; do not assert on it beyond "400".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import logging
import math
import re
import string
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypedDict, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

if TYPE_CHECKING:
    from telegram.ext._applicationbuilder import InitApplicationBuilder

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_MESSAGE_LENGTH",
    "BotCommandDict",
    "CallbackAnswer",
    "ChatActionRecord",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "HtmlParseError",
    "MemberStatus",
    "RecordedCall",
    "StoredMessage",
    "UploadedFile",
    "parse_telegram_html",
    "utf16_len",
]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]
"""A JSON object as the Bot API sends or receives it."""

MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]
"""The ``status`` values of a Bot API ``ChatMember``."""

ChatType = Literal["private", "group", "supergroup", "channel"]

DEFAULT_TOKEN: Final = "7000000001:AAFakeBangfuTestToken_0123456789abcdef"
"""A well-formed token; the bot's user id is the number before the colon."""

MAX_MESSAGE_LENGTH: Final = 4096
"""Longest message text in UTF-16 code units, after entity parsing."""

MAX_CALLBACK_DATA_BYTES: Final = 64
"""Longest ``callback_data`` of an inline button, in UTF-8 bytes."""

_MAX_COMMANDS: Final = 100
_LONG_POLL_CAP: Final = 60.0
_EPOCH_UPDATE_ID: Final = 10_000

_ERR_TEXT_EMPTY: Final = "Bad Request: message text is empty"
_ERR_TOO_LONG: Final = "Bad Request: message is too long"
_ERR_PARSE: Final = "Bad Request: can't parse entities: "
_ERR_BUTTON_DATA: Final = "Bad Request: BUTTON_DATA_INVALID"
_ERR_REPLY_NOT_FOUND: Final = "Bad Request: message to be replied not found"
_ERR_THREAD_NOT_FOUND: Final = "Bad Request: message thread not found"
_ERR_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_ERR_QUERY_TOO_OLD: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_ERR_CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
_ERR_CHAT_ID_EMPTY: Final = "Bad Request: chat_id is empty"
_ERR_EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
_ERR_DELETE_NOT_FOUND: Final = "Bad Request: message to delete not found"
_ERR_CANT_DELETE: Final = "Bad Request: message can't be deleted"
_ERR_CANT_EDIT: Final = "Bad Request: message can't be edited"
_ERR_USER_NOT_FOUND: Final = "Bad Request: user not found"
_ERR_MARKUP_JSON: Final = "Bad Request: can't parse reply keyboard markup JSON object"
_ERR_CONFLICT_POLL: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_ERR_CONFLICT_WEBHOOK: Final = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_INLINE_BUTTON_ACTIONS: Final = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_SERVICE_KEYS: Final = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "group_chat_created",
        "supergroup_chat_created",
        "forum_topic_created",
        "pinned_message",
    }
)
# Methods that count towards flood control (sending and editing messages).
_FLOOD_METHODS: Final = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})

# How each parameter is typed in the Bot API; PTB sends every non-string JSON-encoded.
_JSON_PARAMS: Final = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "menu_button",
        "media",
        "rights",
        "message_ids",
        "results",
        "permissions",
        "options",
        "suggested_post_parameters",
    }
)
_INT_PARAMS: Final = frozenset(
    {
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "until_date",
        "max_connections",
        "direct_messages_topic_id",
        "duration",
        "width",
        "height",
        "live_period",
        "heading",
        "proximity_alert_radius",
    }
)
_FLOAT_PARAMS: Final = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_PARAMS: Final = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_paid_broadcast",
        "has_spoiler",
        "revoke_messages",
        "only_if_banned",
        "for_channels",
        "is_anonymous",
        "show_caption_above_media",
    }
)
_CHAT_ID_PARAMS: Final = frozenset({"chat_id", "from_chat_id"})
_JSON_PARAM_LABELS: Final = {
    "reply_markup": "reply keyboard markup",
    "reply_parameters": "reply parameters",
    "link_preview_options": "link preview options",
    "menu_button": "menu button",
    "scope": "bot command scope",
}

_COMMAND_RE: Final = re.compile(
    r"(?<![A-Za-z0-9_/<>])/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,32}))?(?![A-Za-z0-9_/])"
)
_MENTION_RE: Final = re.compile(r"(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])")
_BOT_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_TRIMMED: Final = " \t\r\n\v\f"


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


class BotCommandDict(TypedDict):
    """A Bot API ``BotCommand`` as stored by ``setMyCommands``."""

    command: str
    description: str


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user (or the bot itself) known to the fake.

    Attributes:
        id: The user id.
        first_name: First name shown in Telegram.
        username: Username without ``@``, if any.
        language_code: IETF language tag the client reports, e.g. ``"zh-hans"``.
        last_name: Last name, if any.
        is_bot: Whether the user is a bot.
    """

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    last_name: str | None = None
    is_bot: bool = False

    def to_api(self) -> JSONDict:
        """Returns the Bot API ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data


_GROUP_ANONYMOUS_BOT: Final = FakeUser(
    id=1087968824, first_name="Group", username="GroupAnonymousBot", is_bot=True
)
"""The sender Telegram uses for anonymous admins and the ``migrate_from_chat_id`` message."""


@dataclass(frozen=True)
class FakeChat:
    """A chat known to the fake.

    Attributes:
        id: The chat id (positive for private chats, negative for groups).
        type: ``"private"``, ``"group"``, ``"supergroup"`` or ``"channel"``.
        title: Title of a group or supergroup.
        username: Public username of the chat (private chats: the user's username).
        first_name: First name of the other party of a private chat.
        last_name: Last name of the other party of a private chat.
        is_forum: Whether a supergroup has topics enabled.
    """

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    @property
    def is_group(self) -> bool:
        """Whether this is a basic group or a supergroup."""
        return self.type in ("group", "supergroup")

    def to_api(self) -> JSONDict:
        """Returns the Bot API ``Chat`` object."""
        data: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass(eq=False)
class StoredMessage:
    """A message in a chat of the fake, sent by the bot or by a test user.

    ``text`` and ``entities`` are what Telegram would store: the text after HTML parsing and
    whitespace trimming, with UTF-16 entity offsets. ``source_text`` and ``parse_mode`` keep what
    the bot actually sent.

    Attributes:
        message_id: Id of the message, unique within its chat.
        chat: The chat the message is in.
        sender: Who sent it (the bot's user for messages the bot sent).
        date: Unix time of sending.
        from_bot: Whether the bot under test sent it through the API.
        text: Message text, ``None`` for non-text messages.
        entities: Bot API ``MessageEntity`` objects of ``text``.
        content: Other top-level ``Message`` fields (``sticker``, ``photo``, ``caption``,
            ``new_chat_members``, ``migrate_to_chat_id`` ...).
        reply_markup: The inline keyboard shown under the message (echoed by Telegram).
        sent_reply_markup: The ``reply_markup`` parameter exactly as the bot sent it, including
            reply keyboards, ``ReplyKeyboardRemove`` and ``ForceReply`` which Telegram does not echo.
        thread_id: ``message_thread_id`` (forum topic), if any.
        is_topic_message: Whether the message was sent in a forum topic.
        reply_to: The message this one replies to (for topic messages without an explicit reply:
            the topic's creation message, as Telegram reports it).
        sender_chat: ``sender_chat`` for anonymous/service senders.
        edit_date: Unix time of the last edit, if edited.
        deleted: Whether the message was deleted.
        delivered: For user messages: whether the bot received it (privacy mode may hide it).
        source_text: The ``text`` parameter as the bot sent it (before parsing).
        parse_mode: The ``parse_mode`` the bot used, if any.
        history: Earlier texts of the message, oldest first, one per edit.
    """

    message_id: int
    chat: FakeChat
    sender: FakeUser
    date: int
    from_bot: bool = False
    text: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    content: JSONDict = field(default_factory=dict)
    reply_markup: JSONDict | None = None
    sent_reply_markup: JSONDict | None = None
    thread_id: int | None = None
    is_topic_message: bool = False
    reply_to: StoredMessage | None = None
    sender_chat: FakeChat | None = None
    edit_date: int | None = None
    deleted: bool = False
    delivered: bool = True
    source_text: str | None = None
    parse_mode: str | None = None
    history: list[str] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        """The id of the message's chat."""
        return self.chat.id

    @property
    def buttons(self) -> list[list[JSONDict]]:
        """Rows of the inline keyboard (``InlineKeyboardButton`` objects); empty if none."""
        if self.reply_markup is None:
            return []
        rows = self.reply_markup.get("inline_keyboard", [])
        return [list(row) for row in rows]

    @property
    def callback_data(self) -> list[str]:
        """All ``callback_data`` values of the inline keyboard, row by row."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def button_texts(self) -> list[str]:
        """All button labels of the inline keyboard, row by row."""
        return [str(b.get("text", "")) for row in self.buttons for b in row]

    def entity_texts(self, entity_type: str) -> list[str]:
        """Returns the pieces of ``text`` covered by entities of a type.

        Args:
            entity_type: A ``MessageEntity`` type such as ``"bold"`` or ``"text_link"``.

        Returns:
            The covered substrings, in entity order (offsets are in UTF-16 code units).
        """
        if self.text is None:
            return []
        units = self.text.encode("utf-16-le")
        return [
            units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in self.entities
            if e["type"] == entity_type
        ]

    def to_api(self, *, include_reply: bool = True) -> JSONDict:
        """Returns the Bot API ``Message`` object.

        Args:
            include_reply: Whether to embed ``reply_to_message`` (Telegram does not nest replies
                of replies).
        """
        data: JSONDict = {"message_id": self.message_id}
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
        data["from"] = self.sender.to_api()
        if self.sender_chat is not None:
            data["sender_chat"] = self.sender_chat.to_api()
        data["chat"] = self.chat.to_api()
        data["date"] = self.date
        if self.is_topic_message:
            data["is_topic_message"] = True
        if include_reply and self.reply_to is not None:
            data["reply_to_message"] = self.reply_to.to_api(include_reply=False)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = [dict(e) for e in self.entities]
        data.update(json.loads(json.dumps(self.content)))
        if self.reply_markup is not None:
            data["reply_markup"] = json.loads(json.dumps(self.reply_markup))
        return data


@dataclass
class UploadedFile:
    """A file part of a multipart request.

    Attributes:
        field: Name of the form field.
        filename: File name the client sent.
        content_type: MIME type the client sent.
        data: The file's bytes.
    """

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedCall:
    """One HTTP request to the fake, recorded when it arrives and completed when answered.

    Attributes:
        method: Canonical Bot API method name (``"sendMessage"``) or, if unknown, as requested.
        params: Decoded parameters: JSON-typed ones as Python objects, integers as ``int`` ...
            (raw strings if decoding failed).
        http_method: ``"POST"`` or ``"GET"``.
        encoding: How parameters arrived: ``"form"``, ``"multipart"``, ``"json"``, ``"query"``
            or ``"none"``.
        files: Uploaded files by field name.
        started: ``time.monotonic()`` at arrival.
        status: HTTP status of the answer; ``None`` while pending or if the client went away.
        response: The JSON body of the answer, once sent.
    """

    method: str
    params: JSONDict
    http_method: str
    encoding: str = "none"
    files: dict[str, UploadedFile] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    status: int | None = None
    response: JSONDict | None = None

    @property
    def done(self) -> bool:
        """Whether an answer was sent."""
        return self.response is not None

    @property
    def ok(self) -> bool:
        """Whether the answer was ``{"ok": true, ...}``."""
        return bool(self.response and self.response.get("ok"))

    @property
    def description(self) -> str | None:
        """The error ``description`` of a failed call (Telegram's exact wording)."""
        return None if self.response is None else self.response.get("description")

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call."""
        return None if self.response is None else self.response.get("result")

    def summary(self) -> str:
        """A one-line description for assertion messages."""
        outcome = "pending" if self.status is None else f"{self.status} {self.description or 'ok'}"
        return f"{self.method}({_short(self.params)}) -> {outcome}"


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query.

    Attributes:
        query_id: The callback query id.
        text: Notification text, if any.
        show_alert: Whether an alert was requested.
        url: URL to open, if any.
        cache_time: Client-side cache time in seconds.
    """

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class ChatActionRecord:
    """A ``sendChatAction`` the bot made.

    Attributes:
        chat_id: Target chat.
        action: The action, e.g. ``"typing"``.
        thread_id: ``message_thread_id``, if given.
    """

    chat_id: int
    action: str
    thread_id: int | None


class HtmlParseError(ValueError):
    """Telegram would refuse this HTML; ``description`` has tdlib's wording.

    Attributes:
        description: E.g. ``'Unsupported start tag "br" at byte offset 5'``.
    """

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class _ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> _ApiError:
    """A 400 error; ``description`` is given with or without the ``Bad Request:`` prefix."""
    if not description.startswith("Bad Request: "):
        description = "Bad Request: " + description
    return _ApiError(400, description)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# Text: UTF-16 lengths, Telegram's HTML parser, entity detection
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


_ASCII_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _is_space(ch: str) -> bool:
    return ch in " \t\r\n\v\f\0"


def _is_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _decode_html_entity(text: str, pos: int) -> tuple[int, int] | None:
    """Decodes ``&...;`` at ``pos`` like tdlib: returns (code point, position after) or None."""
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    if at(pos) != "&":
        return None
    end = pos + 1
    code = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while at(end) in string.hexdigits and at(end) != "\0":
                code = code * 16 + int(at(end), 16)
                end += 1
        else:
            while at(end) in string.digits and at(end) != "\0":
                code = code * 10 + int(at(end))
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(text[pos + 1 : end])
        if named is None:
            return None
        code = ord(named)
    if at(end) == ";":
        end += 1
    return code, end


def _checked_link(url: str) -> str | None:
    """A loose imitation of tdlib's link normalisation; ``None`` drops the entity."""
    url = url.strip()
    if not url or any(_is_space(ch) for ch in url):
        return None
    if "://" not in url and not url.startswith(("tg:", "mailto:")):
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            return None
        if not parts.path and not parts.query and not parts.fragment:
            url += "/"
    return url


@dataclass
class _OpenTag:
    tag: str
    argument: str
    utf16_offset: int
    char_index: int


def parse_telegram_html(html: str, *, strict_ampersand: bool = False) -> tuple[str, list[JSONDict]]:
    """Parses Telegram's HTML subset the way the Bot API server (tdlib ``parse_html``) does.

    Supported: ``b strong i em u ins s strike del tg-spoiler span.tg-spoiler a[href] code
    pre (+ code.language-x) blockquote[expandable] tg-emoji[emoji-id]``, the entities ``&lt;
    &gt; &amp; &quot;`` and numeric ``&#NN;``/``&#xNN;`` references (the ``;`` is optional, as in
    tdlib). An ``&`` that starts none of these is kept literally, as Telegram does, unless
    ``strict_ampersand`` is set.

    Args:
        html: The message text with markup.
        strict_ampersand: Refuse a bare ``&`` (what the Bot API docs require of clients).

    Returns:
        The plain text and its ``MessageEntity`` objects (UTF-16 offsets), sorted by offset.
        Leading/trailing whitespace is *not* trimmed here (the Bot API does that afterwards).

    Raises:
        HtmlParseError: With tdlib's error text, e.g. ``Unsupported start tag "br" at byte offset 5``.
    """
    n = len(html)

    def at(i: int) -> str:
        return html[i] if i < n else "\0"

    def byte_offset(i: int) -> int:
        return len(html[:i].encode("utf-8", "surrogatepass"))

    out: list[str] = []
    utf16 = 0
    nested: list[_OpenTag] = []
    entities: list[JSONDict] = []
    has_surrogate = False
    i = 0
    while i < n:
        ch = html[i]
        if ch == "&":
            decoded = _decode_html_entity(html, i)
            if decoded is not None:
                code, i = decoded
                has_surrogate = has_surrogate or 0xD800 <= code <= 0xDFFF
                out.append(chr(code))
                utf16 += 2 if code > 0xFFFF else 1
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {byte_offset(i)}; write it as "&amp;" '
                    "(FakeBotApi strict mode)"
                )
        if ch != "<":
            out.append(ch)
            utf16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while not _is_space(at(i)) and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = html[begin + 1 : i].translate(_ASCII_LOWER)
            if tag not in _HTML_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            argument = ""
            while at(i) != ">":
                while at(i) != "\0" and _is_space(at(i)):
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while not _is_space(at(i)) and at(i) not in "=>":
                    i += 1
                attr_name = html[attr_begin:i]
                if not attr_name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                while at(i) != "\0" and _is_space(at(i)):
                    i += 1
                if at(i) != "=":
                    if at(i) == "\0":
                        raise HtmlParseError(
                            f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                        )
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "1"
                    continue
                i += 1
                while at(i) != "\0" and _is_space(at(i)):
                    i += 1
                if at(i) == "\0":
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if at(i) not in "'\"":
                    token_begin = i
                    while _is_alnum(at(i)) or at(i) in ".-":
                        i += 1
                    value = html[token_begin:i].translate(_ASCII_LOWER)
                    if not _is_space(at(i)) and at(i) != ">":
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {byte_offset(token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) != quote and at(i) != "\0":
                        if at(i) == "&":
                            decoded = _decode_html_entity(html, i)
                            if decoded is not None:
                                chars.append(chr(decoded[0]))
                                i = decoded[1]
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if at(i) == "\0":
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            nested.append(_OpenTag(tag, argument, utf16, len(out)))
            i += 1  # past ">"
            continue

        # An end tag.
        if not nested:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while not _is_space(at(i)) and at(i) != ">":
            i += 1
        end_tag = html[begin + 2 : i].translate(_ASCII_LOWER)
        while _is_space(at(i)) and at(i) != "\0":
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        top = nested[-1]
        if end_tag and end_tag != top.tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{top.tag}>", found "</{end_tag}>"'
            )
        if utf16 > top.utf16_offset:
            _close_entity(top, utf16, out, entities)
        nested.pop()
        i += 1  # past ">"

    if nested:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].tag}"')
    text = "".join(out)
    if has_surrogate:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            ) from None
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _close_entity(top: _OpenTag, utf16: int, out: list[str], entities: list[JSONDict]) -> None:
    """Appends the entity of a closed tag (tdlib's rules, including pre+code merging)."""
    offset, length = top.utf16_offset, utf16 - top.utf16_offset
    tag = top.tag
    if tag in _SIMPLE_TAG_TYPES:
        entities.append({"type": _SIMPLE_TAG_TYPES[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        arg = top.argument
        if not arg.isdigit() or not arg.isascii() or not 0 < int(arg) < 2**63:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append({"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": arg})
    elif tag == "a":
        url = _checked_link(top.argument or "".join(out[top.char_index :]))
        if url is not None:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and (last["offset"], last["length"]) == (offset, length)
            and last.get("_language")
        ):
            language = last.pop("_language")
            last.clear()
            last.update({"type": "pre", "offset": offset, "length": length, "language": language})
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and (last["offset"], last["length"]) == (offset, length)
            and top.argument
        ):
            last["language"] = top.argument
        else:
            entity: JSONDict = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                entity["_language"] = top.argument
            entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strips leading/trailing whitespace like the Bot API, clipping entities to the rest."""
    stripped = text.strip(_TRIMMED)
    if not stripped:
        return "", []
    lead = len(text) - len(text.lstrip(_TRIMMED))
    total = utf16_len(stripped)
    result: list[JSONDict] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def _detect_user_entities(text: str) -> list[JSONDict]:
    """``bot_command`` and ``mention`` entities Telegram attaches to a user's text."""
    found: list[JSONDict] = []
    for match in _COMMAND_RE.finditer(text):
        found.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    for match in _MENTION_RE.finditer(text):
        found.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    found.sort(key=lambda e: e["offset"])
    return found


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def _decode_param(name: str, value: Any) -> Any:
    """Decodes one parameter by its Bot API type; raises _ApiError if it cannot."""
    if isinstance(value, UploadedFile):
        return value
    if name in _JSON_PARAMS:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                label = _JSON_PARAM_LABELS.get(name, name.replace("_", " "))
                raise _bad(f"can't parse {label} JSON object") from None
        return value
    if name in _CHAT_ID_PARAMS:
        if isinstance(value, bool):
            raise _bad("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            stripped = value.strip()
            if re.fullmatch(r"-?\d+", stripped):
                return int(stripped)
            return stripped
        raise _bad("chat not found")
    if name in _INT_PARAMS:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise _bad(f'field "{name}" must be of type Integer')
    if name in _FLOAT_PARAMS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be of type Float') from None
    if name in _BOOL_PARAMS:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0", ""):
            return value.strip().lower() in ("true", "1")
        raise _bad(f'field "{name}" must be of type Boolean')
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class _Params:
    """Typed access to a request's decoded parameters."""

    def __init__(self, data: JSONDict) -> None:
        self.data = data

    def get_str(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _bad(f'field "{name}" must be of type String')
        return value

    def get_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad(f'field "{name}" must be of type Integer')
        return value

    def get_bool(self, name: str) -> bool:
        return bool(self.data.get(name, False))

    def get_obj(self, name: str) -> JSONDict | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            label = _JSON_PARAM_LABELS.get(name, name.replace("_", " "))
            raise _bad(f"can't parse {label} JSON object")
        return value

    def get_list(self, name: str) -> list[Any] | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise _bad(f'field "{name}" must be an Array')
        return value


@dataclass
class _CallbackQuery:
    query_id: str
    message: StoredMessage
    user: FakeUser
    data: str
    answered: bool = False


_BuilderT = TypeVar("_BuilderT", bound="ApplicationBuilder[Any, Any, Any, Any, Any, Any]")
_Handler = Callable[[_Params], Awaitable[Any]]


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """A fake Telegram Bot API server for one test; use it as an async context manager.

    Args:
        token: The bot token the server accepts. A token of the form ``<digits>:<secret>`` makes
            ``<digits>`` the bot's user id, as on Telegram.
        bot_username: The bot's username (without ``@``).
        bot_first_name: The bot's display name.
        can_read_all_group_messages: ``True`` models privacy mode *off* (the bot sees every
            group message); default ``False`` (privacy mode on, BotFather's default).
        can_join_groups: Reported by ``getMe``.
        strict_html_ampersand: Refuse a bare ``&`` in HTML text (the documented rule; Telegram
            itself accepts it -- see the module docstring).
        long_poll_cap: Upper bound in seconds for a ``getUpdates`` long poll, whatever
            ``timeout`` the bot asks for.
        host: Interface to bind; keep the default.

    Attributes:
        token: The accepted token.
        bot_user: The bot's own user.
        requests: Every request received, in arrival order.
        flood_errors: How many requests were refused with 429 by flood control.
        callback_answers: Answers to callback queries by query id.
        chat_actions: Every accepted ``sendChatAction``.
        updates_sent: Every update ever enqueued for the bot (JSON, with ``update_id``).
        internal_errors: Unexpected exceptions inside the fake (each answered 500); should stay
            empty.
    """

    METHODS: Final = (
        "getMe",
        "logOut",
        "close",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "getChatMenuButton",
        "setMyDescription",
        "getMyDescription",
        "setMyShortDescription",
        "getMyShortDescription",
        "setMyName",
        "getMyName",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "sendChatAction",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "getChatMemberCount",
        "leaveChat",
    )
    """The Bot API methods the fake implements (matched case-insensitively)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "bangfu_test_bot",
        *,
        bot_first_name: str = "帮扶助手",
        can_read_all_group_messages: bool = False,
        can_join_groups: bool = True,
        strict_html_ampersand: bool = True,
        long_poll_cap: float = _LONG_POLL_CAP,
        host: str = "127.0.0.1",
    ) -> None:
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 7000000001
        self.token = token
        self.bot_user = FakeUser(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.can_read_all_group_messages = can_read_all_group_messages
        self.can_join_groups = can_join_groups
        self.strict_html_ampersand = strict_html_ampersand
        self.long_poll_cap = long_poll_cap
        self._host = host

        self.requests: list[RecordedCall] = []
        self.flood_errors = 0
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.chat_actions: list[ChatActionRecord] = []
        self.updates_sent: list[JSONDict] = []
        self.internal_errors: list[str] = []

        self._users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self._chats: dict[int, FakeChat] = {}
        self._migrated: dict[int, int] = {}
        self._members: dict[int, dict[int, MemberStatus]] = {}
        self._topics: dict[int, dict[int, StoredMessage]] = {}
        self._messages: dict[tuple[int, int], StoredMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._bot_messages: list[StoredMessage] = []
        self._consumed: set[tuple[int, int]] = set()
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_ids = itertools.count(4_387_219_456_001)
        self._file_ids = itertools.count(1)

        self._queue: deque[JSONDict] = deque()
        self._next_update_id = _EPOCH_UPDATE_ID
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._waiting_polls = 0
        self._webhook_url = ""

        self._commands: dict[tuple[str, str], list[BotCommandDict]] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}

        self._flood_per_chat: float | None = None
        self._flood_per_group_minute: float | None = None
        self._flood_global: float | None = None
        self._flood_retry_after: int | None = None
        self._flood_chat_hits: dict[Any, deque[float]] = {}
        self._flood_group_hits: dict[Any, deque[float]] = {}
        self._flood_global_hits: deque[float] = deque()

        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, tuple[str, _Handler]] = {}
        for name in self.METHODS:
            handler = getattr(self, "_m_" + re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())
            self._handlers[name.lower()] = (name, handler)

    # ---------------------------------------------------------------- life cycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Starts listening on a free port of 127.0.0.1 (done by ``async with``)."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, 0)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._closing = False
        address = runner.addresses[0]
        self._port = int(address[1])
        _LOGGER.debug("FakeBotApi listening on %s", self.root_url)

    async def stop(self) -> None:
        """Ends pending long polls (they answer an empty list) and shuts the server down."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._notify()
        await asyncio.sleep(0)
        await runner.cleanup()
        _LOGGER.debug("FakeBotApi on port %s stopped", self._port)
        self._port = None

    @property
    def root_url(self) -> str:
        """Server root such as ``http://127.0.0.1:PORT`` (only while running)."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not running; use `async with FakeBotApi() as api:`")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url``: ``f"{root_url}/bot"`` (PTB appends the token)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url``: ``f"{root_url}/file/bot"``."""
        return f"{self.root_url}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id."""
        return self.bot_user.id

    # ---------------------------------------------------------------- PTB wiring helpers

    def request(self, *, read_timeout: float = 5.0, connection_pool_size: int = 8) -> HTTPXRequest:
        """A new PTB request object for this server that ignores proxy environment variables.

        Args:
            read_timeout: Read timeout in seconds (``getUpdates`` adds its ``timeout``).
            connection_pool_size: Connections in the pool.

        Returns:
            ``HTTPXRequest`` with ``trust_env=False`` and short timeouts. Use a separate one
            for ``request`` and ``get_updates_request``.
        """
        return HTTPXRequest(
            connection_pool_size=connection_pool_size,
            read_timeout=read_timeout,
            write_timeout=5.0,
            connect_timeout=2.0,
            pool_timeout=2.0,
            httpx_kwargs={"trust_env": False},
        )

    def bot(self) -> Bot:
        """A ``telegram.Bot`` pointed at this server (use it as ``async with api.bot() as bot``)."""
        return Bot(
            self.token,
            base_url=self.base_url,
            base_file_url=self.base_file_url,
            request=self.request(),
            get_updates_request=self.request(),
        )

    def configure(self, builder: _BuilderT) -> _BuilderT:
        """Points an ``ApplicationBuilder`` at this server.

        Sets ``token``, ``base_url``, ``base_file_url``, ``request`` and ``get_updates_request``
        (proxy-free, see :meth:`request`). Do not also set pool sizes or timeouts on the builder.

        Args:
            builder: E.g. ``Application.builder()``.

        Returns:
            The same builder.
        """
        return (
            builder.token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
            .request(self.request())
            .get_updates_request(self.request())
        )

    def application_builder(self) -> InitApplicationBuilder:
        """``Application.builder()`` already configured by :meth:`configure`."""
        return self.configure(Application.builder())

    # ---------------------------------------------------------------- test-side set-up

    def user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        *,
        last_name: str | None = None,
    ) -> FakeUser:
        """Registers a human user.

        Args:
            id: User id (positive).
            first_name: First name.
            username: Username without ``@``.
            language_code: Language the client reports (``None`` to omit).
            last_name: Last name.

        Returns:
            The user.
        """
        if id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(
            id=id, first_name=first_name, username=username, language_code=language_code, last_name=last_name
        )
        self._users[id] = user
        return user

    def private_chat(self, user: FakeUser) -> FakeChat:
        """Registers the private chat of ``user`` with the bot (as if the user had pressed Start).

        Args:
            user: A user from :meth:`user`.

        Returns:
            The chat, whose id equals the user's id.
        """
        self._users.setdefault(user.id, user)
        chat = FakeChat(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        self._chats[chat.id] = chat
        members = self._members.setdefault(chat.id, {})
        members.setdefault(user.id, "member")
        members.setdefault(self.bot_id, "member")
        return chat

    def group(
        self,
        chat_id: int,
        title: str,
        supergroup: bool = False,
        forum: bool = False,
        *,
        username: str | None = None,
        bot_status: MemberStatus = "member",
    ) -> FakeChat:
        """Registers a group the bot is in.

        Args:
            chat_id: Negative chat id (supergroups conventionally ``-100...``).
            title: Group title.
            supergroup: Whether it is a supergroup.
            forum: Whether topics are enabled (implies ``supergroup``).
            username: Public username of the group.
            bot_status: The bot's membership; use ``"left"`` and then :meth:`add_bot_to_group`
                to test being added.

        Returns:
            The chat.
        """
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = FakeChat(
            id=chat_id,
            type="supergroup" if supergroup or forum else "group",
            title=title,
            username=username,
            is_forum=forum,
        )
        self._chats[chat_id] = chat
        self._members.setdefault(chat_id, {})[self.bot_id] = bot_status
        return chat

    def add_topic(
        self,
        chat_id: int | FakeChat,
        thread_id: int,
        name: str = "话题",
        *,
        creator: FakeUser | None = None,
    ) -> StoredMessage:
        """Registers a forum topic; its creation message gets ``message_id == thread_id``.

        Args:
            chat_id: A forum supergroup (see :meth:`group` with ``forum=True``).
            thread_id: The topic's ``message_thread_id``.
            name: Topic name.
            creator: Who created it (default: a placeholder user).

        Returns:
            The ``forum_topic_created`` service message (not delivered as an update).
        """
        chat = self._known_chat(chat_id)
        if not chat.is_forum:
            raise ValueError(f"chat {chat.id} is not a forum supergroup")
        if (chat.id, thread_id) in self._messages:
            raise ValueError(f"message id {thread_id} is already used in chat {chat.id}")
        sender = creator or FakeUser(id=5_000_000_001, first_name="Topic Creator")
        root = StoredMessage(
            message_id=thread_id,
            chat=chat,
            sender=sender,
            date=_now(),
            content={"forum_topic_created": {"name": name, "icon_color": 7322096}},
            thread_id=thread_id,
            is_topic_message=True,
            delivered=False,
        )
        self._messages[(chat.id, thread_id)] = root
        self._next_message_id[chat.id] = max(self._next_message_id.get(chat.id, 1), thread_id + 1)
        self._topics.setdefault(chat.id, {})[thread_id] = root
        return root

    def set_admins(
        self, chat_id: int | FakeChat, admins: Mapping[int, Literal["creator", "administrator"]]
    ) -> None:
        """Sets who administers a group; earlier admins not named become ``member``.

        Args:
            chat_id: The group.
            admins: ``{user_id: "creator" | "administrator"}``; may include the bot's id.
        """
        chat = self._known_chat(chat_id)
        members = self._members.setdefault(chat.id, {})
        for uid, status in list(members.items()):
            if status in ("creator", "administrator") and uid not in admins:
                members[uid] = "member"
        for uid, status in admins.items():
            if status not in ("creator", "administrator"):
                raise ValueError(f"admin status must be creator or administrator, not {status!r}")
            members[uid] = status

    def set_member_status(self, chat_id: int | FakeChat, user_id: int, status: MemberStatus) -> None:
        """Sets any member's status (including the bot's) without sending an update.

        Args:
            chat_id: The chat.
            user_id: The user (or ``api.bot_id``).
            status: The new ``ChatMember`` status.
        """
        chat = self._known_chat(chat_id)
        self._members.setdefault(chat.id, {})[user_id] = status

    def member_status(self, chat_id: int | FakeChat, user_id: int) -> MemberStatus:
        """The status ``getChatMember`` would report for a user (``"member"`` by default)."""
        chat = self._known_chat(chat_id)
        return self._status(chat, user_id)

    def flood_limit(
        self,
        per_chat_per_second: float | None = None,
        global_per_second: float | None = None,
        *,
        per_group_per_minute: float | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Turns flood control on (or off, when called without limits).

        Counts ``sendMessage``, ``editMessageText`` and ``editMessageReplyMarkup`` calls in sliding
        windows; a call over a limit answers 429 ``Too Many Requests: retry after N`` with
        ``parameters.retry_after`` (PTB raises ``telegram.error.RetryAfter``) and is counted in
        :attr:`flood_errors`. Refused calls do not count towards the windows.

        Args:
            per_chat_per_second: Calls allowed per chat in any 1 s window.
            global_per_second: Calls allowed in total in any 1 s window.
            per_group_per_minute: Calls allowed per group chat in any 60 s window (Telegram: 20).
            retry_after: Fixed ``retry_after`` to report; by default the seconds until the
                window frees up, rounded up (at least 1).
        """
        self._flood_per_chat = per_chat_per_second
        self._flood_global = global_per_second
        self._flood_per_group_minute = per_group_per_minute
        self._flood_retry_after = retry_after
        self._flood_chat_hits.clear()
        self._flood_group_hits.clear()
        self._flood_global_hits.clear()

    # ---------------------------------------------------------------- test-side updates

    def send_text(
        self,
        chat: FakeChat,
        user: FakeUser,
        text: str,
        reply_to: StoredMessage | int | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """A user sends a text message; enqueues a ``message`` update if the bot would get it.

        ``entities`` get ``bot_command`` (``/cmd``, ``/cmd@botname``) and ``mention``
        (``@username``) entries with UTF-16 offsets. In groups with privacy mode on, only
        messages Telegram would deliver are enqueued (see :attr:`StoredMessage.delivered`).

        Args:
            chat: Where (private chat or group).
            user: Who sends it.
            text: The text.
            reply_to: A message (or message id) in the same chat to reply to.
            thread_id: Forum topic; inherited from ``reply_to`` when omitted.

        Returns:
            The stored message.
        """
        if not text.strip(_TRIMMED):
            raise ValueError("Telegram clients cannot send an empty text")
        if utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise ValueError("Telegram clients cannot send texts over 4096 UTF-16 code units")
        return self._user_message(
            chat,
            user,
            text=text,
            entities=_detect_user_entities(text),
            reply_to=reply_to,
            thread_id=thread_id,
        )

    def send_sticker(
        self,
        chat: FakeChat,
        user: FakeUser,
        emoji: str = "👍",
        *,
        reply_to: StoredMessage | int | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """A user sends a (regular, static) sticker.

        Args:
            chat: Where.
            user: Who.
            emoji: The emoji the sticker stands for.
            reply_to: Message replied to.
            thread_id: Forum topic.

        Returns:
            The stored message.
        """
        n = next(self._file_ids)
        sticker = {
            "file_id": f"CAACAgIAAxkBAAIB{n:08d}StickerFileId",
            "file_unique_id": f"AgADStk{n:06d}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "FakeBotApiStickers",
            "file_size": 24_576,
        }
        return self._user_message(
            chat, user, content={"sticker": sticker}, reply_to=reply_to, thread_id=thread_id
        )

    def send_photo(
        self,
        chat: FakeChat,
        user: FakeUser,
        caption: str | None = None,
        *,
        reply_to: StoredMessage | int | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """A user sends a photo (three ``PhotoSize`` variants), optionally with a caption.

        Args:
            chat: Where.
            user: Who.
            caption: Caption text; commands and mentions in it get ``caption_entities``.
            reply_to: Message replied to.
            thread_id: Forum topic.

        Returns:
            The stored message.
        """
        n = next(self._file_ids)
        sizes = [(90, 67, 1_520), (320, 240, 19_873), (800, 600, 81_274)]
        photo = [
            {
                "file_id": f"AgACAgUAAxkBAAIC{n:08d}Photo{w}",
                "file_unique_id": f"AQADPh{n:06d}{w}",
                "width": w,
                "height": h,
                "file_size": size,
            }
            for w, h, size in sizes
        ]
        content: JSONDict = {"photo": photo}
        if caption:
            content["caption"] = caption
            entities = _detect_user_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return self._user_message(chat, user, content=content, reply_to=reply_to, thread_id=thread_id)

    def send_location(
        self,
        chat: FakeChat,
        user: FakeUser,
        latitude: float = 29.563,
        longitude: float = 106.551,
        *,
        reply_to: StoredMessage | int | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """A user shares a location (default: central Chongqing).

        Args:
            chat: Where.
            user: Who.
            latitude: Latitude.
            longitude: Longitude.
            reply_to: Message replied to.
            thread_id: Forum topic.

        Returns:
            The stored message.
        """
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._user_message(chat, user, content=content, reply_to=reply_to, thread_id=thread_id)

    def send_custom(
        self,
        chat: FakeChat,
        user: FakeUser,
        content: JSONDict,
        *,
        reply_to: StoredMessage | int | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """A user sends a message with arbitrary content fields (``document``, ``contact`` ...).

        Args:
            chat: Where.
            user: Who.
            content: Top-level ``Message`` fields to include, e.g. ``{"contact": {...}}``.
            reply_to: Message replied to.
            thread_id: Forum topic.

        Returns:
            The stored message.
        """
        return self._user_message(chat, user, content=dict(content), reply_to=reply_to, thread_id=thread_id)

    def edit_text(self, message: StoredMessage, text: str) -> StoredMessage:
        """A user edits their text message; enqueues ``edited_message`` if the bot would see it.

        Args:
            message: A user's text message from :meth:`send_text`.
            text: The new text.

        Returns:
            The (updated) message.
        """
        if message.from_bot or message.text is None:
            raise ValueError("only a user's text message can be edited by the user")
        message.history.append(message.text)
        message.text = text
        message.entities = _detect_user_entities(text)
        message.edit_date = _now()
        if message.delivered or self._bot_sees(message):
            message.delivered = True
            self._enqueue("edited_message", message.to_api())
        return message

    def press_button(
        self,
        message: StoredMessage,
        user: FakeUser,
        data: str | None = None,
        *,
        button_text: str | None = None,
    ) -> str:
        """A user presses an inline button of a message the bot sent.

        Args:
            message: A bot message (e.g. from :meth:`wait_for_messages`).
            user: Who presses.
            data: The button's ``callback_data``.
            button_text: Alternatively, the button's label.

        Returns:
            The callback query id; the bot must answer it with ``answerCallbackQuery``.

        Raises:
            ValueError: If the message is not the bot's, is deleted, or has no such button.
        """
        if not message.from_bot:
            raise ValueError("press_button needs a message the bot sent")
        if message.deleted:
            raise ValueError(f"message {message.message_id} was deleted")
        if button_text is not None:
            matches = [b for row in message.buttons for b in row if b.get("text") == button_text]
            if not matches or "callback_data" not in matches[0]:
                raise ValueError(
                    f"no callback button labelled {button_text!r}; buttons: {message.button_texts}"
                )
            data = str(matches[0]["callback_data"])
        if data is None or data not in message.callback_data:
            raise ValueError(f"no button with callback_data {data!r}; message has {message.callback_data}")
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _CallbackQuery(query_id, message, user, data)
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": message.to_api(),
                "chat_instance": str((message.chat.id * 2654435761) % 10**19),
                "data": data,
            },
        )
        return query_id

    def add_bot_to_group(
        self,
        chat: FakeChat,
        by_user: FakeUser,
        *,
        as_admin: bool = False,
        service_message: bool = True,
    ) -> list[JSONDict]:
        """A user adds the bot to a group: ``my_chat_member`` (left -> member) and the message.

        Args:
            chat: A group from :meth:`group` (typically with ``bot_status="left"``).
            by_user: Who adds the bot.
            as_admin: Add it as administrator instead of member.
            service_message: Also send the ``new_chat_members`` service message.

        Returns:
            The enqueued updates.
        """
        if not chat.is_group:
            raise ValueError("bots are added to groups only")
        members = self._members.setdefault(chat.id, {})
        old = members.get(self.bot_id, "left")
        new: MemberStatus = "administrator" if as_admin else "member"
        members[self.bot_id] = new
        members.setdefault(by_user.id, "member")
        updates = [self._enqueue("my_chat_member", self._member_update(chat, by_user, old, new))]
        if service_message:
            bot = self.bot_user.to_api()
            content = {"new_chat_members": [bot], "new_chat_member": bot, "new_chat_participant": bot}
            message = self._store_message(chat, by_user, content=content)
            message.delivered = True
            updates.append(self._enqueue("message", message.to_api()))
        return updates

    def remove_bot_from_group(self, chat: FakeChat, by_user: FakeUser) -> JSONDict:
        """A user removes the bot (``my_chat_member`` member -> kicked).

        Args:
            chat: The group.
            by_user: Who removes it.

        Returns:
            The enqueued update.
        """
        members = self._members.setdefault(chat.id, {})
        old = members.get(self.bot_id, "member")
        members[self.bot_id] = "kicked"
        return self._enqueue("my_chat_member", self._member_update(chat, by_user, old, "kicked"))

    def block_bot(self, user: FakeUser) -> JSONDict:
        """The user blocks the bot: ``my_chat_member`` member -> kicked in the private chat.

        Afterwards ``sendMessage`` to the user answers 403 ``Forbidden: bot was blocked by the user``.

        Args:
            user: The user.

        Returns:
            The enqueued update.
        """
        chat = self._chats.get(user.id) or self.private_chat(user)
        self._members.setdefault(chat.id, {})[self.bot_id] = "kicked"
        return self._enqueue("my_chat_member", self._member_update(chat, user, "member", "kicked"))

    def migrate_to_supergroup(
        self, chat: FakeChat, new_chat_id: int, by_user: FakeUser | None = None
    ) -> FakeChat:
        """Upgrades a basic group to a supergroup, as Telegram reports it.

        Enqueues the old group's ``migrate_to_chat_id`` message (from ``by_user``) and the new
        supergroup's ``migrate_from_chat_id`` message (from ``GroupAnonymousBot`` with
        ``sender_chat``). Afterwards, calls naming the old id answer 400 ``Bad Request: group chat
        was upgraded to a supergroup chat`` with ``parameters.migrate_to_chat_id`` (PTB raises
        ``ChatMigrated``).

        Args:
            chat: A basic group.
            new_chat_id: The supergroup's id (``-100...``).
            by_user: Who triggered the upgrade (default: the group's creator or a placeholder).

        Returns:
            The new supergroup chat.
        """
        if chat.type != "group":
            raise ValueError("only basic groups migrate")
        if new_chat_id in self._chats:
            raise ValueError(f"chat {new_chat_id} already exists")
        members = self._members.setdefault(chat.id, {})
        if by_user is None:
            owner = next((uid for uid, s in members.items() if s == "creator"), None)
            by_user = self._users.get(owner) if owner is not None else None
            by_user = by_user or FakeUser(id=5_000_000_002, first_name="Group Owner")
        new_chat = FakeChat(id=new_chat_id, type="supergroup", title=chat.title, username=chat.username)
        self._chats[new_chat_id] = new_chat
        self._members[new_chat_id] = dict(members)
        old_message = self._store_message(chat, by_user, content={"migrate_to_chat_id": new_chat_id})
        self._migrated[chat.id] = new_chat_id
        anonymous = _GROUP_ANONYMOUS_BOT
        new_message = self._store_message(
            new_chat, anonymous, content={"migrate_from_chat_id": chat.id}, sender_chat=new_chat
        )
        for message in (old_message, new_message):
            if self._members[message.chat.id].get(self.bot_id, "left") not in ("left", "kicked"):
                self._enqueue("message", message.to_api())
            else:
                message.delivered = False
        return new_chat

    def enqueue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Enqueues any update, e.g. ``enqueue_update("chat_join_request", {...})``.

        Args:
            kind: The update field (``"message"``, ``"callback_query"`` ...).
            payload: Its JSON object.

        Returns:
            The update with its ``update_id``.
        """
        return self._enqueue(kind, payload)

    # ---------------------------------------------------------------- test-side inspection

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (``getUpdates`` offset)."""
        return list(self._queue)

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded requests, optionally only of one method (case-insensitive)."""
        if method is None:
            return list(self.requests)
        return [c for c in self.requests if c.method.lower() == method.lower()]

    def failed_calls(self, method: str | None = None) -> list[RecordedCall]:
        """Answered requests whose answer was not ``ok`` (400, 401, 403, 404, 409, 429, 500)."""
        return [c for c in self.calls(method) if c.done and not c.ok]

    def sent_messages(self, chat_id: int | FakeChat | None = None) -> list[StoredMessage]:
        """Messages the bot sent (including later deleted or edited ones), oldest first.

        Args:
            chat_id: Only those in this chat.
        """
        wanted = _chat_key(chat_id)
        return [m for m in self._bot_messages if wanted is None or m.chat.id == wanted]

    def message(self, chat_id: int | FakeChat, message_id: int) -> StoredMessage:
        """Any stored message by chat and id (raises ``KeyError`` if unknown)."""
        key = (_chat_key(chat_id) or 0, message_id)
        return self._messages[key]

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[BotCommandDict]:
        """The command menu stored by ``setMyCommands`` for exactly this scope and language.

        Args:
            scope: A ``BotCommandScope`` object, e.g. ``{"type": "all_group_chats"}`` or
                ``{"type": "chat", "chat_id": -100123}``; default ``{"type": "default"}``.
            language_code: Two-letter code, or ``""`` for all languages.

        Returns:
            The commands (empty if none were set).
        """
        key = (self._scope_key(scope or {"type": "default"}), language_code)
        return [
            BotCommandDict(command=c["command"], description=c["description"])
            for c in self._commands.get(key, [])
        ]

    def menu_button(self, chat_id: int | FakeChat | None = None) -> JSONDict:
        """The menu button set by ``setChatMenuButton`` for a chat (``None``: the default)."""
        key = _chat_key(chat_id)
        return dict(self._menu_buttons.get(key) or self._menu_buttons.get(None) or {"type": "commands"})

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """The bot's answer to a callback query, if it answered."""
        return self.callback_answers.get(query_id)

    async def wait_for_messages(
        self,
        count: int = 1,
        chat_id: int | FakeChat | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout is the clearest API for tests
    ) -> list[StoredMessage]:
        """Waits for the next ``count`` messages the bot sends and returns them.

        Each call consumes what it returns, so consecutive calls return consecutive messages
        (per the ``chat_id`` filter). :meth:`sent_messages` still lists everything.

        Args:
            count: How many new messages to wait for.
            chat_id: Only count messages in this chat.
            timeout: Seconds to wait.

        Returns:
            Exactly ``count`` messages, oldest first.

        Raises:
            AssertionError: On timeout, listing what the bot did send and which calls failed.
        """
        wanted = _chat_key(chat_id)

        def fresh() -> list[StoredMessage]:
            return [
                m
                for m in self._bot_messages
                if (m.chat.id, m.message_id) not in self._consumed and (wanted is None or m.chat.id == wanted)
            ]

        if not await self._wait_until(lambda: len(fresh()) >= count, timeout):
            got = fresh()
            raise AssertionError(
                f"expected {count} new bot message(s)"
                + (f" in chat {wanted}" if wanted is not None else "")
                + f" within {timeout}s, got {len(got)}: {[m.text for m in got]}\n"
                + self._diagnostics()
            )
        result = fresh()[:count]
        self._consumed.update((m.chat.id, m.message_id) for m in result)
        return result

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[RecordedCall]:
        """Waits until at least ``count`` answered calls of ``method`` were recorded.

        Args:
            method: Bot API method name (case-insensitive).
            count: Minimum number of answered calls.
            timeout: Seconds to wait.

        Returns:
            All answered calls of that method so far.

        Raises:
            AssertionError: On timeout.
        """

        def answered() -> list[RecordedCall]:
            return [c for c in self.calls(method) if c.done]

        if not await self._wait_until(lambda: len(answered()) >= count, timeout):
            raise AssertionError(
                f"expected {count} answered {method} call(s) within {timeout}s, got {len(answered())}\n"
                + self._diagnostics()
            )
        return answered()

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109
        """Waits until the bot answers a callback query.

        Args:
            query_id: From :meth:`press_button`.
            timeout: Seconds to wait.

        Returns:
            The answer.

        Raises:
            AssertionError: On timeout.
        """
        if not await self._wait_until(lambda: query_id in self.callback_answers, timeout):
            raise AssertionError(
                f"callback query {query_id} was not answered within {timeout}s\n" + self._diagnostics()
            )
        return self.callback_answers[query_id]

    async def wait_for_poller(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Waits until a ``getUpdates`` long poll is waiting on the server.

        Raises:
            AssertionError: On timeout.
        """
        if not await self._wait_until(lambda: self._waiting_polls > 0, timeout):
            raise AssertionError(f"no getUpdates long poll arrived within {timeout}s\n" + self._diagnostics())

    async def wait_for_delivery(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Waits until the bot has confirmed every enqueued update (the queue is empty).

        Confirmation happens on the bot's *next* ``getUpdates`` after it fetched an update, i.e.
        after PTB handed the update to the application, not after the handler finished.

        Raises:
            AssertionError: On timeout.
        """
        if not await self._wait_until(lambda: not self._queue, timeout):
            raise AssertionError(
                f"{len(self._queue)} update(s) still unconfirmed after {timeout}s\n" + self._diagnostics()
            )

    # ---------------------------------------------------------------- internals: waiting

    def _notify(self) -> None:
        """Wakes every waiter (long polls and test-side waits)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._changed
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()
        return True

    def _diagnostics(self) -> str:
        lines = ["bot messages so far:"]
        lines += [f"  chat {m.chat.id} #{m.message_id}: {m.text!r}" for m in self._bot_messages] or [
            "  (none)"
        ]
        failed = self.failed_calls()
        lines.append("failed Bot API calls:")
        lines += [f"  {c.summary()}" for c in failed[-10:]] or ["  (none)"]
        lines.append(f"unconfirmed updates: {len(self._queue)}; calls received: {len(self.requests)}")
        if self.internal_errors:
            lines.append("FakeBotApi internal errors:")
            lines += [f"  {e}" for e in self.internal_errors]
        return "\n".join(lines)

    # ---------------------------------------------------------------- internals: state

    def _known_chat(self, chat: int | FakeChat) -> FakeChat:
        chat_id = chat.id if isinstance(chat, FakeChat) else chat
        if chat_id not in self._chats:
            raise KeyError(f"unknown chat {chat_id}; register it with private_chat() or group()")
        return self._chats[chat_id]

    def _status(self, chat: FakeChat, user_id: int) -> MemberStatus:
        return self._members.get(chat.id, {}).get(user_id, "member")

    def _member_json(self, chat: FakeChat, user: FakeUser, status: MemberStatus) -> JSONDict:
        data: JSONDict = {"user": user.to_api(), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_pin_messages": True,
                }
            )
            if chat.is_forum:
                data["can_manage_topics"] = True
        elif status == "restricted":
            data.update({"is_member": True, "until_date": 0})
            for right in (
                "can_send_messages",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_manage_topics",
            ):
                data[right] = False
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def _member_update(
        self, chat: FakeChat, by_user: FakeUser, old: MemberStatus, new: MemberStatus
    ) -> JSONDict:
        return {
            "chat": chat.to_api(),
            "from": by_user.to_api(),
            "date": _now(),
            "old_chat_member": self._member_json(chat, self.bot_user, old),
            "new_chat_member": self._member_json(chat, self.bot_user, new),
        }

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        update: JSONDict = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._queue.append(update)
        self.updates_sent.append(update)
        self._notify()
        return update

    def _store_message(
        self,
        chat: FakeChat,
        sender: FakeUser,
        *,
        from_bot: bool = False,
        text: str | None = None,
        entities: list[JSONDict] | None = None,
        content: JSONDict | None = None,
        thread_id: int | None = None,
        reply_to: StoredMessage | None = None,
        sender_chat: FakeChat | None = None,
    ) -> StoredMessage:
        message_id = self._next_message_id.get(chat.id, 1)
        self._next_message_id[chat.id] = message_id + 1
        topic_root = self._topics.get(chat.id, {}).get(thread_id) if thread_id is not None else None
        message = StoredMessage(
            message_id=message_id,
            chat=chat,
            sender=sender,
            date=_now(),
            from_bot=from_bot,
            text=text,
            entities=list(entities or []),
            content=dict(content or {}),
            thread_id=thread_id,
            is_topic_message=topic_root is not None,
            reply_to=reply_to if reply_to is not None else topic_root,
            sender_chat=sender_chat,
        )
        self._messages[(chat.id, message_id)] = message
        return message

    def _user_message(
        self,
        chat: FakeChat,
        user: FakeUser,
        *,
        text: str | None = None,
        entities: list[JSONDict] | None = None,
        content: JSONDict | None = None,
        reply_to: StoredMessage | int | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        chat = self._known_chat(chat)
        if chat.id in self._migrated:
            raise ValueError(f"group {chat.id} was migrated to {self._migrated[chat.id]}")
        if chat.type == "private" and user.id != chat.id:
            raise ValueError("only the chat's own user writes in a private chat")
        self._users.setdefault(user.id, user)
        target: StoredMessage | None = None
        if reply_to is not None:
            mid = reply_to.message_id if isinstance(reply_to, StoredMessage) else reply_to
            target = self._messages.get((chat.id, mid))
            if target is None or target.deleted:
                raise ValueError(f"no message {mid} in chat {chat.id} to reply to")
            if thread_id is None and target.is_topic_message:
                thread_id = target.thread_id
        if thread_id is not None and thread_id not in self._topics.get(chat.id, {}):
            raise ValueError(f"chat {chat.id} has no topic {thread_id}; use add_topic()")
        self._members.setdefault(chat.id, {}).setdefault(user.id, "member")
        message = self._store_message(
            chat, user, text=text, entities=entities, content=content, thread_id=thread_id, reply_to=target
        )
        message.delivered = self._bot_sees(message)
        if message.delivered:
            self._enqueue("message", message.to_api())
        else:
            _LOGGER.debug(
                "privacy mode: bot does not receive message %s in chat %s", message.message_id, chat.id
            )
        return message

    def _bot_sees(self, message: StoredMessage) -> bool:
        """Whether Telegram would deliver a user's message to the bot."""
        chat = message.chat
        status = self._status(chat, self.bot_id)
        if status in ("left", "kicked"):
            return False
        if chat.type == "private":
            return True
        if status in ("creator", "administrator") or self.can_read_all_group_messages:
            return True
        if _SERVICE_KEYS & message.content.keys():
            return True
        if message.reply_to is not None and message.reply_to.from_bot:
            return True
        text = message.text if message.text is not None else message.content.get("caption")
        if not isinstance(text, str):
            return False
        username = (self.bot_user.username or "").lower()
        if text.startswith("/"):
            match = _COMMAND_RE.match(text)
            if match is None or match.group(2) is None or match.group(2).lower() == username:
                return True
        return any(m.group(1).lower() == username for m in _MENTION_RE.finditer(text))

    # ---------------------------------------------------------------- internals: HTTP

    async def _handle_unknown_path(self, request: web.Request) -> web.StreamResponse:
        return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        entry = self._handlers.get(raw_method.lower())
        call = RecordedCall(method=entry[0] if entry else raw_method, params={}, http_method=request.method)
        self.requests.append(call)
        status = 200
        try:
            if request.match_info["token"] != self.token:
                if re.fullmatch(r"\d+:[A-Za-z0-9_-]+", request.match_info["token"]):
                    raise _ApiError(401, "Unauthorized")
                raise _ApiError(404, "Not Found")
            if entry is None:
                _LOGGER.warning("FakeBotApi: method %r is unknown or not implemented", raw_method)
                raise _ApiError(404, "Not Found")
            raw, call.files, call.encoding = await self._read_params(request)
            call.params = dict(raw)
            call.params = {name: _decode_param(name, value) for name, value in raw.items()}
            self._check_flood(call.method, call.params)
            result = await entry[1](_Params(call.params))
            body: JSONDict = {"ok": True, "result": result}
        except _ApiError as error:
            status, body = error.code, error.to_json()
            if error.code == 429:
                self.flood_errors += 1
        except Exception as error:  # the fake must never break the test's event loop
            _LOGGER.exception("FakeBotApi internal error in %s", call.method)
            self.internal_errors.append(f"{call.method}: {error!r}")
            status = 500
            body = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {error!r}"}
        call.status, call.response = status, body
        self._notify()
        return _json_response(body, status)

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile], str]:
        params: JSONDict = dict(request.query)
        files: dict[str, UploadedFile] = {}
        encoding = "query" if params else "none"
        if not request.can_read_body:
            return params, files, encoding
        content_type = request.content_type
        try:
            if content_type == "application/json":
                body = await request.read()
                if body.strip():
                    decoded = json.loads(body.decode("utf-8"))
                    if not isinstance(decoded, dict):
                        raise _bad("JSON body must be an object")
                    params.update(decoded)
                return params, files, "json"
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        upload = UploadedFile(name, value.filename, value.content_type, value.file.read())
                        files[name] = upload
                        params[name] = upload
                    elif isinstance(value, bytes):
                        params[name] = value.decode("utf-8", "replace")
                    else:
                        params[name] = value
                return params, files, "multipart" if content_type == "multipart/form-data" else "form"
        except _ApiError:
            raise
        except (ValueError, UnicodeDecodeError) as error:
            raise _bad(f"can't parse request body: {error}") from None
        if await request.read():
            raise _bad(f"unsupported Content-Type {content_type!r}")
        return params, files, encoding

    def _check_flood(self, method: str, params: JSONDict) -> None:
        if method not in _FLOOD_METHODS:
            return
        if (
            self._flood_per_chat is None
            and self._flood_global is None
            and self._flood_per_group_minute is None
        ):
            return
        now = time.monotonic()
        chat_key = params.get("chat_id")
        chat = self._chats.get(chat_key) if isinstance(chat_key, int) else None
        windows: list[tuple[deque[float], float, float]] = []
        if self._flood_global is not None:
            windows.append((self._flood_global_hits, 1.0, self._flood_global))
        if self._flood_per_chat is not None:
            windows.append((self._flood_chat_hits.setdefault(chat_key, deque()), 1.0, self._flood_per_chat))
        if self._flood_per_group_minute is not None and (chat is None or chat.is_group):
            hits = self._flood_group_hits.setdefault(chat_key, deque())
            windows.append((hits, 60.0, self._flood_per_group_minute))
        wait = 0.0
        for hits, span, limit in windows:
            while hits and hits[0] <= now - span:
                hits.popleft()
            if len(hits) >= limit:
                wait = max(wait, hits[0] + span - now)
        if wait > 0:
            retry_after = self._flood_retry_after or max(1, math.ceil(wait))
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for hits, _span, _limit in windows:
            hits.append(now)

    # ---------------------------------------------------------------- internals: validation

    def _resolve_chat(self, value: Any) -> FakeChat:
        if value is None or value == "":
            raise _bad(_ERR_CHAT_ID_EMPTY)
        chat: FakeChat | None = None
        if isinstance(value, int):
            if value in self._migrated:
                raise _ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._migrated[value]},
                )
            chat = self._chats.get(value)
        elif isinstance(value, str) and value.startswith("@"):
            name = value[1:].lower()
            chat = next(
                (
                    c
                    for c in self._chats.values()
                    if c.type != "private" and (c.username or "").lower() == name
                ),
                None,
            )
        if chat is None:
            raise _bad(_ERR_CHAT_NOT_FOUND)
        return chat

    def _chat_for_bot(self, value: Any, *, sending: bool = True) -> FakeChat:
        """The chat, checking that the bot may act in it (403 otherwise).

        A user who blocked the bot can still be looked up (``sending=False``), not written to.
        """
        chat = self._resolve_chat(value)
        status = self._status(chat, self.bot_id)
        if chat.type == "private":
            if status == "kicked" and sending:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
        elif status in ("left", "kicked"):
            kind = "supergroup" if chat.type == "supergroup" else "group"
            if status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            raise _ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat

    def _format(self, p: _Params, text_param: str = "text") -> tuple[str, list[JSONDict], str, str | None]:
        """Validates and parses a message text; returns (text, entities, source, parse_mode)."""
        source = p.get_str(text_param)
        if source is None or source == "":
            raise _bad(_ERR_TEXT_EMPTY)
        parse_mode = p.get_str("parse_mode") or None
        given = p.get_list("entities")
        if given:
            text, entities = source, [dict(e) for e in given if isinstance(e, dict)]
        elif parse_mode is None:
            text, entities = source, []
        elif parse_mode.lower() == "html":
            try:
                text, entities = parse_telegram_html(source, strict_ampersand=self.strict_html_ampersand)
            except HtmlParseError as error:
                raise _bad(_ERR_PARSE + error.description) from None
        elif parse_mode.lower() in ("markdown", "markdownv2"):
            raise _bad(_ERR_PARSE + f"parse_mode {parse_mode} is not implemented by FakeBotApi; use HTML")
        else:
            raise _bad("unsupported parse_mode")
        text, entities = _trim(text, entities)
        if not text:
            raise _bad(_ERR_TEXT_EMPTY)
        if utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise _bad(_ERR_TOO_LONG)
        return text, entities, source, parse_mode

    def _thread(self, chat: FakeChat, p: _Params) -> int | None:
        thread_id = p.get_int("message_thread_id")
        if thread_id is None or thread_id == 0:
            return None
        if not chat.is_forum or thread_id not in self._topics.get(chat.id, {}):
            raise _bad(_ERR_THREAD_NOT_FOUND)
        return thread_id

    def _reply_target(self, chat: FakeChat, p: _Params) -> StoredMessage | None:
        parameters = p.get_obj("reply_parameters")
        if parameters is not None:
            message_id = parameters.get("message_id")
            if not isinstance(message_id, int) or isinstance(message_id, bool):
                raise _bad("can't parse reply parameters JSON object")
            target_chat = chat
            if parameters.get("chat_id") not in (None, chat.id):
                target_chat = self._resolve_chat(_decode_param("chat_id", parameters["chat_id"]))
            allow = bool(parameters.get("allow_sending_without_reply", False))
        else:
            maybe_id = p.get_int("reply_to_message_id")
            if maybe_id is None:
                return None
            message_id, target_chat, allow = maybe_id, chat, p.get_bool("allow_sending_without_reply")
        target = self._messages.get((target_chat.id, message_id))
        if target is None or target.deleted:
            if allow:
                return None
            raise _bad(_ERR_REPLY_NOT_FOUND)
        return target if target_chat.id == chat.id else None

    def _markup(self, markup: JSONDict | None, *, inline_only: bool = False) -> JSONDict | None:
        """Validates ``reply_markup``; returns the inline keyboard to echo (or None)."""
        if markup is None:
            return None
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return {"inline_keyboard": [[dict(b) for b in row] for row in rows if row]} if any(rows) else None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
            for row in rows:
                for button in row:
                    label = (
                        button
                        if isinstance(button, str)
                        else button.get("text")
                        if isinstance(button, dict)
                        else None
                    )
                    if not isinstance(label, str) or not label:
                        raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
            return None
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return None
        raise _bad(_ERR_MARKUP_JSON)

    def _scope_key(self, scope: JSONDict) -> str:
        kind = scope.get("type")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return json.dumps({"type": kind})
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_value = _decode_param("chat_id", scope.get("chat_id"))
            try:
                chat = self._resolve_chat(chat_value)
            except _ApiError:
                if isinstance(chat_value, int):
                    return json.dumps(
                        {"type": kind, "chat_id": chat_value, **_user_of(scope)}, sort_keys=True
                    )
                raise
            if kind != "chat" and chat.type == "private":
                raise _bad("can't use chat_administrators or chat_member scope in private chats")
            return json.dumps({"type": kind, "chat_id": chat.id, **_user_of(scope)}, sort_keys=True)
        raise _bad("can't parse bot command scope JSON object")

    # ---------------------------------------------------------------- Bot API methods

    async def _m_get_me(self, p: _Params) -> JSONDict:
        data = self.bot_user.to_api()
        data.update(
            {
                "can_join_groups": self.can_join_groups,
                "can_read_all_group_messages": self.can_read_all_group_messages,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        return data

    async def _m_log_out(self, p: _Params) -> bool:
        return True

    async def _m_close(self, p: _Params) -> bool:
        return True

    async def _m_set_webhook(self, p: _Params) -> bool:
        self._webhook_url = p.get_str("url") or ""
        if p.get_bool("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _m_delete_webhook(self, p: _Params) -> bool:
        self._webhook_url = ""
        if p.get_bool("drop_pending_updates"):
            self._queue.clear()
            self._notify()
        return True

    async def _m_get_webhook_info(self, p: _Params) -> JSONDict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    async def _m_get_updates(self, p: _Params) -> list[JSONDict]:
        if self._webhook_url:
            raise _ApiError(409, _ERR_CONFLICT_WEBHOOK)
        offset = p.get_int("offset") or 0
        limit = p.get_int("limit") or 100
        limit = 100 if not 1 <= limit <= 100 else limit
        timeout = max(0, p.get_int("timeout") or 0)
        allowed = p.get_list("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(str(a) for a in allowed) or None

        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll now ends with 409, as on Telegram

        if offset > 0:
            while self._queue and self._queue[0]["update_id"] < offset:
                self._queue.popleft()
        elif offset < 0:
            while len(self._queue) > -offset:
                self._queue.popleft()

        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(timeout), self.long_poll_cap)
        while True:
            batch = self._take_updates(limit)
            if batch or self._closing:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._waiting_polls += 1
            self._notify()  # lets wait_for_poller() see this poll
            event = self._changed
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await event.wait()
            finally:
                self._waiting_polls -= 1
            if self._poll_generation != generation:
                raise _ApiError(409, _ERR_CONFLICT_POLL)

    def _take_updates(self, limit: int) -> list[JSONDict]:
        batch: list[JSONDict] = []
        for update in list(self._queue):
            kind = next(k for k in update if k != "update_id")
            allowed = (
                kind in self._allowed_updates
                if self._allowed_updates
                else kind not in _DEFAULT_EXCLUDED_UPDATES
            )
            if not allowed:
                self._queue.remove(update)
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        copied: list[JSONDict] = json.loads(json.dumps(batch))
        return copied

    async def _m_set_my_commands(self, p: _Params) -> bool:
        commands = p.get_list("commands")
        if commands is None:
            raise _bad('parameter "commands" is required')
        if len(commands) > _MAX_COMMANDS:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        stored: list[BotCommandDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_NAME_RE.fullmatch(name.removeprefix("/")):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append(BotCommandDict(command=name.removeprefix("/"), description=description.strip()))
        key = (self._scope_key(p.get_obj("scope") or {"type": "default"}), self._language(p))
        if stored:
            self._commands[key] = stored
        else:
            self._commands.pop(key, None)
        return True

    async def _m_get_my_commands(self, p: _Params) -> list[BotCommandDict]:
        key = (self._scope_key(p.get_obj("scope") or {"type": "default"}), self._language(p))
        return list(self._commands.get(key, []))

    async def _m_delete_my_commands(self, p: _Params) -> bool:
        key = (self._scope_key(p.get_obj("scope") or {"type": "default"}), self._language(p))
        self._commands.pop(key, None)
        return True

    def _language(self, p: _Params) -> str:
        language = p.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return language

    async def _m_set_chat_menu_button(self, p: _Params) -> bool:
        chat_value = p.data.get("chat_id")
        key = None if chat_value is None else self._resolve_chat(chat_value).id
        button = p.get_obj("menu_button") or {"type": "default"}
        kind = button.get("type")
        if kind == "web_app":
            web_app = button.get("web_app")
            if not button.get("text") or not isinstance(web_app, dict) or not web_app.get("url"):
                raise _bad("can't parse menu button JSON object")
        elif kind not in ("commands", "default"):
            raise _bad("can't parse menu button JSON object")
        self._menu_buttons[key] = dict(button)
        return True

    async def _m_get_chat_menu_button(self, p: _Params) -> JSONDict:
        chat_value = p.data.get("chat_id")
        key = None if chat_value is None else self._resolve_chat(chat_value).id
        return self.menu_button(key)

    def _set_bot_text(self, p: _Params, field_name: str, limit: int) -> bool:
        value = p.get_str(field_name) or ""
        if len(value) > limit:
            raise _bad(f"{field_name} is too long")
        self._bot_texts[(field_name, self._language(p))] = value
        return True

    def _get_bot_text(self, p: _Params, field_name: str) -> JSONDict:
        language = self._language(p)
        value = self._bot_texts.get((field_name, language), self._bot_texts.get((field_name, ""), ""))
        if field_name == "name" and not value:
            value = self.bot_user.first_name
        return {field_name: value}

    async def _m_set_my_description(self, p: _Params) -> bool:
        return self._set_bot_text(p, "description", 512)

    async def _m_get_my_description(self, p: _Params) -> JSONDict:
        return self._get_bot_text(p, "description")

    async def _m_set_my_short_description(self, p: _Params) -> bool:
        return self._set_bot_text(p, "short_description", 120)

    async def _m_get_my_short_description(self, p: _Params) -> JSONDict:
        return self._get_bot_text(p, "short_description")

    async def _m_set_my_name(self, p: _Params) -> bool:
        return self._set_bot_text(p, "name", 64)

    async def _m_get_my_name(self, p: _Params) -> JSONDict:
        return self._get_bot_text(p, "name")

    async def _m_send_message(self, p: _Params) -> JSONDict:
        chat = self._chat_for_bot(p.data.get("chat_id"))
        text, entities, source, parse_mode = self._format(p)
        thread_id = self._thread(chat, p)
        target = self._reply_target(chat, p)
        if target is not None and thread_id is None and target.is_topic_message:
            thread_id = target.thread_id
        raw_markup = p.get_obj("reply_markup")
        inline = self._markup(raw_markup)
        message = self._store_message(
            chat,
            self.bot_user,
            from_bot=True,
            text=text,
            entities=entities,
            thread_id=thread_id,
            reply_to=target,
        )
        message.reply_markup = inline
        message.sent_reply_markup = raw_markup
        message.source_text = source
        message.parse_mode = parse_mode
        self._bot_messages.append(message)
        return message.to_api()

    def _bot_message_for_edit(self, p: _Params) -> StoredMessage:
        if p.data.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._chat_for_bot(p.data.get("chat_id"))
        message_id = p.get_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = self._messages.get((chat.id, message_id))
        if message is None or message.deleted:
            raise _bad(_ERR_EDIT_NOT_FOUND)
        if not message.from_bot:
            raise _bad(_ERR_CANT_EDIT)
        return message

    async def _m_edit_message_text(self, p: _Params) -> JSONDict:
        message = self._bot_message_for_edit(p)
        text, entities, source, parse_mode = self._format(p)
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        raw_markup = p.get_obj("reply_markup")
        inline = self._markup(raw_markup, inline_only=True)
        if text == message.text and entities == message.entities and inline == message.reply_markup:
            raise _bad(_ERR_NOT_MODIFIED)
        message.history.append(message.text)
        message.text, message.entities = text, entities
        message.source_text, message.parse_mode = source, parse_mode
        message.reply_markup, message.sent_reply_markup = inline, raw_markup
        message.edit_date = _now()
        return message.to_api()

    async def _m_edit_message_reply_markup(self, p: _Params) -> JSONDict:
        message = self._bot_message_for_edit(p)
        raw_markup = p.get_obj("reply_markup")
        inline = self._markup(raw_markup, inline_only=True)
        if inline == message.reply_markup:
            raise _bad(_ERR_NOT_MODIFIED)
        message.reply_markup, message.sent_reply_markup = inline, raw_markup
        message.edit_date = _now()
        return message.to_api()

    async def _m_delete_message(self, p: _Params) -> bool:
        chat = self._chat_for_bot(p.data.get("chat_id"))
        message_id = p.get_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = self._messages.get((chat.id, message_id))
        if message is None or message.deleted:
            raise _bad(_ERR_DELETE_NOT_FOUND)
        is_admin = self._status(chat, self.bot_id) in ("creator", "administrator")
        if chat.is_group and not message.from_bot and not is_admin:
            raise _bad(_ERR_CANT_DELETE)
        if "forum_topic_created" in message.content:
            raise _bad(_ERR_CANT_DELETE)
        message.deleted = True
        return True

    async def _m_answer_callback_query(self, p: _Params) -> bool:
        query_id = p.get_str("callback_query_id")
        if not query_id:
            raise _bad("query_id is empty")
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise _bad(_ERR_QUERY_TOO_OLD)
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[query_id] = CallbackAnswer(
            query_id=query_id,
            text=text,
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            cache_time=p.get_int("cache_time"),
        )
        return True

    async def _m_send_chat_action(self, p: _Params) -> bool:
        chat = self._chat_for_bot(p.data.get("chat_id"))
        action = p.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        thread_id = self._thread(chat, p)
        self.chat_actions.append(ChatActionRecord(chat_id=chat.id, action=action, thread_id=thread_id))
        return True

    async def _m_get_chat(self, p: _Params) -> JSONDict:
        chat = self._chat_for_bot(p.data.get("chat_id"), sending=False)
        data = chat.to_api()
        data.update(
            {
                "accent_color_id": chat.id % 7,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if chat.is_group:
            data["permissions"] = {"can_send_messages": True, "can_send_other_messages": True}
        return data

    async def _m_get_chat_member(self, p: _Params) -> JSONDict:
        chat = self._chat_for_bot(p.data.get("chat_id"), sending=False)
        user_id = p.get_int("user_id")
        if user_id is None:
            raise _bad("user_id is empty")
        user = self._users.get(user_id)
        if user is None or (chat.type == "private" and user_id not in (chat.id, self.bot_id)):
            raise _bad(_ERR_USER_NOT_FOUND)
        return self._member_json(chat, user, self._status(chat, user_id))

    async def _m_get_chat_administrators(self, p: _Params) -> list[JSONDict]:
        chat = self._chat_for_bot(p.data.get("chat_id"), sending=False)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        admins = [
            (uid, status)
            for uid, status in self._members.get(chat.id, {}).items()
            if status in ("creator", "administrator") and uid in self._users
        ]
        admins.sort(key=lambda item: (item[1] != "creator", item[0]))
        return [self._member_json(chat, self._users[uid], status) for uid, status in admins]

    async def _m_get_chat_member_count(self, p: _Params) -> int:
        chat = self._chat_for_bot(p.data.get("chat_id"), sending=False)
        present = ("creator", "administrator", "member", "restricted")
        return sum(1 for status in self._members.get(chat.id, {}).values() if status in present)

    async def _m_leave_chat(self, p: _Params) -> bool:
        chat = self._chat_for_bot(p.data.get("chat_id"))
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        old = self._status(chat, self.bot_id)
        self._members.setdefault(chat.id, {})[self.bot_id] = "left"
        self._enqueue("my_chat_member", self._member_update(chat, self.bot_user, old, "left"))
        return True


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


def _chat_key(chat: int | FakeChat | None) -> int | None:
    return chat.id if isinstance(chat, FakeChat) else chat


def _user_of(scope: JSONDict) -> JSONDict:
    if scope.get("type") != "chat_member":
        return {}
    user_id = _decode_param("user_id", scope.get("user_id"))
    return {"user_id": user_id}


def _check_inline_button(button: Any) -> None:
    """Validates one InlineKeyboardButton like Telegram."""
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
    if not actions:
        raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _bad(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, got "
            + ", ".join(actions)
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad(_ERR_BUTTON_DATA)
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or _checked_link(url) is None:
            raise _bad("BUTTON_URL_INVALID")
    if not text:
        raise _bad("BUTTON_TEXT_INVALID")


_dumps: Final = functools.partial(json.dumps, ensure_ascii=False)


def _json_response(body: JSONDict, status: int) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)
