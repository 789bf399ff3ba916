"""Renders a reply as plain text, for the console and for ``ask``."""

from __future__ import annotations

from bot.compose.reply import Reply


def render_text(reply: Reply) -> str:
    """The reply as plain text: sections separated by blank lines, then choices and suggestions.

    Choices and suggestions are numbered (choices first) so the console can accept a number as the next
    question.
    """
    blocks: list[str] = []
    for section in reply.sections:
        lines: list[str] = []
        if section.title:
            lines.append(f"【{section.title}】")
        lines += [f"• {line}" if section.bullet else line for line in section.lines if line]
        if section.source:
            lines.append(f"(来源:{section.source})")
        if lines:
            blocks.append("\n".join(lines))
    if reply.choices:
        blocks.append("请选择:\n" + "\n".join(f"{i}. {c.label}" for i, c in enumerate(reply.choices, 1)))
    if reply.suggestions:
        first = len(reply.choices) + 1
        numbered = (f"{i}. {c.label}" for i, c in enumerate(reply.suggestions, first))
        blocks.append("您还可以问:\n" + "\n".join(numbered))
    return "\n\n".join(blocks)
