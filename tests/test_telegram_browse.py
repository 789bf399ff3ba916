"""/regions and /activities: menus that browse in place, with Back buttons."""

from __future__ import annotations

import pytest

from bot.channels.telegram import browse, texts
from bot.channels.telegram.render import MAX_CALLBACK_DATA_BYTES, Rendered
from bot.channels.telegram.services import Services
from tests.fakebotapi import FakeChat, FakeUser
from tests.telegram_support import BotUnderTest


def data_of(rendered: Rendered) -> list[str]:
    return [button.data for row in rendered.keyboard for button in row]


def labels_of(rendered: Rendered) -> list[str]:
    return [button.label for row in rendered.keyboard for button in row]


def test_the_regions_menu_offers_both_tiers_and_the_townships(deps: Services) -> None:
    menu = browse.regions_menu(deps)
    assert labels_of(menu) == ["国家级重点区县(14个)", "市级重点区县(4个)", "深度贫困乡镇联系人(18个)"]
    assert data_of(menu) == ["r:t:1", "r:t:2", "r:s"]


@pytest.mark.parametrize(("data", "tier", "count"), [("r:t:1", "国家级", 14), ("r:t:2", "市级", 4)])
def test_a_tier_lists_its_districts_with_back(deps: Services, data: str, tier: str, count: int) -> None:
    view = browse.regions_view(deps, data)
    assert view is not None
    assert labels_of(view)[:-1] == [d.name for d in deps.kb.districts_of_tier(tier)]
    assert len(labels_of(view)) == count + 1
    assert view.keyboard[-1][0].label == texts.BACK
    assert view.keyboard[-1][0].data == "r"
    assert all(len(row) <= browse.DISTRICTS_PER_ROW for row in view.keyboard)


def test_every_district_view_shows_phone_townships_villages_and_goes_back_to_its_tier(deps: Services) -> None:
    for slug, district in deps.districts.by_slug.items():
        view = browse.regions_view(deps, f"r:d:{slug}")
        assert view is not None
        shown = "".join(view.chunks)
        if district.phone:
            assert district.phone in shown
        assert all(t.phone in shown for t in district.townships)
        assert all(v.name in shown for v in district.villages)
        back = view.keyboard[-1][0]
        assert back.label == texts.BACK
        expected = {"国家级": "r:t:1", "市级": "r:t:2"}.get(district.tier or "", "r")
        assert back.data == expected


def test_the_townships_view_lists_every_contact(deps: Services) -> None:
    view = browse.regions_view(deps, "r:s")
    assert view is not None
    assert all(t.contact in "".join(view.chunks) for t in deps.kb.townships)


def test_activities_menu_and_views(deps: Services) -> None:
    menu = browse.activities_menu(deps)
    assert labels_of(menu) == [g.name for g in deps.kb.activities.org_types]
    for group in deps.kb.activities.org_types:
        view = browse.activities_view(deps, f"a:o:{group.id}")
        assert view is not None
        assert all(a.text in "".join(view.chunks).replace("&amp;", "&") for a in group.activities)
        assert view.keyboard[-1][0].data == "a"


@pytest.mark.parametrize(
    "data", ["r:t:3", "r:t:0", "r:d:atlantis", "r:x", "r:d", "a:o:pirates", "a:x:y", "a:o"]
)
def test_invalid_data_shows_nothing(deps: Services, data: str) -> None:
    view = browse.regions_view(deps, data) if data.startswith("r") else browse.activities_view(deps, data)
    assert view is None


def test_all_browse_buttons_fit_in_64_bytes(deps: Services) -> None:
    views = [browse.regions_menu(deps), browse.activities_menu(deps)]
    views += [v for d in ("r:t:1", "r:t:2", "r:s") if (v := browse.regions_view(deps, d))]
    views += [v for s in deps.districts.by_slug if (v := browse.regions_view(deps, f"r:d:{s}"))]
    for view in views:
        assert all(len(data.encode()) <= MAX_CALLBACK_DATA_BYTES for data in data_of(view))


# --- through the bot ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_regions_browsing_edits_one_message(bot: BotUnderTest, chat: FakeChat, user: FakeUser) -> None:
    api = bot.api
    api.send_text(chat, user, "/regions")
    await bot.flush()
    [menu] = api.sent_messages(chat)
    assert menu.text == texts.REGIONS_PROMPT
    tier = await bot.press(menu, user, "国家级重点区县(14个)")
    assert tier.text is not None
    assert tier.text.startswith("国家级扶贫开发工作重点区县(14个)")
    district = await bot.press(tier, user, "城口县")
    assert district.text is not None
    assert "023-59221209" in district.text
    assert "沿河乡" in district.text
    assert "金岩村" in district.text
    assert district.button_texts[-1] == texts.BACK
    back = await bot.press(district, user, texts.BACK)
    assert back.text is not None
    assert back.text.startswith("国家级")
    top = await bot.press(back, user, texts.BACK)
    assert top.text == texts.REGIONS_PROMPT
    assert len(api.sent_messages(chat)) == 1  # every step replaced the same message
    assert len(top.history) == 4
    assert not api.failed_calls()


@pytest.mark.asyncio
async def test_pressing_the_same_button_twice_is_harmless(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser
) -> None:
    api = bot.api
    api.send_text(chat, user, "/regions")
    await bot.flush()
    [menu] = api.sent_messages(chat)
    api.press_button(menu, user, "r:t:2")
    api.press_button(menu, user, "r:t:2")  # an impatient double tap on the old keyboard
    await bot.flush()
    # Telegram refuses the second edit as "not modified"; the bot takes that as done.
    [refused] = api.failed_calls()
    assert "message is not modified" in (refused.description or "")
    assert len(api.sent_messages(chat)) == 1
    api.requests.clear()


@pytest.mark.asyncio
async def test_activities_browsing(bot: BotUnderTest, chat: FakeChat, user: FakeUser) -> None:
    api = bot.api
    api.send_text(chat, user, "/activities")
    await bot.flush()
    [menu] = api.sent_messages(chat)
    view = await bot.press(menu, user, "教育培训类社会组织")
    assert view.text is not None
    assert "教育培训类社会组织:推荐开展的帮扶活动" in view.text
    assert view.button_texts[-1] == texts.BACK
    suggestion = view.button_texts[0]
    await bot.press(view, user, suggestion)
    answer = api.sent_messages(chat)[-1]
    assert answer.message_id != menu.message_id
    assert (answer.text or "").startswith("问:")
    assert not api.failed_calls()
