"""Telegram's side: chats, members, messages, and the queue of updates for the bot.

Tests act as Telegram's users through :class:`TelegramState`, which stores what happens and enqueues the
updates Telegram would send; the Bot API methods (:mod:`tests.fakebotapi.methods`) share the same state.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypedDict, Unpack

from tests.fakebotapi import builders, html
from tests.fakebotapi.builders import FakeChat, FakeUser, JSONDict, MemberStatus, StoredMessage, member_json

DEFAULT_TOKEN: Final = "7000000001:AAFakeBangfuTestToken_0123456789abcdef"
"""A well-formed token; as on Telegram, the number before the colon is the bot's user id."""
DEFAULT_USERNAME: Final = "bangfu_test_bot"
"""The bot's username, without ``@``."""

# Updates Telegram leaves out when the bot does not list allowed_updates.
_NOT_BY_DEFAULT: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Service messages reach the bot whatever its privacy mode.
_SERVICE: Final = {"new_chat_members", "left_chat_member", "migrate_to_chat_id", "migrate_from_chat_id"}
GroupKind = Literal["group", "supergroup", "forum"]


class Where(TypedDict, total=False):
    """Where a user's message goes: a reply to ``reply_to``, in the forum topic ``thread_id``."""

    reply_to: StoredMessage
    thread_id: int


@dataclass
class CallbackQuery:
    """A button press, and the bot's answer (``text``, ``show_alert``) once ``answered``."""

    query_id: str
    message: StoredMessage
    user: FakeUser
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False


@dataclass
class Webhook:
    """The webhook ``setWebhook`` registered (the server posts updates there), and how delivery goes: the
    last failed delivery (``last_error_*``, for ``getWebhookInfo``) is tried again after ``retry_delay`` s."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40  # only reported
    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: list[tuple[int, int]] = field(default_factory=list)  # (update_id, HTTP status or 0)
    retry_delay: float = 0.2


class TelegramState:
    """What Telegram knows, and what tests do as its users; ``token`` is the bot's (``<digits>:<secret>``
    makes ``<digits>`` its user id), ``bot_username`` its username without ``@``."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = DEFAULT_USERNAME) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.bot_user = FakeUser(self.bot_id, "帮扶助手", bot_username, is_bot=True)
        # Privacy mode (BotFather's default) is on unless this is True; set it before the bot starts (getMe).
        self.can_read_all_group_messages = False
        self.strict_html_ampersand = True  # refuse an "&" that starts no HTML entity (Telegram keeps it)
        self.users: dict[int, FakeUser] = {self.bot_id: self.bot_user}
        self.chats: dict[int, FakeChat] = {}
        self.members: dict[int, dict[int, MemberStatus]] = {}
        self.topics: dict[int, dict[int, StoredMessage]] = {}
        self.migrated: dict[int, int] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.bot_messages: list[StoredMessage] = []
        self.callback_queries: dict[str, CallbackQuery] = {}  # every button press, by query id
        self.command_menus: dict[tuple[str, str], list[JSONDict]] = {}
        self.queue: deque[JSONDict] = deque()  # the updates no getUpdates offset has confirmed yet
        self.updates_sent: list[JSONDict] = []  # every update ever enqueued, confirmed or not
        self.allowed_updates: frozenset[str] | None = None
        self.long_poll_cap = 60.0  # seconds a getUpdates may wait, whatever timeout the bot asks for
        self.polls_waiting = 0
        self.poll_generation = 0  # a new getUpdates ends the one waiting
        self.closing = False
        self.webhook: Webhook | None = None  # set by setWebhook: updates are then posted to it
        self.outage: Callable[..., Awaitable[None]] | None = None  # a fault every call meets (begin_outage)
        self._message_ids: dict[int, int] = {}
        self._update_ids = itertools.count(10_000)
        self._query_ids = itertools.count(4_387_219_456_001)
        self._changed = asyncio.Event()

    # --- set-up ------------------------------------------------------------------------------------------

    def user(self, id: int, first_name: str, username: str | None = None) -> FakeUser:
        """A human user (positive id), whose client reports Simplified Chinese."""
        if id <= 0:
            raise ValueError("user ids are positive")
        self.users[id] = FakeUser(id, first_name, username, language_code="zh-hans")
        return self.users[id]

    def private_chat(self, user: FakeUser) -> FakeChat:
        """The user's private chat with the bot (as if they had pressed Start); its id is the user's."""
        self.chats[user.id] = FakeChat(user.id, "private", username=user.username, first_name=user.first_name)
        self.users.setdefault(user.id, user)
        for uid in (user.id, self.bot_id):  # a user who blocked the bot keeps it blocked
            self.members.setdefault(user.id, {}).setdefault(uid, "member")
        return self.chats[user.id]

    def group(
        self, chat_id: int, title: str, kind: GroupKind = "group", bot_status: MemberStatus = "member"
    ) -> FakeChat:
        """A group (negative id), a supergroup, or a ``forum`` (``bot_status="left"``: not joined yet)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat_type: Literal["group", "supergroup"] = "group" if kind == "group" else "supergroup"
        self.chats[chat_id] = FakeChat(chat_id, chat_type, title=title, is_forum=kind == "forum")
        self.members.setdefault(chat_id, {})[self.bot_id] = bot_status
        return self.chats[chat_id]

    def add_topic(self, chat: FakeChat, thread_id: int, name: str = "话题") -> StoredMessage:
        """A forum topic; its first message (``forum_topic_created``, not sent to the bot) has its id."""
        if not chat.is_forum or (chat.id, thread_id) in self.messages:
            raise ValueError(f"chat {chat.id} is no forum, or message {thread_id} exists there already")
        created = {"forum_topic_created": {"name": name, "icon_color": 7322096}}
        later = self._message_ids.get(chat.id, 1)
        self._message_ids[chat.id] = thread_id  # a topic's id is that of its first message
        root = self.store_message(chat, FakeUser(5_000_000_001, "Topic Creator"), created)
        self._message_ids[chat.id] = max(later, thread_id + 1)
        root.thread_id, root.is_topic_message, root.delivered = thread_id, True, False
        self.topics.setdefault(chat.id, {})[thread_id] = root
        return root

    def set_admins(self, chat: FakeChat, admins: Mapping[int, Literal["creator", "administrator"]]) -> None:
        """Who administers a group (user ids, the bot's included); earlier admins become members."""
        members = self.members.setdefault(chat.id, {})
        members.update({u: "member" for u, s in members.items() if s in ("creator", "administrator")})
        members.update(admins)

    def status(self, chat: FakeChat, user_id: int) -> MemberStatus:
        """What ``getChatMember`` reports for a user (``member`` unless set otherwise)."""
        return self.members.get(chat.id, {}).get(user_id, "member")

    # --- what users do -----------------------------------------------------------------------------------

    def send_text(self, chat: FakeChat, user: FakeUser, text: str, **where: Unpack[Where]) -> StoredMessage:
        """A user writes; commands (``/cmd``, ``/cmd@bot``) and mentions get entities (UTF-16 offsets)."""
        if not text.strip(html.TRIMMED) or html.utf16_len(text) > html.MAX_MESSAGE_LENGTH:
            raise ValueError("Telegram clients send 1 to 4096 UTF-16 code units")
        return self.send_custom(chat, user, {"text": text, "entities": html.user_entities(text)}, **where)

    def send_media(
        self, chat: FakeChat, user: FakeUser, kind: str, caption: str = "", **where: Unpack[Where]
    ) -> StoredMessage:
        """A user sends a ``sticker``, a ``photo`` or ``document`` (its caption's commands marked), a ``location``."""
        content = builders.media(kind, serial=len(self.messages))
        if caption:
            content |= {"caption": caption, "caption_entities": html.user_entities(caption)}
        return self.send_custom(chat, user, content, **where)

    def send_custom(
        self, chat: FakeChat, user: FakeUser, content: JSONDict, **where: Unpack[Where]
    ) -> StoredMessage:
        """A user sends any ``Message`` fields (``{"contact": …}``); the bot gets them if it :meth:`bot_sees`.

        ``thread_id``, the forum topic, is by default that of the message replied to (``reply_to``)."""
        reply_to, thread_id = where.get("reply_to"), where.get("thread_id")
        if chat.id in self.migrated or chat.id not in self.chats or (reply_to and reply_to.chat != chat):
            raise ValueError(f"chat {chat.id} is gone or unknown, or replied-to is elsewhere")
        if chat.type == "private" and user.id != chat.id:
            raise ValueError("only the chat's own user writes in a private chat")
        if reply_to is not None and thread_id is None and reply_to.is_topic_message:
            thread_id = reply_to.thread_id
        if thread_id is not None and thread_id not in self.topics.get(chat.id, {}):
            raise ValueError(f"chat {chat.id} has no topic {thread_id}; use add_topic()")
        self.users.setdefault(user.id, user)
        self.members.setdefault(chat.id, {}).setdefault(user.id, "member")
        message = self.store_message(chat, user, content, thread_id)
        message.reply_to = reply_to or message.reply_to
        message.delivered = self.bot_sees(message)
        if message.delivered:
            self.enqueue("message", message.to_api())
        return message

    def edit_text(self, message: StoredMessage, text: str) -> StoredMessage:
        """A user edits their message; the bot gets ``edited_message`` if it got the original."""
        if message.from_bot or message.text is None:
            raise ValueError("users edit only their own text messages")
        message.history.append(message.text)
        message.text, message.entities, message.edit_date = text, html.user_entities(text), int(time.time())
        if message.delivered:
            self.enqueue("edited_message", message.to_api())
        return message

    def press_button(self, message: StoredMessage, user: FakeUser, button: str) -> str:
        """A user presses a button of the bot's message (by data or label); returns the query's id."""
        labels = {b["text"]: b.get("callback_data") for row in message.buttons for b in row}
        data = button if button in message.callback_data else labels.get(button)
        if not message.from_bot or data is None:
            raise ValueError(f"no button {button!r}; the message has {message.button_texts}")
        query = CallbackQuery(str(next(self._query_ids)), message, user, data)
        self.callback_queries[query.query_id] = query
        chat_instance = str((message.chat.id * 2654435761) % 10**19)
        payload = {"id": query.query_id, "from": user.to_api(), "message": message.to_api(), "data": data}
        self.enqueue("callback_query", payload | {"chat_instance": chat_instance})
        return query.query_id

    def add_bot_to_group(self, chat: FakeChat, by: FakeUser, *, as_admin: bool = False) -> None:
        """A user adds the bot to a group: ``my_chat_member`` (left → member), then the service message."""
        self._bot_status(chat, by, "administrator" if as_admin else "member")
        me = self.bot_user.to_api()
        content = {"new_chat_members": [me], "new_chat_member": me, "new_chat_participant": me}
        self.enqueue("message", self.store_message(chat, by, content).to_api())

    def remove_bot_from_group(self, chat: FakeChat, by: FakeUser) -> None:
        """A user removes the bot from a group (``my_chat_member``: member → kicked)."""
        self._bot_status(chat, by, "kicked")

    def block_bot(self, user: FakeUser) -> None:
        """The user blocks the bot (``my_chat_member`` in their chat); sending to them then answers 403."""
        self._bot_status(self.chats.get(user.id) or self.private_chat(user), user, "kicked")

    def migrate_to_supergroup(self, chat: FakeChat, new_chat_id: int, by: FakeUser | None = None) -> FakeChat:
        """A basic group becomes a supergroup, as Telegram reports it; returns the supergroup.

        The old group gets a ``migrate_to_chat_id`` message (from ``by``, by default its creator), the new one
        a ``migrate_from_chat_id`` message; calls naming the old id then answer 400 (``ChatMigrated``)."""
        if chat.type != "group" or new_chat_id in self.chats:
            raise ValueError("only a basic group migrates, to a new id")
        members = self.members.setdefault(chat.id, {})
        owner = next((self.users[u] for u, s in members.items() if s == "creator" and u in self.users), None)
        by = by or owner or FakeUser(5_000_000_002, "Group Owner")
        new_chat = FakeChat(new_chat_id, "supergroup", title=chat.title, username=chat.username)
        self.chats[new_chat_id], self.members[new_chat_id] = new_chat, dict(members)
        old = self.store_message(chat, by, {"migrate_to_chat_id": new_chat_id})
        self.migrated[chat.id] = new_chat_id
        new = self.store_message(new_chat, builders.GROUP_ANONYMOUS_BOT, {"migrate_from_chat_id": chat.id})
        new.sender_chat = new_chat
        for message in (old, new):
            message.delivered = self.status(message.chat, self.bot_id) not in ("left", "kicked")
            if message.delivered:
                self.enqueue("message", message.to_api())
        return new_chat

    # --- what tests look at ------------------------------------------------------------------------------

    def sent_messages(self, chat: FakeChat | None = None) -> list[StoredMessage]:
        """The messages the bot sent (in ``chat``), oldest first; edits change them in place."""
        return [m for m in self.bot_messages if chat is None or m.chat.id == chat.id]

    def message(self, chat: FakeChat, message_id: int) -> StoredMessage:
        """Any message by chat and id (KeyError if there is none)."""
        return self.messages[(chat.id, message_id)]

    def callback_answer(self, query_id: str) -> CallbackQuery | None:
        """The button press, once the bot has answered it; None before."""
        query = self.callback_queries.get(query_id)
        return query if query is not None and query.answered else None

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command menu ``setMyCommands`` set for exactly this scope (default ``{"type": "default"}``)."""
        return list(self.command_menus.get((scope_key(scope or {"type": "default"}), language_code), []))

    # --- for the Bot API methods -------------------------------------------------------------------------

    def bot_sees(self, message: StoredMessage) -> bool:
        """Whether Telegram delivers a user's message to the bot: with privacy mode on and no admin rights in
        a group, only commands (not ``/cmd@other_bot``), mentions of it, replies to it, service messages."""
        chat, status = message.chat, self.status(message.chat, self.bot_id)
        if status in ("left", "kicked"):
            return False
        admin = status in ("creator", "administrator")
        if chat.type == "private" or admin or self.can_read_all_group_messages:
            return True
        if _SERVICE & message.content.keys() or (message.reply_to is not None and message.reply_to.from_bot):
            return True
        text = message.text if message.text is not None else message.content.get("caption")
        if not isinstance(text, str):
            return False
        me = (self.bot_user.username or "").lower()
        if text.startswith("/"):
            command = html.COMMAND_RE.match(text)
            if command is None or (command.group(2) or me).lower() == me:
                return True
        return any(m.group(1).lower() == me for m in html.MENTION_RE.finditer(text))

    def store_message(
        self, chat: FakeChat, sender: FakeUser, content: JSONDict, thread_id: int | None = None
    ) -> StoredMessage:
        """A new message under the chat's next id (``content``'s ``text`` and ``entities`` become fields);
        in a forum topic it replies to the topic's first message, as Telegram reports it."""
        message_id = self._message_ids.get(chat.id, 1)
        self._message_ids[chat.id] = message_id + 1
        content = dict(content)
        message = StoredMessage(message_id, chat, sender, int(time.time()), text=content.pop("text", None))
        message.entities, message.content = content.pop("entities", []), content
        root = self.topics.get(chat.id, {}).get(thread_id or 0)
        message.thread_id, message.is_topic_message, message.reply_to = thread_id, root is not None, root
        self.messages[(chat.id, message_id)] = message
        return message

    def enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queues an update for the bot (any: ``enqueue("message", {...})``) and wakes a waiting long poll."""
        update: JSONDict = {"update_id": next(self._update_ids), kind: payload}
        self.queue.append(update)
        self.updates_sent.append(update)
        self.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forgets the updates a ``getUpdates`` offset confirms (a negative one keeps the last -offset)."""
        if offset > 0:
            while self.queue and self.queue[0]["update_id"] < offset:
                self.queue.popleft()
        while offset < 0 and len(self.queue) > -offset:
            self.queue.popleft()

    def take_updates(self, limit: int) -> list[JSONDict]:
        """Up to ``limit`` queued updates the bot wants (they stay queued until an offset confirms them)."""
        batch: list[JSONDict] = []
        for update in list(self.queue):
            kind = next(k for k in update if k != "update_id")
            wanted = kind in self.allowed_updates if self.allowed_updates else kind not in _NOT_BY_DEFAULT
            if not wanted:
                self.queue.remove(update)  # as on Telegram, an update the bot does not want is dropped
            elif len(batch) < limit:
                batch.append(update)
        return batch

    def notify(self) -> None:
        """Wakes everything waiting for a change (long polls, tests' waits)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, within: float) -> None:
        """Waits up to ``within`` seconds for the next :meth:`notify`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self._changed.wait()

    async def wait_until(self, condition: Callable[[], bool], within: float) -> bool:
        """Waits until ``condition()`` holds (checked at each change); False after ``within`` seconds."""
        deadline = time.monotonic() + within
        while not condition():
            if (remaining := deadline - time.monotonic()) <= 0:
                return False
            await self.changed(remaining)
        return True

    def _bot_status(self, chat: FakeChat, by: FakeUser, new: MemberStatus) -> None:
        members = self.members.setdefault(chat.id, {})
        old = members.get(self.bot_id, "member" if new == "kicked" else "left")
        members[self.bot_id] = new
        members.setdefault(by.id, "member")
        change = {"chat": chat.to_api(), "from": by.to_api(), "date": int(time.time())}
        change["old_chat_member"] = member_json(chat, self.bot_user, old)
        change["new_chat_member"] = member_json(chat, self.bot_user, new)
        self.enqueue("my_chat_member", change)


def scope_key(scope: JSONDict) -> str:
    """A ``BotCommandScope`` as a key: its type, and its chat and user if any."""
    return json.dumps({k: scope[k] for k in ("type", "chat_id", "user_id") if k in scope}, sort_keys=True)
