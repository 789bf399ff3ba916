"""bot/render_text.py: a reply as the plain text the console and ``ask`` print."""

from __future__ import annotations

from bot.channels.text import render_text
from bot.compose.reply import Choice, Reply, ReplyKind, Section
from bot.engine import Engine


def test_sections_titles_bullets_and_sources() -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        (
            Section(
                "万州区", ("扶贫办联系电话:023-58569600", "国家级扶贫开发工作重点区县"), "《工作指引》附件1"
            ),
            Section("深度贫困乡镇联系人", ("龙驹镇:张成林,18223503665",), "《工作指引》附件2", bullet=True),
            Section(None, ("以上信息来自指引。",)),
        ),
    )
    assert render_text(reply) == (
        "【万州区】\n扶贫办联系电话:023-58569600\n国家级扶贫开发工作重点区县\n(来源:《工作指引》附件1)\n\n"
        "【深度贫困乡镇联系人】\n• 龙驹镇:张成林,18223503665\n(来源:《工作指引》附件2)\n\n"
        "以上信息来自指引。"
    )


def test_choices_are_numbered_first_and_suggestions_continue_the_numbers() -> None:
    reply = Reply(
        ReplyKind.CLARIFY,
        (Section(None, ("请问您的组织属于哪一类?",)),),
        suggestions=(Choice("各区县扶贫办电话", "各区县扶贫办电话"),),
        choices=(Choice("医疗卫生类", "医疗卫生类怎么参与"), Choice("教育培训类", "教育培训类怎么参与")),
    )
    assert render_text(reply) == (
        "请问您的组织属于哪一类?\n\n请选择:\n1. 医疗卫生类\n2. 教育培训类\n\n您还可以问:\n3. 各区县扶贫办电话"
    )


def test_empty_sections_and_empty_lines_are_left_out() -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        (Section(None, ()), Section(None, ("", "有内容")), Section("标题", ())),
    )
    assert render_text(reply) == "有内容\n\n【标题】"


def test_a_reply_without_sections_or_options_renders_empty() -> None:
    assert render_text(Reply(ReplyKind.ANSWER, ())) == ""


def test_lines_are_plain_text_and_kept_exactly() -> None:
    reply = Reply(ReplyKind.ANSWER, (Section(None, ("<b>不是标记</b> & 023-58569600",)),))
    assert render_text(reply) == "<b>不是标记</b> & 023-58569600"


def test_an_engine_reply_renders_every_section_source_and_suggestion(engine: Engine) -> None:
    reply = engine.answer("万州区扶贫办电话")
    text = render_text(reply)
    for section in reply.sections:
        if section.title:
            assert f"【{section.title}】" in text
        for line in section.lines:
            if line:
                assert line in text
        if section.source:
            assert f"(来源:{section.source})" in text
    for number, suggestion in enumerate(reply.suggestions, start=1):
        assert f"{number}. {suggestion.label}" in text
