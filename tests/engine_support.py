"""Helpers for the answer engine's tests (tests/test_normalize.py … tests/test_cli.py).

The tests assert what a user sees: the text the console prints (:func:`ask`), the phone numbers in it, the
places it names. They never assert scores or thresholds, which the lead keeps tuning.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.channels.text import render_text
from bot.compose.reply import Reply
from bot.data.knowledge import KnowledgeBase
from bot.engine import Engine
from bot.settings import PROJECT_ROOT

# A phone number as a user would notice one: a landline as the guideline prints it, or a mobile.
PHONE = re.compile(r"\d{3}-\d{8}|1[3-9]\d{9}")

# The unit tests' knowledge base: a snapshot of knowledge/ and intents/ that follows the guideline alone
# (`make fixtures` refreshes it; see tests/refresh_fixtures.py). The shipped files are checked by `make test`
# itself (validate, build-knowledge --check, eval), so a maintainer's edit never breaks a unit test.
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
KNOWLEDGE = FIXTURES / "knowledge"
INTENTS = FIXTURES / "intents"
DATA = PROJECT_ROOT / "tests" / "data"
GUIDELINE_TEXT = KNOWLEDGE / "source" / "guideline.txt"


def ask(engine: Engine, question: str) -> tuple[Reply, str]:
    """The reply to ``question`` and the plain text the console shows for it."""
    reply = engine.answer(question)
    return reply, render_text(reply)


def phones_in(text: str) -> list[str]:
    """Every phone number in ``text``, in order."""
    return PHONE.findall(text)


def kb_phones(kb: KnowledgeBase) -> frozenset[str]:
    """Every phone number the knowledge base holds (district offices and township contacts)."""
    offices = {d.phone for d in kb.key_districts if d.phone}
    return frozenset(offices | {t.phone for t in kb.townships})


@dataclass(frozen=True)
class ProjectCopy:
    """Writable copies of ``knowledge/`` and ``intents/`` for tests that break a file on purpose."""

    knowledge: Path
    intents: Path


def copy_project(target: Path) -> ProjectCopy:
    """Copies the fixture knowledge and intents under ``target``."""
    knowledge = target / "knowledge"
    intents = target / "intents"
    shutil.copytree(KNOWLEDGE, knowledge, copy_function=shutil.copyfile)
    shutil.copytree(INTENTS, intents, copy_function=shutil.copyfile)
    return ProjectCopy(knowledge, intents)


def line_of(text: str, pattern: str) -> int:
    """The 1-based number of the one line of ``text`` that matches ``pattern``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if re.search(pattern, line)]
    assert len(found) == 1, f"{pattern!r} matches lines {found}; it must name exactly one line"
    return found[0]
