"""Answers about the guideline itself: its title, issuers and date, and any article or item quoted as printed."""

from __future__ import annotations

from bot.compose.common import (
    answer,
    ask,
)
from bot.compose.registry import Brief, composer
from bot.compose.reply import Choice, Reply, Section
from bot.data.knowledge import KnowledgeBase
from bot.data.numerals import chinese_numeral


def about_reply(kb: KnowledgeBase) -> Reply:
    """The source document: title, issuers, date, and the age of its contacts."""
    document = kb.document
    date = f"{document.date.year}年{document.date.month}月{document.date.day}日"
    lines = (
        f"《{document.title}》",
        f"印发单位:{'、'.join(document.issuers)}({document.sealed_by})",
        f"印发时间:{date}",
        f"正文共{len(kb.guideline.articles)}条;附件{len(document.attachments)}个:"
        f"{'；'.join(f'{i}.{name}' for i, name in enumerate(document.attachments, 1))}",
        f"本助手的回答均来自该指引;电话和联系人是{document.date.year}年印发时公布的信息,如有变动请以当地最新公布为准。",
    )
    return answer(Section("信息来源", lines, kb.cite("印发通知")), suggestions=[ask("怎么参与脱贫攻坚")])


@composer("article_text")
def article_text(brief: Brief) -> Reply:
    """The articles or items a question refers to (第十一条, 第五条第九项), as printed."""
    kb = brief.kb
    count = len(kb.guideline.articles)
    sections: list[Section] = []
    suggestions: list[Choice] = []
    for number, item in brief.slots.articles:
        if not 1 <= number <= count:
            sections.append(
                Section(None, (f"《工作指引》正文共{count}条(第一条至第{chinese_numeral(count)}条)。",))
            )
            continue
        article = kb.article(number)
        items = article.items
        if item and item > len(items):
            sections.append(Section(None, (f"{article.label}没有第{chinese_numeral(item)}项,以下是全文:",)))
        elif item:
            items = [items[item - 1]]
        lines = tuple(line for line in (article.text, *(f"{i.label}{i.text}" for i in items)) if line)
        label = f"{article.label}{items[0].label}" if len(items) == 1 and item else article.label
        sections.append(Section(f"《工作指引》{label}", lines, kb.cite(label)))
        if number < count:
            suggestions.append(ask(f"第{chinese_numeral(number + 1)}条讲什么"))
    return answer(*sections, suggestions=suggestions[:1])


@composer("document_info")
def document_info(brief: Brief) -> Reply:
    """The guideline itself."""
    return about_reply(brief.kb)
