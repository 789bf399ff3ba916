"""``bangfu update``: records a changed office phone or township contact in ``knowledge/updates.yaml``.

The entry carries its date and source; the generated ``regions.yaml`` keeps mirroring the guideline. An
existing entry for the same place is replaced, ``--remove`` deletes it (restoring the guideline's value),
and the knowledge is validated before the command reports success: an edit that would not load is undone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from bot.data.checks import update_problem
from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_knowledge
from bot.data.updates import FactUpdate, PlaceRef
from bot.data.yamlio import load_yaml, parse_yaml
from bot.errors import BangfuError, DataError, Problem, display_path
from bot.tools.yamledit import append_item, replace_item, scalar

UPDATES_FILE = "updates.yaml"
# A new updates.yaml, when the knowledge has none yet: the header of the shipped file explains the fields.
_EMPTY = "# 更新的联系方式: see README, 'Maintaining the knowledge'.\nversion: 1\nupdates: []\n"


class UpdateError(BangfuError):
    """The update asked for is not possible; the message says why and what to do."""


@dataclass(frozen=True)
class UpdateRequest:
    """What ``bangfu update`` was asked to record (or remove)."""

    place: str
    phone: str | None = None
    contact: str | None = None
    title: str | None = None
    date: datetime.date | None = None
    source: str | None = None
    remove: bool = False


@dataclass(frozen=True)
class UpdateResult:
    """What the command did, for its report."""

    summary: str
    path: Path


def record_update(knowledge_dir: Path, request: UpdateRequest, *, today: datetime.date) -> UpdateResult:
    """Adds, replaces or removes the update of one place, then checks that the knowledge still loads.

    Raises:
        UpdateError: The place, phone, contact or date cannot be used, or there is nothing to remove.
        DataError: The knowledge has problems (before the edit, or, undone, after it).
    """
    kb = load_knowledge(knowledge_dir)
    path = knowledge_dir / UPDATES_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else _EMPTY
    document = parse_yaml(text, display_path(path))
    place = _one_place(kb, request.place)
    existing = [
        index
        for index, entry in enumerate(kb.updates.updates)
        if kb.place_directory().find(entry.place) == [place]
    ]
    if request.remove:
        if not existing:
            raise UpdateError(
                f"{place.label} has no update to remove; it shows the guideline's value already"
            )
        for index in reversed(existing):
            text = replace_item(document, text, ("updates", index), None)
            document = parse_yaml(text, document.display)
        summary = f"removed the update of {place.label}: answers show the guideline's value again"
    else:
        entry = _entry(kb, place, request, today)
        lines = _entry_lines(place, entry)
        if existing:
            text = replace_item(document, text, ("updates", existing[0]), lines)
        else:
            text, _ = append_item(document, text, ("updates",), lines)
        summary = _describe(kb, place, entry)
    _write_checked(knowledge_dir, path, text)
    return UpdateResult(summary, path)


def _one_place(kb: KnowledgeBase, written: str) -> PlaceRef:
    directory = kb.place_directory()
    found = directory.find(written)
    if len(found) == 1:
        return found[0]
    probe = FactUpdate(place=written, date=kb.document.date, source="-")
    raise UpdateError(update_problem(kb, directory, found, probe) or f"cannot find {written}")


def _entry(kb: KnowledgeBase, place: PlaceRef, request: UpdateRequest, today: datetime.date) -> FactUpdate:
    if not request.source:
        raise UpdateError(
            "say where the new fact comes from with --source, e.g. --source 万州区乡村振兴局通知"
        )
    try:
        entry = FactUpdate(
            place=place.label,
            phone=request.phone,
            contact=request.contact,
            title=request.title,
            date=request.date or today,
            source=request.source,
        )
    except ValidationError as exc:
        raise UpdateError(
            "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        ) from None
    problem = update_problem(kb, kb.place_directory(), [place], entry)
    if problem is not None:
        for option, field in (("--phone", "`phone:`"), ("--contact", "`contact`"), ("--title", "`title`")):
            problem = problem.replace(field, option)
        raise UpdateError(problem)
    if entry.date < kb.document.date or entry.date > today:
        raise UpdateError(
            f"--date {entry.date} must lie between the guideline ({kb.document.date}) and today ({today})"
        )
    return entry


def _entry_lines(place: PlaceRef, entry: FactUpdate) -> list[str]:
    lines = [f"  - place: {scalar(place.label)}"]
    if entry.phone:
        lines.append(f"    phone: '{entry.phone}'")
    if entry.contact and entry.title:
        lines += [f"    contact: {scalar(entry.contact)}", f"    title: {scalar(entry.title)}"]
    lines += [f"    date: {entry.date.isoformat()}", f"    source: {scalar(entry.source)}"]
    return lines


def _describe(kb: KnowledgeBase, place: PlaceRef, entry: FactUpdate) -> str:
    if place.township is None:
        old = kb.district(place.district).guideline_phone
        return f"{place.what}: {old} → {entry.phone} ({entry.date.isoformat()} 更新,来源:{entry.source})"
    row = next(t for t in kb.regions.townships if (t.district, t.name) == (place.district, place.township))
    old = f"{row.contact}({row.title}),{row.phone}"
    new = f"{entry.contact or row.contact}({entry.title or row.title}),{entry.phone or row.phone}"
    return f"{place.label}联系人: {old} → {new} ({entry.date.isoformat()} 更新,来源:{entry.source})"


def _write_checked(knowledge_dir: Path, path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` and loads the knowledge; restores the old file if it does not load."""
    old = path.read_bytes() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    try:
        load_yaml(path, display_path(path))
        load_knowledge(knowledge_dir)
    except DataError as exc:
        if old is None:
            path.unlink()
        else:
            path.write_bytes(old)
        problems = [*exc.problems, Problem(display_path(path), 0, "the edit was undone")]
        raise DataError(problems) from None
