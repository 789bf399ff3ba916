"""Checks that span knowledge files: references, duplicates, counts and verbatim quotes.

The schema (:mod:`bot.data.schema`) checks each file's shape; these checks make sure the files agree with one
another and with the guideline, and report each disagreement at the line a maintainer has to change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel

from bot.data import schema
from bot.data.citations import CitationKind, parse_citation
from bot.data.faq import check_faq
from bot.data.knowledge import KnowledgeBase
from bot.data.normalize import to_simplified
from bot.data.registry import KNOWLEDGE, NEWS_DIR
from bot.data.schema import iter_models
from bot.data.updates import FactUpdate, PlaceDirectory, PlaceRef
from bot.data.yamlio import YamlFile
from bot.errors import Problem

Loc = tuple[str | int, ...]


def comparable(text: str) -> str:
    """Folds text for verbatim comparison: full-width forms to ASCII, and no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def check_knowledge(kb: KnowledgeBase, documents: dict[str, YamlFile], knowledge_dir: Path) -> list[Problem]:
    """Runs every cross-file check.

    Args:
        kb: The assembled knowledge base.
        documents: The parsed files, by file name, for locating problems.
        knowledge_dir: The ``knowledge/`` directory (for the news reports' text).

    Returns:
        Every problem found (empty when the knowledge is consistent).
    """
    problems: list[Problem] = []
    problems += _check_regions(kb, documents["regions.yaml"])
    problems += _check_place_names(kb, documents["place_names.yaml"], documents["regions.yaml"])
    problems += _check_counts(kb, documents["regions.yaml"])
    news = _read_news(kb, documents["background.yaml"], knowledge_dir, problems)
    for file in KNOWLEDGE:
        if file.quoted:
            problems += _check_sources(kb, getattr(kb, file.field), documents[file.name], news)
    problems += _check_ids(kb, documents)
    if "updates.yaml" in documents:
        problems += check_updates(kb, documents["updates.yaml"])
    if "faq.yaml" in documents:
        problems += check_faq(kb.faq, documents["faq.yaml"])
    platform = documents["platform.yaml"]
    url_text = kb.cited_text(parse_citation(kb.platform.url_source))
    if url_text is not None and kb.platform.url not in url_text:
        problems.append(
            platform.problem(("url",), f"{kb.platform.url} is not printed in {kb.platform.url_source}")
        )
    return problems


def _duplicates(values: Iterable[tuple[Loc, object]]) -> Iterator[tuple[Loc, object, Loc]]:
    seen: dict[object, Loc] = {}
    for loc, value in values:
        if value in seen:
            yield loc, value, seen[value]
        else:
            seen[value] = loc


def _check_regions(kb: KnowledgeBase, doc: YamlFile) -> list[Problem]:
    problems: list[Problem] = []
    regions = kb.regions
    tables: dict[str, Sequence[schema.KeyDistrict | schema.Township | schema.Village]] = {
        "key_districts": regions.key_districts,
        "townships": regions.townships,
        "villages": regions.villages,
    }
    # A name misspelt in Traditional characters is reported once, where it is written: the rows that
    # name the district correctly are not reported as well.
    key_names = {d.name for d in regions.key_districts} | {
        to_simplified(d.name) for d in regions.key_districts
    }
    all_names = {d.name for d in kb.districts}
    for table, rows in tables.items():
        serials: list[tuple[Loc, object]] = [((table, i, "serial"), row.serial) for i, row in enumerate(rows)]
        for loc, value, first in _duplicates(serials):
            problems.append(doc.problem(loc, f"duplicate serial {value} (also on line {doc.line(first)})"))
    names = [(("key_districts", i, "name"), d.name) for i, d in enumerate(regions.key_districts)]
    for loc, value, first in _duplicates(names):
        problems.append(
            doc.problem(loc, f"duplicate district {value} (also on line {doc.line(first)}); keep one")
        )
    towns = [(("townships", i, "name"), (t.district, t.name)) for i, t in enumerate(kb.townships)]
    for loc, value, first in _duplicates(towns):
        problems.append(
            doc.problem(loc, f"duplicate township {value} (also on line {doc.line(first)}); keep one")
        )
    villages = [(("villages", i, "name"), (v.district, v.town, v.name)) for i, v in enumerate(kb.villages)]
    for loc, value, first in _duplicates(villages):
        problems.append(
            doc.problem(loc, f"duplicate village {value} (also on line {doc.line(first)}); keep one")
        )
    for i, township in enumerate(kb.townships):
        if township.district not in key_names:
            problems.append(
                _unknown_district(doc, ("townships", i, "district"), township.district, key_names, "附件1")
            )
    for i, village in enumerate(kb.villages):
        if village.district not in all_names:
            problems.append(
                _unknown_district(
                    doc, ("villages", i, "district"), village.district, all_names, "place_names.yaml"
                )
            )
    return problems


def _unknown_district(doc: YamlFile, loc: Loc, name: str, known: set[str], where: str) -> Problem:
    traditional = _in_traditional(name, known)
    if traditional:
        return doc.problem(loc, traditional)
    guess = _closest_name(name, known)
    hint = f"did you mean {guess}?" if guess else f"use a district listed in {where}"
    return doc.problem(loc, f"district {name} does not exist in {where}; {hint}")


def _in_traditional(name: str, known: set[str]) -> str | None:
    """Says how to write ``name`` when it is a known name written in Traditional characters (彭水縣)."""
    simplified = to_simplified(name)
    if simplified == name or simplified not in known:
        return None
    return f"{name} is written in Traditional characters; write {simplified} in Simplified characters, as the guideline prints it"


def _closest_name(name: str, known: set[str]) -> str | None:
    """The known name closest in writing to ``name``, never one in Traditional characters."""
    from rapidfuzz import process

    simplified = sorted(n for n in known if to_simplified(n) == n)
    guess = process.extractOne(to_simplified(name), simplified, score_cutoff=50)
    return str(guess[0]) if guess else None


def _check_place_names(kb: KnowledgeBase, doc: YamlFile, regions: YamlFile) -> list[Problem]:
    problems: list[Problem] = []
    listed = {place.name for place in kb.districts}
    for i, row in enumerate(kb.regions.key_districts):
        if row.name not in listed:
            message = (
                _in_traditional(row.name, listed)
                or f"{row.name} is not listed in place_names.yaml; add it there"
            )
            problems.append(regions.problem(("key_districts", i, "name"), message))
    surface: list[tuple[Loc, object]] = []
    for i, district in enumerate(kb.districts):
        surface.append((("districts", i, "name"), district.name))
        if district.official != district.name:
            surface.append((("districts", i, "official"), district.official))
        if district.short:
            surface.append((("districts", i, "short"), district.short))
        surface += [(("districts", i, "aliases", j), alias) for j, alias in enumerate(district.aliases)]
    for loc, value, first in _duplicates(surface):
        problems.append(
            doc.problem(
                loc, f"duplicate name {value} (also on line {doc.line(first)}); a name must mean one district"
            )
        )
    return problems


_COUNT_PATTERNS = {
    "国家级": re.compile(r"^(\d+)个国家级"),
    "市级": re.compile(r"^(\d+)个市级"),
    "townships": re.compile(r"^(\d+)个深度贫困乡镇"),
    "villages": re.compile(r"^(\d+)个定点攻坚村"),
}


def _check_counts(kb: KnowledgeBase, doc: YamlFile) -> list[Problem]:
    """Compares the attachments' row counts with the numbers 第二条 states (14, 4, 18, 100)."""
    stated: dict[str, int] = {}
    for item in kb.article(2).items:
        for what, pattern in _COUNT_PATTERNS.items():
            if match := pattern.match(item.text):
                stated[what] = int(match.group(1))
    rows = kb.regions.key_districts
    actual = {
        "国家级": (sum(d.tier == "国家级" for d in rows), ("key_districts",), "国家级 key districts"),
        "市级": (sum(d.tier == "市级" for d in rows), ("key_districts",), "市级 key districts"),
        "townships": (len(kb.townships), ("townships",), "deep-poverty townships"),
        "villages": (len(kb.villages), ("villages",), "designated villages"),
    }
    problems = []
    for what, (count, loc, label) in actual.items():
        expected = stated.get(what)
        if expected is not None and expected != count:
            problems.append(
                doc.problem(
                    loc,
                    f"{count} {label} listed, but 第二条 of the guideline says {expected}; restore the missing or remove the extra rows",
                )
            )
    return problems


def _read_news(
    kb: KnowledgeBase, doc: YamlFile, knowledge_dir: Path, problems: list[Problem]
) -> dict[str, str]:
    news: dict[str, str] = {}
    for name in kb.background.sources:
        path = knowledge_dir / NEWS_DIR / name
        try:
            news[name] = path.read_text(encoding="utf-8")
        except OSError:
            problems.append(
                doc.problem(
                    ("sources", name),
                    f"report {name} is not in knowledge/{NEWS_DIR}; add the file or remove this entry",
                )
            )
    return news


def _check_sources(kb: KnowledgeBase, model: BaseModel, doc: YamlFile, news: dict[str, str]) -> list[Problem]:
    """Checks that every `source` exists and that every quoted `text` appears in it verbatim."""
    problems: list[Problem] = []
    for loc, record in iter_models(model):
        source = getattr(record, "source", None)
        if not isinstance(source, str):
            continue
        citation = parse_citation(source)
        if citation.kind is CitationKind.NEWS:
            if citation.raw not in kb.background.sources:
                problems.append(
                    doc.problem(
                        (*loc, "source"),
                        f"report {source} is not listed under `sources` in knowledge/background.yaml; add it there",
                    )
                )
                continue
            if citation.raw not in news:
                continue  # its file is missing: _read_news has reported it
            cited: str | None = news[citation.raw]
        else:
            cited = kb.cited_text(citation)
        if cited is None:
            problems.append(
                doc.problem(
                    (*loc, "source"),
                    f"source {source} does not exist in the guideline; cite an article, item or point that "
                    "it has (see knowledge/guideline.yaml)",
                )
            )
            continue
        text = getattr(record, "text", None)
        if isinstance(text, str) and comparable(text) not in comparable(cited):
            problems.append(
                doc.problem(
                    (*loc, "text"),
                    f"text is not found verbatim in {source}; copy it from the "
                    + (
                        "news report"
                        if citation.kind is CitationKind.NEWS
                        else "guideline (knowledge/guideline.yaml)"
                    )
                    + " or correct the source",
                )
            )
    return problems


def _check_ids(kb: KnowledgeBase, documents: dict[str, YamlFile]) -> list[Problem]:
    problems: list[Problem] = []
    lists: list[tuple[str, str, Sequence[schema.Path | schema.ActivityGroup | schema.Requirement]]] = [
        ("participation.yaml", "paths", kb.participation.paths),
        ("activities.yaml", "org_types", kb.activities.org_types),
        ("activities.yaml", "themes", kb.activities.themes),
        ("reporting.yaml", "requirements", kb.reporting.requirements),
        ("reporting.yaml", "recognition", kb.reporting.recognition),
    ]
    for file_name, field, records in lists:
        doc = documents[file_name]
        for loc, value, first in _duplicates(((field, i, "id"), r.id) for i, r in enumerate(records)):
            problems.append(
                doc.problem(loc, f"duplicate id {value} (also on line {doc.line(first)}); ids must be unique")
            )
    path_ids = {p.id for p in kb.participation.paths}
    doc = documents["participation.yaml"]
    for i, ident in enumerate(kb.participation.getting_started):
        if ident not in path_ids:
            problems.append(
                doc.problem(
                    ("getting_started", i),
                    f"{ident} is not the id of a path; use one of {', '.join(sorted(path_ids))}",
                )
            )
    return problems


def check_updates(kb: KnowledgeBase, doc: YamlFile) -> list[Problem]:
    """Checks ``updates.yaml``: each entry names one updatable place, once, and changes something real."""
    problems: list[Problem] = []
    directory = kb.place_directory()
    seen: dict[PlaceRef, int] = {}
    guideline_date = kb.document.date
    for index, entry in enumerate(kb.updates.updates):
        loc: Loc = ("updates", index)
        found = directory.find(entry.place)
        message = update_problem(kb, directory, found, entry)
        if message is None and found[0] in seen:
            first = doc.line(("updates", seen[found[0]]))
            message = f"{entry.place} is updated twice (first on line {first}); keep one entry per place, the newest"
        if message is not None:
            problems.append(doc.problem((*loc, "place"), message))
            continue
        seen[found[0]] = index
        if entry.date < guideline_date:
            problems.append(
                doc.problem(
                    (*loc, "date"),
                    f"{entry.date} is before the guideline ({guideline_date}); write the date of the update",
                )
            )
    return problems


def update_problem(
    kb: KnowledgeBase, directory: PlaceDirectory, found: list[PlaceRef], entry: FactUpdate
) -> str | None:
    """What is wrong with one update entry, or None.

    Args:
        kb: The knowledge base.
        directory: The places updates may name.
        found: The places ``entry.place`` names (:meth:`PlaceDirectory.find`).
        entry: The update.
    """
    written, phone, contact, title = entry.place, entry.phone, entry.contact, entry.title
    if len(found) > 1:
        labels = "、".join(place.label for place in found)
        return f"{written} names several townships ({labels}); write the district too, e.g. {found[0].label}"
    if not found:
        guess = _closest_name(written, set(directory.names))
        hint = f"did you mean {guess}?" if guess else "use a name from knowledge/regions.yaml"
        return f"{written} is neither a key district of 附件1 nor a deep-poverty township of 附件2; {hint}"
    (place,) = found
    if place.township is None:
        district = kb.district(place.district)
        if district.key is None:
            return (
                f"{place.district} is not a key district of 附件1, which prints no office phone for it; "
                "only the 18 key districts' phones and the 18 townships' contacts can be updated"
            )
        if contact or title:
            return f"{place.district} is a district: its office has a phone only; `contact` and `title` are for a township"
        if phone is None:
            return f"write the new office phone of {place.district} as `phone:`"
        if phone == district.key.phone:
            return f"{phone} is the guideline's own number for {place.district}; remove this entry instead"
        return None
    row = next(t for t in kb.regions.townships if (t.district, t.name) == (place.district, place.township))
    if (contact is None) != (title is None):
        return "`contact` and `title` go together: write both, the new contact's name and title"
    if phone is None and contact is None:
        return f"write what changed for {place.label}: the new `phone`, or the new `contact` and `title`"
    if phone == row.phone and contact in (None, row.contact) and title in (None, row.title):
        return f"this is what the guideline prints for {place.label}; remove this entry instead"
    return None
