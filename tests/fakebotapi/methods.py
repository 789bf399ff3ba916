"""The Bot API methods the bot calls, checked as strictly as Telegram checks them.

A method is an async function of the state and the call's parameters, registered under its Bot API name by
``@bot_api("sendMessage")``; it returns the ``result`` or raises :class:`ApiError` as Telegram answers.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from tests.fakebotapi import html
from tests.fakebotapi.builders import FakeChat, JSONDict, StoredMessage, member_json
from tests.fakebotapi.state import TelegramState, Webhook, scope_key

T = TypeVar("T")
MAX_CALLBACK_DATA_BYTES: Final = 64
"""Longest ``callback_data`` of an inline button, in UTF-8 bytes."""

# Parameters python-telegram-bot sends as they are; it sends every other value JSON-encoded.
_TEXT_PARAMS: Final = frozenset({"text", "parse_mode", "callback_query_id", "url", "language_code"})


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": …, "description": …, "parameters": {…}}``."""

    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        """Telegram's code, description and ``parameters`` (``retry_after``, ``migrate_to_chat_id``)."""
        super().__init__(description)
        self.code, self.body = code, {"ok": False, "error_code": code, "description": description}
        self.body |= {"parameters": parameters} if parameters else {}


class Drop(Exception):  # noqa: N818 (an answer, like ApiError, not an error of the fake)
    """No answer: the connection closes; with ``delivered`` after the method ran (its response is lost)."""

    def __init__(self, *, delivered: bool = False) -> None:
        super().__init__("connection dropped")
        self.delivered = delivered


def bad(description: str) -> ApiError:
    """A 400 ``Bad Request: <description>``."""
    return ApiError(400, "Bad Request: " + description)


def decode(name: str, value: Any) -> Any:
    """A form field decoded to its Bot API type (python-telegram-bot JSON-encodes every non-string)."""
    if not isinstance(value, str) or name in _TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        if name == "reply_markup":
            raise bad("can't parse reply keyboard markup JSON object") from None
        return value  # a string after all, such as an @username


class Params(dict[str, Any]):
    """A call's decoded parameters; :meth:`typed` reads one, a wrong type being a 400 as on Telegram."""

    def typed(self, name: str, kind: type[T]) -> T | None:
        """The parameter if it is a ``kind`` (a bool is no int here), or None if absent."""
        value: T | None = self.get(name)
        if value is None or (isinstance(value, kind) and (kind is bool or not isinstance(value, bool))):
            return value
        raise bad(f'field "{name}" must be of type {kind.__name__}')


@dataclass
class RecordedCall:
    """One request to the fake, recorded as it arrives and completed when answered: ``started`` and
    ``answered`` (when the answer left, or the connection was dropped) are ``time.monotonic()``; ``status``
    is None while pending, if dropped, or if the client went away."""

    method: str  # as registered (sendMessage), or as requested if unknown
    params: JSONDict = field(default_factory=dict)  # decoded: chat_id an int, reply_markup a dict …
    started: float = field(default_factory=time.monotonic)
    answered: float | None = None
    status: int | None = None
    response: JSONDict | None = None  # the answer's JSON body
    dropped: bool = False  # closed without an answer (Drop)

    @property
    def ok(self) -> bool:
        """Whether it was answered ``{"ok": true, …}``."""
        return bool(self.response and self.response.get("ok"))

    @property
    def failed(self) -> bool:
        """Whether it was answered with an error."""
        return self.response is not None and not self.ok

    @property
    def description(self) -> str | None:
        """A failed call's ``description``, exactly as Telegram words it."""
        return None if self.response is None else self.response.get("description")

    def summary(self) -> str:
        """One line for assertion messages."""
        params = json.dumps(self.params, ensure_ascii=False, default=repr)
        params = params if len(params) <= 160 else params[:157] + "..."
        status = "dropped" if self.dropped else self.status or "pending"
        return f"{self.method}({params}) -> {status} {self.description or ''}".rstrip()


Method = Callable[[TelegramState, Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Method]] = {}
"""The implemented methods by lower-case name (Telegram matches names case-insensitively)."""


def bot_api(name: str) -> Callable[[Method], Method]:
    """Registers the decorated function as the Bot API method ``name``."""

    def register(method: Method) -> Method:
        METHODS[name.lower()] = (name, method)
        return method

    return register


@bot_api("getMe")
async def get_me(tg: TelegramState, p: Params) -> JSONDict:
    """The bot's user, with what BotFather set (privacy mode among it)."""
    flags = {"can_join_groups": True, "can_read_all_group_messages": tg.can_read_all_group_messages}
    return tg.bot_user.to_api() | flags | {"supports_inline_queries": False}


@bot_api("setWebhook")
async def set_webhook(tg: TelegramState, p: Params) -> bool:
    """Registers the webhook (any scheme and port, as a self-hosted server in --local mode allows)."""
    url, secret = p.typed("url", str) or "", p.typed("secret_token", str)
    if not url:
        return await delete_webhook(tg, p)  # an empty URL removes the webhook, as on Telegram
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad("secret token contains unallowed characters")
    allowed = p.typed("allowed_updates", list)
    if allowed is not None:
        tg.allowed_updates = frozenset(map(str, allowed)) or None
    if p.typed("drop_pending_updates", bool):
        tg.queue.clear()
    tg.webhook = Webhook(url, secret, p.typed("max_connections", int) or 40)
    tg.notify()
    return True


@bot_api("deleteWebhook")
async def delete_webhook(tg: TelegramState, p: Params) -> bool:
    """Removes the webhook (updates wait for ``getUpdates`` again), dropping pending ones if asked."""
    tg.webhook = None
    if p.typed("drop_pending_updates", bool):
        tg.queue.clear()
    tg.notify()
    return True


@bot_api("getWebhookInfo")
async def get_webhook_info(tg: TelegramState, p: Params) -> JSONDict:
    """The webhook and its last delivery error; with none, an empty URL (pending updates count anyway)."""
    info: JSONDict = {"url": "", "has_custom_certificate": False, "pending_update_count": len(tg.queue)}
    if (hook := tg.webhook) is not None:
        info |= {"url": hook.url, "max_connections": hook.max_connections}
    if hook is not None and hook.last_error_date is not None:
        info |= {"last_error_date": hook.last_error_date, "last_error_message": hook.last_error_message}
    return info


@bot_api("getUpdates")
async def get_updates(tg: TelegramState, p: Params) -> list[JSONDict]:
    """Confirms updates before ``offset``, waits up to ``timeout`` for new ones; ends older polls (409)."""
    if tg.webhook is not None:
        why = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        raise ApiError(409, "Conflict: " + why)
    offset, timeout, limit = p.typed("offset", int) or 0, p.typed("timeout", int) or 0, p.typed("limit", int)
    allowed = p.typed("allowed_updates", list)
    if allowed is not None:
        tg.allowed_updates = frozenset(map(str, allowed)) or None
    generation = tg.poll_generation = tg.poll_generation + 1
    tg.notify()  # a poll still waiting ends (409)
    tg.confirm(offset)
    deadline = time.monotonic() + min(max(timeout, 0), tg.long_poll_cap)
    while True:
        batch = tg.take_updates(limit if limit and 1 <= limit <= 100 else 100)
        remaining = deadline - time.monotonic()
        if batch or tg.closing or remaining <= 0:
            return batch
        tg.polls_waiting += 1
        tg.notify()  # for tests waiting until the bot polls
        try:
            await tg.changed(remaining)
        finally:
            tg.polls_waiting -= 1
        if tg.outage is not None:
            raise Drop()  # the network went down under the waiting poll
        if tg.poll_generation != generation:
            why = "terminated by other getUpdates request; make sure that only one bot instance is running"
            raise ApiError(409, "Conflict: " + why)


@bot_api("setMyCommands")
async def set_my_commands(tg: TelegramState, p: Params) -> bool:
    """The command menu of one scope and language: at most 100 commands of ``[a-z0-9_]{1,32}``."""
    commands, language = p.typed("commands", list), p.typed("language_code", str) or ""
    if commands is None or len(commands) > 100:
        raise bad("BOT_COMMANDS_TOO_MUCH" if commands else 'parameter "commands" is required')
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad("invalid language code specified")
    for command in commands:
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
    menu = [{"command": c["command"], "description": c["description"].strip()} for c in commands]
    tg.command_menus[(scope_key(p.typed("scope", dict) or {"type": "default"}), language)] = menu
    return True


@bot_api("sendMessage")
async def send_message(tg: TelegramState, p: Params) -> JSONDict:
    """A message from the bot: HTML checked, length limited, in a forum topic, quoting, with buttons."""
    chat = chat_for_bot(tg, p)
    text, entities = message_text(tg, p)
    thread_id = p.typed("message_thread_id", int) or None
    if thread_id is not None and thread_id not in tg.topics.get(chat.id, {}):
        raise bad("message thread not found")
    quoted, markup = reply_target(tg, chat, p), inline_keyboard(p)
    if quoted is not None and thread_id is None and quoted.is_topic_message:
        thread_id = quoted.thread_id
    message = tg.store_message(chat, tg.bot_user, {"text": text, "entities": entities}, thread_id)
    message.from_bot, message.reply_markup = True, markup
    message.reply_to = quoted or message.reply_to
    message.source_text, message.parse_mode = p.typed("text", str), p.typed("parse_mode", str)
    tg.bot_messages.append(message)
    return message.to_api()


@bot_api("editMessageText")
async def edit_message_text(tg: TelegramState, p: Params) -> JSONDict:
    """New text and buttons for one of the bot's messages (without ``reply_markup``, no buttons)."""
    chat = chat_for_bot(tg, p)
    message = tg.messages.get((chat.id, p.typed("message_id", int) or 0))
    if message is None:
        raise bad("message to edit not found")
    if not message.from_bot or message.text is None:
        raise bad("message can't be edited")
    text, entities = message_text(tg, p)
    markup = inline_keyboard(p)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        same = "specified new message content and reply markup are exactly the same as a current content"
        raise bad(f"message is not modified: {same} and reply markup of the message")
    message.history.append(message.text)
    message.text, message.entities, message.reply_markup = text, entities, markup
    message.source_text, message.parse_mode = p.typed("text", str), p.typed("parse_mode", str)
    message.edit_date = int(time.time())
    return message.to_api()


@bot_api("answerCallbackQuery")
async def answer_callback_query(tg: TelegramState, p: Params) -> bool:
    """Answers a button press, once; a notification has at most 200 characters."""
    query = tg.callback_queries.get(p.typed("callback_query_id", str) or "")
    if query is None or query.answered:
        raise bad("query is too old and response timeout expired or query ID is invalid")
    text = p.typed("text", str)
    if text is not None and len(text) > 200:
        raise bad("MESSAGE_TOO_LONG")
    query.answered, query.text, query.show_alert = True, text, bool(p.typed("show_alert", bool))
    return True


@bot_api("getChatMember")
async def get_chat_member(tg: TelegramState, p: Params) -> JSONDict:
    """A member's status (the bot asks before letting someone change a group's settings)."""
    chat = chat_for_bot(tg, p, sending=False)
    user = tg.users.get(p.typed("user_id", int) or 0)
    if user is None or (chat.type == "private" and user.id not in (chat.id, tg.bot_id)):
        raise bad("user not found")
    return member_json(chat, user, tg.status(chat, user.id))


# --- checks the methods share ------------------------------------------------------------------------------


def chat_for_bot(tg: TelegramState, p: Params, *, sending: bool = True) -> FakeChat:
    """The ``chat_id``'s chat, if the bot may act there: 400 if migrated or unknown, 403 if it is not in it
    (a user who blocked the bot can still be looked up, ``sending=False``, not written to)."""
    chat_id = p.get("chat_id")
    if chat_id in tg.migrated:
        why = "group chat was upgraded to a supergroup chat"
        raise ApiError(400, "Bad Request: " + why, migrate_to_chat_id=tg.migrated[chat_id])
    chat = tg.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        raise bad("chat not found" if chat_id not in (None, "") else "chat_id is empty")
    status = tg.status(chat, tg.bot_id)
    if chat.type == "private" and status == "kicked" and sending:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if chat.is_group and status in ("left", "kicked"):
        why = "was kicked from" if status == "kicked" else "is not a member of"
        raise ApiError(403, f"Forbidden: bot {why} the {chat.type} chat")
    return chat


def message_text(tg: TelegramState, p: Params) -> tuple[str, list[JSONDict]]:
    """The text Telegram keeps and its entities: HTML parsed (or none), trimmed, at most 4096 UTF-16 units."""
    source, parse_mode = p.typed("text", str) or "", (p.typed("parse_mode", str) or "").lower()
    text, entities = source, list[JSONDict]()
    if parse_mode == "html":
        try:
            text, entities = html.parse_telegram_html(source, strict_ampersand=tg.strict_html_ampersand)
        except html.HtmlParseError as error:
            raise bad(f"can't parse entities: {error}") from None
    elif parse_mode:
        raise bad(f"can't parse entities: parse_mode {parse_mode} is not implemented by FakeBotApi; use HTML")
    text, entities = html.trim(text, entities)
    if not text:
        raise bad("message text is empty")
    if html.utf16_len(text) > html.MAX_MESSAGE_LENGTH:
        raise bad("message is too long")
    return text, entities


def reply_target(tg: TelegramState, chat: FakeChat, p: Params) -> StoredMessage | None:
    """The message ``reply_parameters`` quotes (in the same chat: quoting another is not modelled)."""
    wanted = p.typed("reply_parameters", dict)
    if wanted is None:
        return None
    if not isinstance(wanted.get("message_id"), int) or wanted.get("chat_id", chat.id) != chat.id:
        raise bad("can't parse reply parameters JSON object")
    quoted = tg.messages.get((chat.id, wanted["message_id"]))
    if quoted is None and not wanted.get("allow_sending_without_reply"):
        raise bad("message to be replied not found")
    return quoted


def inline_keyboard(p: Params) -> JSONDict | None:
    """The ``reply_markup``'s inline keyboard, checked, as Telegram echoes it (no other kind is modelled)."""
    markup = p.typed("reply_markup", dict)
    if markup is None:
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad("can't parse reply keyboard markup JSON object")
    for button in (b for row in rows for b in row):
        why = "can't parse inline keyboard button: "
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad(why + 'Field "text" must be of type String')
        actions = sorted(button.keys() - {"text"})  # every other field of a button is what it does
        if not actions:
            raise bad(why + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad(why + "exactly one of the optional fields must be used, got " + ", ".join(actions))
        data = button.get("callback_data", "x")  # (a button without one has another action)
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad("BUTTON_DATA_INVALID")
        url = button.get("url", "https://t.me")
        if not isinstance(url, str) or html.checked_link(url) is None:
            raise bad("BUTTON_URL_INVALID")
        if not button["text"]:
            raise bad("BUTTON_TEXT_INVALID")
    return {"inline_keyboard": [[dict(b) for b in row] for row in rows if row]} if any(rows) else None
