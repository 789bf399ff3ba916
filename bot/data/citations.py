"""Citations: where in the guideline (or in a background report) a fact comes from.

Knowledge files write a fact's source in one of these forms:

========================  =============================================
``第五条``                 an article
``第五条(九)``             a numbered item of an article
``印发通知第一点``         a numbered point of the cover letter
``附件1 序号3``            a row of an attachment (generated files only)
``000_1e745a1f9b73e742.txt``  a background news report
========================  =============================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.data.numerals import parse_chinese_numeral

GUIDELINE_SHORT_TITLE = "《工作指引》"


class CitationKind(Enum):
    """What a citation points at."""

    ARTICLE = "article"
    NOTICE = "notice"
    ATTACHMENT = "attachment"
    NEWS = "news"


@dataclass(frozen=True)
class Citation:
    """A parsed source reference.

    Attributes:
        raw: The reference as written in the knowledge file.
        kind: What it points at.
        number: Article number, cover-letter point, or attachment number (0 for news).
        item: Item number within the article, or row serial within the attachment (0 when absent).
    """

    raw: str
    kind: CitationKind
    number: int = 0
    item: int = 0

    def display(self) -> str:
        """How the citation is shown to users, e.g. 《工作指引》第五条(九)."""
        if self.kind is CitationKind.NEWS:
            return f"背景资料:{self.raw}"
        if self.kind is CitationKind.ATTACHMENT:
            return f"{GUIDELINE_SHORT_TITLE}附件{self.number}"
        return f"{GUIDELINE_SHORT_TITLE}{self.raw}"


_ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条(?:\(([一二三四五六七八九十]+)\))?$")
_NOTICE = re.compile(r"^印发通知(?:第([一二三四五六七八九十]+)点)?$")
_ATTACHMENT = re.compile(r"^附件([1-9])(?: 序号(\d{1,3}))?$")
_NEWS = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")

CITATION_FORMS = (
    "第五条, 第五条(九), 印发通知第一点, 附件1 序号3 or a news file name such as 000_1e745a1f9b73e742.txt"
)


def parse_citation(raw: str) -> Citation:
    """Parses a source reference.

    Args:
        raw: The reference, e.g. ``第五条(九)``. Full-width parentheses are accepted.

    Returns:
        The parsed citation.

    Raises:
        ValueError: ``raw`` is in none of the known forms.
    """
    # Written as escapes: tools that NFKC-normalize text silently turn literal full-width brackets into ASCII.
    text = raw.strip().replace("\uff08", "(").replace("\uff09", ")")
    if match := _ARTICLE.match(text):
        item = parse_chinese_numeral(match.group(2)) if match.group(2) else 0
        return Citation(text, CitationKind.ARTICLE, parse_chinese_numeral(match.group(1)), item)
    if match := _NOTICE.match(text):
        point = parse_chinese_numeral(match.group(1)) if match.group(1) else 0
        return Citation(text, CitationKind.NOTICE, point)
    if match := _ATTACHMENT.match(text):
        return Citation(text, CitationKind.ATTACHMENT, int(match.group(1)), int(match.group(2) or 0))
    if _NEWS.match(text):
        return Citation(text, CitationKind.NEWS)
    raise ValueError(f"`{raw}` is not a source reference; write it as {CITATION_FORMS}")
