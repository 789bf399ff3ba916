"""The entities of a question resolved to knowledge records: which districts, townships, villages, organization
types, themes, tiers and articles it is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from bot.data.entity_type import EntityType
from bot.data.knowledge import District, KnowledgeBase
from bot.data.schema import ActivityGroup, Township, Village
from bot.nlu.analysis import Analysis
from bot.nlu.entities import ArticleKey, TownshipKey, VillageKey


@dataclass(frozen=True)
class Slots:
    """The entities of a question, resolved to knowledge records.

    Attributes:
        districts: Districts mentioned, in order.
        townships: Deep-poverty townships mentioned.
        towns: Towns of designated villages mentioned, as (district, town).
        villages: Villages mentioned (every village of a shared name, unless a district narrows it).
        org_types: Organization types mentioned.
        themes: Themes mentioned.
        tiers: 国家级 / 市级, if mentioned.
        other_places: Places outside what the guideline covers.
        local_places: Those of them named like a township or village (解放村): ones the attachments do not list.
        city: Whether Chongqing itself (重庆市, 市扶贫办) is mentioned.
        articles: Articles referred to, as (article number, item number or 0 for the whole article).
    """

    districts: tuple[District, ...] = ()
    townships: tuple[Township, ...] = ()
    towns: tuple[tuple[str, str], ...] = ()
    villages: tuple[Village, ...] = ()
    org_types: tuple[ActivityGroup, ...] = ()
    themes: tuple[ActivityGroup, ...] = ()
    tiers: tuple[str, ...] = ()
    other_places: tuple[str, ...] = ()
    local_places: frozenset[str] = frozenset()
    city: bool = False
    articles: tuple[tuple[int, int], ...] = ()

    @property
    def places(self) -> bool:
        """Whether any Chongqing place is mentioned."""
        return bool(self.districts or self.townships or self.towns or self.villages)


def unlisted_local_places(slots: Slots) -> list[str]:
    """The townships and villages a question named that the attachments do not list."""
    return [place for place in slots.other_places if place in slots.local_places]


def places_elsewhere(slots: Slots) -> list[str]:
    """The places a question named outside Chongqing's districts: provinces, cities, national offices."""
    return [place for place in slots.other_places if place not in slots.local_places]


def implied_districts(kb: KnowledgeBase, slots: Slots) -> list[District]:
    """Districts named, or implied by a township, town or village named."""
    names = [d.name for d in slots.districts]
    names += [t.district for t in slots.townships] + [v.district for v in slots.villages]
    names += [district for district, _ in slots.towns]
    return [kb.district(name) for name in unique(names)]


def villages_meant(kb: KnowledgeBase, slots: Slots) -> list[Village]:
    """The designated villages a question is about: those named, and those of the towns or townships named."""
    villages = list(slots.villages)
    for district, town in slots.towns:
        villages += [v for v in kb.villages if v.district == district and v.town == town]
    for township in slots.townships:
        villages += [v for v in kb.villages if v.district == township.district and v.town == township.name]
    return unique(villages)


def resolve_slots(kb: KnowledgeBase, analysis: Analysis) -> Slots:
    """Turns the mentions of an analysis into knowledge records.

    A shared name (高桥村 in two districts; 双龙镇, a township in 巫山县 and a town in 云阳县) keeps every
    reading unless the question also names a district, which then selects the reading in that district.
    """
    mentioned_districts = [
        c.name for m in analysis.mentions for c in m.candidates if c.type is EntityType.DISTRICT
    ]
    districts = unique(kb.district(name) for name in mentioned_districts)
    in_named = set(mentioned_districts)
    townships: list[Township] = []
    towns: list[tuple[str, str]] = []
    villages: list[Village] = []
    org_types: list[ActivityGroup] = []
    themes: list[ActivityGroup] = []
    tiers: list[str] = []
    others: list[str] = []
    local: list[str] = []
    articles: list[tuple[int, int]] = []
    city = False
    for mention in analysis.mentions:
        candidates = [c for c in mention.candidates if c.type is not EntityType.DISTRICT]
        narrowed = [c for c in candidates if c.district in in_named]
        for entity in narrowed or candidates:
            key = entity.key
            if entity.type is EntityType.TOWNSHIP and isinstance(key, TownshipKey):
                townships += [t for t in kb.townships if (t.district, t.name) == (key.district, key.name)]
            elif entity.type is EntityType.TOWN and isinstance(key, TownshipKey):
                towns.append((key.district, key.name))
            elif isinstance(key, VillageKey):
                villages += [
                    v
                    for v in kb.villages
                    if (v.district, v.town, v.name) == (key.district, key.town, key.name)
                ]
            elif entity.type is EntityType.ORG_TYPE:
                org_types.append(kb.org_type(entity.name))
            elif entity.type is EntityType.THEME:
                themes.append(kb.theme(entity.name))
            elif entity.type is EntityType.TIER:
                tiers.append(entity.name)
            elif entity.type is EntityType.OTHER_PLACE:
                others.append(mention.surface)
                if entity.local:
                    local.append(mention.surface)
            elif entity.type is EntityType.CITY:
                city = True
            elif isinstance(key, ArticleKey):
                articles.append((key.number, key.item))
    return Slots(
        districts=tuple(districts),
        townships=tuple(unique(townships)),
        towns=tuple(unique(towns)),
        villages=tuple(unique(villages)),
        org_types=tuple(unique(org_types)),
        themes=tuple(unique(themes)),
        tiers=tuple(unique(tiers)),
        other_places=tuple(unique(others)),
        local_places=frozenset(local),
        city=city,
        articles=tuple(unique(articles)),
    )


T = TypeVar("T")


def unique(items: Iterable[T]) -> list[T]:
    """The items without repeats, in their first order (for unhashable records too)."""
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
