"""Telegram: the question log and feedback buttons, and the maintainers' /reload, /stats and SIGHUP."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.channels import questionlog
from bot.channels.questionlog import QUESTION_LOG_FILE, Feedback, read_questions
from bot.channels.telegram import texts
from bot.channels.telegram.maintainers import reload_on_sighup
from bot.engine import Engine
from tests.engine_support import KNOWLEDGE
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.telegram_support import MENTION, BotUnderTest, bot_running

pytestmark = pytest.mark.asyncio

OLD, NEW = "023-58569600", "023-58569999"
UPDATE = f"""updates:
  - place: 万州区
    phone: '{NEW}'
    date: 2026-03-01
    source: 万州区乡村振兴局通知
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge that the bot reloads from."""
    return Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge", copy_function=shutil.copyfile))


@pytest_asyncio.fixture
async def maintained(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, knowledge: Path, user: FakeUser
) -> AsyncIterator[BotUnderTest]:
    """The bot with ``user`` as its maintainer, reloading from ``knowledge``."""
    env = {"BANGFU_ADMIN_IDS": f"{user.id}, 999", "BANGFU_KNOWLEDGE_DIR": str(knowledge)}
    async with bot_running(fake_api, engine, tmp_path / "data", env=env) as running:
        yield running
    assert [call.summary() for call in fake_api.failed_calls()] == []


def record_update(knowledge: Path) -> None:
    path = knowledge / "updates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("updates: []\n", UPDATE), encoding="utf-8")


def buttons(fake_api: FakeBotApi, chat: FakeChat) -> list[str]:
    return fake_api.sent_messages(chat)[-1].button_texts


# --- the question log and feedback ------------------------------------------------------------------------


async def test_answers_carry_feedback_buttons_and_contacts_two_more(
    maintained: BotUnderTest, fake_api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    await maintained.ask(chat, user, "怎么参与脱贫攻坚")
    assert {texts.FEEDBACK_UP, texts.FEEDBACK_DOWN} <= set(buttons(fake_api, chat))
    assert texts.FEEDBACK_WRONG_NUMBER not in buttons(fake_api, chat)
    await maintained.ask(chat, user, "万州区扶贫办电话")
    assert {
        texts.FEEDBACK_UP,
        texts.FEEDBACK_DOWN,
        texts.FEEDBACK_WRONG_NUMBER,
        texts.FEEDBACK_UNREACHABLE,
    } <= set(buttons(fake_api, chat))
    await maintained.ask(chat, user, "今天天气怎么样")
    assert texts.FEEDBACK_UP not in buttons(fake_api, chat)


async def test_a_tap_is_recorded_with_the_question_and_sources_and_thanked_once(
    maintained: BotUnderTest, fake_api: FakeBotApi, chat: FakeChat, user: FakeUser, tmp_path: Path
) -> None:
    await maintained.ask(chat, user, "万州区扶贫办电话")
    message = fake_api.sent_messages(chat)[-1]
    first = fake_api.press_button(message, user, texts.FEEDBACK_UNREACHABLE)
    second = fake_api.press_button(message, user, texts.FEEDBACK_UP)
    await maintained.flush()
    assert [fake_api.callback_answer(q).text for q in (first, second)] == [  # type: ignore[union-attr]
        texts.FEEDBACK_THANKS,
        texts.FEEDBACK_ALREADY,
    ]
    services = maintained.services
    assert services.questions is not None
    assert services.questions.flush()
    (row,) = read_questions(tmp_path / "data" / QUESTION_LOG_FILE)
    assert (row.question, row.chat_type, row.feedback) == (
        "万州区扶贫办电话",
        "private",
        Feedback.UNREACHABLE,
    )
    assert row.intent == "district_contact"
    assert "《工作指引》附件1" in row.sources


async def test_group_questions_are_logged_by_chat_type_only(
    maintained: BotUnderTest, fake_api: FakeBotApi, group: FakeChat, member: FakeUser, tmp_path: Path
) -> None:
    await maintained.ask(group, member, f"{MENTION} 明天会下雨吗")
    services = maintained.services
    assert services.questions is not None
    assert services.questions.flush()
    (row,) = read_questions(tmp_path / "data" / QUESTION_LOG_FILE)
    assert (row.question, row.chat_type, row.intent) == ("明天会下雨吗", "supergroup", None)
    stored = (tmp_path / "data" / QUESTION_LOG_FILE).read_bytes()
    assert str(member.id).encode() not in stored
    assert str(group.id).encode() not in stored


async def test_with_the_log_off_nothing_is_recorded_and_no_buttons_shown(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser
) -> None:
    async with bot_running(
        fake_api, engine, tmp_path / "data", env={"BANGFU_QUESTION_LOG": "off"}
    ) as running:
        await running.ask(chat, user, "万州区扶贫办电话")
        assert texts.FEEDBACK_UP not in buttons(fake_api, chat)
        assert running.services.questions is None
    assert not (tmp_path / "data" / QUESTION_LOG_FILE).exists()


# --- /reload ----------------------------------------------------------------------------------------------


async def test_reload_by_a_maintainer_answers_from_the_edited_knowledge(
    maintained: BotUnderTest, chat: FakeChat, user: FakeUser, knowledge: Path
) -> None:
    assert OLD in (await maintained.ask(chat, user, "万州区扶贫办电话"))[0]
    record_update(knowledge)
    (said,) = await maintained.ask(chat, user, "/reload")
    assert said.startswith("已重新加载知识库:")
    assert "更新的联系方式1条" in said
    (answer, *_) = await maintained.ask(chat, user, "万州区扶贫办电话")
    assert f"{NEW}(2026-03-01 更新,来源:万州区乡村振兴局通知)" in answer


async def test_an_invalid_edit_keeps_the_old_knowledge_and_tells_the_maintainer(
    maintained: BotUnderTest, chat: FakeChat, user: FakeUser, knowledge: Path
) -> None:
    faq = knowledge / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("entries: []", "entries：[]"), encoding="utf-8")
    (said,) = await maintained.ask(chat, user, "/reload")
    line = faq.read_text(encoding="utf-8").splitlines().index("entries：[]") + 1
    assert said.startswith(texts.RELOAD_FAILED.format(count=1))
    assert f"faq.yaml:{line}: YAML syntax error: `entries：` has a full-width colon" in said
    assert OLD in (await maintained.ask(chat, user, "万州区扶贫办电话"))[0]


async def test_reload_and_stats_are_ignored_for_everyone_else(
    maintained: BotUnderTest, fake_api: FakeBotApi, group: FakeChat, admin: FakeUser, knowledge: Path
) -> None:
    stranger = fake_api.user(5005, "路人")
    private = fake_api.private_chat(stranger)
    record_update(knowledge)
    for command in ("/reload", "/stats"):
        assert await maintained.ask(private, stranger, command) == [texts.UNKNOWN_COMMAND]
        assert await maintained.ask(group, admin, command) == []
    assert OLD in (await maintained.ask(private, stranger, "万州区扶贫办电话"))[0]


async def test_a_maintainer_s_command_in_a_group_is_ignored(
    maintained: BotUnderTest, fake_api: FakeBotApi, group: FakeChat, user: FakeUser
) -> None:
    assert await maintained.ask(group, user, "/stats") == []


# --- /stats -----------------------------------------------------------------------------------------------


async def test_stats_counts_questions_declines_intents_and_feedback(
    maintained: BotUnderTest, fake_api: FakeBotApi, chat: FakeChat, user: FakeUser
) -> None:
    await maintained.ask(chat, user, "万州区扶贫办电话")
    fake_api.press_button(fake_api.sent_messages(chat)[-1], user, texts.FEEDBACK_DOWN)
    await maintained.flush()
    await maintained.ask(chat, user, "黔江区扶贫办电话")
    await maintained.ask(chat, user, "今天天气怎么样")
    (said,) = await maintained.ask(chat, user, "/stats")
    assert said.startswith(texts.STATS_TITLE.format(days=7))
    assert "合计3条,未能回答1条(占33%)。" in said
    assert "最常见的问题类型:district_contact 2" in said
    assert "反馈:👍 0,👎 1,号码有误 0,打不通 0" in said


async def test_stats_with_the_log_off_says_so(
    fake_api: FakeBotApi, engine: Engine, tmp_path: Path, chat: FakeChat, user: FakeUser
) -> None:
    env = {"BANGFU_QUESTION_LOG": "off", "BANGFU_ADMIN_IDS": str(user.id)}
    async with bot_running(fake_api, engine, tmp_path / "data", env=env) as running:
        assert await running.ask(chat, user, "/stats") == [texts.STATS_LOG_OFF]


# --- SIGHUP -------------------------------------------------------------------------------------------------


async def test_sighup_reloads_the_knowledge(
    maintained: BotUnderTest, chat: FakeChat, user: FakeUser, knowledge: Path
) -> None:
    stop = reload_on_sighup(maintained.application, asyncio.get_running_loop())
    try:
        record_update(knowledge)
        before = maintained.services.engine
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(300):
            if maintained.services.engine is not before:
                break
            await asyncio.sleep(0.05)
        assert NEW in (await maintained.ask(chat, user, "万州区扶贫办电话"))[0]
    finally:
        stop()


async def test_a_full_disk_does_not_keep_an_answer_from_going_out(
    fake_api: FakeBotApi,
    engine: Engine,
    tmp_path: Path,
    chat: FakeChat,
    user: FakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full_disk(path: Path) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(questionlog, "_connect", full_disk)
    async with bot_running(fake_api, engine, tmp_path / "data") as running:
        for _ in range(3):
            (answer, *_) = await running.ask(chat, user, "万州区扶贫办电话")
            assert OLD in answer
        assert running.services.questions is not None
        assert running.services.questions.flush()
        assert running.services.questions.dropped == 3
