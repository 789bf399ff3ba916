"""The routing table: which composer answers, once the question's entities are known.

An intent names the answer it wants (``answer: township_contact``), but what the question names can call for
another: 城口县的乡镇联系人 asks for a township's contact without naming a township, so it gets the list of
城口县's townships instead. Every such choice is a row of :data:`ROUTES`, tried in order for the answer at
hand; the first row whose condition holds sends the question on to another composer, whose rows are tried in
turn. When no row applies, the composer of that name writes the reply. Composers themselves never choose.

To learn why a question got the answer it got: ``bangfu console --debug`` shows the intent chosen, and
:func:`route` the rows it went through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.compose.registry import Brief
from bot.nlu.lexicon import Lexicon
from bot.nlu.slots import implied_districts, places_elsewhere, villages_meant

Condition = Callable[[Brief, Lexicon], bool]
# More hops than this mean two rows send a question back and forth: a mistake in the table.
MAX_HOPS = 8


@dataclass(frozen=True)
class Route:
    """One row of the routing table.

    Attributes:
        answer: The composer this row may route away from.
        when: The condition on the question's entities and words.
        then: The composer that answers instead (its own rows are tried next).
        why: What the row means, for maintainers and ``--debug``.
    """

    answer: str
    when: Condition
    then: str
    why: str


def _no_district(brief: Brief, lexicon: Lexicon) -> bool:
    return not implied_districts(brief.kb, brief.slots)


def _has_district(brief: Brief, lexicon: Lexicon) -> bool:
    return bool(implied_districts(brief.kb, brief.slots))


def _all_of(*conditions: Condition) -> Condition:
    def condition(brief: Brief, lexicon: Lexicon) -> bool:
        return all(c(brief, lexicon) for c in conditions)

    return condition


def _slots(test: Callable[[Brief], object]) -> Condition:
    def condition(brief: Brief, lexicon: Lexicon) -> bool:
        return bool(test(brief))

    return condition


def _plural(brief: Brief, lexicon: Lexicon) -> bool:
    return bool(set(brief.words) & lexicon.plural_words)


def _no_village_word(brief: Brief, lexicon: Lexicon) -> bool:
    return not any("村" in word for word in brief.words)


_NO_VILLAGE_MEANT = _slots(lambda b: not villages_meant(b.kb, b.slots))

ROUTES: tuple[Route, ...] = (
    # --- district offices ---
    Route(
        "district_phone_list",
        _slots(lambda b: implied_districts(b.kb, b.slots) or b.slots.other_places),
        "district_contact",
        "a place is named: its own office, not the list of all",
    ),
    Route(
        "district_phone_list",
        _all_of(_slots(lambda b: b.slots.city), lambda b, lx: not _plural(b, lx)),
        "city_office",
        "重庆市's own office (市扶贫办电话), not every district's (重庆市各区县扶贫办电话)",
    ),
    Route(
        "district_contact",
        _all_of(_no_district, _slots(lambda b: b.slots.other_places)),
        "other_region",
        "no Chongqing district, but a place the guideline does not cover",
    ),
    Route(
        "district_contact",
        _all_of(_no_district, _slots(lambda b: b.slots.city)),
        "city_office",
        "重庆市 itself, whose office the guideline does not list",
    ),
    Route("district_contact", _no_district, "district_phone_list", "no place named: every district's phone"),
    Route(
        "district_contact",
        _slots(lambda b: b.slots.org_types),
        "org_in_district",
        "an organization type too (我们是行业协会,想去忠县,找谁): whom to contact, and what it can do there",
    ),
    Route(
        "district_contact",
        _slots(
            lambda b: not b.slots.townships and not any(d.phone for d in implied_districts(b.kb, b.slots))
        ),
        "office_not_listed",
        "only places whose office the guideline does not list (渝北区扶贫办电话, 北碚区金刀峡镇联系人): declined",
    ),
    Route("district_overview", _no_district, "district_contact", "no district named or implied"),
    Route(
        "district_overview",
        _slots(
            lambda b: (
                len(b.slots.villages) == 1
                and not b.slots.townships
                and all(d.name == b.slots.villages[0].district for d in b.slots.districts)
            )
        ),
        "village_location",
        "a village written with its district (城口县明中乡金池村): that village, not the whole district",
    ),
    Route("district_tier", _no_district, "tier_list", "no district named: the districts of each tier"),
    Route(
        "district_tier",
        _slots(lambda b: b.slots.villages and not b.slots.tiers),
        "village_location",
        "a village between two districts (回龙村是彭水的还是石柱的): where it is, not a tier",
    ),
    Route(
        "region_counts",
        _slots(lambda b: b.slots.tiers and set(b.words) & {"列", "列出", "列一下", "分别"}),
        "tier_list",
        "a tier's districts counted and listed (国家级重点区县一共几个?列一下): the list says the count too",
    ),
    # --- townships ---
    Route(
        "township_contact",
        _slots(lambda b: b.slots.org_types or b.slots.themes),
        "org_in_district",
        "an organization type or theme too: what it can do there, and whom to contact",
    ),
    Route(
        "township_contact",
        _slots(
            lambda b: b.slots.townships and any("村" in w for w in b.words) and villages_meant(b.kb, b.slots)
        ),
        "village_location",
        "大进镇的定点攻坚村: the township's villages, then its contact",
    ),
    Route(
        "township_contact",
        _slots(lambda b: not b.slots.townships and (b.slots.towns or b.slots.villages)),
        "village_location",
        "a town or village, not a deep-poverty township: where it is and whom to call",
    ),
    Route(
        "township_contact",
        _slots(lambda b: not b.slots.townships and b.slots.districts),
        "townships_in_district",
        "only a district named: its deep-poverty townships",
    ),
    Route("township_contact", _slots(lambda b: not b.slots.townships), "township_list", "no place named"),
    Route(
        "townships_in_district",
        _slots(lambda b: b.slots.villages or b.slots.towns),
        "village_location",
        "高桥村联系谁: where the village is and whom to call there",
    ),
    Route("townships_in_district", _no_district, "township_list", "no district named: all townships"),
    Route(
        "townships_in_district",
        _slots(lambda b: not any(d.townships or d.phone for d in implied_districts(b.kb, b.slots))),
        "no_townships",
        "a district with no township and no listed office (北碚区的深度贫困乡镇联系人): declined, saying so",
    ),
    Route(
        "township_list",
        _slots(lambda b: b.slots.districts),
        "townships_in_district",
        "a district named: its townships",
    ),
    # --- villages ---
    Route(
        "village_location",
        _all_of(_NO_VILLAGE_MEANT, _slots(lambda b: b.slots.townships), _no_village_word),
        "township_contact",
        "a township asked about, not its villages: its contact",
    ),
    Route(
        "village_location",
        _all_of(_NO_VILLAGE_MEANT, _slots(lambda b: b.slots.townships)),
        "no_villages",
        "villages of a township that has none (三建乡有哪些定点攻坚村): declined, saying so",
    ),
    Route(
        "village_location",
        _all_of(_NO_VILLAGE_MEANT, _slots(lambda b: b.slots.districts)),
        "villages_in_district",
        "no village named, a district named: its villages",
    ),
    Route("village_location", _NO_VILLAGE_MEANT, "village_list", "no place named: every village"),
    Route(
        "villages_in_district",
        _slots(lambda b: (b.slots.towns or b.slots.villages or b.slots.townships) and not b.slots.districts),
        "village_location",
        "a town, township or village named without its district: where it is",
    ),
    Route("villages_in_district", _no_district, "village_list", "no district named: every village"),
    Route(
        "village_list",
        _slots(lambda b: b.slots.districts),
        "villages_in_district",
        "a district named: its villages",
    ),
    # --- activities ---
    Route(
        "activities_by_orgtype",
        _slots(lambda b: not b.slots.org_types and b.slots.themes),
        "activities_by_theme",
        "a theme, no organization type: the theme's activities",
    ),
    Route(
        "activities_by_orgtype",
        _slots(lambda b: not b.slots.org_types),
        "which_org_type",
        "no organization type: ask which",
    ),
    Route("activities_by_orgtype", _has_district, "org_in_district", "a place too: whom to contact there"),
    Route(
        "activities_by_theme",
        _slots(lambda b: not b.slots.themes and b.slots.org_types),
        "activities_by_orgtype",
        "an organization type, no theme: the type's activities",
    ),
    Route("activities_by_theme", _slots(lambda b: not b.slots.themes), "which_theme", "no theme: ask which"),
    Route(
        "org_in_district",
        _all_of(_no_district, _slots(lambda b: places_elsewhere(b.slots))),
        "other_region",
        "a place outside Chongqing: the guideline does not cover it",
    ),
    Route(
        "org_in_district",
        _all_of(_no_district, _slots(lambda b: b.slots.org_types)),
        "activities_by_orgtype",
        "no place: the organization type's activities",
    ),
    Route(
        "org_in_district",
        _all_of(_no_district, _slots(lambda b: b.slots.other_places)),
        "other_region",
        "an organization type and a place the guideline does not cover (我们是山东的协会,山东省扶贫办电话)",
    ),
    Route("org_in_district", _no_district, "district_contact", "no place and no organization type"),
    # --- the cover letter and the document ---
    Route(
        "authority_duties",
        _slots(lambda b: b.slots.city and "电话" in b.words),
        "city_office",
        "市民政局电话: the guideline lists no city office's phone",
    ),
    Route(
        "article_text",
        _slots(lambda b: not b.slots.articles),
        "document_info",
        "no article named: the document",
    ),
)

_BY_ANSWER: dict[str, tuple[Route, ...]] = {}
for _route in ROUTES:
    _BY_ANSWER[_route.answer] = (*_BY_ANSWER.get(_route.answer, ()), _route)


@dataclass(frozen=True)
class Routed:
    """Where a question was routed.

    Attributes:
        composer: The composer that writes the reply.
        path: The rows followed, in order.
    """

    composer: str
    path: tuple[Route, ...]


def route(answer: str, brief: Brief, lexicon: Lexicon) -> Routed:
    """Follows the routing table from an intent's answer to the composer that writes the reply.

    Raises:
        RuntimeError: The table sends a question round in a circle (a mistake in :data:`ROUTES`).
    """
    path: list[Route] = []
    current = answer
    while True:
        row = next((r for r in _BY_ANSWER.get(current, ()) if r.when(brief, lexicon)), None)
        if row is None:
            return Routed(current, tuple(path))
        path.append(row)
        current = row.then
        if len(path) > MAX_HOPS:
            raise RuntimeError(f"routing goes round in a circle: {' → '.join(r.answer for r in path)}")


def targets() -> frozenset[str]:
    """Every composer name the table names, so a test can check each one exists."""
    return frozenset({r.answer for r in ROUTES} | {r.then for r in ROUTES})
