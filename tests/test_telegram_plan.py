"""/plan: organization type → district → optional theme → one plan; /cancel; hints for stray messages."""

from __future__ import annotations

import itertools

import pytest

from bot.channels.telegram import plan, texts
from bot.channels.telegram.render import MAX_CALLBACK_DATA_BYTES, callback_data
from bot.channels.telegram.services import Services
from bot.engine import Engine
from tests.fakebotapi import FakeChat, FakeUser, StoredMessage
from tests.telegram_support import MENTION, BotUnderTest, phones


def test_every_plan_button_fits_in_64_bytes(deps: Services) -> None:
    kb = deps.kb
    themes = [t.id for t in kb.activities.themes] + [plan.NO_THEME]
    for org, district, theme in itertools.product(kb.activities.org_types, kb.key_districts, themes):
        data = callback_data(plan.PLAN, "t", org.id, deps.districts.slug(district), theme)
        assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    step = plan.theme_step(deps, kb.activities.org_types[0], "wanzhou")
    assert step is not None
    assert [b.label for row in step.keyboard for b in row][-1] == texts.PLAN_SKIP


def test_the_district_step_offers_the_18_key_districts(deps: Services) -> None:
    step = plan.district_step(deps, deps.kb.activities.org_types[0])
    assert [b.label for row in step.keyboard for b in row] == [d.name for d in deps.kb.key_districts]


async def plan_until_theme(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, org: str, district: str
) -> StoredMessage:
    bot.api.send_text(chat, user, "/plan")
    await bot.flush()
    step = bot.api.sent_messages(chat)[-1]
    assert step.text == texts.PLAN_STEP_ORG
    step = await bot.press(step, user, org)
    assert step.text == texts.PLAN_STEP_DISTRICT.format(org=org)
    return await bot.press(step, user, district)


@pytest.mark.asyncio
async def test_a_whole_plan_with_a_theme(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, engine: Engine
) -> None:
    step = await plan_until_theme(bot, chat, user, "志愿服务类社会组织和社会工作服务机构", "彭水县")
    assert step.text is not None
    assert step.text.startswith("组织类型:志愿服务类")
    assert "彭水县(彭水苗族土家族自治县)" in step.text
    done = await bot.press(step, user, "就业帮扶")
    assert done.text == texts.PLAN_SUMMARY.format(
        org="志愿服务类社会组织和社会工作服务机构", district="彭水县(彭水苗族土家族自治县)", theme="就业帮扶"
    )
    assert done.buttons == []
    plan_text = "\n".join(m.text or "" for m in bot.api.sent_messages(chat)[1:])
    kb = engine.kb
    pengshui = kb.district("彭水县")
    assert {pengshui.phone, *(t.phone for t in pengshui.townships)} <= phones(plan_text)
    for heading in ("一、联系谁", "二、做什么", "三、重点帮扶谁", "四、报送什么、何时报送", "五、安全保障"):
        assert heading in plan_text
    assert "关于就业帮扶" in plan_text
    assert "扶贫志愿者行动" in plan_text
    assert "建档立卡" in plan_text
    assert "按季度" in plan_text
    assert plan_text.count("来源:") >= 8
    assert not bot.api.failed_calls()


@pytest.mark.asyncio
async def test_skipping_the_theme(bot: BotUnderTest, chat: FakeChat, user: FakeUser) -> None:
    step = await plan_until_theme(bot, chat, user, "医疗卫生类社会组织", "万州区")
    done = await bot.press(step, user, texts.PLAN_SKIP)
    assert done.text is not None
    assert f"主题:{texts.PLAN_NO_THEME}" in done.text
    plan_text = bot.api.sent_messages(chat)[-1].text or ""
    assert "023-58569600" in plan_text
    assert "义诊" in plan_text
    assert "关于" not in plan_text


@pytest.mark.asyncio
async def test_a_stray_message_gets_a_hint_and_cancel_ends_the_plan(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser
) -> None:
    await plan_until_theme(bot, chat, user, "医疗卫生类社会组织", "万州区")
    api = bot.api
    api.send_text(chat, user, "万州区扶贫办电话")
    api.send_media(chat, user, "sticker")
    await bot.flush()
    assert [m.text for m in api.sent_messages(chat)[-2:]] == [texts.PLAN_HINT, texts.PLAN_HINT]
    api.send_text(chat, user, "/help")  # other commands still work in the middle
    await bot.flush()
    assert "/regions" in (api.sent_messages(chat)[-1].text or "")
    api.send_text(chat, user, "/cancel")
    await bot.flush()
    assert api.sent_messages(chat)[-1].text == texts.PLAN_CANCELLED
    api.send_text(chat, user, "万州区扶贫办电话")
    await bot.flush()
    assert "023-58569600" in (api.sent_messages(chat)[-1].text or "")
    api.send_text(chat, user, "/cancel")
    await bot.flush()
    assert api.sent_messages(chat)[-1].text == texts.NOTHING_TO_CANCEL


@pytest.mark.asyncio
async def test_an_abandoned_plan_stops_holding_up_questions(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plan_until_theme(bot, chat, user, "医疗卫生类社会组织", "万州区")
    monkeypatch.setattr(plan, "PLAN_IDLE_SECONDS", -1.0)
    bot.api.send_text(chat, user, "城口扶贫办电话")
    await bot.flush()
    assert "023-59221209" in (bot.api.sent_messages(chat)[-1].text or "")


@pytest.mark.asyncio
async def test_buttons_of_an_earlier_step_still_work(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser
) -> None:
    bot.api.send_text(chat, user, "/plan")
    await bot.flush()
    first = bot.api.sent_messages(chat)[-1]
    saved = dict(first.reply_markup or {})
    await bot.press(first, user, "慈善组织和基金会")
    # The old keyboard (e.g. in another client's cache) carries its own state: pressing it works.
    first.reply_markup = saved
    again = await bot.press(first, user, "教育培训类社会组织")
    assert again.text == texts.PLAN_STEP_DISTRICT.format(org="教育培训类社会组织")


@pytest.mark.asyncio
async def test_two_users_plan_in_one_group_without_mixing(bot: BotUnderTest) -> None:
    api = bot.api
    group = api.group(-100700, "志愿者群", "supergroup")
    alice, bob = api.user(3101, "阿丽"), api.user(3102, "阿博")
    api.send_text(group, alice, "/plan")
    api.send_text(group, bob, f"/plan{MENTION}")
    await bot.flush()
    first, second = api.sent_messages(group)
    assert first.reply_to is not None
    assert first.reply_to.sender == alice
    a = await bot.press(first, alice, "行业协会商会")
    b = await bot.press(second, bob, "心理咨询辅导类社会组织")
    assert a.text == texts.PLAN_STEP_DISTRICT.format(org="行业协会商会")
    assert b.text == texts.PLAN_STEP_DISTRICT.format(org="心理咨询辅导类社会组织")
    # In a group a message to the bot is a question, even in the middle of a plan.
    api.send_text(group, alice, f"{MENTION} 忠县扶贫办电话")
    await bot.flush()
    assert "023-54453819" in (api.sent_messages(group)[-1].text or "")
    assert not api.failed_calls()
