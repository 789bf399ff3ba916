"""A maintainer's walk-through, end to end, as README "Maintaining the knowledge" tells it.

In a git checkout of the knowledge and intents (a copy of the fixture), with the Telegram bot running against
the stand-in Bot API: update 万州区's phone; the checks ``make test`` runs on the shipped files still pass;
the console, ``bangfu ask`` and the bot answer the new number with its provenance; an FAQ entry added to the
YAML is answered after /reload; questions the bot declined in Telegram appear in ``bangfu review``; one
added as an example is answered; ``bangfu impact`` lists the answers it changed; a SIGHUP during a burst of
questions reloads with none lost; an invalid edit plus /reload keeps the old knowledge serving and tells the
maintainer what is wrong.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from bot.channels.telegram import texts
from bot.channels.telegram.maintainers import reload_on_sighup
from bot.cli import main
from bot.engine import Engine
from tests.engine_support import DATA
from tests.fakebotapi import FakeBotApi, FakeChat, FakeUser
from tests.knowledge_support import fixture_checkout, git
from tests.telegram_support import bot_running

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("restore_logging")]

NEW = "023-58569999"
PROVENANCE = f"{NEW}(2026-03-01 更新,来源:万州区乡村振兴局通知)"
FAQ_ENTRY = """entries:
  - question: 2026年帮扶报名入口在哪
    phrasings:
      - 今年的帮扶活动在哪里报名
      - 2026年怎么报名参加帮扶
    answer: |
      请登录重庆市社会组织公共服务平台,选择"帮扶报名":
      - 填写机构信息
      - 上传登记证书
    source: 重庆市民政局2026年1月通知
"""
# Asked in Telegram and declined by the fixture knowledge; the walk-through teaches the bot the first.
DECLINED = ("我们的人下乡受伤了怎么办", "扶贫办几点上班")


def bangfu(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None) -> str:
    """Runs ``bangfu ARGV`` as the maintainer would; fails the test on a non-zero exit."""
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)  # restored by pytest's capture
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 0, f"bangfu {' '.join(argv)} exited {status}:\n{out}\n{err}"
    return out


async def say(fake_api: FakeBotApi, chat: FakeChat, user: FakeUser, text: str, within: float = 10) -> str:
    """``user`` writes ``text`` to the polling bot; returns the text of the bot's first message after it."""
    before = len(fake_api.sent_messages(chat))
    fake_api.send_text(chat, user, text)
    assert await fake_api.wait_until(lambda: len(fake_api.sent_messages(chat)) > before, within)
    return fake_api.sent_messages(chat)[before].text or ""


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The maintainer's checkout: knowledge, intents and a question set, committed; bangfu reads it."""
    root = fixture_checkout(tmp_path / "bangfu")
    (root / "sets").mkdir()
    shutil.copyfile(DATA / "dev.yaml", root / "sets" / "dev.yaml")
    monkeypatch.chdir(root)
    for name, value in {"KNOWLEDGE": "knowledge", "INTENTS": "intents", "DATA": "data"}.items():
        monkeypatch.setenv(f"BANGFU_{name}_DIR", str(root / value))
    return root


async def test_a_maintainer_s_walk_through(
    checkout: Path,
    capsys: pytest.CaptureFixture[str],
    fake_api: FakeBotApi,
    user: FakeUser,
    chat: FakeChat,
) -> None:
    data = checkout / "data"
    env = {
        "BANGFU_ADMIN_IDS": str(user.id),
        "BANGFU_KNOWLEDGE_DIR": str(checkout / "knowledge"),
        "BANGFU_INTENTS_DIR": str(checkout / "intents"),
    }
    visitor = fake_api.user(5005, "访客")
    visitor_chat = fake_api.private_chat(visitor)

    # 1. The bot runs; a visitor asks two questions it cannot answer yet.
    engine = Engine.load(checkout / "knowledge", checkout / "intents")
    async with bot_running(fake_api, engine, data, env=env) as bot:
        for question in DECLINED:
            (said, *_) = await bot.ask(visitor_chat, visitor, question)
            assert said.startswith("抱歉"), said

    # 2. The maintainer records 万州区's new phone, with its source.
    out = bangfu(
        capsys, "update", "万州区", "--phone", NEW, "--source", "万州区乡村振兴局通知", "--date", "2026-03-01"
    )
    assert out.startswith(f"knowledge/updates.yaml: 万州区扶贫办电话: 023-58569600 → {NEW}")

    # 3. What `make test` checks of the shipped files still passes: valid, generated files equal to the
    #    guideline, and the development set answered (its 万州区 cases now expect the new number).
    assert bangfu(capsys, "validate").startswith("OK: ")
    assert "regions.yaml: up to date" in bangfu(capsys, "build-knowledge", "--check")
    evaluated = bangfu(capsys, "eval", "sets/dev.yaml", "--min", "95")
    assert "expect the updated phone or contact of knowledge/updates.yaml" in evaluated

    # 4. The console and `bangfu ask` answer the new number with its provenance.
    assert PROVENANCE in bangfu(capsys, "console", stdin="万州区扶贫办电话\n")
    assert PROVENANCE in bangfu(capsys, "ask", "万州区扶贫办电话")

    # 5. An FAQ entry added to the YAML, no Python.
    faq = checkout / "knowledge" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("entries: []\n", FAQ_ENTRY), encoding="utf-8")
    assert "来源:重庆市民政局2026年1月通知" in bangfu(capsys, "ask", "今年在哪里报名参加帮扶活动")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", "万州区's new phone; an FAQ entry")

    # 6. The running bot takes both up on /reload and answers them.
    async with bot_running(fake_api, engine, data, env=env) as bot:
        assert PROVENANCE not in (await bot.ask(chat, user, "万州区扶贫办电话"))[0]  # still the old engine
        (said,) = await bot.ask(chat, user, "/reload")
        assert said.startswith("已重新加载知识库:")
        assert "常见问题1条" in said
        assert "更新的联系方式1条" in said
        assert PROVENANCE in (await bot.ask(chat, user, "万州区扶贫办电话"))[0]
        (faq_answer, *_) = await bot.ask(chat, user, "2026年帮扶报名入口在哪")
        assert faq_answer.startswith("2026年帮扶报名入口在哪\n请登录重庆市社会组织公共服务平台")

    # 7. The declined Telegram questions appear in `bangfu review`, with the closest intent.
    listed = bangfu(capsys, "review")
    for question in DECLINED:
        assert question in listed
    number = next(line.split(".")[0] for line in listed.splitlines() if DECLINED[0] in line)

    # 8. One is added as an example in one step; it is answered, and the impact check lists the change.
    taught = bangfu(capsys, "review", "--add", number, "--to", "safety_insurance")
    assert "The bot now answers it as safety_insurance." in taught
    assert f"问:{DECLINED[0]}  [question log]" in taught
    assert "  before (declined):" in taught
    assert "  after (safety_insurance):" in taught
    assert f"问:{DECLINED[0]}  [question log]" in bangfu(capsys, "impact", "--sets", "sets")
    assert "人生意外伤害保险" in bangfu(capsys, "ask", DECLINED[0])

    # 9. A SIGHUP during a burst of questions reloads the knowledge; every question is answered.
    engine = Engine.load(checkout / "knowledge", checkout / "intents")
    # The sessions above handled their updates without polling: confirm them, as polling would have.
    fake_api.confirm(fake_api.updates_sent[-1]["update_id"] + 1)
    async with bot_running(fake_api, engine, data, poll=True, env=env) as bot:
        stop = reload_on_sighup(bot.application, asyncio.get_running_loop())
        try:
            askers = [fake_api.user(6000 + n, f"志愿者{n}") for n in range(20)]
            chats = [fake_api.private_chat(asker) for asker in askers]
            for asker, asker_chat in zip(askers, chats, strict=True):
                fake_api.send_text(asker_chat, asker, "黔江区扶贫办电话")
            (checkout / "knowledge" / "updates.yaml").write_text(
                (checkout / "knowledge" / "updates.yaml").read_text(encoding="utf-8")
                + "  - place: 黔江区\n    phone: '023-79220000'\n    date: 2026-05-01\n    source: 黔江区通知\n",
                encoding="utf-8",
            )
            os.kill(os.getpid(), signal.SIGHUP)
            for asker, asker_chat in zip(askers, chats, strict=True):
                fake_api.send_text(asker_chat, asker, "黔江区扶贫办电话")

            def everyone_answered() -> bool:
                return all(len(fake_api.sent_messages(c)) == 2 for c in chats)

            assert await fake_api.wait_until(everyone_answered, 60), fake_api.diagnostics()
            for asker_chat in chats:
                answers = [m.text or "" for m in fake_api.sent_messages(asker_chat)]
                assert all("023-79223577" in a or "023-79220000" in a for a in answers), answers
            for _ in range(600):  # the reload takes about a second on a busy machine
                if bot.services.engine is not engine:
                    break
                await asyncio.sleep(0.05)
            latest = await say(fake_api, chat, user, "黔江区扶贫办电话")
            assert "023-79220000(2026-05-01 更新,来源:黔江区通知)" in latest

            # 10. An invalid edit and /reload: the old knowledge keeps serving, and the maintainer is told.
            faq.write_text(
                faq.read_text(encoding="utf-8").replace("    source: 重庆", "    source：重庆"),
                encoding="utf-8",
            )
            refused = await say(fake_api, chat, user, "/reload", within=30)
            assert refused.startswith(texts.RELOAD_FAILED.format(count=1))
            assert "faq.yaml:" in refused
            assert "`source：` has a full-width colon" in refused
            still = await say(fake_api, chat, user, "2026年帮扶报名入口在哪")
            assert "请登录重庆市社会组织公共服务平台" in still
        finally:
            stop()
