"""Answers of the FAQ entries of ``knowledge/faq.yaml``: the maintainers' own text, cited with its source.

The answer text has light formatting: a line starting with ``- `` (or ``• ``) is a list entry, a blank line
starts a new paragraph, and every other line is shown as written. The question is the heading.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

from bot.compose.registry import Brief, Composer
from bot.compose.reply import Reply, ReplyKind, Section
from bot.compose.smalltalk import decline_reply
from bot.data.faq import FaqEntry, FaqFile
from bot.data.faq_intents import faq_intents
from bot.data.intents import Intent
from bot.data.knowledge import KnowledgeBase

# What starts a list entry in an answer text.
BULLETS = ("- ", "• ", "· ")


def answer_sections(entry: FaqEntry) -> tuple[Section, ...]:
    """The answer text as sections: paragraphs, and runs of list entries; the source under the last one."""
    blocks: list[tuple[bool, list[str]]] = []  # (is a list, lines)
    for raw in entry.answer.splitlines():
        line = raw.strip()
        if not line:
            blocks.append((False, []))
            continue
        bullet = line.startswith(BULLETS)
        text = line[2:].strip() if bullet else line
        if not blocks or blocks[-1][0] != bullet or not blocks[-1][1]:
            blocks.append((bullet, []))
        blocks[-1][1].append(text)
    filled = [(bullet, lines) for bullet, lines in blocks if lines]
    sections = [Section(None, tuple(lines), bullet=bullet) for bullet, lines in filled]
    sections[0] = Section(entry.question, sections[0].lines, bullet=sections[0].bullet)
    last = sections[-1]
    sections[-1] = Section(last.title, last.lines, entry.source, last.bullet)
    return tuple(sections)


def faq_reply(entry: FaqEntry) -> Reply:
    """The answer of one entry."""
    return Reply(ReplyKind.ANSWER, answer_sections(entry))


def _composer(entry: FaqEntry, today: Callable[[], datetime.date]) -> Composer:
    def compose(brief: Brief) -> Reply:
        # A bot that runs for months outlives an entry's dates: past valid_until it no longer answers.
        return faq_reply(entry) if entry.valid_on(today()) else decline_reply(brief.kb)

    return compose


def faq_composers(
    faq: FaqFile, today: Callable[[], datetime.date] = datetime.date.today
) -> dict[str, Composer]:
    """A composer for every entry, by the entry's answer name (faq:<question>)."""
    return {entry.name: _composer(entry, today) for entry in faq.entries}


def with_faq(
    kb: KnowledgeBase, intents: tuple[Intent, ...], composers: Mapping[str, Composer]
) -> tuple[tuple[Intent, ...], dict[str, Composer]]:
    """The intents and composers, with the knowledge base's FAQ entries (those valid today) added."""
    today = datetime.date.today()
    return (*intents, *faq_intents(kb.faq, today)), {**composers, **faq_composers(kb.faq)}
