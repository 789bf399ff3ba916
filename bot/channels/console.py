"""The console chatbot: the same replies as Telegram, as plain text in a terminal.

Interactive use has line editing and history (readline); a number answers with the numbered suggestion
or choice of the previous reply. The session is one conversation, so follow-ups (它有哪些攻坚村, 那巫溪呢)
lean on what was asked before; ``/reset`` starts afresh. With questions piped on standard input, it answers
each line (as one conversation) and exits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bot.channels.text import render_text
from bot.compose.reply import Choice, Reply
from bot.engine import Conversation, Engine, Understanding

logger = logging.getLogger(__name__)

PROMPT = "您的问题> "
QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit", "退出", "再见"})
RESET_WORDS = frozenset({"/reset", "重新开始"})
RESET_DONE = "好的,已重新开始。接下来的问题不再参考之前聊的内容。"
ERROR_APOLOGY = "抱歉,处理您的问题时出了点问题,请换个说法再试。"
HISTORY_LENGTH = 1000


def debug_lines(understanding: Understanding, resolved: str | None = None) -> str:
    """What ``--debug`` shows: the question as understood, intent, confidence, entities and the runner-up."""
    chosen = understanding.intent.name if understanding.intent else "(declined)"
    best = understanding.candidates[0] if understanding.candidates else None
    lines = [f"[debug] resolved={resolved}"] if resolved else []
    lines.append(f"[debug] intent={chosen} confidence={understanding.confidence:.2f}")
    if best is not None:
        lines.append(f"[debug] best example: {best.example} (similarity {best.similarity:.1f})")
    lines.append(
        f"[debug] entities={understanding.entities or '{}'} words={' '.join(understanding.analysis.words)}"
    )
    runner_up = understanding.runner_up
    if runner_up is not None:
        lines.append(
            f"[debug] runner-up={runner_up.intent.name} score={runner_up.score:.1f} ({runner_up.example})"
        )
    return "\n".join(lines)


class ConsoleSession:
    """One conversation: answers questions and remembers the last reply's numbered options."""

    def __init__(self, engine: Engine, *, debug: bool = False) -> None:
        """Starts a session with ``engine``."""
        self.engine = engine
        self.debug = debug
        self._options: list[Choice] = []
        self.conversation = Conversation()

    def respond(self, line: str) -> str:
        """The text to print for one input line."""
        text = line.strip()
        if text in RESET_WORDS:
            self.conversation.reset()
            self._options = []
            return RESET_DONE
        if text.isdigit() and 1 <= int(text) <= len(self._options):
            text = self._options[int(text) - 1].query
        try:
            response = self.engine.respond(text, self.conversation)
        except Exception:  # a bug must not end the session: say so, and keep the details in the log
            logger.exception("could not answer %r", text[:80])
            return ERROR_APOLOGY
        reply: Reply = response.reply
        self._options = [*reply.choices, *reply.suggestions]
        rendered = render_text(reply)
        if self.debug:
            return f"{debug_lines(response.understanding, reply.resolved)}\n{rendered}"
        return rendered


def run_console(engine: Engine, *, stdin: TextIO, stdout: TextIO, debug: bool, history: Path | None) -> int:
    """Runs the console until end of input or a quit word.

    Args:
        engine: The answer engine.
        stdin: Where questions come from.
        stdout: Where answers go.
        debug: Also show intent, confidence, entities and runner-up.
        history: File for readline history (interactive use only), or None.

    Returns:
        The exit status (0).
    """
    session = ConsoleSession(engine, debug=debug)
    interactive = stdin.isatty() and stdout.isatty()
    if not interactive:
        for line in stdin:
            if line.strip():
                stdout.write(f"问:{line.strip()}\n{session.respond(line)}\n\n")
                stdout.flush()
        return 0
    print(render_text(engine.answer("帮助")), file=stdout)
    print("\n(输入问题后回车;输入数字选择上面的编号;输入 退出 结束)\n", file=stdout)
    with _readline_history(history):
        while True:
            try:
                line = input(PROMPT)
            except (EOFError, KeyboardInterrupt):
                print(file=stdout)
                return 0
            if line.strip() in QUIT_WORDS:
                return 0
            if line.strip():
                print(session.respond(line) + "\n", file=stdout)


@contextlib.contextmanager
def _readline_history(path: Path | None) -> Iterator[None]:
    try:
        import readline
    except ImportError:  # pragma: no cover - readline is missing on some platforms; input() still works
        yield
        return
    if path is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(path)
        readline.set_history_length(HISTORY_LENGTH)
    try:
        yield
    finally:
        if path is not None:
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(path)
