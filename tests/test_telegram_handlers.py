"""Private chats: commands, questions, buttons, odd input and errors, handled one update at a time."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError
from telegram.ext import CallbackContext

from bot.channels.telegram import handlers, texts
from bot.channels.telegram.render import HELP
from bot.channels.telegram.sender import DeliveryUnknownError
from bot.compose.activities import org_types_reply
from bot.engine import Engine
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.telegram_support import MENTION, BotUnderTest, StartBot, phones
from tests.test_telegram_districts import KEY_DISTRICT_SLUGS


@pytest.mark.asyncio
async def test_start_welcomes_with_example_questions(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser
) -> None:
    [welcome] = await bot.ask(chat, user, "/start")
    assert welcome.startswith(texts.GREETING)
    assert "/plan" in welcome
    assert "/regions" in welcome
    message = bot.api.sent_messages(chat)[-1]
    assert message.button_texts == [
        "万州区扶贫办电话",
        "城口县有哪些深度贫困乡镇",
        "医疗类组织能做哪些事",
        "参与后要报送什么",
    ]
    # Each example question, pressed, is answered.
    before = len(bot.api.sent_messages(chat))
    for data in message.callback_data:
        await bot.press(message, user, data)
    answers = [m.text or "" for m in bot.api.sent_messages(chat)[before:]]
    assert len(answers) == 4
    assert "023-58569600" in answers[0]
    assert "沿河乡" in answers[1]
    assert "鸡鸣乡" in answers[1]
    assert answers[0].startswith("问:万州区扶贫办电话")


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "slug"), KEY_DISTRICT_SLUGS.items())
async def test_start_deep_link_opens_the_district(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, engine: Engine, name: str, slug: str
) -> None:
    [text] = await bot.ask(chat, user, f"/start district_{slug}")
    district = engine.kb.district(name)
    assert district.phone is not None
    assert district.phone in text
    assert all(t.contact in text for t in district.townships)
    assert all(v.name in text for v in district.villages)


@pytest.mark.asyncio
async def test_an_unknown_deep_link_gives_the_welcome(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser
) -> None:
    [text] = await bot.ask(chat, user, "/start district_atlantis")
    assert text.startswith(texts.GREETING)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/help", ["/regions", "重点区县扶贫办电话"]),
        ("/report", ["年度工作计划", "按季度", "主管单位和登记机关"]),
        ("/about", ["2020年5月14日", "重庆市社会组织工作领导小组办公室", "2020年印发时公布"]),
        ("/cancel", [texts.NOTHING_TO_CANCEL]),
        ("/nonsense", [texts.UNKNOWN_COMMAND]),
        (f"/help{MENTION}", ["/regions"]),
    ],
)
async def test_commands(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, command: str, expected: list[str]
) -> None:
    [text] = await bot.ask(chat, user, command)
    for part in expected:
        assert part in text


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("question", "phone"),
    [
        ("万州区扶贫办的联系电话", "023-58569600"),
        ("彭水縣扶貧辦電話", "023-78442457"),
        ("丰都县三建乡联系人电话", "13594500668"),
        ("我们是医疗卫生类社会组织,想去三建乡义诊,联系谁", "13594500668"),
    ],
)
async def test_a_question_is_answered_with_its_source(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, question: str, phone: str
) -> None:
    [text] = await bot.ask(chat, user, question)
    assert phone in phones(text)
    assert "来源:《工作指引》" in text
    message = bot.api.sent_messages(chat)[-1]
    assert "来源:《工作指引》" in message.entity_texts("italic")[0]
    assert message.parse_mode == "HTML"


@pytest.mark.asyncio
async def test_a_declined_question_offers_help(bot: BotUnderTest, chat: FakeChat, user: FakeUser) -> None:
    [text] = await bot.ask(chat, user, "明天会下雨吗")
    assert not phones(text)
    assert text.endswith(texts.DECLINE_HINT)
    message = bot.api.sent_messages(chat)[-1]
    assert message.button_texts[-1] == texts.HELP_BUTTON
    bot.api.press_button(message, user, HELP)
    await bot.flush()
    assert "/regions" in (bot.api.sent_messages(chat)[-1].text or "")


@pytest.mark.asyncio
async def test_a_did_you_mean_choice_asks_its_question(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = bot.services
    real_answer = services.engine.answer
    # A clarification as the engine writes it, whichever question currently leads to one.
    monkeypatch.setattr(
        services.engine,
        "answer",
        lambda q, conversation=None: org_types_reply(services.kb) if q == "哪类组织" else real_answer(q),
    )
    [text] = await bot.ask(chat, user, "哪类组织")
    assert "请问您的组织属于哪一类" in text
    message = bot.api.sent_messages(chat)[-1]
    assert message.button_texts == [g.name for g in services.kb.activities.org_types]
    await bot.press(message, user, "医疗卫生类社会组织")
    answer = bot.api.sent_messages(chat)[-1].text or ""
    assert answer.startswith("问:医疗卫生类社会组织怎么参与扶贫")
    assert "义诊" in answer


@pytest.mark.asyncio
async def test_buttons_keep_working_after_a_restart(
    start_bot: StartBot, fake_api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    async with start_bot() as first:
        await first.ask(chat, user, "万州区扶贫办电话")
    message = fake_api.sent_messages(chat)[-1]
    async with start_bot() as second:
        await second.press(message, user, "万州有哪些定点攻坚村")
    assert "白土镇大林村" in (fake_api.sent_messages(chat)[-1].text or "")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "data", ["q:unknownkey12", "zzz", "r:d:atlantis", "a:o:pirates", "p:t:x", "s:shouting"]
)
async def test_stale_buttons_are_answered_not_crashed(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, data: str
) -> None:
    [_text] = await bot.ask(chat, user, "万州区扶贫办电话")
    message = bot.api.sent_messages(chat)[-1]
    message.reply_markup = {"inline_keyboard": [[{"text": "旧按钮", "callback_data": data}]]}
    query_id = bot.api.press_button(message, user, data)
    await bot.flush()
    answer = bot.api.callback_answer(query_id)
    assert answer is not None
    assert answer.text in (texts.BUTTON_EXPIRED, texts.SETTINGS_ONLY_IN_GROUPS, None)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["sticker", "photo", "location", "contact"])
async def test_non_text_messages_get_a_hint(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, kind: str
) -> None:
    api = bot.api
    if kind == "contact":
        api.send_custom(chat, user, {"contact": {"phone_number": "+8613800000000", "first_name": "张"}})
    else:
        api.send_media(chat, user, kind)
    await bot.flush()
    assert [m.text for m in api.sent_messages(chat)] == [texts.NON_TEXT_HINT]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["photo", "document"])
async def test_a_caption_is_answered_as_a_question(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, kind: str
) -> None:
    bot.api.send_media(chat, user, kind, caption="万州区扶贫办电话")
    await bot.flush()
    [answer] = bot.api.sent_messages(chat)
    assert "023-58569600" in phones(answer.text)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text",
    [
        "万" * 4096,
        "扶贫办电话" * 819,
        "\u202e万州区扶贫办电话\u202c",
        "万\u200b州\u200d区\ufeff扶贫办电话",
        "𠀀𠀁𠀂 🇨🇳 👨‍👩‍👧 扶贫",
        "<b>万州</b> & <i>电话</i>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "\x00\x01\x02",
        "ＡＢＣ１２３！？",
        "'; DROP TABLE group_settings; --",
        "   \n\t  ?",
        "q:AAAAAAAAAAAA",
    ],
    ids=[
        "max-length",
        "repeated",
        "bidi",
        "zero-width",
        "astral",
        "html",
        "escaped-html",
        "control",
        "fullwidth",
        "sql",
        "blank-ish",
        "callback-lookalike",
    ],
)
async def test_odd_input_never_crashes(bot: BotUnderTest, chat: FakeChat, user: FakeUser, text: str) -> None:
    replies = await bot.ask(chat, user, text)
    assert len(replies) == 1
    assert replies[0] != texts.ERROR_APOLOGY


@pytest.mark.asyncio
async def test_updates_the_bot_does_not_handle_are_ignored(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser
) -> None:
    api = bot.api
    message = api.send_text(chat, user, "万州区扶贫办电话")
    api.edit_text(message, "城口县扶贫办电话")  # an edit is not a new question
    channel = {"id": -1009999, "type": "channel", "title": "频道"}
    api.enqueue("channel_post", {"message_id": 1, "date": 0, "chat": channel, "text": "万州区扶贫办电话"})
    api.enqueue("message", {"message_id": 99, "date": 0, "chat": chat.to_api(), "text": "没有发送者的消息"})
    await bot.flush()
    texts_sent = [m.text or "" for m in api.sent_messages()]
    assert len(texts_sent) == 2  # the question and the message without a sender, nothing else
    assert "023-58569600" in texts_sent[0]


@pytest.mark.asyncio
async def test_an_error_is_logged_with_its_traceback_and_the_bot_goes_on(
    bot: BotUnderTest,
    chat: FakeChat,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = bot.services
    real_answer = services.engine.answer

    def broken(question: str, conversation: object = None) -> object:
        if question == "出错":
            raise RuntimeError("engine exploded")
        return real_answer(question)

    monkeypatch.setattr(services.engine, "answer", broken)
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        assert await bot.ask(chat, user, "出错") == [texts.ERROR_APOLOGY]
    [record] = [r for r in caplog.records if r.name == "bot.channels.telegram.handlers"]
    assert record.exc_info is not None
    assert "engine exploded" in str(record.exc_info[1])
    [text] = await bot.ask(chat, user, "万州区扶贫办电话")
    assert "023-58569600" in text


@pytest.mark.asyncio
async def test_a_user_who_blocked_the_bot_is_logged_not_apologized_to(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    bot.api.send_text(chat, user, "万州区扶贫办电话")
    bot.api.block_bot(user)
    with caplog.at_level(logging.INFO, logger="bot.channels.telegram"):
        await bot.flush()
    [said] = [r for r in caplog.records if r.name.endswith("sender")]  # once, not retried
    assert said.levelno == logging.INFO
    assert "chat 1001 does not take the bot's messages" in said.getMessage()
    assert len(bot.api.calls("sendMessage")) == 1
    assert not bot.api.sent_messages(chat)
    bot.api.requests.clear()  # the refused sendMessage was expected


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("error", "apology"),
    [
        (RuntimeError("the engine failed"), True),
        (BadRequest("Can't parse entities"), True),  # refused: the answer did not arrive
        (DeliveryUnknownError("sendMessage may or may not have arrived"), False),
    ],
)
async def test_an_apology_only_when_the_answer_surely_did_not_arrive(
    bot: BotUnderTest, chat: FakeChat, user: FakeUser, error: Exception, apology: bool
) -> None:
    bot.api.send_text(chat, user, "万州区扶贫办电话")
    update = Update.de_json(bot.api.updates_sent[-1], bot.application.bot)
    await handlers.on_error(update, CallbackContext.from_error(update, error, bot.application))
    assert [m.text for m in bot.api.sent_messages(chat)] == [texts.ERROR_APOLOGY] * apology


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("error", "level", "message"),
    [
        (NetworkError("httpx.ConnectError: All connection attempts failed"), logging.WARNING, "retrying"),
        (Conflict("terminated by other getUpdates request"), logging.ERROR, "another process is polling"),
    ],
)
async def test_errors_fetching_updates_are_logged_without_a_traceback(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, error: TelegramError, level: int, message: str
) -> None:
    context = CallbackContext.from_error(None, error, bot.application)
    with caplog.at_level(logging.DEBUG, logger="bot.channels.telegram"):
        await handlers.on_error(None, context)
    [record] = [r for r in caplog.records if r.name == "bot.channels.telegram.handlers"]
    assert record.levelno == level
    assert message in record.getMessage()
    assert record.exc_info is None
