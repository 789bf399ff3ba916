"""Updated facts: office phones and township contacts changed since the guideline was published.

``knowledge/regions.yaml`` mirrors the guideline and is never edited for an update; ``knowledge/updates.yaml``
records each change with its date and source, and the knowledge base lays it over the guideline's row.
Answers then show the current fact with its provenance ("023-58569999(2026-03-01 更新,来源:…)") and the
guideline's value only as superseded; removing the entry restores the guideline's value.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.data import schema
from bot.data.normalize import to_simplified
from bot.data.schema import Phone, Strict, Text


class FactUpdate(Strict):
    """One entry of ``knowledge/updates.yaml``: what changed, when, and who says so."""

    place: Text
    phone: Phone | None = None
    contact: Text | None = None
    title: Text | None = None
    date: datetime.date
    source: Text


class UpdatesFile(Strict):
    """``knowledge/updates.yaml``."""

    version: Literal[1]
    updates: list[FactUpdate] = []


@dataclass(frozen=True)
class PlaceRef:
    """A place an update may concern: a key district's office, or a deep-poverty township's contact.

    Attributes:
        district: The district as the guideline prints it (万州区).
        township: The township (龙驹镇), or None for the district's office.
    """

    district: str
    township: str | None = None

    @property
    def label(self) -> str:
        """万州区 or 万州区龙驹镇."""
        return self.district + (self.township or "")

    @property
    def what(self) -> str:
        """What was updated, as answers name it: 万州区扶贫办电话 or 万州区龙驹镇联系人."""
        return f"{self.label}{'联系人电话' if self.township else '扶贫办电话'}"


@dataclass(frozen=True)
class Updated:
    """An update laid over the guideline: the current values beside the guideline's.

    Attributes:
        place: The place updated.
        index: The entry's position in ``updates.yaml``.
        date: When the change was announced.
        source: Where it comes from (free text).
        phone: The current phone.
        old_phone: The guideline's phone, when the update changed it.
        contact: A township's new contact person, when the update changed them, and their title.
        old_contact: The guideline's contact person, when the update changed them, and their title.
    """

    place: PlaceRef
    index: int
    date: datetime.date
    source: str
    phone: str
    old_phone: str | None = None
    contact: str | None = None
    title: str | None = None
    old_contact: str | None = None
    old_title: str | None = None

    @property
    def provenance(self) -> str:
        """2026-03-01 更新,来源:万州区乡村振兴局通知."""
        return f"{self.date.isoformat()} 更新,来源:{self.source}"

    @property
    def superseded(self) -> str:
        """The guideline's values this update replaces: 023-58569600, or 张成林(镇主任),18223503665."""
        contact = f"{self.old_contact}({self.old_title})" if self.old_contact else None
        return ",".join(part for part in (contact, self.old_phone) if part)


class UpdatedTownship(schema.Township):
    """A township of 附件2 whose contact or phone an update changed; ``provenance`` says when and by whom."""

    provenance: Text


@dataclass(frozen=True)
class PlaceDirectory:
    """Finds the place an update names, by any of its names, in Simplified or Traditional characters."""

    districts: dict[str, str]  # every name of a district → its name in the guideline
    townships: tuple[schema.Township, ...]

    @classmethod
    def of(cls, places: Iterable[schema.PlaceName], townships: Sequence[schema.Township]) -> PlaceDirectory:
        """Indexes the names of ``places`` and the townships of 附件2."""
        names: dict[str, str] = {}
        for place in places:
            for name in (place.name, place.official, place.short, *place.aliases):
                if name:
                    names.setdefault(name, place.name)
        return cls(names, tuple(townships))

    def find(self, written: str) -> list[PlaceRef]:
        """Every place ``written`` may name: one district, one township, or several townships of that name."""
        text = to_simplified(written.strip())
        if text in self.districts:
            return [PlaceRef(self.districts[text])]
        found = []
        for township in self.townships:
            prefixes = {""} | {
                name for name, district in self.districts.items() if district == township.district
            }
            if any(text == prefix + township.name for prefix in prefixes):
                found.append(PlaceRef(township.district, township.name))
        return found

    @property
    def names(self) -> list[str]:
        """Every name of a district and every township, for suggestions."""
        return [*self.districts, *(t.name for t in self.townships)]


def apply_updates(
    updates: UpdatesFile, key_phones: dict[str, str], directory: PlaceDirectory
) -> dict[PlaceRef, Updated]:
    """The updates that apply, by place; an entry naming no place, or an unusable one, is left out.

    :func:`bot.data.checks.check_updates` reports the entries left out, and two entries for one place.

    Args:
        updates: The parsed ``updates.yaml``.
        key_phones: The guideline's office phone of every key district, by name.
        directory: The places of the guideline.
    """
    applied: dict[PlaceRef, Updated] = {}
    townships = {(t.district, t.name): t for t in directory.townships}
    for index, entry in enumerate(updates.updates):
        found = directory.find(entry.place)
        if len(found) != 1 or found[0] in applied:
            continue
        (place,) = found
        if place.township is None:
            old = key_phones.get(place.district)
            if old is None or entry.phone is None or entry.contact or entry.title:
                continue
            applied[place] = Updated(place, index, entry.date, entry.source, entry.phone, old_phone=old)
            continue
        row = townships[(place.district, place.township)]
        if (entry.phone is None and entry.contact is None) or (entry.contact is None) != (
            entry.title is None
        ):
            continue
        changed = entry.contact is not None
        applied[place] = Updated(
            place,
            index,
            entry.date,
            entry.source,
            entry.phone or row.phone,
            old_phone=row.phone if entry.phone else None,
            contact=entry.contact,
            title=entry.title,
            old_contact=row.contact if changed else None,
            old_title=row.title if changed else None,
        )
    return applied


def updated_township(row: schema.Township, entry: FactUpdate, update: Updated) -> UpdatedTownship:
    """The row of 附件2 with the update's contact, title and phone, and its provenance."""
    return UpdatedTownship(
        **(
            row.model_dump()
            | {
                "phone": update.phone,
                "contact": entry.contact or row.contact,
                "title": entry.title or row.title,
                "provenance": update.provenance,
            }
        )
    )
