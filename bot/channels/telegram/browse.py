"""Browsing with buttons: /regions (tier → district → its contacts) and /activities (type → activities).

The command sends a menu; each press edits that message in place, with a Back button to the level above,
as python-telegram-bot's inlinekeyboard example does. Callback data:

=================  =====================================================
``r``              the regions menu (tiers and the townships list)
``r:t:<n>``        the districts of tier n (1 国家级, 2 市级)
``r:d:<slug>``     one district: phone, townships with contacts, villages
``r:s``            all deep-poverty townships with their contacts
``a``              the organization types
``a:o:<id>``       the activities recommended for one organization type
=================  =====================================================
"""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.channels.telegram import texts
from bot.channels.telegram.outbox import Destination, edit, send
from bot.channels.telegram.render import (
    Button,
    Keyboard,
    Rendered,
    callback_data,
    render_reply,
    render_text_block,
    rows_of,
)
from bot.channels.telegram.services import Context, Services
from bot.compose.activities import activities_reply
from bot.compose.districts import district_reply
from bot.compose.localities import all_townships_reply

logger = logging.getLogger(__name__)

REGIONS = "r"
ACTIVITIES = "a"
TIERS = ("国家级", "市级")
# Three Chinese district names (up to 5 characters) fit side by side on a phone.
DISTRICTS_PER_ROW = 3
REGIONS_PATTERN = rf"^{REGIONS}(:|$)"
ACTIVITIES_PATTERN = rf"^{ACTIVITIES}(:|$)"


def _back(data: str) -> Keyboard:
    return ((Button(texts.BACK, data),),)


def regions_menu(deps: Services) -> Rendered:
    """The top level of /regions: the two tiers of key districts and the townships list."""
    kb = deps.kb
    buttons = [
        Button(
            texts.TIER_BUTTON.format(tier=tier, count=len(kb.districts_of_tier(tier))),
            callback_data(REGIONS, "t", str(n)),
        )
        for n, tier in enumerate(TIERS, 1)
    ]
    buttons.append(
        Button(texts.TOWNSHIPS_BUTTON.format(count=len(kb.townships)), callback_data(REGIONS, "s"))
    )
    return render_text_block(texts.REGIONS_PROMPT, keyboard=rows_of(buttons, 1))


def tier_menu(deps: Services, tier: str) -> Rendered:
    """The districts of one tier as buttons, with Back."""
    districts = deps.kb.districts_of_tier(tier)
    buttons = [Button(d.name, callback_data(REGIONS, "d", deps.districts.slug(d))) for d in districts]
    keyboard = rows_of(buttons, DISTRICTS_PER_ROW) + _back(callback_data(REGIONS))
    return render_text_block(texts.TIER_PROMPT.format(tier=tier, count=len(districts)), keyboard=keyboard)


def district_view(deps: Services, slug: str) -> Rendered | None:
    """One district's phone, townships and villages, with Back to its tier; None if unknown."""
    district = deps.districts.get(slug)
    if district is None:
        return None
    back = (
        callback_data(REGIONS, "t", str(TIERS.index(district.tier) + 1))
        if district.tier in TIERS
        else REGIONS
    )
    return render_reply(district_reply(deps.kb, district), extra_rows=_back(back))


def townships_view(deps: Services) -> Rendered:
    """Every deep-poverty township with its contact, with Back."""
    return render_reply(all_townships_reply(deps.kb), extra_rows=_back(callback_data(REGIONS)))


def regions_view(deps: Services, data: str) -> Rendered | None:
    """What a /regions button shows, or None for data no longer valid."""
    parts = data.split(":")
    if parts == [REGIONS]:
        return regions_menu(deps)
    if len(parts) == 3 and parts[1] == "t" and parts[2] in ("1", "2"):
        return tier_menu(deps, TIERS[int(parts[2]) - 1])
    if len(parts) == 3 and parts[1] == "d":
        return district_view(deps, parts[2])
    if parts == [REGIONS, "s"]:
        return townships_view(deps)
    return None


def activities_menu(deps: Services) -> Rendered:
    """The organization types as buttons."""
    buttons = [Button(g.name, callback_data(ACTIVITIES, "o", g.id)) for g in deps.kb.activities.org_types]
    return render_text_block(texts.ACTIVITIES_PROMPT, keyboard=rows_of(buttons, 1))


def activities_view(deps: Services, data: str) -> Rendered | None:
    """What an /activities button shows, or None for data no longer valid."""
    parts = data.split(":")
    if parts == [ACTIVITIES]:
        return activities_menu(deps)
    if len(parts) == 3 and parts[1] == "o":
        group = next((g for g in deps.kb.activities.org_types if g.id == parts[2]), None)
        if group is not None:
            return render_reply(activities_reply(deps.kb, group), extra_rows=_back(callback_data(ACTIVITIES)))
    return None


async def _open(update: Update, context: Context, rendered: Rendered) -> None:
    message = update.message
    if message is not None:
        await send(context.bot, Destination.answering(message), rendered, context.services.store)


async def regions(update: Update, context: Context) -> None:
    """/regions: the menu of key districts and townships."""
    await _open(update, context, regions_menu(context.services))


async def activities(update: Update, context: Context) -> None:
    """/activities: the menu of organization types."""
    await _open(update, context, activities_menu(context.services))


async def browse_button(update: Update, context: Context) -> None:
    """A press in a /regions or /activities menu: shows the chosen level in place."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    deps = context.services
    view = regions_view if query.data.startswith(REGIONS) else activities_view
    rendered = view(deps, query.data)
    if rendered is None or not isinstance(query.message, Message):
        await query.answer(texts.BUTTON_EXPIRED)
        return
    await query.answer()
    await edit(context.bot, query.message, rendered, deps.store)
