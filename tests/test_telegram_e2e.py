"""End to end: the real bot, long polling through python-telegram-bot's HTTP stack, against the fake API.

Covers every point of issue 4's "Done when": a private question, /start, /regions by button presses,
/plan, joining a group, silence on chatter, a mention in a forum topic, a reply to the bot, /settings
refused to a member, settings across a restart, a burst of 300 questions from 100 users, and no token in
any log line.
"""

from __future__ import annotations

import logging

import pytest

from bot.channels.telegram import texts
from bot.channels.telegram.app import ALLOWED_UPDATES
from bot.compose.reply import Reply
from bot.engine import Engine
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.telegram_support import MENTION, StartBot, phones

# A burst: this many users each ask this many questions at once.
BURST_USERS = 100
BURST_QUESTIONS_EACH = 3
# Telegram's documented overall limit for a bot: about 30 messages per second.
TELEGRAM_MESSAGES_PER_SECOND = 30
# Seconds to wait for the whole burst: 300 replies at 30/s take 10 s; the rest is slack for slow CI.
BURST_TIMEOUT = 60.0


@pytest.mark.asyncio
async def test_private_question_start_and_the_command_menus(
    start_bot: StartBot, fake_api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    api = fake_api
    async with start_bot(poll=True):
        api.send_text(chat, user, "/start")
        api.send_text(chat, user, "我想联系武隆区扶贫办")
        welcome, answer = await api.wait_for_messages(2, chat)
    assert welcome.text is not None
    assert welcome.text.startswith(texts.GREETING)
    assert len(welcome.button_texts) == 4
    assert "023-77768273" in phones(answer.text)
    assert "来源:《工作指引》附件1" in (answer.text or "")
    assert [c["command"] for c in api.commands({"type": "all_private_chats"})] == [
        c for c, _ in texts.PRIVATE_COMMANDS
    ]
    assert [c["command"] for c in api.commands({"type": "all_group_chats"})] == [
        c for c, _ in texts.GROUP_COMMANDS
    ]
    [poll, *_] = api.calls("getUpdates")
    assert set(poll.params["allowed_updates"]) == set(ALLOWED_UPDATES) >= {"my_chat_member", "callback_query"}
    assert not api.failed_calls()


@pytest.mark.asyncio
async def test_regions_by_button_presses(
    start_bot: StartBot, fake_api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    api = fake_api
    async with start_bot(poll=True) as bot:
        api.send_text(chat, user, "/regions")
        [menu] = await api.wait_for_messages(1, chat)
        tier = await bot.press(menu, user, "市级重点区县(4个)")
        assert tier.button_texts == ["涪陵区", "潼南区", "南川区", "忠县", texts.BACK]
        district = await bot.press(tier, user, "忠县")
        assert {"023-54453819"} <= phones(district.text)
        assert "菜园村" in (district.text or "")
        back = await bot.press(district, user, texts.BACK)
        assert (back.text or "").startswith("市级")
    assert not api.failed_calls()


@pytest.mark.asyncio
async def test_plan_end_to_end(
    start_bot: StartBot, fake_api: FakeBotApi, engine: Engine, chat: FakeChat, user: FakeUser
) -> None:
    api = fake_api
    async with start_bot(poll=True) as bot:
        api.send_text(chat, user, "/plan")
        [step] = await api.wait_for_messages(1, chat)
        step = await bot.press(step, user, "教育培训类社会组织")
        api.send_text(chat, user, "我还没想好")
        [hint] = await api.wait_for_messages(1, chat)
        assert hint.text == texts.PLAN_HINT
        step = await bot.press(step, user, "城口县")
        step = await bot.press(step, user, "关爱三留守人员")
        [plan] = await api.wait_for_messages(1, chat)
    assert step.text is not None
    assert "主题:关爱三留守人员" in step.text
    text = plan.text or ""
    chengkou = engine.kb.district("城口县")
    assert {chengkou.phone, *(t.phone for t in chengkou.townships)} <= phones(text)
    assert "教育培训类社会组织:推荐开展的帮扶活动" in text
    assert "关于关爱三留守人员" in text
    assert "报送" in text
    assert "来源:" in text
    assert not api.failed_calls()


@pytest.mark.asyncio
async def test_groups_introduction_silence_topic_reply_and_settings(
    start_bot: StartBot, fake_api: FakeBotApi, admin: FakeUser, member: FakeUser
) -> None:
    api = fake_api
    api.can_read_all_group_messages = True  # privacy mode off: the bot sees the chatter and must stay silent
    forum = api.group(-1002001, "志愿者之家", "forum", bot_status="left")
    api.set_admins(forum, {admin.id: "creator"})
    api.add_topic(forum, 10, "万州行")
    async with start_bot(poll=True):
        # Added to the group: an introduction.
        api.add_bot_to_group(forum, admin)
        [intro] = await api.wait_for_messages(1, forum)
        assert MENTION in (intro.text or "")
        # Chatter, then a mention in a topic: only the mention is answered, in its topic, as a reply.
        for line in ("大家早上好!", "明天几点出发去万州?", "万州那边的路况怎么样", "收到"):
            api.send_text(forum, member, line, thread_id=10)
        question = api.send_text(forum, member, f"{MENTION} 万州区扶贫办电话", thread_id=10)
        [answer] = await api.wait_for_messages(1, forum)
        assert "023-58569600" in phones(answer.text)
        assert answer.thread_id == 10
        assert answer.reply_to is question
        # A reply to the bot's answer is a question too.
        follow_up = api.send_text(forum, member, "龙驹镇联系人是谁", reply_to=answer)
        [second] = await api.wait_for_messages(1, forum)
        assert "张成林" in (second.text or "")
        assert second.reply_to is follow_up
        assert second.thread_id == 10
        # /settings from a member: refused, after asking Telegram who the admins are.
        api.send_text(forum, member, "/settings", thread_id=10)
        [refusal] = await api.wait_for_messages(1, forum)
        assert refusal.text == texts.SETTINGS_NOT_ADMIN
        assert refusal.thread_id == 10
        assert api.calls("getChatMember")[-1].params["user_id"] == member.id
        # Stickers and photos in groups are ignored; the bot is still there for the next question.
        api.send_media(forum, member, "sticker", thread_id=10)
        api.send_text(forum, member, f"{MENTION} 忠县扶贫办电话", thread_id=10)
        [last] = await api.wait_for_messages(1, forum)
        assert "023-54453819" in phones(last.text)
    assert len(api.sent_messages(forum)) == 5
    assert not api.failed_calls()


@pytest.mark.asyncio
async def test_settings_are_kept_across_a_restart(
    start_bot: StartBot, fake_api: FakeBotApi, admin: FakeUser, member: FakeUser
) -> None:
    api = fake_api
    api.can_read_all_group_messages = True
    group = api.group(-3001, "小群")
    api.set_admins(group, {admin.id: "creator"})
    async with start_bot(poll=True) as bot:
        api.send_text(group, admin, "/settings")
        [panel] = await api.wait_for_messages(1, group)
        await bot.press(panel, admin, texts.MODE_NAMES["auto"])
    supergroup = api.migrate_to_supergroup(group, -1003001)  # while the bot is down
    async with start_bot(poll=True):
        question = api.send_text(supergroup, member, "城口县扶贫办的联系电话")
        [answer] = await api.wait_for_messages(1, supergroup)
    assert "023-59221209" in phones(answer.text)
    assert answer.reply_to is question
    assert not api.failed_calls()


def burst_questions(engine: Engine) -> list[tuple[str, str]]:
    """Questions with the phone their answer must contain: each key district, asked in three ways."""
    questions = []
    for district in engine.kb.key_districts:
        short = district.short or district.name
        assert district.phone is not None
        questions += [
            (f"{district.name}扶贫办电话", district.phone),
            (f"{short}扶贫办的联系电话是多少", district.phone),
            (f"我想联系{district.name}扶贫办", district.phone),
        ]
    return questions


@pytest.mark.asyncio
async def test_a_burst_of_300_questions_from_100_users(
    start_bot: StartBot, fake_api: FakeBotApi, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PTB_TIMEDELTA", "true"
    )  # a 429, if any, without python-telegram-bot's deprecation warning
    api = fake_api
    api.flood_limit(global_per_second=TELEGRAM_MESSAGES_PER_SECOND)
    questions = burst_questions(engine)
    users = [api.user(10_000 + i, f"用户{i}") for i in range(BURST_USERS)]
    chats = [api.private_chat(u) for u in users]
    expected: dict[int, list[str]] = {}
    async with start_bot(poll=True):
        for round_ in range(BURST_QUESTIONS_EACH):
            for i, (user, chat) in enumerate(zip(users, chats, strict=True)):
                question, phone = questions[(i * BURST_QUESTIONS_EACH + round_) % len(questions)]
                api.send_text(chat, user, question)
                expected.setdefault(chat.id, []).append(phone)
        total = BURST_USERS * BURST_QUESTIONS_EACH
        await api.wait_for_messages(total, within=BURST_TIMEOUT)
    assert api.flood_errors == 0
    assert not api.failed_calls()
    for chat in chats:
        answers = api.sent_messages(chat)
        # Every question answered once, in the order asked, with its district's phone.
        assert len(answers) == BURST_QUESTIONS_EACH
        for answer, phone in zip(answers, expected[chat.id], strict=True):
            assert phone in phones(answer.text), answer.text


@pytest.mark.asyncio
async def test_the_token_never_reaches_a_log_line(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    chat: FakeChat,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = fake_api
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    secret = api.token.split(":", 1)[1]
    async with start_bot(poll=True) as bot:
        services = bot.services
        real_answer = services.engine.answer

        def broken(question: str, conversation: object = None) -> Reply:
            if question == "出错":
                raise RuntimeError("a handler failed")
            return real_answer(question)

        monkeypatch.setattr(services.engine, "answer", broken)
        api.send_text(chat, user, "万州区扶贫办电话")
        api.send_text(chat, user, "出错")  # logged with its traceback
        _, apology = await api.wait_for_messages(2, chat)
        assert apology.text == texts.ERROR_APOLOGY
    logged = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    output = capsys.readouterr()
    assert any(
        r.name == "httpx" and "<TOKEN>" in r.getMessage() for r in caplog.records
    )  # it was there to hide
    assert any(r.exc_info and "a handler failed" in (r.exc_text or logged) for r in caplog.records)
    for where in (logged, output.out, output.err):
        assert api.token not in where
        assert secret not in where
