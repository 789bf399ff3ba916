"""Groups: answering only when addressed (or, in ``auto`` mode, when clearly asked), /settings, joining,
and following a group's migration to a supergroup.

A message is addressed to the bot when it is a command for it (``/help``, ``/help@bangfu_bot``; the
command handlers take those), mentions ``@bangfu_bot``, or replies to one of the bot's messages. Anything
else is chatter, and chatter gets silence, unless an admin switched the group to ``auto``: then a message
the engine is highly confident is a question about the guideline is answered too.
"""

from __future__ import annotations

import logging
import re

from telegram import (
    Bot,
    Chat,
    ChatMember,
    ChatMemberRestricted,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.channels.telegram import texts
from bot.channels.telegram.feedback import log_answer
from bot.channels.telegram.handlers import answer_question, full_help_reply, is_group, reply_with
from bot.channels.telegram.outbox import Destination, edit, send
from bot.channels.telegram.render import Button, Rendered, callback_data, render_text_block
from bot.channels.telegram.services import Context
from bot.channels.telegram.store import GroupMode
from bot.compose.reply import ReplyKind
from bot.engine import Engine, Understanding
from bot.nlu import tuning

logger = logging.getLogger(__name__)

SETTINGS = "s"
SETTINGS_PATTERN = rf"^{SETTINGS}:"
_ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
_PRESENT_STATUSES = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)
# Leading punctuation left over once "@bangfu_bot," is taken out of "@bangfu_bot,万州区扶贫办电话".
_LEFTOVER = " \t\n,,.。::;;!!??、"


def mention_pattern(username: str) -> re.Pattern[str]:
    """Matches ``@username`` (any case, not as the start of a longer name)."""
    return re.compile(rf"@{re.escape(username)}(?![A-Za-z0-9_])", re.IGNORECASE)


def mentions_bot(message: Message, bot: User) -> bool:
    """Whether the message mentions the bot (``@username``, or a text mention of its account)."""
    entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    username = (bot.username or "").lower()
    for entity, text in entities.items():
        if entity.type == MessageEntity.MENTION and text.lower() == f"@{username}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id:
            return True
    return False


def is_reply_to_bot(message: Message, bot: User) -> bool:
    """Whether the message replies to one of the bot's messages."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
        return False
    # In a forum, a message without a reply "replies" to its topic's first message: that is no reply.
    return replied.forum_topic_created is None


def strip_mention(text: str, username: str) -> str:
    """The question without ``@username`` and the punctuation it leaves at the start."""
    if not username:
        return text.strip()
    return mention_pattern(username).sub(" ", text).lstrip(_LEFTOVER).strip()


def auto_answerable(understanding: Understanding, text: str) -> bool:
    """Whether ``auto`` mode answers an unaddressed message the engine understood this way.

    The engine must have accepted an intent that is not small talk, found evidence that the message is
    about the guideline (a place, an organization type or a domain word), and be highly confident; and the
    message must read as a question or a request.
    """
    intent = understanding.intent
    return (
        intent is not None
        and not intent.smalltalk
        and not intent.decline
        and understanding.analysis.evidence
        and understanding.confidence >= tuning.AUTO_MIN_CONFIDENCE
        and len(text) <= tuning.AUTO_MAX_CHARS
        and understanding.analysis.asking
    )


def _from_person(message: Message) -> bool:
    """Whether a person wrote it: not another bot, not a channel post forwarded into a discussion group."""
    if message.is_automatic_forward or message.via_bot is not None:
        return False
    if message.sender_chat is not None:
        return message.sender_chat.id == message.chat.id  # an anonymous admin writing as the group
    return message.from_user is not None and not message.from_user.is_bot


async def group_text(update: Update, context: Context) -> None:
    """A text message in a group: answered when addressed, or in auto mode when clearly a question."""
    message = update.message
    if message is None or message.text is None or not _from_person(message):
        return
    me = context.bot.bot
    if mentions_bot(message, me) or is_reply_to_bot(message, me):
        question = strip_mention(message.text, me.username or "")
        if question:
            await answer_question(context, message, question)
        else:
            await reply_with(
                context, message, full_help_reply(context.services.kb, group_username=me.username)
            )
        return
    deps = context.services
    if deps.store.group_mode(message.chat.id) is GroupMode.AUTO:
        await _auto_answer(context, message, deps.engine)


async def _auto_answer(context: Context, message: Message, engine: Engine) -> None:
    text = message.text or ""
    understanding = engine.understand(text)
    if not auto_answerable(understanding, text):
        return
    reply = engine.reply_to(understanding)
    if reply.kind is ReplyKind.ANSWER:
        logger.debug("auto-answering in chat %s: %s (%.2f)", message.chat.id, reply.intent, reply.confidence)
        rows = log_answer(context.services, message.chat.type, text, reply)
        await reply_with(context, message, reply, extra_rows=rows)


# --- /settings ----------------------------------------------------------------------------------


async def is_admin(bot: Bot, chat: Chat, user: User | None, sender_chat: Chat | None = None) -> bool:
    """Whether the sender administers the group, as the Bot API says (never trusted from the message).

    Raises:
        TelegramError: The Bot API could not be asked.
    """
    if sender_chat is not None and sender_chat.id == chat.id:
        return True  # only admins can write anonymously as the group itself
    if user is None:
        return False
    member = await bot.get_chat_member(chat.id, user.id)
    return member.status in _ADMIN_STATUSES


def settings_panel(mode: GroupMode, bot_reads_all: bool) -> Rendered:
    """The settings message: the current mode, what it means, and a button per mode."""
    text = texts.SETTINGS_PROMPT.format(
        mode=texts.MODE_NAMES[mode.value], description=texts.MODE_DESCRIPTIONS[mode.value]
    )
    if mode is GroupMode.AUTO and not bot_reads_all:
        text += "\n\n" + texts.SETTINGS_PRIVACY_NOTE
    buttons = tuple(
        (
            Button(
                texts.MODE_SELECTED.format(name=texts.MODE_NAMES[m.value])
                if m is mode
                else texts.MODE_NAMES[m.value],
                callback_data(SETTINGS, m.value),
            ),
        )
        for m in GroupMode
    )
    return render_text_block(text, keyboard=buttons)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: group admins choose the answering mode; others get a short refusal."""
    message = update.message
    if message is None:
        return
    deps = context.services
    where = Destination.answering(message)
    if not is_group(message):
        await send(context.bot, where, render_text_block(texts.SETTINGS_ONLY_IN_GROUPS), deps.store)
        return
    try:
        admin = await is_admin(context.bot, message.chat, message.from_user, message.sender_chat)
    except TelegramError as exc:
        logger.warning("could not check admin status in chat %s: %s", message.chat.id, exc)
        await send(context.bot, where, render_text_block(texts.SETTINGS_CHECK_FAILED), deps.store)
        return
    if not admin:
        await send(context.bot, where, render_text_block(texts.SETTINGS_NOT_ADMIN), deps.store)
        return
    panel = settings_panel(
        deps.store.group_mode(message.chat.id), bool(context.bot.bot.can_read_all_group_messages)
    )
    await send(context.bot, where, panel, deps.store)


async def settings_button(update: Update, context: Context) -> None:
    """A mode button of the settings message: only an admin's press changes the mode."""
    query = update.callback_query
    if query is None or query.data is None or not isinstance(query.message, Message):
        return
    chat = query.message.chat
    try:
        mode = GroupMode(query.data.removeprefix(f"{SETTINGS}:"))
    except ValueError:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    try:
        admin = await is_admin(context.bot, chat, query.from_user)
    except TelegramError as exc:
        logger.warning("could not check admin status in chat %s: %s", chat.id, exc)
        await query.answer(texts.SETTINGS_CHECK_FAILED, show_alert=True)
        return
    if not admin:
        await query.answer(texts.SETTINGS_NOT_ADMIN, show_alert=True)
        return
    deps = context.services
    await deps.store.set_group_mode(chat.id, mode)
    logger.info("chat %s: mode set to %s by user %s", chat.id, mode.value, query.from_user.id)
    await query.answer(texts.SETTINGS_SAVED)
    await edit(
        context.bot,
        query.message,
        settings_panel(mode, bool(context.bot.bot.can_read_all_group_messages)),
        deps.store,
    )


# --- joining, leaving, migrating ----------------------------------------------------------------


def _present(member: ChatMember) -> bool:
    if member.status in _PRESENT_STATUSES:
        return True
    # A restricted member may still be in the chat (it cannot post some kinds of message).
    return isinstance(member, ChatMemberRestricted) and member.is_member


def joined(change: ChatMemberUpdated) -> bool | None:
    """True if the bot joined, False if it left or was removed, None if its membership did not change."""
    before, after = _present(change.old_chat_member), _present(change.new_chat_member)
    return None if before == after else after


async def bot_membership(update: Update, context: Context) -> None:
    """The bot was added to or removed from a chat: introduces itself in a group it joins."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    status = joined(change)
    logger.info(
        "chat %s (%s): bot membership %s -> %s",
        chat.id,
        chat.type,
        change.old_chat_member.status,
        change.new_chat_member.status,
    )
    if status is not True or chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    deps = context.services
    text = texts.GROUP_INTRODUCTION.format(title=deps.kb.document.title, username=context.bot.username)
    await send(context.bot, Destination(chat.id), render_text_block(text), deps.store)


async def migration(update: Update, context: Context) -> None:
    """A group became a supergroup: its settings follow it to the new chat id."""
    message = update.message
    if message is None:
        return
    old = message.migrate_from_chat_id or message.chat.id
    new = message.migrate_to_chat_id or message.chat.id
    # Only the store needs moving: the bot keeps nothing in chat_data (python-telegram-bot's
    # migrate_chat_data would, on the second of the two migration messages, overwrite the moved data).
    await context.services.store.migrate_group(old, new)
