"""ASCII names of districts for callback data and deep links: ``wanzhou`` for 万州区.

A slug is the pinyin of the district's short name (its full name when it has none: 忠县 → zhongxian).
Deep links use ``district_<slug>`` (``t.me/<bot>?start=district_wanzhou``), which fits Telegram's
``start`` parameter (at most 64 characters of ``[A-Za-z0-9_-]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from bot.data.knowledge import District, KnowledgeBase

DEEP_LINK_PREFIX = "district_"
# pypinyin reads some place names with a character's commoner sound; these are the names' own readings.
PINYIN_OVERRIDES = {"丰都": "fengdu"}
_SLUG = re.compile(r"^[a-z]{2,24}$")


def district_slug(district: District) -> str:
    """The district's ASCII slug, e.g. ``wanzhou`` (万州区), ``fengdu`` (丰都县), ``zhongxian`` (忠县)."""
    name = district.short or district.name
    return PINYIN_OVERRIDES.get(name) or "".join(lazy_pinyin(name, style=Style.NORMAL)).lower()


@dataclass(frozen=True)
class DistrictDirectory:
    """The districts the guideline lists, by slug.

    Attributes:
        by_slug: Every district any attachment lists (key districts first, in attachment order).
    """

    by_slug: dict[str, District]

    @classmethod
    def build(cls, kb: KnowledgeBase) -> DistrictDirectory:
        """Builds the directory of the districts the guideline lists.

        Raises:
            ValueError: Two districts would share a slug, or a slug is not plain ASCII letters; either
                would make a button or deep link open the wrong district.
        """
        key_names = {d.name for d in kb.key_districts}
        others = [d for d in kb.districts if d.in_guideline and d.name not in key_names]
        by_slug: dict[str, District] = {}
        for district in (*kb.key_districts, *others):
            slug = district_slug(district)
            if not _SLUG.match(slug):
                raise ValueError(f"slug {slug!r} of {district.name} is not 2-24 lower-case ASCII letters")
            if slug in by_slug:
                raise ValueError(f"{district.name} and {by_slug[slug].name} share the slug {slug!r}")
            by_slug[slug] = district
        return cls(by_slug)

    def slug(self, district: District) -> str:
        """The slug of a district of this directory."""
        return district_slug(district)

    def get(self, slug: str) -> District | None:
        """The district with this slug, or None."""
        return self.by_slug.get(slug)

    def from_deep_link(self, payload: str) -> District | None:
        """The district a ``/start`` payload such as ``district_wanzhou`` opens, or None."""
        if not payload.startswith(DEEP_LINK_PREFIX):
            return None
        return self.get(payload.removeprefix(DEEP_LINK_PREFIX).lower())

    @staticmethod
    def deep_link(district: District) -> str:
        """The ``/start`` payload that opens a district: ``district_wanzhou``."""
        return DEEP_LINK_PREFIX + district_slug(district)
