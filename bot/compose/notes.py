"""Notes an answer starts with: places the attachments do not list, phone numbers the guideline does not print,
and numbers that were updated since; and the provenance of every updated number an answer shows."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from bot.compose.common import (
    ATTACHMENT_2,
    ATTACHMENT_3,
)
from bot.compose.registry import Brief
from bot.compose.reply import Reply, ReplyKind, Section
from bot.data.knowledge import KnowledgeBase
from bot.nlu.entities import TYPED_NUMBER
from bot.nlu.slots import unlisted_local_places

# Fewer digits than this are no phone number (a year, a count, a serial).
MIN_PHONE_DIGITS = 7


def unknown_numbers(kb: KnowledgeBase, text: str) -> list[str]:
    """Phone numbers (digits only) in a normalized question that the guideline does not print.

    For example 城口扶贫办电话是023 59221208对吗 (the guideline prints 023-59221209).
    """
    numbers = _typed_numbers(text)
    if not numbers:
        return []  # most questions: no need to gather the guideline's numbers
    known = {re.sub(r"\D", "", phone) for phone in _phones(kb)}
    return [digits for digits in numbers if digits not in known and kb.update_replacing(digits) is None]


def _typed_numbers(text: str) -> list[str]:
    numbers = [match.group().replace(" ", "") for match in TYPED_NUMBER.finditer(text)]
    return [digits for digits in numbers if len(digits) >= MIN_PHONE_DIGITS]


def superseded_sections(kb: KnowledgeBase, text: str) -> list[Section]:
    """A note for each number or contact in the question that the guideline printed but an update replaced."""
    if not kb.updated:
        return []
    notes = []
    for digits in _typed_numbers(text):
        update = kb.update_replacing(digits)
        if update is not None:
            line = (
                f"您提到的号码{update.old_phone}是《工作指引》原列的{update.place.what},"
                f"已于{update.date.isoformat()}更新为{update.phone}(来源:{update.source})。"
            )
            notes.append(Section(None, (line,)))
    for update in kb.updated.values():
        if update.old_contact and update.old_contact in text:
            line = (
                f"您提到的{update.old_contact}是《工作指引》原列的{update.place.label}联系人,"
                f"已于{update.date.isoformat()}更新为{update.contact}({update.title})(来源:{update.source})。"
            )
            notes.append(Section(None, (line,)))
    return notes


def with_provenance(kb: KnowledgeBase, reply: Reply) -> Reply:
    """Adds the date and source of its update after every updated number a reply shows without them.

    Whichever composer wrote the reply, an updated phone never appears without its provenance.
    """
    if not kb.updated:
        return reply
    sections = tuple(
        dataclasses.replace(section, lines=tuple(_annotated(kb, line) for line in section.lines))
        for section in reply.sections
    )
    return dataclasses.replace(reply, sections=sections)


def _annotated(kb: KnowledgeBase, line: str) -> str:
    for update in kb.updated.values():
        marked = f"{update.phone}({update.provenance})"
        if update.phone in line and marked not in line:
            line = re.sub(rf"(?<!\d){re.escape(update.phone)}(?!\d)", marked, line)
    return line


def _phones(kb: KnowledgeBase) -> list[str]:
    return [d.phone for d in kb.key_districts if d.phone] + [t.phone for t in kb.townships]


def _shows_a_phone(kb: KnowledgeBase, reply: Reply) -> bool:
    text = "".join(line for section in reply.sections for line in section.lines)
    return any(phone in text for phone in _phones(kb))


def unlisted_section(kb: KnowledgeBase, places: Sequence[str]) -> Section:
    """Says that the attachments list none of ``places``."""
    line = (
        f"《工作指引》附件列出的{len(kb.townships)}个深度贫困乡镇和{len(kb.villages)}个定点攻坚村中"
        f"没有{'、'.join(places)}。"
    )
    return Section(None, (line,), f"{kb.cite(ATTACHMENT_2)}、{ATTACHMENT_3}")


def with_notes(brief: Brief, reply: Reply) -> Reply:
    """Starts an answer with what the question got wrong or named in vain.

    The townships and villages it named that the attachments do not list (解放村是攻坚村吗), and a warning
    when it quotes a phone number the guideline does not print, which the answer then does not repeat:
    a reply shows only the guideline's numbers.
    """
    if reply.kind is not ReplyKind.ANSWER:
        return reply
    reply = with_provenance(brief.kb, reply)
    notes = []
    places = unlisted_local_places(brief.slots)
    if places:
        notes.append(unlisted_section(brief.kb, places))
    notes += superseded_sections(brief.kb, brief.text)
    if unknown_numbers(brief.kb, brief.text) and _shows_a_phone(brief.kb, reply):
        notes.append(Section(None, ("您提到的号码不在《工作指引》中,请以下面指引列出的号码为准。",)))
    return dataclasses.replace(reply, sections=(*notes, *reply.sections)) if notes else reply
