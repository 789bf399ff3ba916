"""/plan: a guided plan. Organization type → district → optional theme → one tailored plan.

Each step edits the same message. The buttons carry every choice made so far, so any of them works on its
own (after a restart, or pressed again from an earlier step); the conversation only remembers that the
user is in the middle of a plan, to answer stray messages with a hint and to end with /cancel.

Callback data (all ASCII, at most 64 bytes; checked by :func:`bot.channels.telegram.render.callback_data`):

==================================  ===========================================
``p:o:<org>``                       organization type chosen → choose a district
``p:d:<org>:<slug>``                district chosen → choose a theme (or skip)
``p:t:<org>:<slug>:<theme>``        theme chosen (``-`` = skipped) → the plan
==================================  ===========================================
"""

from __future__ import annotations

import logging
import time
import warnings

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.channels.telegram import texts
from bot.channels.telegram.handlers import answer_question
from bot.channels.telegram.outbox import Destination, edit, send
from bot.channels.telegram.render import (
    Button,
    Rendered,
    callback_data,
    render_reply,
    render_text_block,
    rows_of,
)
from bot.channels.telegram.services import Context, Services
from bot.compose.activities import plan_reply
from bot.data.schema import ActivityGroup

logger = logging.getLogger(__name__)

PLAN = "p"
PATTERN = rf"^{PLAN}:"
NO_THEME = "-"
PLANNING = 0
# A plan left unfinished this long no longer holds up the chat: the next message is a question again.
PLAN_IDLE_SECONDS = 15 * 60
DISTRICTS_PER_ROW = 3
THEMES_PER_ROW = 2
_STARTED = "plan_started"


def org_step(deps: Services) -> Rendered:
    """Step 1: the organization types."""
    buttons = [Button(g.name, callback_data(PLAN, "o", g.id)) for g in deps.kb.activities.org_types]
    return render_text_block(texts.PLAN_STEP_ORG, keyboard=rows_of(buttons, 1))


def district_step(deps: Services, org: ActivityGroup) -> Rendered:
    """Step 2: the key districts, for an organization type."""
    buttons = [
        Button(d.name, callback_data(PLAN, "d", org.id, deps.districts.slug(d)))
        for d in deps.kb.key_districts
    ]
    text = texts.PLAN_STEP_DISTRICT.format(org=org.name)
    return render_text_block(text, keyboard=rows_of(buttons, DISTRICTS_PER_ROW))


def theme_step(deps: Services, org: ActivityGroup, slug: str) -> Rendered | None:
    """Step 3: the themes and Skip, for an organization type and a district."""
    district = deps.districts.get(slug)
    if district is None:
        return None
    buttons = [
        Button(t.name, callback_data(PLAN, "t", org.id, slug, t.id)) for t in deps.kb.activities.themes
    ]
    keyboard = (
        *rows_of(buttons, THEMES_PER_ROW),
        (Button(texts.PLAN_SKIP, callback_data(PLAN, "t", org.id, slug, NO_THEME)),),
    )
    text = texts.PLAN_STEP_THEME.format(org=org.name, district=district.label)
    return render_text_block(text, keyboard=keyboard)


def _group(groups: list[ActivityGroup], ident: str) -> ActivityGroup | None:
    return next((g for g in groups if g.id == ident), None)


def _started(context: Context, chat_id: int) -> None:
    if context.user_data is not None:
        context.user_data[(_STARTED, chat_id)] = time.monotonic()


def _forget(context: Context, chat_id: int) -> None:
    if context.user_data is not None:
        context.user_data.pop((_STARTED, chat_id), None)


async def start_plan(update: Update, context: Context) -> int:
    """/plan: asks for the organization type."""
    message = update.message
    if message is None:
        return ConversationHandler.END
    deps = context.services
    await send(context.bot, Destination.answering(message), org_step(deps), deps.store)
    _started(context, message.chat.id)
    return PLANNING


async def plan_button(update: Update, context: Context) -> int:
    """A press in a /plan step: shows the next step, or the finished plan."""
    query = update.callback_query
    if query is None or query.data is None or not isinstance(query.message, Message):
        return ConversationHandler.END
    deps = context.services
    kb = deps.kb
    parts = query.data.split(":")
    org = _group(kb.activities.org_types, parts[2]) if len(parts) >= 3 else None
    step: Rendered | None = None
    if org is not None and parts[1] == "o" and len(parts) == 3:
        step = district_step(deps, org)
    elif org is not None and parts[1] == "d" and len(parts) == 4:
        step = theme_step(deps, org, parts[3])
    elif org is not None and parts[1] == "t" and len(parts) == 5:
        district = deps.districts.get(parts[3])
        theme = _group(kb.activities.themes, parts[4])
        if district is not None and (theme is not None or parts[4] == NO_THEME):
            await query.answer()
            summary = texts.PLAN_SUMMARY.format(
                org=org.name, district=district.label, theme=theme.name if theme else texts.PLAN_NO_THEME
            )
            await edit(context.bot, query.message, render_text_block(summary), deps.store)
            where = Destination(query.message.chat.id, _thread(query.message))
            await send(context.bot, where, render_reply(plan_reply(kb, org, district, theme)), deps.store)
            _forget(context, query.message.chat.id)
            return ConversationHandler.END
    if step is None:
        await query.answer(texts.BUTTON_EXPIRED)
        return ConversationHandler.END
    await query.answer()
    await edit(context.bot, query.message, step, deps.store)
    _started(context, query.message.chat.id)
    return PLANNING


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def stray_message(update: Update, context: Context) -> int | None:
    """A message in the middle of a plan: a hint, or (if the plan was abandoned) an answer."""
    message = update.message
    if message is None:
        return None
    started = context.user_data.get((_STARTED, message.chat.id)) if context.user_data is not None else None
    if isinstance(started, float) and time.monotonic() - started > PLAN_IDLE_SECONDS:
        _forget(context, message.chat.id)
        if message.text:
            await answer_question(context, message, message.text)
        return ConversationHandler.END
    deps = context.services
    await send(context.bot, Destination.answering(message), render_text_block(texts.PLAN_HINT), deps.store)
    return None


async def cancel(update: Update, context: Context) -> int:
    """/cancel: leaves the plan."""
    message = update.message
    if message is not None:
        _forget(context, message.chat.id)
        deps = context.services
        await send(
            context.bot, Destination.answering(message), render_text_block(texts.PLAN_CANCELLED), deps.store
        )
    return ConversationHandler.END


def plan_conversation() -> ConversationHandler[Context]:
    """The /plan conversation: per user and chat; /cancel ends it; stray private messages get a hint.

    Stray messages in groups are not caught here: there, anything addressed to the bot is a question.
    """
    new_messages = filters.UpdateType.MESSAGE
    # The conversation is tracked per user and chat, not per message, on purpose: the buttons carry their
    # own state. python-telegram-bot warns about that combination; the warning does not apply.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("plan", start_plan, filters=new_messages),
                CallbackQueryHandler(plan_button, pattern=PATTERN),
            ],
            states={
                PLANNING: [
                    MessageHandler(new_messages & filters.ChatType.PRIVATE & ~filters.COMMAND, stray_message),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel, filters=new_messages)],
            allow_reentry=True,
            name="plan",
        )
