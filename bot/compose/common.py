"""What every composer shares: the attachments' names, formatting of contacts and villages, citations and replies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.data.knowledge import District, KnowledgeBase
from bot.data.schema import Fact, Township, Village
from bot.data.updates import Updated, UpdatedTownship
from bot.nlu.slots import unique

ATTACHMENT_1 = "附件1"


ATTACHMENT_2 = "附件2"


ATTACHMENT_3 = "附件3"


def phone_text(phone: str, update: Updated | None) -> str:
    """A phone as answers show it: with the date and source of its update, if it was updated.

    023-58569999(2026-03-01 更新,来源:万州区乡村振兴局通知), or the guideline's number as printed.
    """
    return f"{phone}({update.provenance})" if update is not None else phone


def township_line(township: Township, *, with_district: bool = True) -> str:
    """陶松森(乡民政和社会事务办主任) 13594500668, prefixed with the township's full name.

    An updated contact ends with the date and source of its update.
    """
    place = f"{township.district}{township.name}" if with_district else township.name
    line = f"{place}:{township.contact}({township.title}),{township.phone}"
    return f"{line}({township.provenance})" if isinstance(township, UpdatedTownship) else line


def village_line(village: Village, *, with_district: bool = False) -> str:
    """白土镇大林村, optionally prefixed with its district."""
    return (
        f"{village.district}{village.town}{village.name}"
        if with_district
        else f"{village.town}{village.name}"
    )


def tier_text(district: District) -> str:
    """国家级扶贫开发工作重点区县, or nothing for a district that is not a key district."""
    return f"{district.tier}扶贫开发工作重点区县" if district.tier else ""


def fact_texts(items: Sequence[Fact]) -> tuple[str, ...]:
    """The texts of facts, in order."""
    return tuple(fact.text for fact in items)


def sources(kb: KnowledgeBase, facts: Iterable[Fact]) -> str:
    """One citation line for several facts: 《工作指引》第五条(七)、第五条(八)."""
    raw = unique(fact.source for fact in facts)
    shown = [kb.cite(source) for source in raw]
    prefix = "《工作指引》"
    if all(s.startswith(prefix) for s in shown):
        return prefix + "、".join(s.removeprefix(prefix) for s in shown)
    return ";".join(shown)


def answer(*sections: Section, suggestions: Iterable[Choice] = ()) -> Reply:
    """An answer made of ``sections``, with follow-up questions to suggest."""
    return Reply(ReplyKind.ANSWER, tuple(sections), suggestions=tuple(suggestions))


def declined(*sections: Section, suggestions: Iterable[Choice] = ()) -> Reply:
    """A decline saying what the guideline does not list (and what it does), with questions to suggest."""
    return Reply(ReplyKind.DECLINE, tuple(sections), suggestions=tuple(suggestions))


def ask(label: str, query: str | None = None) -> Choice:
    """A suggested follow-up: ``label`` shown, ``query`` (by default the label) asked when chosen."""
    return Choice(label, query or label)
