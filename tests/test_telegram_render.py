"""Reply → Telegram HTML: the console's words, escaped, split under the length limit, buttons in 64 bytes."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram import texts
from bot.channels.telegram.render import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_LENGTH,
    callback_data,
    question_data,
    render_reply,
    render_text_block,
    reply_keyboard,
    utf16_length,
)
from bot.channels.telegram.store import query_key
from bot.channels.text import render_text
from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.engine import Engine
from tests.fakebotapi.html import parse_telegram_html

# A spread of replies: every kind, short and long, with choices and suggestions.
QUESTIONS = (
    "万州区扶贫办的联系电话",
    "城口县有哪些深度贫困乡镇",
    "18个深度贫困乡镇名单",
    "100个定点攻坚村名单",
    "医疗类组织能做哪些事",
    "怎么参与脱贫攻坚",
    "参与后要报送什么",
    "高桥村在哪个区县",
    "怎么参与",
    "我们能开展哪些帮扶活动",
    "您好",
    "帮助",
    "谢谢",
    "讲个笑话",
    "广州天河区扶贫办电话",
    "工作指引的发布时间",
    "三聚焦指的是什么",
    "中国社会扶贫网的网址是什么",
)


def plain(html_text: str) -> str:
    """What Telegram shows for an HTML text (refusing it exactly where Telegram would)."""
    text, _ = parse_telegram_html(html_text, strict_ampersand=True)
    return text


def console_words(reply: Reply) -> list[str]:
    """The console's lines without its decoration: 【】 around titles, () around sources, numbered options."""
    lines = []
    for line in render_text(reply).split("\n"):
        if line in ("请选择:", "您还可以问:") or re.match(r"^\d+\. ", line) or not line:
            continue
        line = re.sub(r"^【(.*)】$", r"\1", line)
        line = re.sub(r"^\(来源:(.*)\)$", r"来源:\1", line)
        lines.append(line)
    return lines


@pytest.mark.parametrize("question", QUESTIONS)
def test_same_words_as_the_console(engine: Engine, question: str) -> None:
    reply = engine.answer(question)
    rendered = render_reply(reply)
    shown = [line for chunk in rendered.chunks for line in plain(chunk).split("\n") if line]
    if reply.kind is ReplyKind.DECLINE:
        assert shown[-1] == texts.DECLINE_HINT
        shown = shown[:-1]
    assert shown == console_words(reply)
    labels = [label for row in rendered.keyboard for label in (b.label for b in row)]
    options = [c.label for c in (*reply.choices, *reply.suggestions)]
    assert [label for label in labels if label != texts.HELP_BUTTON] == list(dict.fromkeys(options))


def test_titles_bold_sources_italic_bullets() -> None:
    reply = Reply(
        ReplyKind.ANSWER, (Section("标题", ("第一条", "第二条"), "《工作指引》附件1", bullet=True),)
    )
    [chunk] = render_reply(reply).chunks
    assert chunk == "<b>标题</b>\n• 第一条\n• 第二条\n<i>来源:《工作指引》附件1</i>"
    text, entities = parse_telegram_html(chunk)
    assert [(e["type"], text[e["offset"] : e["offset"] + e["length"]]) for e in entities] == [
        ("bold", "标题"),
        ("italic", "来源:《工作指引》附件1"),
    ]


def test_sections_are_separated_by_a_blank_line_and_empty_lines_dropped() -> None:
    reply = Reply(ReplyKind.ANSWER, (Section(None, ("甲", "")), Section(None, ("乙",))))
    assert render_reply(reply).chunks == ("甲\n\n乙",)


def test_a_pressed_question_is_shown_first() -> None:
    reply = Reply(ReplyKind.ANSWER, (Section(None, ("答",)),))
    assert plain(render_reply(reply, question="万州区扶贫办电话").chunks[0]) == "问:万州区扶贫办电话\n\n答"


@pytest.mark.parametrize(
    "dangerous",
    ["<b>", "</i>", "a & b", "&amp;", "&lt;script&gt;", "<a href='x'>链接</a>", "1 < 2 > 0", '"引号"', "'"],
)
def test_every_dynamic_text_is_escaped(dangerous: str) -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        (Section(dangerous, (dangerous,), dangerous, bullet=True),),
        suggestions=(Choice(dangerous, dangerous),),
    )
    rendered = render_reply(reply, question=dangerous)
    assert plain(rendered.chunks[0]).split("\n") == [
        f"问:{dangerous}",
        "",
        dangerous,
        f"• {dangerous}",
        f"来源:{dangerous}",
    ]
    assert rendered.keyboard[0][0].label == dangerous  # labels are plain text: Telegram does not parse them


def test_ui_texts_are_escaped_too() -> None:
    assert plain(render_text_block("<b>不是标签</b> & 说明").chunks[0]) == "<b>不是标签</b> & 说明"


def _long_reply(lines: int, width: int) -> Reply:
    return Reply(
        ReplyKind.ANSWER,
        (Section("很长的回答", tuple(f"{i:04d}" + "字" * width for i in range(lines)), "来源X"),),
    )


@pytest.mark.parametrize(("lines", "width"), [(1, 10), (300, 20), (2000, 5), (50, 400)])
def test_long_replies_split_at_line_boundaries(lines: int, width: int) -> None:
    reply = _long_reply(lines, width)
    rendered = render_reply(reply)
    shown = [plain(chunk) for chunk in rendered.chunks]
    assert all(0 < utf16_length(text) <= MAX_MESSAGE_LENGTH for text in shown)
    # Nothing lost, nothing cut: the lines of all parts are the reply's lines.
    assert "\n".join(shown).split("\n") == ["很长的回答", *reply.sections[0].lines, "来源:来源X"]
    # As few messages as the lines allow: no two neighbours would have fitted into one.
    assert all(
        utf16_length(a) + 1 + len(b.split("\n")[0]) > MAX_MESSAGE_LENGTH for a, b in itertools.pairwise(shown)
    )


def test_a_line_longer_than_a_message_is_cut_without_breaking_escapes_or_surrogates() -> None:
    line = ("&<>" + "😀" + "字") * 3000  # 18000 UTF-16 units with escapes and astral characters
    rendered = render_reply(Reply(ReplyKind.ANSWER, (Section("题", (line,), bullet=True),)))
    shown = [plain(chunk) for chunk in rendered.chunks]
    assert all(utf16_length(text) <= MAX_MESSAGE_LENGTH for text in shown)
    assert "".join(shown).replace("\n", "") == "题• " + line


@settings(max_examples=150, deadline=None)
@given(
    sections=st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(min_size=1, max_size=30)),
            st.lists(st.text(max_size=60), max_size=6),
            st.one_of(st.none(), st.text(min_size=1, max_size=20)),
            st.booleans(),
        ),
        min_size=1,
        max_size=5,
    ),
    limit=st.integers(min_value=8, max_value=120),
)
def test_any_text_renders_to_html_telegram_accepts(
    sections: list[tuple[str | None, list[str], str | None, bool]], limit: int
) -> None:
    reply = Reply(ReplyKind.ANSWER, tuple(Section(t, tuple(ls), s, b) for t, ls, s, b in sections))
    for chunk in render_reply(reply, limit=limit).chunks:
        text = plain(chunk)  # raises if Telegram would refuse the HTML
        assert text.strip()  # Telegram trims the text and refuses an empty message
        assert utf16_length(text) <= limit


def test_buttons_choices_first_then_suggestions_each_once() -> None:
    reply = Reply(
        ReplyKind.CLARIFY,
        (Section(None, ("您指的是?",)),),
        suggestions=(Choice("甲", "问甲"), Choice("丙", "问丙")),
        choices=(Choice("甲", "问甲"), Choice("乙", "问乙")),
    )
    keyboard = reply_keyboard(reply)
    assert [row[0].label for row in keyboard] == ["甲", "乙", "丙"]
    assert [row[0].data for row in keyboard] == [question_data(q) for q in ("问甲", "问乙", "问丙")]
    assert render_reply(reply).queries == ("问甲", "问乙", "问丙")


def test_a_declined_answer_offers_help() -> None:
    reply = Reply(ReplyKind.DECLINE, (Section(None, ("抱歉",)),))
    rendered = render_reply(reply)
    assert plain(rendered.chunks[-1]).endswith(texts.DECLINE_HINT)
    assert "/help" in texts.DECLINE_HINT
    assert rendered.keyboard[-1][0].label == texts.HELP_BUTTON


def test_callback_data_is_short_even_for_long_chinese_questions() -> None:
    question = "我们是医疗卫生类社会组织,想去彭水县三义乡开展义诊和免费体检活动,请问应该联系谁" * 3
    data = question_data(question)
    assert data == f"q:{query_key(question)}"
    assert len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    assert len(question.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES  # the reason for the key


@pytest.mark.parametrize("parts", [(), ("x" * 65,), ("区县", "万州区" * 7)])
def test_callback_data_over_64_bytes_is_refused(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="callback data"):
        callback_data(*parts)


def test_every_button_of_the_development_questions_fits(engine: Engine) -> None:
    from bot.settings import PROJECT_ROOT
    from bot.tools.evaluate import load_cases

    for case in load_cases(PROJECT_ROOT / "tests" / "data" / "dev.yaml"):
        rendered = render_reply(engine.answer(case.q))
        for row in rendered.keyboard:
            for button in row:
                assert len(button.data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES, case.q
        for chunk in rendered.chunks:
            assert utf16_length(plain(chunk)) <= MAX_MESSAGE_LENGTH
