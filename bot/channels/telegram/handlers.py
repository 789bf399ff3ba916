"""Commands, questions, buttons and errors: the handlers every chat shares.

In a private chat every text message is a question. Groups decide first whether a message is for the bot
(:mod:`bot.channels.telegram.groups`) and then answer through :func:`answer_question` like here.
"""

from __future__ import annotations

import dataclasses
import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import ChatMigrated, Conflict, Forbidden, NetworkError, TelegramError

from bot.channels.telegram import texts
from bot.channels.telegram.feedback import log_answer
from bot.channels.telegram.outbox import Destination, send
from bot.channels.telegram.render import QUESTION, Keyboard, render_reply, render_text_block
from bot.channels.telegram.sender import DeliveryUnknownError
from bot.channels.telegram.services import Context
from bot.compose.districts import district_reply
from bot.compose.document import about_reply
from bot.compose.participation import reporting_reply
from bot.compose.reply import Reply, ReplyKind, Section
from bot.compose.smalltalk import help_reply
from bot.data.knowledge import KnowledgeBase

logger = logging.getLogger(__name__)


def welcome_reply(kb: KnowledgeBase) -> Reply:
    """/start: a greeting, what the bot can do, the commands, and example questions as buttons."""
    about = help_reply(kb)
    return dataclasses.replace(
        about,
        sections=(
            Section(None, (texts.GREETING,)),
            *about.sections,
            Section(texts.COMMANDS_TITLE, texts.COMMAND_LINES),
            Section(None, (texts.ASK_DIRECTLY,)),
        ),
    )


def full_help_reply(kb: KnowledgeBase, *, group_username: str | None = None) -> Reply:
    """/help: what the bot can do, the commands, and (in a group) how to address the bot."""
    about = help_reply(kb)
    sections = [*about.sections, Section(texts.COMMANDS_TITLE, texts.COMMAND_LINES)]
    if group_username:
        sections.append(Section(None, (texts.GROUP_HOW_TO_ASK.format(username=group_username),)))
    return dataclasses.replace(about, sections=tuple(sections))


def is_group(message: Message) -> bool:
    """Whether a message was sent in a basic group or a supergroup."""
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def reply_with(
    context: Context,
    message: Message,
    reply: Reply,
    *,
    question: str | None = None,
    extra_rows: Keyboard = (),
) -> None:
    """Sends ``reply`` as the answer to ``message`` (same chat and topic; quoting it in groups)."""
    deps = context.services
    rendered = render_reply(reply, question=question, extra_rows=extra_rows)
    await send(context.bot, Destination.answering(message), rendered, deps.store)


def conversation_key(chat_id: int, thread_id: int | None, user_id: int | None) -> tuple[int, int, int]:
    """Whose conversation a message belongs to: the user's in a private chat; in a group the chat's, forum
    topic's and user's, so that two members' follow-ups do not mix."""
    return (chat_id, thread_id or 0, user_id or 0)


def message_conversation_key(message: Message) -> tuple[int, int, int]:
    """The conversation a message belongs to."""
    thread = message.message_thread_id if message.is_topic_message else None
    user = message.from_user.id if message.from_user else None
    return conversation_key(message.chat.id, thread, user)


async def answer_question(context: Context, message: Message, question: str) -> None:
    """Answers a question asked in ``message`` with the engine's reply, as a follow-up of its conversation
    (counted in the metrics); logs it, with feedback buttons under the answer.

    Advertising, spam and attempts to give the bot instructions get a short decline in a private chat and
    no answer at all in a group.
    """
    deps = context.services
    with context.bot_data.metrics.question() as counted:
        conversation = deps.conversations.get(message_conversation_key(message))
        reply = deps.engine.answer(question, conversation)
        counted.declined(reply.intent is None)
        logger.debug("chat %s: %s (%.2f)", message.chat.id, reply.intent, reply.confidence)
        if reply.kind is ReplyKind.REFUSE and is_group(message):
            return
        rows = log_answer(deps, message.chat.type, question, reply)
        await reply_with(context, message, reply, extra_rows=rows)


# --- commands -----------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start: the welcome, or the district a deep link names (``/start district_wanzhou``)."""
    message = update.message
    if message is None:
        return
    deps = context.services
    deps.conversations.forget(message_conversation_key(message))
    payload = context.args[0] if context.args else ""
    district = deps.districts.from_deep_link(payload) if payload else None
    if district is not None:
        await reply_with(context, message, district_reply(deps.kb, district))
        return
    await reply_with(context, message, welcome_reply(deps.kb))


async def reset(update: Update, context: Context) -> None:
    """/reset: forgets what the conversation was about, so the next question starts afresh."""
    message = update.message
    if message is None:
        return
    context.services.conversations.forget(message_conversation_key(message))
    await _say(context, message, texts.RESET_DONE)


async def help_command(update: Update, context: Context) -> None:
    """/help: what the bot can do and how to ask."""
    message = update.message
    if message is None:
        return
    username = context.bot.username if is_group(message) else None
    await reply_with(context, message, full_help_reply(context.services.kb, group_username=username))


async def report(update: Update, context: Context) -> None:
    """/report: the reporting and follow-up requirements."""
    if update.message is not None:
        await reply_with(context, update.message, reporting_reply(context.services.kb))


async def about(update: Update, context: Context) -> None:
    """/about: the source document, its date, and the age of its contacts."""
    if update.message is not None:
        await reply_with(context, update.message, about_reply(context.services.kb))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in a private chat: points to /help."""
    if update.message is not None:
        await _say(context, update.message, texts.UNKNOWN_COMMAND)


async def nothing_to_cancel(update: Update, context: Context) -> None:
    """/cancel outside a guided plan."""
    if update.message is not None:
        await _say(context, update.message, texts.NOTHING_TO_CANCEL)


async def _say(context: Context, message: Message, text: str) -> None:
    await send(context.bot, Destination.answering(message), render_text_block(text), context.services.store)


# --- messages -----------------------------------------------------------------------------------


async def private_text(update: Update, context: Context) -> None:
    """A text message in a private chat, or a photo or document's caption: a question."""
    message = update.message
    question = None if message is None else message.text or message.caption
    if message is None or not question:
        return
    await answer_question(context, message, question)


async def private_non_text(update: Update, context: Context) -> None:
    """A photo, sticker, location … in a private chat: explains that only text is understood."""
    if update.message is not None:
        await _say(context, update.message, texts.NON_TEXT_HINT)


# --- buttons ------------------------------------------------------------------------------------


def button_destination(query: CallbackQuery) -> Destination | None:
    """Where the answer to a pressed button goes: below the button's message, in its topic."""
    message = query.message
    if not isinstance(message, Message):
        return None  # too old to be accessible: nowhere to answer
    thread = message.message_thread_id if message.is_topic_message else None
    return Destination(message.chat.id, thread, message.message_id if is_group(message) else None)


async def question_button(update: Update, context: Context) -> None:
    """A button that asks a question (a suggestion or a "did you mean" choice)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    deps = context.services
    question = deps.store.query(query.data.removeprefix(f"{QUESTION}:"))
    where = button_destination(query)
    if question is None or where is None:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    await query.answer()
    thread = where.thread_id
    conversation = deps.conversations.get(conversation_key(where.chat_id, thread, query.from_user.id))
    with context.bot_data.metrics.question() as counted:
        reply = deps.engine.answer(question, conversation)
        counted.declined(reply.intent is None)
        chat_type = query.message.chat.type if isinstance(query.message, Message) else ChatType.PRIVATE
        rows = log_answer(deps, chat_type, question, reply)
        await send(context.bot, where, render_reply(reply, question=question, extra_rows=rows), deps.store)


async def help_button(update: Update, context: Context) -> None:
    """The "使用说明" button under a declined answer."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    where = button_destination(query)
    if where is not None:
        await send(
            context.bot, where, render_reply(full_help_reply(context.services.kb)), context.services.store
        )


async def expired_button(update: Update, context: Context) -> None:
    """A button whose data no handler knows (from an older version of the bot)."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.BUTTON_EXPIRED)


# --- errors -------------------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Logs an error with its traceback and keeps running; apologizes in a private chat."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, ChatMigrated) and chat is not None:
        # A reply went to a group that has meanwhile become a supergroup.
        await context.services.store.migrate_group(chat.id, error.new_chat_id)
        logger.info("chat %s moved to %s; settings follow it", chat.id, error.new_chat_id)
        return
    if isinstance(error, Forbidden):
        # The sender logs this once per chat (a user who blocked the bot, a group that removed it).
        logger.debug("cannot write to chat %s: %s", chat.id if chat else None, error)
        return
    if update is None and isinstance(error, Conflict):
        logger.error("another process is polling with this bot's token; stop it (%s)", error)
        return
    if update is None and isinstance(error, NetworkError):
        # Fetching updates failed (Telegram or the network hiccupped); polling retries by itself.
        logger.warning("cannot fetch updates, retrying: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error(
        "error while handling update %s in chat %s", update_id, chat.id if chat else None, exc_info=error
    )
    if chat is None or chat.type != ChatType.PRIVATE or isinstance(error, DeliveryUnknownError):
        return  # in groups a stray apology would be noise; an answer that may have arrived needs none
    try:
        await context.bot.send_message(chat.id, texts.ERROR_APOLOGY)
    except TelegramError as exc:
        logger.warning("could not apologize in chat %s: %s", chat.id, exc)
