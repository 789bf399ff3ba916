"""Tests of the stand-in Bot API server (tests/fakebotapi/), driven through python-telegram-bot's HTTP stack.

Everything talks to 127.0.0.1 only, through ``FakeBotApi.bot()``/``request()``, which ignore proxy variables.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChatAdministrators,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.request import HTTPXRequest

from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.fakebotapi.html import MAX_MESSAGE_LENGTH, HtmlParseError, parse_telegram_html, utf16_len
from tests.fakebotapi.methods import METHODS, ApiError, RecordedCall
from tests.fakebotapi.server import Sometimes, drop, flood
from tests.telegram_support import BOT_USERNAME, MENTION


@pytest_asyncio.fixture
async def client(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    """A plain ``telegram.Bot`` on the fake: every call is one Bot API request."""
    async with fake_api.bot() as bot:
        yield bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"按钮{i}", callback_data=d)] for i, d in enumerate(data)]
    )


async def post(api: FakeBotApi, method: str, **params: Any) -> httpx.Response:
    """A raw Bot API call, for what python-telegram-bot cannot even express."""
    async with httpx.AsyncClient(trust_env=False) as http:
        return await http.post(f"{api.root_url}/bot{api.token}/{method}", data=params)


# --- the server -------------------------------------------------------------------------------------------


def test_the_fake_implements_what_the_bot_calls() -> None:
    used = {"getMe", "getUpdates", "deleteWebhook", "setMyCommands", "sendMessage", "editMessageText"}
    used |= {"setWebhook", "getWebhookInfo"}  # webhook mode, and its health probe
    assert {name for name, _ in METHODS.values()} == used | {"answerCallbackQuery", "getChatMember"}


@pytest.mark.asyncio
async def test_get_me_reports_the_bot_and_its_privacy_mode(fake_api: FakeBotApi, client: Bot) -> None:
    me = await client.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (fake_api.bot_id, BOT_USERNAME, "帮扶助手", True)
    assert me.can_read_all_group_messages is False
    fake_api.can_read_all_group_messages = True
    assert (await client.get_me()).can_read_all_group_messages is True
    assert fake_api.calls("getme")[0].ok


@pytest.mark.asyncio
async def test_wrong_token_unknown_method_and_parameters(fake_api: FakeBotApi, chat: FakeChat) -> None:
    wrong = Bot("7000000001:WRONG-secret", base_url=f"{fake_api.root_url}/bot", request=fake_api.request())
    with pytest.raises(InvalidToken, match=r"rejected by the server"):
        await wrong.initialize()
    await wrong.shutdown()
    async with fake_api.bot() as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")
    unmodelled = await post(
        fake_api, "sendChatAction", chat_id=chat.id, action="typing"
    )  # the bot never sends it
    assert unmodelled.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    async with httpx.AsyncClient(trust_env=False, base_url=fake_api.root_url) as http:
        malformed = await http.post("/botnot-a-token/getMe")
        by_query = await http.get(
            f"/bot{fake_api.token}/SENDMESSAGE", params={"chat_id": chat.id, "text": "q"}
        )
    assert malformed.status_code == 404
    assert by_query.json()["result"]["text"] == "q"  # names are case-insensitive; a query string works
    bad_markup = await post(fake_api, "sendMessage", chat_id=chat.id, text="x", reply_markup="{")
    assert bad_markup.json()["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
    wrong_type = await post(fake_api, "sendMessage", chat_id=chat.id, text="x", message_thread_id='"7"')
    assert wrong_type.json()["description"] == 'Bad Request: field "message_thread_id" must be of type int'


@pytest.mark.asyncio
async def test_python_telegram_bot_parameters_are_decoded(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat
) -> None:
    await client.send_message(chat.id, "123", reply_markup=keyboard("a"), disable_notification=True)
    assert fake_api.calls("sendMessage")[-1].params == {
        "chat_id": chat.id,
        "text": "123",  # a text stays a text, even when it reads as a number
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "按钮0", "callback_data": "a"}]]},
    }


@pytest.mark.asyncio
async def test_requests_ignore_proxy_variables(fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nobody listens there: connecting fails at once
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with fake_api.bot() as bot:
        assert (await bot.get_me()).username == BOT_USERNAME
    naive = Bot(
        fake_api.token, base_url=f"{fake_api.root_url}/bot", request=HTTPXRequest(connect_timeout=2.0)
    )
    with pytest.raises(NetworkError):  # python-telegram-bot's default request honours the proxy
        await naive.initialize()
    await naive.shutdown()


# --- message text: HTML and length ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_html_round_trip(fake_api: FakeBotApi, client: Bot, chat: FakeChat) -> None:
    html = (
        "<b>粗体</b> <strong>也粗</strong> <i>斜体</i> <u>下划线</u> <s>删除</s> "
        '<tg-spoiler>剧透</tg-spoiler> <span class="tg-spoiler">也是</span> '
        '<a href="https://example.org/帮扶?q=1&amp;r=2">链接</a> <code>x&lt;y</code> '
        '<pre><code class="language-python">print(1)</code></pre> <blockquote expandable>引用</blockquote> '
        '&#128512; &#x1F600; &quot;q&quot; <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>\n\n'
    )
    message = await client.send_message(chat.id, html, parse_mode="HTML")
    assert message.text == '粗体 也粗 斜体 下划线 删除 剧透 也是 链接 x<y print(1) 引用 😀 😀 "q" 👍'
    assert {(e.type, text) for e, text in message.parse_entities().items()} == {
        ("bold", "粗体"),
        ("bold", "也粗"),
        ("italic", "斜体"),
        ("underline", "下划线"),
        ("strikethrough", "删除"),
        ("spoiler", "剧透"),
        ("spoiler", "也是"),
        ("text_link", "链接"),
        ("code", "x<y"),
        ("pre", "print(1)"),
        ("expandable_blockquote", "引用"),
        ("custom_emoji", "👍"),
    }
    by_type = {e.type: e for e in message.entities}
    assert by_type["pre"].language == "python"
    assert by_type["text_link"].url == "https://example.org/帮扶?q=1&r=2"
    [stored] = fake_api.sent_messages(chat)
    assert (stored.source_text, stored.parse_mode) == (html, "HTML")
    assert stored.entity_texts("bold") == ["粗体", "也粗"]


BAD_HTML = [
    pytest.param("<br>换行", 'Unsupported start tag "br" at byte offset 0', id="unknown-tag"),
    pytest.param("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"', id="unclosed-tag"),
    pytest.param("价格 < 100", 'Unsupported start tag "" at byte offset 7', id="bare-lt"),
    pytest.param("价格 <", "Unclosed start tag at byte offset 7", id="bare-lt-at-end"),
    pytest.param(
        "Tom & Jerry",
        'Unescaped "&" at byte offset 4; write it as "&amp;" (FakeBotApi strict mode)',
        id="bare-amp",
    ),
    pytest.param(
        "<b><i>交错</b></i>",
        'Unmatched end tag at byte offset 12, expected "</i>", found "</b>"',
        id="mismatched-nesting",
    ),
    pytest.param("多余</b>", "Unexpected end tag at byte offset 6", id="unexpected-end-tag"),
    pytest.param("<b>x</b", "Unclosed end tag at byte offset 4", id="unclosed-end-tag"),
    pytest.param(
        "<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0', id="plain-span"
    ),
    pytest.param('<a href="x"', "Unclosed start tag at byte offset 0", id="unterminated-attributes"),
    pytest.param(
        '<b =x">y</b>', 'Empty attribute name in the tag "b" at byte offset 0', id="empty-attribute"
    ),
    pytest.param(
        '<tg-emoji emoji-id="abc">👍</tg-emoji>', "Invalid custom emoji identifier specified", id="emoji-id"
    ),
    pytest.param("&#xD800;", "Text contains invalid Unicode characters", id="lone-surrogate"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("html", "reason"), BAD_HTML)
async def test_bad_html_is_refused(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await client.send_message(chat.id, html, parse_mode="HTML")
    description = fake_api.failed_calls("sendMessage")[-1].description or ""
    assert description.startswith("Bad Request: can't parse entities: " + reason)
    # python-telegram-bot drops "Bad Request: " and capitalize()s the rest, lower-casing it.
    assert caught.value.message == description.removeprefix("Bad Request: ").capitalize()
    assert fake_api.sent_messages() == []


@pytest.mark.asyncio
async def test_a_bare_ampersand_is_literal_as_on_telegram(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat
) -> None:
    assert parse_telegram_html("Tom & Jerry &lt;3 &copy; &#65 &#x42;") == ("Tom & Jerry <3 &copy; A B", [])
    with pytest.raises(HtmlParseError, match=r"Unescaped"):
        parse_telegram_html("Tom & Jerry", strict_ampersand=True)
    fake_api.strict_html_ampersand = False
    assert (await client.send_message(chat.id, "<b>A & B</b>", parse_mode="HTML")).text == "A & B"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("text", "ok"),
    [
        pytest.param("扶" * MAX_MESSAGE_LENGTH, True, id="4096-chinese"),
        pytest.param("扶" * (MAX_MESSAGE_LENGTH + 1), False, id="4097-chinese"),
        pytest.param("😀" * 2048, True, id="2048-emoji-is-4096-units"),
        pytest.param("😀" * 2049, False, id="2049-emoji-is-4098-units"),
        pytest.param("<b>" + "扶" * MAX_MESSAGE_LENGTH + "</b>", True, id="tags-do-not-count"),
        pytest.param("&amp;" * MAX_MESSAGE_LENGTH, True, id="entities-count-once"),
        pytest.param("扶" * MAX_MESSAGE_LENGTH + "\n\n  ", True, id="trailing-space-trimmed"),
    ],
)
async def test_length_limit_in_utf16_units(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, text: str, ok: bool
) -> None:
    if ok:
        message = await client.send_message(chat.id, text, parse_mode="HTML")
        assert utf16_len(message.text or "") <= MAX_MESSAGE_LENGTH
    else:
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await client.send_message(chat.id, text, parse_mode="HTML")


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "   \n", "<b></b>", "<b> </b>\n"])
async def test_an_empty_text_is_refused(client: Bot, chat: FakeChat, text: str) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await client.send_message(chat.id, text, parse_mode="HTML")


@pytest.mark.asyncio
async def test_trimming_clips_entities(client: Bot, chat: FakeChat) -> None:
    message = await client.send_message(chat.id, "<b>  粗体  </b>正文\n", parse_mode="HTML")
    assert message.text == "粗体  正文"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 4)]


@pytest.mark.asyncio
async def test_unknown_chat_and_markdown(client: Bot, chat: FakeChat) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await client.send_message(424242, "hi")
    with pytest.raises(BadRequest, match=r"(?i)not implemented by fakebotapi"):
        await client.send_message(chat.id, "*hi*", parse_mode="MarkdownV2")


# --- keyboards, replies, topics, edits --------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("data", "ok"),
    [
        pytest.param("x" * 64, True, id="64-bytes"),
        pytest.param("x" * 65, False, id="65-bytes"),
        pytest.param("扶" * 21, True, id="63-bytes-chinese"),
        pytest.param("扶" * 22, False, id="66-bytes-chinese"),
    ],
)
async def test_callback_data_byte_limit(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, data: str, ok: bool
) -> None:
    if ok:
        assert (
            await client.send_message(chat.id, "选一个", reply_markup=keyboard(data))
        ).reply_markup == keyboard(data)
    else:
        with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
            await client.send_message(chat.id, "选一个", reply_markup=keyboard(data))
        assert fake_api.failed_calls()[-1].description == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"text": "纯文本"},
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        ({"callback_data": "x"}, 'can\'t parse inline keyboard button: Field "text" must be of type String'),
        (
            {"text": "两个", "callback_data": "x", "url": "https://example.org"},
            "can't parse inline keyboard button",
        ),
        ({"text": "空", "callback_data": ""}, "BUTTON_DATA_INVALID"),
        ({"text": "", "callback_data": "x"}, "BUTTON_TEXT_INVALID"),
        ({"text": "链接", "url": "http://"}, "BUTTON_URL_INVALID"),
    ],
)
async def test_inline_buttons_are_checked(
    fake_api: FakeBotApi, chat: FakeChat, button: dict[str, Any], description: str
) -> None:
    markup = json.dumps({"inline_keyboard": [[button]]})
    response = await post(fake_api, "sendMessage", chat_id=chat.id, text="x", reply_markup=markup)
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: " + description)


@pytest.mark.asyncio
async def test_replies(fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser) -> None:
    question = fake_api.send_text(chat, user, "怎么申请？")
    answer = await client.send_message(
        chat.id, "请看指南", reply_parameters=ReplyParameters(question.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "怎么申请？"
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await client.send_message(chat.id, "?", reply_parameters=ReplyParameters(9999))
    lenient = ReplyParameters(9999, allow_sending_without_reply=True)
    assert (await client.send_message(chat.id, "!", reply_parameters=lenient)).reply_to_message is None
    # The user replies to the bot; the update carries reply_to_message.
    follow_up = fake_api.send_text(chat, user, "谢谢", reply_to=fake_api.sent_messages(chat)[0])
    [*_, update] = await client.get_updates()
    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == answer.message_id
    assert follow_up.reply_to is fake_api.sent_messages(chat)[0]


@pytest.mark.asyncio
async def test_forum_topics(fake_api: FakeBotApi, client: Bot, user: FakeUser) -> None:
    forum = fake_api.group(-1001234567890, "帮扶论坛", "forum")
    fake_api.add_topic(forum, 7, "政策咨询")
    sent = await client.send_message(forum.id, "本话题欢迎提问", message_thread_id=7)
    assert (sent.message_thread_id, sent.is_topic_message) == (7, True)
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await client.send_message(forum.id, "?", message_thread_id=8)
    plain = fake_api.group(-500, "普通群")
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await client.send_message(plain.id, "?", message_thread_id=7)
    asked = fake_api.send_text(forum, user, "/ask 怎么参与？", thread_id=7)
    [update] = await client.get_updates()
    message = update.message
    assert message is not None
    assert (message.message_thread_id, message.is_topic_message) == (7, True)
    assert message.reply_to_message is not None
    assert message.reply_to_message.forum_topic_created is not None
    # A reply to a topic message stays in the topic, as python-telegram-bot's reply_text sends it.
    reply = await message.reply_text("答复")
    assert reply.message_thread_id == 7
    assert fake_api.calls("sendMessage")[-1].params["reply_parameters"] == {"message_id": asked.message_id}
    quoted = await client.send_message(forum.id, "引用", reply_parameters=ReplyParameters(asked.message_id))
    assert quoted.message_thread_id == 7  # inherited from the quoted message


@pytest.mark.asyncio
async def test_edits(fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser) -> None:
    sent = await client.send_message(chat.id, "原文", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)^message is not modified"):
        await client.edit_message_text("原文", chat.id, sent.message_id, reply_markup=keyboard("a"))
    edited = await client.edit_message_text("原文", chat.id, sent.message_id)  # drops the keyboard
    assert isinstance(edited, Message)
    assert (edited.reply_markup, edited.edit_date is not None) == (None, True)
    await client.edit_message_text("<b>新</b>", chat.id, sent.message_id, parse_mode="HTML")
    stored = fake_api.message(chat, sent.message_id)
    assert (stored.text, stored.history, stored.entity_texts("bold")) == ("新", ["原文", "原文"], ["新"])
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await client.edit_message_text("x", chat.id, 999)
    theirs = fake_api.send_text(chat, user, "用户的话")
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await client.edit_message_text("x", chat.id, theirs.message_id)


# --- updates ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_long_poll_returns_an_update_at_once(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser
) -> None:
    poll = asyncio.create_task(client.get_updates(timeout=5))
    await fake_api.wait_for("a waiting poll", lambda: fake_api.polls_waiting or None)
    started = time.monotonic()
    fake_api.send_text(chat, user, "在吗")
    updates = await asyncio.wait_for(poll, timeout=3)
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["在吗"]
    started = time.monotonic()
    assert await client.get_updates(offset=updates[-1].update_id + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.5


@pytest.mark.asyncio
async def test_updates_stay_until_an_offset_confirms_them(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser
) -> None:
    for text in ("一", "二", "三"):
        fake_api.send_text(chat, user, text)
    ids = [u.update_id for u in await client.get_updates()]
    assert ids == list(range(ids[0], ids[0] + 3))
    assert len(await client.get_updates()) == 3  # nothing confirmed yet
    assert [u.update_id for u in await client.get_updates(offset=ids[1])] == ids[1:]
    assert [u["update_id"] for u in fake_api.queue] == ids[1:]
    assert await client.get_updates(offset=ids[-1] + 1) == ()
    fake_api.send_text(chat, user, "四")
    fake_api.send_text(chat, user, "五")
    [only] = await client.get_updates(offset=ids[-1] + 1, limit=1)
    assert only.update_id == ids[-1] + 1
    [last] = await client.get_updates(offset=-1)  # a negative offset keeps the last ones only
    assert last.message is not None
    assert last.message.text == "五"
    assert await client.delete_webhook(drop_pending_updates=True)
    assert not fake_api.queue


@pytest.mark.asyncio
async def test_allowed_updates_filter(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser
) -> None:
    fake_api.send_text(chat, user, "/start")
    sent = await client.send_message(chat.id, "菜单", reply_markup=keyboard("go"))
    fake_api.press_button(fake_api.message(chat, sent.message_id), user, "go")
    updates = await client.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["go"]
    assert len(updates) == 1


@pytest.mark.asyncio
async def test_a_second_poll_ends_the_first_with_a_conflict(fake_api: FakeBotApi, client: Bot) -> None:
    first = asyncio.create_task(client.get_updates(timeout=5))
    await fake_api.wait_for("a waiting poll", lambda: fake_api.polls_waiting or None)
    assert await client.get_updates() == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getupdates request"):
        await asyncio.wait_for(first, timeout=3)


@pytest.mark.asyncio
async def test_stopping_ends_a_waiting_long_poll(no_proxy: None) -> None:
    async with FakeBotApi() as api, api.bot() as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for("a waiting poll", lambda: api.polls_waiting or None)
        started = time.monotonic()
        await api.__aexit__(None, None, None)
        assert await asyncio.wait_for(poll, timeout=3) == ()
        assert time.monotonic() - started < 2.0


@pytest.mark.asyncio
async def test_users_messages_media_and_edits(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser
) -> None:
    fake_api.send_text(chat, user, f"😀 /start{MENTION} 你好 @someone_else")
    fake_api.send_media(chat, user, "photo", caption="/ask 这是什么")
    fake_api.send_media(chat, user, "location")
    fake_api.send_media(chat, user, "sticker")
    fake_api.edit_text(fake_api.send_text(chat, user, "原话"), "改过的话")
    text, photo, location, sticker, _, edited = await client.get_updates()
    assert text.message is not None
    entities = [(e.type, e.offset, e.length) for e in text.message.entities]
    assert entities == [("bot_command", 3, 22), ("mention", 29, 13)]  # UTF-16 offsets: 😀 counts 2
    assert photo.message is not None
    assert photo.message.photo[-1].width == 800
    assert [e.type for e in photo.message.caption_entities] == ["bot_command"]
    assert location.message is not None
    assert location.message.location is not None
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert edited.edited_message is not None
    assert edited.edited_message.text == "改过的话"


# --- buttons ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_pressing_a_button_and_answering_it(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser
) -> None:
    sent = await client.send_message(chat.id, "请选择", reply_markup=keyboard("topic:policy"))
    message = fake_api.message(chat, sent.message_id)
    query_id = fake_api.press_button(message, user, "按钮0")  # by label; by data works too
    [update] = await client.get_updates()
    assert update.callback_query is not None
    assert (update.callback_query.id, update.callback_query.data) == (query_id, "topic:policy")
    assert fake_api.callback_answer(query_id) is None
    with pytest.raises(BadRequest, match=r"(?i)^message_too_long$"):
        await client.answer_callback_query(query_id, "长" * 201)
    assert await client.answer_callback_query(query_id, "已选择", show_alert=True)
    answer = fake_api.callback_answer(query_id)
    assert answer is not None
    assert (answer.text, answer.show_alert) == ("已选择", True)
    for again in (query_id, "123"):
        with pytest.raises(BadRequest, match=r"(?i)^query is too old"):
            await client.answer_callback_query(again)
    with pytest.raises(ValueError, match=r"no button"):
        fake_api.press_button(message, user, "nope")


# --- groups -----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_chat_member(fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser) -> None:
    group = fake_api.group(-1009876543210, "重庆社会组织帮扶群", "supergroup")
    owner, admin, member = fake_api.user(1, "群主"), fake_api.user(2, "管理员"), fake_api.user(3, "成员")
    fake_api.set_admins(group, {owner.id: "creator", admin.id: "administrator"})
    assert isinstance(await client.get_chat_member(group.id, owner.id), ChatMemberOwner)
    assert isinstance(await client.get_chat_member(group.id, admin.id), ChatMemberAdministrator)
    plain = await client.get_chat_member(group.id, member.id)
    assert isinstance(plain, ChatMemberMember)
    assert plain.user.first_name == "成员"
    assert (await client.get_chat_member(group.id, fake_api.bot_id)).status == "member"
    fake_api.set_admins(group, {admin.id: "administrator"})
    assert (await client.get_chat_member(group.id, owner.id)).status == "member"
    with pytest.raises(BadRequest, match=r"^User not found$"):
        await client.get_chat_member(group.id, 424242)
    with pytest.raises(BadRequest, match=r"^User not found$"):
        await client.get_chat_member(chat.id, member.id)  # in a private chat, only its two people
    assert (await client.get_chat_member(chat.id, user.id)).status == "member"


@pytest.mark.asyncio
async def test_privacy_mode_in_groups(fake_api: FakeBotApi, client: Bot, user: FakeUser) -> None:
    group = fake_api.group(-600, "讨论组")
    bot_message = fake_api.message(group, (await client.send_message(group.id, "我是帮扶助手")).message_id)
    seen = {
        "大家好": False,
        "/help": True,
        f"/help{MENTION}": True,
        "/help@other_bot": False,
        f"请问 {MENTION} 怎么报名": True,
        "/中文命令": True,  # anything starting with a slash
    }
    assert {text: fake_api.send_text(group, user, text).delivered for text in seen} == seen
    assert fake_api.send_text(group, user, "回复你", reply_to=bot_message).delivered
    assert not fake_api.send_media(group, user, "sticker").delivered
    assert fake_api.send_media(group, user, "photo", caption=MENTION).delivered
    fake_api.set_admins(group, {fake_api.bot_id: "administrator"})  # an admin sees everything
    assert fake_api.send_text(group, user, "大家好").delivered
    fake_api.set_admins(group, {})
    fake_api.can_read_all_group_messages = True  # privacy mode off
    assert fake_api.send_text(group, user, "大家好").delivered
    assert len(await client.get_updates()) == 8


@pytest.mark.asyncio
async def test_joining_leaving_blocking_and_migrating(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, user: FakeUser
) -> None:
    owner = fake_api.user(11, "发起人")
    group = fake_api.group(-4001, "新小组", bot_status="left")
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the group chat"):
        await client.send_message(group.id, "hi")
    fake_api.add_bot_to_group(group, owner)
    joined, service = await client.get_updates()
    assert joined.my_chat_member is not None
    assert (joined.my_chat_member.old_chat_member.status, joined.my_chat_member.new_chat_member.status) == (
        "left",
        "member",
    )
    assert service.message is not None
    assert [u.id for u in service.message.new_chat_members] == [fake_api.bot_id]
    await client.send_message(group.id, "大家好")
    supergroup = fake_api.migrate_to_supergroup(group, -1004001, by=owner)
    moved_from, moved_to = await client.get_updates(offset=service.update_id + 1)
    assert moved_from.message is not None
    assert moved_from.message.migrate_to_chat_id == supergroup.id
    assert moved_to.message is not None
    assert moved_to.message.migrate_from_chat_id == group.id
    assert moved_to.message.sender_chat is not None
    with pytest.raises(ChatMigrated) as caught:
        await client.send_message(group.id, "hi")
    assert caught.value.new_chat_id == supergroup.id
    fake_api.remove_bot_from_group(supergroup, owner)
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the supergroup chat"):
        await client.send_message(supergroup.id, "hi")
    fake_api.block_bot(user)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await client.send_message(chat.id, "还在吗")
    *_, removed, blocked = await client.get_updates(offset=moved_to.update_id + 1)
    assert removed.my_chat_member is not None
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"


# --- commands, flood control, faults ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_command_menus_per_scope_and_language(fake_api: FakeBotApi, client: Bot) -> None:
    group = fake_api.group(-1005, "群")
    await client.set_my_commands([BotCommand("start", "开始使用"), BotCommand("help", "帮助")])
    await client.set_my_commands([BotCommand("ask", "提问")], scope=BotCommandScopeAllGroupChats())
    admins = BotCommandScopeChatAdministrators(group.id)
    await client.set_my_commands([BotCommand("stats", "统计")], scope=admins, language_code="zh")
    assert [c["command"] for c in fake_api.commands()] == ["start", "help"]
    assert fake_api.commands({"type": "all_group_chats"}) == [{"command": "ask", "description": "提问"}]
    scope = {"type": "chat_administrators", "chat_id": group.id}
    assert fake_api.commands(scope, "zh") == [{"command": "stats", "description": "统计"}]
    assert fake_api.commands(scope) == []  # another language
    with pytest.raises(BadRequest, match=r"(?i)^bot_command_invalid$"):
        await client.set_my_commands([BotCommand("Start-Now", "x")])
    with pytest.raises(BadRequest, match=r"(?i)^bot_command_description_invalid$"):
        await client.set_my_commands([BotCommand("start", " ")])


@pytest.mark.asyncio
async def test_flood_control(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after without a deprecation warning
    other = fake_api.private_chat(fake_api.user(1002, "小红"))
    fake_api.flood_limit(per_chat_per_second=2)
    await client.send_message(chat.id, "1")
    await client.send_message(chat.id, "2")
    with pytest.raises(RetryAfter) as caught:
        await client.send_message(chat.id, "3")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert fake_api.failed_calls()[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    await client.send_message(other.id, "other chats are not limited")
    fake_api.flood_limit(global_per_second=1, retry_after=3)
    await client.send_message(other.id, "a")
    with pytest.raises(RetryAfter):
        await client.send_message(chat.id, "b")
    group = fake_api.group(-700, "群")
    fake_api.flood_limit(per_group_per_minute=1)
    await client.send_message(group.id, "一分钟一条")
    with pytest.raises(RetryAfter):
        await client.send_message(group.id, "第二条")
    await client.send_message(chat.id, "private chats have no per-minute limit")
    fake_api.flood_limit()  # off again
    await client.send_message(group.id, "c")
    assert fake_api.flood_errors == 3


@pytest.mark.asyncio
async def test_a_fault_answers_in_a_method_s_place(fake_api: FakeBotApi, client: Bot, chat: FakeChat) -> None:
    seen: list[RecordedCall] = []

    async def bad_gateway(call: RecordedCall) -> None:
        seen.append(call)
        if call.params["text"] == "坏":
            raise ApiError(502, "Bad Gateway")

    fake_api.add_fault(bad_gateway, "sendMessage")
    await client.get_me()  # other methods are untouched
    await client.send_message(chat.id, "好")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await client.send_message(chat.id, "坏")
    fake_api.remove_fault(bad_gateway)
    await client.send_message(chat.id, "坏")
    assert [call.params["text"] for call in seen] == ["好", "坏"]
    assert [m.text for m in fake_api.sent_messages(chat)] == ["好", "坏"]


@pytest.mark.asyncio
async def test_dropped_connections_outages_and_faults_on_a_share_of_calls(
    fake_api: FakeBotApi, client: Bot, chat: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter without a deprecation warning
    dropping = fake_api.add_fault(drop(delivered=True), "sendMessage")
    with pytest.raises(NetworkError, match="Server disconnected"):
        await client.send_message(chat.id, "到了,回答丢了")
    [call] = fake_api.calls("sendMessage")
    assert (call.dropped, call.status, call.failed) == (True, None, False)
    assert [m.text for m in fake_api.sent_messages(chat)] == ["到了,回答丢了"]  # delivered all the same
    fake_api.requests.clear()
    fake_api.remove_fault(dropping)
    some = fake_api.add_fault(Sometimes(0.5, flood(2), seed=7), "sendMessage")
    assert isinstance(some, Sometimes)
    for i in range(10):
        with contextlib.suppress(RetryAfter):
            await client.send_message(chat.id, str(i))
    assert [c.params["text"] for c in some.hits] == [c.params["text"] for c in fake_api.failed_calls()]
    assert 0 < len(some.hits) < 10
    assert all(c.answered is not None and c.answered >= c.started for c in fake_api.requests)
    fake_api.remove_fault(some)
    fake_api.begin_outage()
    with pytest.raises(NetworkError):
        await client.get_me()
    fake_api.end_outage()
    assert (await client.get_me()).username == BOT_USERNAME
    [(began, ended)] = fake_api.outages
    assert ended is not None
    assert began < ended


@pytest.mark.asyncio
async def test_a_failed_wait_says_what_happened(fake_api: FakeBotApi, client: Bot, chat: FakeChat) -> None:
    with pytest.raises(BadRequest):
        await client.send_message(chat.id, "<b>坏", parse_mode="HTML")
    with pytest.raises(AssertionError, match=r"(?s)no 1 new bot message.*can't parse entities"):
        await fake_api.wait_for_messages(1, chat, within=0.2)
