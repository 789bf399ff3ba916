"""Sending rendered replies: to the right chat and forum topic, quoting the question in groups."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated

from bot.channels.telegram.render import Rendered
from bot.channels.telegram.store import Store

logger = logging.getLogger(__name__)

# Answers cite the guideline, not web pages; a preview of the one link (中国社会扶贫网) would only add noise.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


@dataclass(frozen=True)
class Destination:
    """Where a reply goes.

    Attributes:
        chat_id: The chat.
        thread_id: The forum topic, or None outside topics.
        reply_to: The message the first part quotes, or None.
    """

    chat_id: int
    thread_id: int | None = None
    reply_to: int | None = None

    @classmethod
    def answering(cls, message: Message) -> Destination:
        """The answer to ``message``: same chat and forum topic; in a group it quotes the question."""
        thread = message.message_thread_id if message.is_topic_message else None
        quote = message.message_id if message.chat.type in _GROUP_TYPES else None
        return cls(message.chat.id, thread, quote)


async def send(bot: Bot, where: Destination, rendered: Rendered, store: Store) -> list[Message]:
    """Sends a rendered reply, its buttons under the last message.

    The questions the buttons ask are stored first, so a button never arrives before its key is known.

    Returns:
        The messages sent, in order.
    """
    await store.remember_queries(rendered.queries)
    markup = rendered.markup
    sent: list[Message] = []
    last = len(rendered.chunks) - 1
    for index, chunk in enumerate(rendered.chunks):
        while True:
            quote = (
                ReplyParameters(where.reply_to, allow_sending_without_reply=True)
                if where.reply_to is not None and index == 0
                else None
            )
            try:
                message = await bot.send_message(
                    where.chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if index == last else None,
                    message_thread_id=where.thread_id,
                    reply_parameters=quote,
                    link_preview_options=NO_PREVIEW,
                )
            except ChatMigrated as moved:
                where = await _follow_migration(where, moved.new_chat_id, store)
                continue
            sent.append(message)
            break
    return sent


async def _follow_migration(where: Destination, new_chat_id: int, store: Store) -> Destination:
    """The group became a supergroup while its answer was on the way: its settings and the answer move along.

    The question's message has another id in the supergroup, so the answer no longer quotes it.
    """
    if new_chat_id == where.chat_id:
        raise RuntimeError(f"chat {new_chat_id} migrated to itself")
    await store.migrate_group(where.chat_id, new_chat_id)
    logger.info("chat %s became %s while answering; sending there", where.chat_id, new_chat_id)
    return Destination(new_chat_id)


async def edit(bot: Bot, message: Message, rendered: Rendered, store: Store) -> None:
    """Replaces the text and buttons of one of the bot's messages (browsing in place).

    A reply longer than one message keeps its first part here and sends the rest after it. Pressing the
    same button twice would change nothing, which Telegram refuses as "message is not modified": that is
    not an error here.
    """
    await store.remember_queries(rendered.queries)
    first, rest = rendered.chunks[0], rendered.chunks[1:]
    try:
        await bot.edit_message_text(
            first,
            chat_id=message.chat.id,
            message_id=message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=None if rest else rendered.markup,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
        logger.debug("message %s in chat %s already shows this", message.message_id, message.chat.id)
    if rest:
        thread = message.message_thread_id if message.is_topic_message else None
        await send(bot, Destination(message.chat.id, thread), Rendered(rest, rendered.keyboard), store)
