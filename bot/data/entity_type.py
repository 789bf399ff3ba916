"""The kinds of things a question can mention, shared by the intent files' schema and the answer engine."""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    """The kinds of things a question can mention."""

    DISTRICT = "district"
    TOWNSHIP = "township"
    TOWN = "town"
    VILLAGE = "village"
    ORG_TYPE = "org_type"
    THEME = "theme"
    TIER = "tier"
    OTHER_PLACE = "other_place"
    CITY = "city"  # Chongqing itself (重庆市), as opposed to one of its districts
    ARTICLE = "article"  # an article of the guideline (第十一条), or one of its items (第五条第九项)


# The places of Chongqing a question can name, as the attachments list them.
PLACE_TYPES = frozenset({EntityType.DISTRICT, EntityType.TOWNSHIP, EntityType.TOWN, EntityType.VILLAGE})
