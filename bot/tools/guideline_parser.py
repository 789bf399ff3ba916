"""Parses the published text of 《重庆市社会组织参与脱贫攻坚工作指引》 into structured records.

The text (``knowledge/source/guideline.txt``) is kept exactly as published: a cover letter with three
numbered points, the guideline's eighteen articles, and three attachments printed as tables whose cells are
separated by ``|``. Attachment 3 is printed as two interleaved columns, and a district's name appears only
on its first row, so villages are attributed by serial number: a row without a district belongs to the
district of the row numbered one less.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.data.numerals import parse_chinese_numeral
from bot.errors import BangfuError


class GuidelineFormatError(BangfuError):
    """The source text does not have the structure the parser expects."""


@dataclass(frozen=True)
class SourceItem:
    """A numbered item of an article, such as 第五条(九)."""

    number: int
    label: str
    text: str


@dataclass(frozen=True)
class SourceArticle:
    """An article (条) of the guideline: its lead text and its numbered items."""

    number: int
    label: str
    text: str
    items: tuple[SourceItem, ...] = ()

    @property
    def full_text(self) -> str:
        """The lead text followed by every item, as printed."""
        return "".join([self.text, *(f"{item.label}{item.text}" for item in self.items)])


@dataclass(frozen=True)
class SourceDistrict:
    """A row of 附件1: a key district, its tier and its poverty-alleviation office phone."""

    serial: int
    name: str
    tier: str
    phone: str


@dataclass(frozen=True)
class SourceTownship:
    """A row of 附件2: a deep-poverty township and its named contact."""

    serial: int
    district: str
    name: str
    contact: str
    phone: str
    title: str


@dataclass(frozen=True)
class SourceVillage:
    """A row of 附件3: a designated village, its town and its district."""

    serial: int
    district: str
    town: str
    name: str


@dataclass(frozen=True)
class ParsedGuideline:
    """Everything the builder takes from the source text."""

    title: str
    addressees: str
    issuers: tuple[str, ...]
    sealed_by: str
    date: str
    notice_intro: str
    notice_points: tuple[SourceItem, ...]
    preamble: str
    articles: tuple[SourceArticle, ...]
    attachments: tuple[str, ...]
    districts: tuple[SourceDistrict, ...]
    townships: tuple[SourceTownship, ...]
    villages: tuple[SourceVillage, ...] = field(default=())


_ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条\s*(.*)$")
_ITEM = re.compile(r"^\(([一二三四五六七八九十]+)\)\s*(.*)$")
_NOTICE_POINT = re.compile(r"^([一二三四五六七八九十]+)、(.*)$")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ATTACHMENT_LIST = re.compile(r"附件[::]\s*1\.")
_SERIAL = re.compile(r"^\d{1,3}$")
_PHONE = re.compile(r"^(?:0\d{2,3}-\d{7,8}|1\d{10})$")
_DISTRICT_CELL = re.compile(r"^[\u4e00-\u9fff]{1,6}[区县]$")
_TOWN_AND_VILLAGE = re.compile(r"^(.+?(?:街道|镇|乡))(.+)$")


def parse_guideline(text: str) -> ParsedGuideline:
    """Parses the full source text.

    Args:
        text: The contents of ``knowledge/source/guideline.txt``.

    Returns:
        The parsed document.

    Raises:
        GuidelineFormatError: A part the parser relies on is missing or malformed.
    """
    lines = [line.strip() for line in text.splitlines()]
    body_start = _index_of(lines, lambda s: s.startswith("第一条"), "第一条")
    attachments_start = _index_of(lines, lambda s: s == "附件1", "附件1")
    notice = _parse_notice(lines[:body_start])
    articles, attachment_names = _parse_articles(lines[body_start:attachments_start])
    tables = "\n".join(lines[attachments_start:])
    table1, rest = _split_once(tables, "附件2")
    table2, table3 = _split_once(rest, "附件3")
    districts = _parse_districts(table1)
    townships = _parse_townships(table2, {d.name for d in districts})
    villages = _parse_villages(table3)
    return ParsedGuideline(
        title=notice.title,
        addressees=notice.addressees,
        issuers=notice.issuers,
        sealed_by=notice.sealed_by,
        date=notice.date,
        notice_intro=notice.intro,
        notice_points=notice.points,
        preamble=notice.preamble,
        articles=articles,
        attachments=attachment_names,
        districts=districts,
        townships=townships,
        villages=villages,
    )


def _index_of(lines: list[str], predicate: Callable[[str], bool], what: str) -> int:
    for index, line in enumerate(lines):
        if predicate(line):
            return index
    raise GuidelineFormatError(f"the source text has no line starting with {what!r}")


def _split_once(text: str, marker: str) -> tuple[str, str]:
    head, found, tail = text.partition(f"\n{marker}\n")
    if not found:
        raise GuidelineFormatError(f"the source text has no {marker!r} heading")
    return head, tail


@dataclass(frozen=True)
class _Notice:
    """What precedes the first article: the cover letter, the title and the preamble."""

    title: str
    addressees: str
    issuers: tuple[str, ...]
    sealed_by: str
    date: str
    intro: str
    points: tuple[SourceItem, ...]
    preamble: str


def _parse_notice(lines: list[str]) -> _Notice:
    """Parses the cover letter (印发通知) and the guideline's title and preamble."""
    nonempty = [line for line in lines if line]
    points: list[SourceItem] = []
    date_line = next((i for i, line in enumerate(nonempty) if _DATE.search(line)), None)
    if date_line is None or date_line < 2:
        raise GuidelineFormatError("the cover letter has no issuing date such as 2020年5月14日")
    for line in nonempty[1 : date_line - 1]:
        match = _NOTICE_POINT.match(line)
        if match:
            number = parse_chinese_numeral(match.group(1))
            points.append(SourceItem(number, match.group(1), match.group(2)))
    if [p.number for p in points] != list(range(1, len(points) + 1)) or not points:
        raise GuidelineFormatError(
            "the cover letter's numbered points (一、二、…) are missing or out of order"
        )
    intro_lines = [line for line in nonempty[1 : date_line - 1] if not _NOTICE_POINT.match(line)]
    date_match = _DATE.search(nonempty[date_line])
    assert date_match is not None
    year, month, day = (int(part) for part in date_match.groups())
    sealed_by = nonempty[date_line][: date_match.start()].strip().removeprefix("(").removesuffix(")")
    title_lines = nonempty[date_line + 1 : date_line + 3]
    title_match = re.search(r"《(.+?)》", "".join(nonempty[1:date_line]))
    if not title_match:
        raise GuidelineFormatError("the cover letter does not name the guideline in 《》")
    if "".join(title_lines) != title_match.group(1):
        raise GuidelineFormatError(f"the title after the cover letter is not {title_match.group(1)!r}")
    return _Notice(
        title=title_match.group(1),
        addressees=nonempty[0],
        issuers=tuple(nonempty[date_line - 1].split()),
        sealed_by=sealed_by,
        date=f"{year:04d}-{month:02d}-{day:02d}",
        intro="".join(intro_lines),
        points=tuple(points),
        preamble="".join(nonempty[date_line + 3 :]),
    )


def _parse_articles(lines: list[str]) -> tuple[tuple[SourceArticle, ...], tuple[str, ...]]:
    articles: list[SourceArticle] = []
    attachments: list[str] = []
    current: dict[str, object] | None = None
    items: list[SourceItem] = []

    def close() -> None:
        if current is not None:
            articles.append(SourceArticle(items=tuple(items), **current))  # type: ignore[arg-type]

    for line in (line for line in lines if line):
        if _ATTACHMENT_LIST.match(line) or attachments:
            attachments.append(re.sub(r"^(附件[::]\s*)?\d+\.", "", line).strip())
            continue
        article = _ARTICLE.match(line)
        if article:
            close()
            number = parse_chinese_numeral(article.group(1))
            if number != len(articles) + 1:
                raise GuidelineFormatError(f"article {line[:6]!r} is out of order")
            current = {"number": number, "label": f"第{article.group(1)}条", "text": article.group(2)}
            items = []
            continue
        item = _ITEM.match(line)
        if item and current is not None:
            number = parse_chinese_numeral(item.group(1))
            if number != len(items) + 1:
                raise GuidelineFormatError(f"item {line[:6]!r} of {current['label']} is out of order")
            items.append(SourceItem(number, f"({item.group(1)})", item.group(2)))
            continue
        if current is None:
            raise GuidelineFormatError(f"text before the first article: {line[:20]!r}")
        if items:
            last = items[-1]
            items[-1] = SourceItem(last.number, last.label, last.text + line)
        else:
            current["text"] = str(current["text"]) + line
    close()
    if not articles:
        raise GuidelineFormatError("no articles (第一条 …) found")
    return tuple(articles), tuple(attachments)


def _cells(table: str) -> list[str]:
    """Splits a printed table into its non-empty cells, in reading order."""
    return [cell.strip() for cell in re.split(r"[|\n]", table) if cell.strip()]


def _parse_districts(table: str) -> tuple[SourceDistrict, ...]:
    cells = _cells(table)
    header_end = cells.index("备注") + 1 if "备注" in cells else 0
    rows = _rows(cells[header_end:], "附件1")
    districts: list[SourceDistrict] = []
    tier = ""
    for serial, row in rows:
        if len(row) not in (2, 3) or not _PHONE.match(row[1]):
            raise GuidelineFormatError(f"附件1 row {serial} is not `district | phone | [note]`: {row}")
        if len(row) == 3:
            tier = row[2].removesuffix("扶贫开发工作重点区县")
        if tier not in ("国家级", "市级"):
            raise GuidelineFormatError(f"附件1 row {serial}: unknown tier note {row[2:]!r}")
        districts.append(SourceDistrict(serial, row[0], tier, row[1]))
    return tuple(districts)


def _parse_townships(table: str, district_names: set[str]) -> tuple[SourceTownship, ...]:
    cells = _cells(table)
    header_end = cells.index("备注") + 1
    townships: list[SourceTownship] = []
    for serial, row in _rows(cells[header_end:], "附件2"):
        if len(row) != 4 or not _PHONE.match(row[2]):
            raise GuidelineFormatError(
                f"附件2 row {serial} is not `township | contact | phone | title`: {row}"
            )
        place = row[0]
        district = next(
            (d for d in sorted(district_names, key=len, reverse=True) if place.startswith(d)), None
        )
        if district is None:
            raise GuidelineFormatError(f"附件2 row {serial}: {place!r} does not start with a 附件1 district")
        townships.append(SourceTownship(serial, district, place[len(district) :], row[1], row[2], row[3]))
    return tuple(townships)


def _parse_villages(table: str) -> tuple[SourceVillage, ...]:
    cells = _cells(table)
    cells = [cell for cell in cells if cell not in ("序号", "区县", "村(社区)", "定点攻坚村名单")]
    by_serial: dict[int, list[str]] = dict(_rows(cells, "附件3"))
    villages: list[SourceVillage] = []
    district = ""
    for serial in range(1, len(by_serial) + 1):
        row = by_serial.get(serial)
        if row is None:
            raise GuidelineFormatError(f"附件3 has no row {serial}")
        if len(row) == 2 and _DISTRICT_CELL.match(row[0]):
            district, place = row
        elif len(row) == 1:
            place = row[0]
        else:
            raise GuidelineFormatError(f"附件3 row {serial} is not `[district |] village`: {row}")
        if not district:
            raise GuidelineFormatError(f"附件3 row {serial} has no district")
        match = _TOWN_AND_VILLAGE.match(place)
        if not match:
            raise GuidelineFormatError(
                f"附件3 row {serial}: {place!r} does not start with a town (镇/乡/街道)"
            )
        villages.append(SourceVillage(serial, district, match.group(1), match.group(2)))
    return tuple(villages)


def _rows(cells: list[str], table: str) -> list[tuple[int, list[str]]]:
    """Groups cells into rows, each starting with its serial number."""
    rows: list[tuple[int, list[str]]] = []
    for cell in cells:
        if _SERIAL.match(cell):
            rows.append((int(cell), []))
        elif rows:
            rows[-1][1].append(cell)
        else:
            raise GuidelineFormatError(f"{table}: cell {cell!r} comes before the first serial number")
    return rows
