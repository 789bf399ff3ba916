"""Logging each answered question, and the one-tap feedback buttons under answers.

Under every answer: 👍 / 👎; under an answer that shows a phone number, also 号码有误 and 打不通. A tap is
recorded with the question and the answer's sources in the question log (:mod:`bot.channels.questionlog`),
and the user is thanked once; a second tap on the same answer is acknowledged but not counted. Without a
question log (``BANGFU_QUESTION_LOG=off``) no question is recorded and no buttons are shown.
"""

from __future__ import annotations

import logging
import re

from telegram import Update

from bot.channels.questionlog import Feedback
from bot.channels.telegram import texts
from bot.channels.telegram.render import Button, Keyboard, callback_data
from bot.channels.telegram.services import Context, Services
from bot.compose.reply import Reply, ReplyKind

logger = logging.getLogger(__name__)

# Callback data of a feedback button: fb:<the question's reference in the log>:<feedback>.
FEEDBACK = "fb"
FEEDBACK_PATTERN = rf"^{FEEDBACK}:"
# A phone number as answers print them: an answer showing one is a contact answer.
_PHONE = re.compile(r"\d{3}-\d{8}|1[3-9]\d{9}")
_LABELS = {
    Feedback.UP: texts.FEEDBACK_UP,
    Feedback.DOWN: texts.FEEDBACK_DOWN,
    Feedback.WRONG_NUMBER: texts.FEEDBACK_WRONG_NUMBER,
    Feedback.UNREACHABLE: texts.FEEDBACK_UNREACHABLE,
}


def shows_contact(reply: Reply) -> bool:
    """Whether the reply shows a phone number."""
    return any(_PHONE.search(line) for section in reply.sections for line in section.lines)


def feedback_rows(ref: str, reply: Reply) -> Keyboard:
    """The feedback buttons for an answer logged under ``ref``."""

    def button(feedback: Feedback) -> Button:
        return Button(_LABELS[feedback], callback_data(FEEDBACK, ref, feedback.value))

    rows = [(button(Feedback.UP), button(Feedback.DOWN))]
    if shows_contact(reply):
        rows.append((button(Feedback.WRONG_NUMBER), button(Feedback.UNREACHABLE)))
    return tuple(rows)


def log_answer(services: Services, chat_type: str, question: str, reply: Reply) -> Keyboard:
    """Logs an answered question (when the log is on) and returns the feedback buttons to show under it.

    Never raises and never waits for the disk: the row is queued (see :class:`QuestionLog`).
    """
    log = services.questions
    if log is None:
        return ()
    ref = log.record(question, str(chat_type), reply)
    if ref is None or reply.kind is not ReplyKind.ANSWER:
        return ()
    return feedback_rows(ref, reply)


async def feedback_button(update: Update, context: Context) -> None:
    """A tap on a feedback button: recorded once, and thanked."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    log = context.services.questions
    try:
        feedback = Feedback(parts[2]) if len(parts) == 3 else None
    except ValueError:
        feedback = None
    if feedback is None or log is None:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    first = log.rate(parts[1], feedback)
    await query.answer(texts.FEEDBACK_THANKS if first else texts.FEEDBACK_ALREADY)
