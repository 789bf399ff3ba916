"""The Bot API objects the fake keeps and sends: users, chats, messages, chat members, media.

Each class keeps what tests look at; ``to_api()`` gives the JSON Telegram would send for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

JSONDict = dict[str, Any]
"""A JSON object as the Bot API sends or receives it."""

MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]
"""The ``status`` of a ``ChatMember`` (``restricted`` is not modelled)."""


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user, or the bot itself."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JSONDict:
        """The Bot API ``User`` (its fields are named as the Bot API names them)."""
        return _present(**asdict(self))


GROUP_ANONYMOUS_BOT: Final = FakeUser(1087968824, "Group", "GroupAnonymousBot", is_bot=True)
"""The sender Telegram shows for anonymous admins and for a migrated group's first message."""


@dataclass(frozen=True)
class FakeChat:
    """A private chat (its id is the user's), a group or a supergroup (negative ids)."""

    id: int
    type: Literal["private", "group", "supergroup"]
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    is_forum: bool = False

    @property
    def is_group(self) -> bool:
        """Whether this is a basic group or a supergroup."""
        return self.type != "private"

    def to_api(self) -> JSONDict:
        """The Bot API ``Chat`` (its fields are named as the Bot API names them)."""
        return _present(**asdict(self) | {"is_forum": self.is_forum or None})


@dataclass(eq=False)
class StoredMessage:
    """A message in a chat, sent by the bot or by a test user: ``text`` and ``entities`` as Telegram keeps
    them (HTML parsed, trimmed, UTF-16 offsets), ``source_text`` and ``parse_mode`` as the bot sent them.
    ``reply_to`` is the message replied to; in a forum topic, by default the topic's first message."""

    message_id: int
    chat: FakeChat
    sender: FakeUser
    date: int
    from_bot: bool = False
    text: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    content: JSONDict = field(default_factory=dict)  # other Message fields (sticker, photo, caption …)
    reply_markup: JSONDict | None = None  # the inline keyboard; tests may replace it to press old buttons
    thread_id: int | None = None  # the forum topic, if any
    is_topic_message: bool = False
    reply_to: StoredMessage | None = None
    sender_chat: FakeChat | None = None
    edit_date: int | None = None
    delivered: bool = True  # for a user's message: whether the bot got it (privacy mode may hide it)
    source_text: str | None = None
    parse_mode: str | None = None
    history: list[str] = field(default_factory=list)  # earlier texts, oldest first, one per edit

    @property
    def buttons(self) -> list[list[JSONDict]]:
        """Rows of the inline keyboard; empty without one."""
        return [list(row) for row in (self.reply_markup or {}).get("inline_keyboard", [])]

    @property
    def callback_data(self) -> list[str]:
        """Every button's ``callback_data``, row by row."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def button_texts(self) -> list[str]:
        """Every button's label, row by row."""
        return [str(b.get("text", "")) for row in self.buttons for b in row]

    def entity_texts(self, entity_type: str) -> list[str]:
        """The pieces of ``text`` that entities of one type (``"bold"``, ``"italic"`` …) cover, in order."""
        units = (self.text or "").encode("utf-16-le")
        return [
            units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in self.entities
            if e["type"] == entity_type
        ]

    def to_api(self, *, include_reply: bool = True) -> JSONDict:
        """The Bot API ``Message``; a replied-to message is embedded one level deep, as Telegram does."""
        reply = self.reply_to.to_api(include_reply=False) if self.reply_to and include_reply else None
        sender_chat = self.sender_chat.to_api() if self.sender_chat else None
        data: JSONDict = {"message_id": self.message_id, "from": self.sender.to_api(), "date": self.date}
        data |= _present(chat=self.chat.to_api(), message_thread_id=self.thread_id, sender_chat=sender_chat)
        data |= _present(is_topic_message=self.is_topic_message or None, reply_to_message=reply)
        data |= _present(text=self.text, entities=self.entities or None, edit_date=self.edit_date)
        data |= _present(reply_markup=self.reply_markup)
        return data | self.content


def member_json(chat: FakeChat, user: FakeUser, status: MemberStatus) -> JSONDict:
    """The Bot API ``ChatMember`` of ``user`` in ``chat``, with the fields python-telegram-bot requires."""
    data: JSONDict = {"user": user.to_api(), "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        rights = ("manage_chat", "delete_messages", "manage_video_chats", "restrict_members", "change_info")
        data |= {"can_be_edited": False, "is_anonymous": False, "can_promote_members": False}
        data |= {f"can_{right}": True for right in (*rights, "invite_users", "pin_messages")}
        data |= {f"can_{verb}_stories": False for verb in ("post", "edit", "delete")}
        data |= {"can_manage_topics": True} if chat.is_forum else {}
    elif status == "kicked":
        data["until_date"] = 0
    return data


def media(kind: str, serial: int) -> JSONDict:
    """The ``Message`` content of a ``sticker``, ``photo``, ``location`` or ``document`` a user sends."""
    file = {"file_id": f"AgACAgUAAx{kind}{serial:08d}", "file_unique_id": f"AQAD{serial:06d}"}
    sticker = {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
    contents: dict[str, JSONDict] = {
        "sticker": {"sticker": file | sticker | {"emoji": "👍"}},
        "photo": {"photo": [file | {"width": w, "height": h} for w, h in ((90, 67), (320, 240), (800, 600))]},
        "location": {"location": {"latitude": 29.563, "longitude": 106.551}},  # central Chongqing
        "document": {"document": file | {"file_name": "通知.pdf", "mime_type": "application/pdf"}},
    }
    return contents[kind]


def _present(**fields: Any) -> JSONDict:
    """The fields that are not None (the Bot API leaves absent fields out)."""
    return {key: value for key, value in fields.items() if value is not None}
