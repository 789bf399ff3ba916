"""Tests of the stand-in Bot API server, driven through python-telegram-bot's real HTTP stack.

Everything talks to 127.0.0.1 only; requests are built by ``FakeBotApi.request()``, which
ignores proxy environment variables (see ``test_requests_ignore_proxy_environment``).
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
    MenuButtonCommands,
    Message,
    ReplyParameters,
    Update,
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
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fake_botapi import (
    MAX_MESSAGE_LENGTH,
    FakeBotApi,
    FakeChat,
    FakeUser,
    HtmlParseError,
    parse_telegram_html,
    utf16_len,
)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(bot_username="bangfu_test_bot") as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with api.bot() as client:
        yield client


@pytest.fixture
def user(api: FakeBotApi) -> FakeUser:
    return api.user(1001, "小明", username="xiaoming")


@pytest.fixture
def chat(api: FakeBotApi, user: FakeUser) -> FakeChat:
    return api.private_chat(user)


@contextlib.asynccontextmanager
async def polling(app: AnyApplication) -> AsyncIterator[AnyApplication]:
    """Runs an Application with long polling, the documented non-blocking way."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=2)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"按钮{i}", callback_data=d)] for i, d in enumerate(data)]
    )


# ------------------------------------------------------------------------------ basics


@pytest.mark.asyncio
async def test_get_me(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == int(api.token.split(":")[0]) == api.bot_id
    assert me.is_bot
    assert me.first_name == "帮扶助手"
    assert me.username == "bangfu_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False
    assert bot.username == "bangfu_test_bot"  # cached by Bot.initialize()
    assert api.calls("getme")[0].ok


@pytest.mark.asyncio
async def test_privacy_mode_off_is_reported() -> None:
    async with FakeBotApi(can_read_all_group_messages=True) as api, api.bot() as bot:
        assert (await bot.get_me()).can_read_all_group_messages is True


@pytest.mark.asyncio
async def test_wrong_token_and_unknown_method(api: FakeBotApi) -> None:
    wrong = Bot("7000000001:WRONG-secret", base_url=api.base_url, request=api.request())
    with pytest.raises(InvalidToken, match=r"rejected by the server"):
        await wrong.initialize()
    await wrong.shutdown()

    async with api.bot() as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")

    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{api.root_url}/bot7000000001:WRONG-secret/getMe")
        assert (response.status_code, response.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
        response = await client.post(f"{api.root_url}/bot{api.token}/noSuchMethod")
        assert (response.status_code, response.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found"},
        )
        response = await client.post(f"{api.root_url}/botnot-a-token/getMe")  # malformed: 404 like Telegram
        assert response.status_code == 404


@pytest.mark.asyncio
async def test_parameter_encodings_and_case_insensitive_methods(api: FakeBotApi, chat: FakeChat) -> None:
    markup = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
    async with httpx.AsyncClient(trust_env=False, base_url=f"{api.root_url}/bot{api.token}/") as client:
        json_body = await client.post(
            "sendMessage", json={"chat_id": chat.id, "text": "json", "reply_markup": markup}
        )
        form = await client.post(
            "SENDMESSAGE", data={"chat_id": str(chat.id), "text": "form", "reply_markup": json.dumps(markup)}
        )
        multipart = await client.post(
            "sendmessage",
            data={"chat_id": str(chat.id), "text": "multipart"},
            files={"attachment": ("a.txt", b"hello", "text/plain")},
        )
        query = await client.get("sendMessage", params={"chat_id": chat.id, "text": "query"})
        empty = await client.post("getMe")
        broken = await client.post(
            "sendMessage", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        bad_markup = await client.post(
            "sendMessage", data={"chat_id": str(chat.id), "text": "x", "reply_markup": "{"}
        )

    for response in (json_body, form, multipart, query, empty):
        assert response.status_code == 200, response.text
        assert response.json()["ok"] is True
    assert form.json()["result"]["reply_markup"] == markup
    assert broken.status_code == 400
    assert broken.json()["description"].startswith("Bad Request: ")
    assert bad_markup.json()["description"] == "Bad Request: can't parse reply keyboard markup JSON object"

    calls = [c for c in api.calls("sendMessage") if c.ok]
    assert [c.encoding for c in calls] == ["json", "form", "multipart", "query"]
    assert all(c.params["chat_id"] == chat.id for c in calls)  # decoded to int whatever the encoding
    assert calls[1].params["reply_markup"] == markup  # JSON text inside a form field, decoded
    assert calls[2].files["attachment"].data == b"hello"
    assert [m.text for m in api.sent_messages(chat)] == ["json", "form", "multipart", "query"]


@pytest.mark.asyncio
async def test_ptb_sends_form_encoded_json_values(api: FakeBotApi, bot: Bot, chat: FakeChat) -> None:
    await bot.send_message(chat.id, "hi", reply_markup=keyboard("a"), disable_notification=True)
    call = api.calls("sendMessage")[-1]
    assert call.encoding == "form"  # PTB 22.8: urlencoded form, non-strings JSON-encoded
    assert call.params == {
        "chat_id": chat.id,
        "text": "hi",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "按钮0", "callback_data": "a"}]]},
    }


@pytest.mark.asyncio
async def test_requests_ignore_proxy_environment(api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy nobody listens on: connecting to it fails at once, on loopback only.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)

    async with api.bot() as bot:  # trust_env=False: the environment's proxy is ignored
        assert (await bot.get_me()).username == "bangfu_test_bot"

    # PTB's default HTTPXRequest would honour the proxy variables and never reach the fake.
    naive = Bot(api.token, base_url=api.base_url, request=HTTPXRequest(connect_timeout=2.0))
    with pytest.raises(NetworkError):
        await naive.initialize()
    await naive.shutdown()


# ------------------------------------------------------------------------------ sendMessage and HTML


@pytest.mark.asyncio
async def test_send_message_html_round_trip(api: FakeBotApi, bot: Bot, chat: FakeChat) -> None:
    html = (
        "<b>粗体</b> <strong>也粗</strong> <i>斜体</i> <u>下划线</u> <s>删除</s> "
        '<tg-spoiler>剧透</tg-spoiler> <span class="tg-spoiler">也是</span> '
        '<a href="https://example.org/帮扶?q=1&amp;r=2">链接</a> <code>x&lt;y</code> '
        '<pre><code class="language-python">print(1)</code></pre> <blockquote expandable>引用</blockquote> '
        '&#128512; &#x1F600; &quot;q&quot; <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>\n\n'
    )
    message = await bot.send_message(chat.id, html, parse_mode="HTML")

    assert message.text == '粗体 也粗 斜体 下划线 删除 剧透 也是 链接 x<y print(1) 引用 😀 😀 "q" 👍'
    assert message.from_user is not None
    assert message.from_user.id == api.bot_id
    parsed = {(e.type, text) for e, text in message.parse_entities().items()}
    assert parsed == {
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
    assert by_type["custom_emoji"].custom_emoji_id == "5368324170671202286"

    [stored] = api.sent_messages(chat)
    assert stored.source_text == html
    assert stored.parse_mode == "HTML"
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
        '<tg-emoji emoji-id="abc">👍</tg-emoji>',
        "Invalid custom emoji identifier specified",
        id="bad-emoji-id",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("html", "reason"), BAD_HTML)
async def test_bad_html_is_refused(api: FakeBotApi, bot: Bot, chat: FakeChat, html: str, reason: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(chat.id, html, parse_mode="HTML")
    description = "Bad Request: can't parse entities: " + reason
    assert api.failed_calls("sendMessage")[-1].description == description
    # PTB strips "Bad Request: " and str.capitalize()s the rest, lower-casing it.
    assert caught.value.message == description.removeprefix("Bad Request: ").capitalize()
    assert api.sent_messages() == []


def test_bare_ampersand_is_literal_in_telegram_mode() -> None:
    assert parse_telegram_html("Tom & Jerry &lt;3 &copy; &#65 &#x42;") == ("Tom & Jerry <3 &copy; A B", [])
    with pytest.raises(HtmlParseError, match=r"Unescaped"):
        parse_telegram_html("Tom & Jerry", strict_ampersand=True)


@pytest.mark.asyncio
async def test_lenient_ampersand_option_end_to_end() -> None:
    async with FakeBotApi(strict_html_ampersand=False) as api, api.bot() as bot:
        chat = api.private_chat(api.user(7, "甲"))
        message = await bot.send_message(chat.id, "<b>A & B</b>", parse_mode="HTML")
        assert message.text == "A & B"


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
    api: FakeBotApi, bot: Bot, chat: FakeChat, text: str, ok: bool
) -> None:
    if ok:
        message = await bot.send_message(chat.id, text, parse_mode="HTML")
        assert message.text is not None
        assert utf16_len(message.text) <= MAX_MESSAGE_LENGTH
    else:
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await bot.send_message(chat.id, text, parse_mode="HTML")
        assert api.failed_calls()[-1].description == "Bad Request: message is too long"


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "   \n", "<b></b>", "<b> </b>\n"])
async def test_empty_text_is_refused(api: FakeBotApi, bot: Bot, chat: FakeChat, text: str) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(chat.id, text, parse_mode="HTML")


@pytest.mark.asyncio
async def test_unknown_chat_and_markdown(api: FakeBotApi, bot: Bot, chat: FakeChat) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match=r"(?i)not implemented by fakebotapi"):
        await bot.send_message(chat.id, "*hi*", parse_mode="MarkdownV2")


# ------------------------------------------------------------------------------ keyboards and replies


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
    api: FakeBotApi, bot: Bot, chat: FakeChat, data: str, ok: bool
) -> None:
    if ok:
        message = await bot.send_message(chat.id, "选一个", reply_markup=keyboard(data))
        assert message.reply_markup == keyboard(data)
    else:
        with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
            await bot.send_message(chat.id, "选一个", reply_markup=keyboard(data))
        assert api.failed_calls()[-1].description == "Bad Request: BUTTON_DATA_INVALID"


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
    ],
)
async def test_inline_button_validation(
    api: FakeBotApi, chat: FakeChat, button: dict[str, Any], description: str
) -> None:
    # PTB's InlineKeyboardButton cannot even express these, so post the raw Bot API call.
    markup = json.dumps({"inline_keyboard": [[button]]})
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(
            f"{api.root_url}/bot{api.token}/sendMessage",
            data={"chat_id": chat.id, "text": "x", "reply_markup": markup},
        )
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: " + description)


@pytest.mark.asyncio
async def test_replies(api: FakeBotApi, bot: Bot, chat: FakeChat, user: FakeUser) -> None:
    question = api.send_text(chat, user, "怎么申请？")
    answer = await bot.send_message(
        chat.id, "请看指南", reply_parameters=ReplyParameters(question.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "怎么申请？"
    assert answer.reply_to_message.from_user is not None
    assert answer.reply_to_message.from_user.id == user.id

    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(chat.id, "?", reply_parameters=ReplyParameters(9999))
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(chat.id, "?", reply_to_message_id=9999)
    lenient = await bot.send_message(
        chat.id, "!", reply_parameters=ReplyParameters(9999, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None

    # The user replies to the bot's message; the update carries reply_to_message.
    follow_up = api.send_text(chat, user, "谢谢", reply_to=api.sent_messages(chat)[0])
    updates = await bot.get_updates()
    assert updates[-1].message is not None
    assert updates[-1].message.reply_to_message is not None
    assert updates[-1].message.reply_to_message.message_id == answer.message_id
    assert follow_up.reply_to is api.sent_messages(chat)[0]


@pytest.mark.asyncio
async def test_forum_topic_threads(api: FakeBotApi, bot: Bot, user: FakeUser) -> None:
    forum = api.group(-1001234567890, "帮扶论坛", forum=True)
    api.add_topic(forum, 7, "政策咨询")

    sent = await bot.send_message(forum.id, "本话题欢迎提问", message_thread_id=7)
    assert sent.message_thread_id == 7
    assert sent.is_topic_message
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(forum.id, "?", message_thread_id=8)
    plain_group = api.group(-500, "普通群")
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(plain_group.id, "?", message_thread_id=7)

    asked = api.send_text(forum, user, "/ask 怎么参与？", thread_id=7)
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert message.message_thread_id == 7
    assert message.is_topic_message
    assert message.reply_to_message is not None
    assert message.reply_to_message.forum_topic_created is not None
    # PTB's reply shortcut keeps the topic.
    reply = await message.reply_text("答复")
    assert reply.message_thread_id == 7
    assert api.calls("sendMessage")[-1].params["message_thread_id"] == 7
    assert api.calls("sendMessage")[-1].params["reply_parameters"] == {"message_id": asked.message_id}


@pytest.mark.asyncio
async def test_edit_and_delete(api: FakeBotApi, bot: Bot, chat: FakeChat) -> None:
    sent = await bot.send_message(chat.id, "原文", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)^message is not modified"):
        await bot.edit_message_text("原文", chat.id, sent.message_id, reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("原文", chat.id, sent.message_id)  # drops the keyboard
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)^message is not modified"):
        await bot.edit_message_reply_markup(chat.id, sent.message_id)
    await bot.edit_message_reply_markup(chat.id, sent.message_id, reply_markup=keyboard("b"))
    edited = await bot.edit_message_text("<b>新</b>", chat.id, sent.message_id, parse_mode="HTML")
    stored = api.message(chat, sent.message_id)
    assert (stored.text, stored.history) == ("新", ["原文", "原文"])
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat.id, 999)

    assert await bot.delete_message(chat.id, sent.message_id)
    assert stored.deleted
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(chat.id, sent.message_id)


# ------------------------------------------------------------------------------ getUpdates


@pytest.mark.asyncio
async def test_long_poll_returns_update_pushed_while_waiting(
    api: FakeBotApi, bot: Bot, chat: FakeChat, user: FakeUser
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_poller()
    started = time.monotonic()
    api.send_text(chat, user, "在吗")
    updates = await asyncio.wait_for(poll, timeout=3)
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["在吗"]

    started = time.monotonic()
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.5


@pytest.mark.asyncio
async def test_offset_confirms_updates(api: FakeBotApi, bot: Bot, chat: FakeChat, user: FakeUser) -> None:
    for text in ("一", "二", "三"):
        api.send_text(chat, user, text)
    first = await bot.get_updates()
    ids = [u.update_id for u in first]
    assert len(ids) == 3
    assert ids == list(range(ids[0], ids[0] + 3))
    assert len(await bot.get_updates()) == 3  # nothing confirmed yet
    rest = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in rest] == ids[1:]
    assert [u["update_id"] for u in api.pending_updates] == ids[1:]
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert api.pending_updates == []

    api.send_text(chat, user, "四")
    api.send_text(chat, user, "五")
    [only] = await bot.get_updates(offset=ids[-1] + 1, limit=1)
    assert only.update_id == ids[-1] + 1
    [last] = await bot.get_updates(offset=-1)  # negative offset: the last update only
    assert last.message is not None
    assert last.message.text == "五"


@pytest.mark.asyncio
async def test_allowed_updates_filter(api: FakeBotApi, bot: Bot, chat: FakeChat, user: FakeUser) -> None:
    api.send_text(chat, user, "/start")
    sent = await bot.send_message(chat.id, "菜单", reply_markup=keyboard("go"))
    api.press_button(api.message(chat, sent.message_id), user, "go")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["go"]
    assert len(updates) == 1


@pytest.mark.asyncio
async def test_second_poll_terminates_first_with_conflict(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_poller()
    assert await bot.get_updates() == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getupdates request"):
        await asyncio.wait_for(first, timeout=3)


@pytest.mark.asyncio
async def test_shutdown_ends_pending_long_poll() -> None:
    api = FakeBotApi()
    await api.start()
    async with api.bot() as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for_poller()
        started = time.monotonic()
        await api.stop()
        assert await asyncio.wait_for(poll, timeout=3) == ()
        assert time.monotonic() - started < 2.0


@pytest.mark.asyncio
async def test_user_entities_use_utf16_offsets(
    api: FakeBotApi, bot: Bot, chat: FakeChat, user: FakeUser
) -> None:
    api.send_text(chat, user, "😀 /start@bangfu_test_bot 你好 @someone_else")
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bot_command", 3, 22),
        ("mention", 29, 13),
    ]
    assert list(message.parse_entities().values()) == ["/start@bangfu_test_bot", "@someone_else"]


# ------------------------------------------------------------------------------ Application


@pytest.mark.asyncio
async def test_application_echo_bot_over_long_polling(
    api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_message.text is not None
        await update.effective_chat.send_action("typing")  # type: ignore[union-attr]
        await update.effective_message.reply_text(update.effective_message.text)

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with polling(app):
        api.send_text(chat, user, "你好，帮扶助手")
        [reply] = await api.wait_for_messages(1, chat_id=chat)
        assert reply.text == "你好，帮扶助手"
        assert reply.reply_to is None  # private chats: reply_text does not quote by default
        api.send_text(chat, user, "第二条")
        [second] = await api.wait_for_messages(1, chat_id=chat)
        assert second.text == "第二条"
        await api.wait_for_delivery()
    assert [a.action for a in api.chat_actions] == ["typing", "typing"]
    assert api.failed_calls() == []
    assert api.pending_updates == []  # the updater's final getUpdates confirmed everything


@pytest.mark.asyncio
async def test_press_button_reaches_callback_query_handler(
    api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "请选择",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("帮扶政策", callback_data="topic:policy")]]
            ),
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("已选择")
        await query.edit_message_text(f"你选择了 {query.data}")

    app = api.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^topic:"))
    async with polling(app):
        api.send_text(chat, user, "/start")
        [menu] = await api.wait_for_messages(1, chat_id=chat)
        assert menu.button_texts == ["帮扶政策"]
        query_id = api.press_button(menu, user, button_text="帮扶政策")
        answer = await api.wait_for_callback_answer(query_id)
        assert (answer.text, answer.show_alert) == ("已选择", False)
        await api.wait_for_calls("editMessageText")
        assert menu.text == "你选择了 topic:policy"
        assert menu.reply_markup is None
        with pytest.raises(BadRequest, match=r"(?i)^query is too old"):
            await app.bot.answer_callback_query(query_id)  # already answered
        with pytest.raises(BadRequest, match=r"(?i)^query is too old"):
            await app.bot.answer_callback_query("123")
    with pytest.raises(ValueError, match=r"no button"):
        api.press_button(menu, user, "nope")


# ------------------------------------------------------------------------------ groups


@pytest.mark.asyncio
async def test_get_chat_member_admin_vs_member(api: FakeBotApi, bot: Bot) -> None:
    group = api.group(-1009876543210, "重庆社会组织帮扶群", supergroup=True)
    owner, admin, member = api.user(1, "群主"), api.user(2, "管理员"), api.user(3, "成员")
    api.set_admins(group, {owner.id: "creator", admin.id: "administrator"})

    assert isinstance(await bot.get_chat_member(group.id, owner.id), ChatMemberOwner)
    admin_member = await bot.get_chat_member(group.id, admin.id)
    assert isinstance(admin_member, ChatMemberAdministrator)
    assert admin_member.can_delete_messages
    plain = await bot.get_chat_member(group.id, member.id)
    assert isinstance(plain, ChatMemberMember)
    assert plain.user.first_name == "成员"
    assert (await bot.get_chat_member(group.id, api.bot_id)).status == "member"
    with pytest.raises(BadRequest, match=r"^User not found$"):
        await bot.get_chat_member(group.id, 424242)

    admins = await bot.get_chat_administrators(group.id)
    assert [(m.user.id, m.status) for m in admins] == [(1, "creator"), (2, "administrator")]
    info = await bot.get_chat(group.id)
    assert (info.type, info.title) == ("supergroup", "重庆社会组织帮扶群")


@pytest.mark.asyncio
async def test_privacy_mode_in_groups(api: FakeBotApi, bot: Bot, user: FakeUser) -> None:
    group = api.group(-600, "讨论组")
    bot_message = await bot.send_message(group.id, "我是帮扶助手")
    texts = {
        "大家好": False,
        "/help": True,
        "/help@bangfu_test_bot": True,
        "/help@other_bot": False,
        "请问 @bangfu_test_bot 怎么报名": True,
    }
    delivered = {text: api.send_text(group, user, text).delivered for text in texts}
    assert delivered == texts
    assert api.send_text(group, user, "回复你", reply_to=bot_message.message_id).delivered
    assert not api.send_sticker(group, user).delivered

    chatter = api.message(group, 2)  # "大家好" (message 1 is the bot's)
    with pytest.raises(BadRequest, match=r"^Message can't be deleted$"):
        await bot.delete_message(group.id, chatter.message_id)

    api.set_admins(group, {api.bot_id: "administrator"})  # admins see everything and may delete
    assert await bot.delete_message(group.id, chatter.message_id)
    assert api.send_text(group, user, "大家好").delivered
    updates = await bot.get_updates()
    assert len(updates) == 5


@pytest.mark.asyncio
async def test_join_leave_and_migration(api: FakeBotApi, bot: Bot) -> None:
    owner = api.user(11, "发起人")
    group = api.group(-4001, "新小组", bot_status="left")
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the group chat"):
        await bot.send_message(group.id, "hi")

    api.add_bot_to_group(group, owner)
    joined, service = await bot.get_updates()
    assert joined.my_chat_member is not None
    assert joined.my_chat_member.old_chat_member.status == "left"
    assert joined.my_chat_member.new_chat_member.status == "member"
    assert service.message is not None
    assert [u.id for u in service.message.new_chat_members] == [api.bot_id]
    await bot.send_message(group.id, "大家好")

    supergroup = api.migrate_to_supergroup(group, -1004001, by_user=owner)
    moved_from, moved_to = await bot.get_updates(offset=service.update_id + 1)
    assert moved_from.message is not None
    assert moved_from.message.migrate_to_chat_id == supergroup.id
    assert moved_to.message is not None
    assert moved_to.message.migrate_from_chat_id == group.id
    assert moved_to.message.sender_chat is not None
    assert moved_to.message.sender_chat.id == supergroup.id
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.new_chat_id == supergroup.id
    await bot.send_message(supergroup.id, "搬家了")

    assert await bot.leave_chat(supergroup.id)
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the supergroup chat"):
        await bot.send_message(supergroup.id, "hi")


# ------------------------------------------------------------------------------ commands, menus, flood


@pytest.mark.asyncio
async def test_commands_per_scope_and_language(api: FakeBotApi, bot: Bot) -> None:
    group = api.group(-1005, "群")
    await bot.set_my_commands([BotCommand("start", "开始使用"), BotCommand("help", "帮助")])
    await bot.set_my_commands([BotCommand("ask", "提问")], scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        [BotCommand("stats", "统计")], scope=BotCommandScopeChatAdministrators(group.id), language_code="zh"
    )
    assert api.calls("setMyCommands")[0].params["commands"] == [
        {"command": "start", "description": "开始使用"},
        {"command": "help", "description": "帮助"},
    ]
    assert [c["command"] for c in api.commands()] == ["start", "help"]
    assert api.commands({"type": "all_group_chats"}) == [{"command": "ask", "description": "提问"}]
    assert api.commands({"type": "chat_administrators", "chat_id": group.id}, "zh") == [
        {"command": "stats", "description": "统计"}
    ]
    assert api.commands({"type": "chat_administrators", "chat_id": group.id}) == []  # other language

    fetched = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
    assert [(c.command, c.description) for c in fetched] == [("ask", "提问")]
    assert await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())
    assert api.commands({"type": "all_group_chats"}) == []
    with pytest.raises(BadRequest, match=r"(?i)^bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])

    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert api.menu_button() == {"type": "commands"}


@pytest.mark.asyncio
async def test_flood_control_raises_retry_after(
    api: FakeBotApi, bot: Bot, chat: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after without a deprecation warning
    other = api.private_chat(api.user(1002, "小红"))
    api.flood_limit(per_chat_per_second=2)
    await bot.send_message(chat.id, "1")
    await bot.send_message(chat.id, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat.id, "3")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    failed = api.failed_calls()[-1]
    assert (failed.status, failed.response) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    await bot.send_message(other.id, "other chats are not limited")
    assert api.flood_errors == 1

    api.flood_limit(global_per_second=1, retry_after=3)
    await bot.send_message(other.id, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(chat.id, "b")
    assert api.flood_errors == 2
    api.flood_limit()  # off again
    await bot.send_message(chat.id, "c")


@pytest.mark.asyncio
async def test_wait_for_messages_explains_timeouts(api: FakeBotApi, bot: Bot, chat: FakeChat) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(chat.id, "<b>坏", parse_mode="HTML")
    with pytest.raises(AssertionError, match=r"(?s)expected 1 new bot message.*can't parse entities"):
        await api.wait_for_messages(1, chat_id=chat, timeout=0.2)


@pytest.mark.asyncio
async def test_media_edits_blocking_webhook_and_profile(
    api: FakeBotApi, bot: Bot, chat: FakeChat, user: FakeUser
) -> None:
    api.send_photo(chat, user, caption="/ask 这是什么")
    api.send_location(chat, user)
    api.send_sticker(chat, user, "🙏")
    original = api.send_text(chat, user, "原话")
    api.edit_text(original, "改过的话")
    photo, location, sticker, _, edited = await bot.get_updates()
    assert photo.message is not None
    assert photo.message.photo[-1].width == 800
    assert [e.type for e in photo.message.caption_entities] == ["bot_command"]
    assert location.message is not None
    assert location.message.location is not None
    assert location.message.location.latitude == pytest.approx(29.563)
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "🙏"
    assert edited.edited_message is not None
    assert edited.edited_message.text == "改过的话"
    assert edited.edited_message.edit_date is not None

    with pytest.raises(BadRequest, match=r"^Wrong parameter action in request$"):
        await bot.send_chat_action(chat.id, "dancing")
    await bot.set_my_description("为参与帮扶的社会组织答疑", language_code="zh")
    assert (await bot.get_my_description(language_code="zh")).description == "为参与帮扶的社会组织答疑"
    assert (await bot.get_my_name()).name == "帮扶助手"
    assert (await bot.get_chat(chat.id)).first_name == "小明"

    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""

    api.block_bot(user)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(chat.id, "还在吗")
    [blocked] = await bot.get_updates(offset=edited.update_id + 1)
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
