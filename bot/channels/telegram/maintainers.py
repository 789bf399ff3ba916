"""What the maintainers listed in ``BANGFU_ADMIN_IDS`` can do in Telegram: ``/reload`` and ``/stats``.

Both work in a private chat with the bot and only for those user ids, as Telegram reports the sender (never
anything the message says); anyone else gets the answer to an unknown command, in a group nothing at all.
``SIGHUP`` (``systemctl reload bangfu``) reloads too: :func:`reload_on_sighup`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import signal
from collections.abc import Callable
from pathlib import Path

from telegram import Message, Update
from telegram.constants import ChatType

from bot.channels.metrics import knowledge_version
from bot.channels.questionlog import Feedback, Summary, read_questions, summarize
from bot.channels.reload import Reloader
from bot.channels.telegram import texts
from bot.channels.telegram.districts import DistrictDirectory
from bot.channels.telegram.outbox import Destination, send
from bot.channels.telegram.render import render_text_block
from bot.channels.telegram.services import BangfuApplication, Context
from bot.data.faq import FAQ_PREFIX
from bot.engine import Engine

logger = logging.getLogger(__name__)

# How many problems a refused /reload lists in the chat; `bangfu validate` shows them all.
MAX_PROBLEMS_SHOWN = 15
# The days /stats covers.
STATS_DAYS = 7


def install_engine(application: BangfuApplication, engine: Engine) -> None:
    """Makes ``engine`` the one answering, in one assignment (handlers already running keep theirs)."""
    services = application.bot_data.services
    if services is None:
        raise RuntimeError("the application has no services to update")
    application.bot_data.services = dataclasses.replace(
        services, engine=engine, districts=DistrictDirectory.build(engine.kb)
    )


def make_reloader(application: BangfuApplication, knowledge_dir: Path, intents_dir: Path) -> Reloader:
    """The reloader of ``application``'s engine (for ``bot_data.reloader``); /metrics learns each reload."""

    def install(engine: Engine) -> None:
        install_engine(application, engine)
        application.bot_data.metrics.knowledge_loaded_now(knowledge_version(knowledge_dir, intents_dir))

    return Reloader(knowledge_dir, intents_dir, install)


def reload_on_sighup(application: BangfuApplication, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Reloads the knowledge whenever the process receives SIGHUP; returns what undoes it.

    Where signals cannot be handled (Windows, a thread other than the main one) it does nothing.
    """
    reloader = application.bot_data.reloader
    if reloader is None or not hasattr(signal, "SIGHUP"):
        return lambda: None

    def on_sighup() -> None:
        logger.info("SIGHUP received: reloading the knowledge")
        loop.create_task(reloader.reload("SIGHUP"))

    try:
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here: /reload still works
        logger.info("SIGHUP cannot be handled here; use /reload")
        return lambda: None

    def stop() -> None:
        loop.remove_signal_handler(signal.SIGHUP)

    return stop


def is_maintainer(update: Update, context: Context) -> bool:
    """Whether the update is a private message from a user listed in ``BANGFU_ADMIN_IDS``."""
    message, user = update.message, update.effective_user
    return (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and user is not None
        and user.id in context.services.maintainers
    )


async def _say(context: Context, message: Message, text: str) -> None:
    await send(context.bot, Destination.answering(message), render_text_block(text), context.services.store)


async def _not_for_you(update: Update, context: Context) -> None:
    """What anyone else gets: the unknown-command answer in a private chat, silence in a group."""
    message = update.message
    if message is not None and message.chat.type == ChatType.PRIVATE:
        await _say(context, message, texts.UNKNOWN_COMMAND)


async def reload_command(update: Update, context: Context) -> None:
    """/reload: validates the files and swaps the engine; on problems keeps the old one and lists them."""
    message = update.message
    reloader = context.bot_data.reloader
    if message is None or not is_maintainer(update, context) or reloader is None:
        await _not_for_you(update, context)
        return
    user = update.effective_user
    logger.info("/reload asked by maintainer %s", user.id if user else None)
    if reloader.busy:
        await _say(context, message, texts.RELOAD_BUSY)
    outcome = await reloader.reload("/reload")
    if outcome.engine is not None:
        faq = sum(intent.name.startswith(FAQ_PREFIX) for intent in outcome.engine.intents)
        text = texts.RELOAD_DONE.format(
            intents=len(outcome.engine.intents), faq=faq, updates=len(outcome.engine.kb.updated)
        )
    else:
        shown = [str(problem) for problem in outcome.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(outcome.problems) - len(shown)
        lines = [texts.RELOAD_FAILED.format(count=len(outcome.problems)), *shown]
        if more:
            lines.append(texts.RELOAD_MORE.format(count=more))
        text = "\n".join(lines)
    await _say(context, message, text)


async def stats_command(update: Update, context: Context) -> None:
    """/stats: questions per day, the decline rate, the commonest intents and the feedback."""
    message = update.message
    if message is None or not is_maintainer(update, context):
        await _not_for_you(update, context)
        return
    log = context.services.questions
    if log is None:
        await _say(context, message, texts.STATS_LOG_OFF)
        return
    await asyncio.to_thread(log.flush)
    today = datetime.datetime.now(datetime.UTC).date()
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=STATS_DAYS), datetime.time(), datetime.UTC
    )
    rows = await asyncio.to_thread(read_questions, log.path, since)
    await _say(context, message, stats_text(summarize(rows, today, STATS_DAYS)))


def stats_text(summary: Summary) -> str:
    """The /stats message."""
    if not summary.total:
        return texts.STATS_NONE.format(days=STATS_DAYS)
    lines = [texts.STATS_TITLE.format(days=STATS_DAYS)]
    lines += [texts.STATS_DAY.format(day=day.strftime("%m-%d"), count=count) for day, count in summary.days]
    lines.append(
        texts.STATS_TOTAL.format(
            total=summary.total, declined=summary.declined, rate=f"{summary.decline_rate:.0%}"
        )
    )
    if summary.top_intents:
        intents = "、".join(f"{name} {count}" for name, count in summary.top_intents)
        lines.append(texts.STATS_TOP_INTENTS.format(intents=intents))
    counts = {feedback: summary.feedback.get(feedback, 0) for feedback in Feedback}
    lines.append(
        texts.STATS_FEEDBACK.format(
            up=counts[Feedback.UP],
            down=counts[Feedback.DOWN],
            wrong=counts[Feedback.WRONG_NUMBER],
            dead=counts[Feedback.UNREACHABLE],
        )
    )
    return "\n".join(lines)
