"""``bangfu ask``: answers questions one per line, or conversations one per block of lines.

The plain output is what the console shows; ``--json`` prints one object per question with ``question``,
``resolved`` (the question as understood: the same, unless the conversation filled something in),
``intent`` (null when declined), ``confidence``, ``entities``, ``answer`` and ``sources``. A question the
engine fails on is reported (``error`` in JSON) and the others are still answered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import TextIO

from bot.channels.text import render_text
from bot.engine import Conversation, Engine

logger = logging.getLogger(__name__)

FAILED = "抱歉,处理这个问题时出错了(详情见日志)。"


def conversations(lines: Iterable[str]) -> Iterator[list[str]]:
    """Splits lines into conversations at blank lines."""
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line.rstrip("\n"))
        elif block:
            yield block
            block = []
    if block:
        yield block


def ask(engine: Engine, lines: Iterable[str], out: TextIO, *, as_json: bool, in_conversations: bool) -> int:
    """Answers each line (each on its own, or each block of lines as one conversation) onto ``out``.

    Returns:
        How many questions the engine failed on (each logged with its traceback).
    """
    failed = 0
    blocks = (
        conversations(lines) if in_conversations else ([line.rstrip("\n")] for line in lines if line.strip())
    )
    for block in blocks:
        conversation = Conversation() if in_conversations else None
        for question in block:
            try:
                response = engine.respond(question, conversation)
            except Exception:  # one bad question must not lose the answers to the rest of the batch
                logger.exception("could not answer %r", question[:80])
                failed += 1
                error = {"question": question, "error": FAILED}
                out.write(
                    json.dumps(error, ensure_ascii=False) + "\n"
                    if as_json
                    else f"问:{question}\n{FAILED}\n\n"
                )
                continue
            reply = response.reply
            text = render_text(reply)
            if as_json:
                record = {
                    "question": question,
                    "resolved": reply.resolved or question,
                    "intent": reply.intent,
                    "confidence": reply.confidence,
                    "entities": response.understanding.entities,
                    "answer": text,
                    "sources": list(reply.sources),
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                out.write(f"问:{question}\n{text}\n\n")
        if in_conversations and not as_json:
            out.write("----\n\n")
    return failed
