"""Helpers for the knowledge tests: a writable copy of knowledge/, and one broken copy per kind of mistake.

Each :class:`Breakage` is a mistake a maintainer can make by hand in one knowledge file. Applied to a copy
of ``knowledge/``, it must be reported as exactly one problem, at the line the maintainer has to change,
saying what is wrong and how to fix it. The expected line is named by a pattern matched against the edited
file rather than by a number, so the table survives legitimate edits elsewhere in the files; the test
still compares exact line numbers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.data.loader import load_knowledge
from bot.errors import DataError, Problem
from tests.engine_support import INTENTS, KNOWLEDGE

SOURCE_TEXT = KNOWLEDGE / "source" / "guideline.txt"


def copy_knowledge(target: Path) -> Path:
    """Copies the fixture ``knowledge/`` to ``target`` (writable even though the source text is read-only)."""
    shutil.copytree(KNOWLEDGE, target, copy_function=shutil.copyfile)
    return target


def replace_once(text: str, old: str, new: str) -> str:
    """Replaces ``old``, which must occur exactly once, so an edit never lands somewhere unintended."""
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times; make the edit unambiguous"
    return text.replace(old, new)


def edit(path: Path, old: str, new: str) -> str:
    """Applies :func:`replace_once` to a file and returns the new text."""
    text = replace_once(path.read_text(encoding="utf-8"), old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, pattern: str) -> int:
    """The 1-based number of the one line of ``text`` that matches ``pattern``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if re.search(pattern, line)]
    assert len(found) == 1, f"{pattern!r} matches lines {found}; it must name exactly one line"
    return found[0]


@dataclass(frozen=True)
class Breakage:
    """A hand-made mistake in one knowledge file and the problem it must produce.

    Attributes:
        id: Names the mistake in test ids.
        file: The knowledge file edited.
        old: The text replaced (must occur once), or None to replace the whole file.
        new: The replacement.
        at: Pattern of the line the problem must name, or None when it concerns the whole file (line 0).
        fragments: What the message must say: what is wrong, then how to fix it.
        first: Pattern of the line of the first occurrence, for duplicates ("also on line N").
    """

    id: str
    file: str
    old: str | None
    new: str
    at: str | None
    fragments: tuple[str, ...]
    first: str | None = None


@dataclass(frozen=True)
class BrokenKnowledge:
    """A copy of ``knowledge/`` with one breakage applied, and where its problem must be reported.

    Attributes:
        directory: The broken copy (``<tmp>/knowledge``; the working directory is ``<tmp>``).
        breakage: What was broken.
        line: The line the problem must name (0 for the whole file).
        first_line: For duplicates, the line of the first occurrence.
    """

    directory: Path
    breakage: Breakage
    line: int
    first_line: int | None

    @property
    def location(self) -> str:
        """How the problem must start: ``knowledge/<file>:<line>`` (no line for a whole-file problem)."""
        path = f"knowledge/{self.breakage.file}"
        return f"{path}:{self.line}" if self.line else path

    @property
    def fragments(self) -> tuple[str, ...]:
        """Everything the message must contain, including "on line N" for duplicates."""
        extra = (f"on line {self.first_line})",) if self.first_line is not None else ()
        return (*self.breakage.fragments, *extra)


def apply(breakage: Breakage, directory: Path) -> BrokenKnowledge:
    """Applies ``breakage`` to the knowledge copy in ``directory``."""
    path = directory / breakage.file
    if breakage.old is None:
        path.write_text(breakage.new, encoding="utf-8")
        text = breakage.new
    else:
        text = edit(path, breakage.old, breakage.new)
    line = line_of(text, breakage.at) if breakage.at is not None else 0
    first = line_of(text, breakage.first) if breakage.first is not None else None
    return BrokenKnowledge(directory, breakage, line, first)


# One breakage per kind of error `bangfu validate` must explain.
BREAKAGES = (
    Breakage(
        "yaml-indented-too-little",
        "participation.yaml",
        "    label: 联系当地开展帮扶行动",
        "  label: 联系当地开展帮扶行动",
        at=r"^  label: 联系当地开展帮扶行动$",
        fragments=("YAML syntax error", "check the indentation"),
    ),
    Breakage(
        "yaml-indented-too-much",
        "participation.yaml",
        "    label: 联系当地开展帮扶行动",
        "      label: 联系当地开展帮扶行动",
        at=r"^      label: 联系当地开展帮扶行动$",
        fragments=("YAML syntax error", "indent this line like the lines around it"),
    ),
    Breakage(
        "yaml-tab",
        "participation.yaml",
        "    source: 第五条(一)",
        "\tsource: 第五条(一)",
        at=r"^\tsource:",
        fragments=("YAML syntax error", "replace the tab on this line with spaces"),
    ),
    Breakage(
        "yaml-unclosed-quote",
        "participation.yaml",
        "text: 实施帮扶行动",
        'text: "实施帮扶行动',
        at=r'text: "实施帮扶行动',
        fragments=("YAML syntax error", "quoted scalar", "close the quote that opens on this line"),
    ),
    Breakage(
        "missing-field",
        "participation.yaml",
        "    source: 第五条(一)\n",
        "",
        at=r"^  - id: contact$",
        fragments=("`paths[0].source` is missing", "add `source:` here"),
    ),
    Breakage(
        "unknown-field",
        "participation.yaml",
        "    label: 联系当地开展帮扶行动",
        "    lable: 联系当地开展帮扶行动",
        at=r"^    lable:",
        fragments=("unknown field `lable`", "did you mean `label`?"),
    ),
    Breakage(
        "mobile-parsed-as-number",
        "regions.yaml",
        "phone: '13594500668'",
        "phone: 13594500668",
        at=r"phone: 13594500668",
        fragments=(
            "`townships[0].phone` must be text, not int 13594500668",
            'put phone numbers in quotes: "13594500668"',
        ),
    ),
    Breakage(
        "phone-format",
        "regions.yaml",
        "phone: 023-58569600",
        "phone: 023-5856960",
        at=r"phone: 023-5856960,",
        fragments=(
            "phone `023-5856960` is not in a known format",
            "write a landline as 023-XXXXXXXX or an 11-digit mobile",
        ),
    ),
    Breakage(
        "duplicate-district",
        "regions.yaml",
        "name: 忠县, tier",
        "name: 涪陵区, tier",
        at=r"serial: 18, name: 涪陵区",
        first=r"serial: 15, name: 涪陵区",
        fragments=("duplicate district 涪陵区", "keep one"),
    ),
    Breakage(
        "duplicate-township",
        "regions.yaml",
        "name: 大垭乡",
        "name: 三义乡",
        at=r"serial: 3, name: 三义乡",
        first=r"serial: 2, name: 三义乡",
        fragments=("duplicate township", "三义乡", "keep one"),
    ),
    Breakage(
        "duplicate-place-name",
        "place_names.yaml",
        "short: 黔江}",
        "short: 万州}",
        at=r"name: 黔江区",
        first=r"name: 万州区",
        fragments=("duplicate name 万州", "a name must mean one district"),
    ),
    Breakage(
        "duplicate-yaml-key",
        "platform.yaml",
        "url_source:",
        "name: 社会扶贫网\nurl_source:",
        at=r"^name: 社会扶贫网$",
        first=r"^name: 中国社会扶贫网$",
        fragments=("duplicate key `name`", "keep one of them"),
    ),
    Breakage(
        "unknown-district",
        "regions.yaml",
        "name: 三建乡, district: 丰都县",
        "name: 三建乡, district: 丰都区",
        at=r"district: 丰都区",
        fragments=("district 丰都区 does not exist in 附件1", "did you mean 丰都县?"),
    ),
    Breakage(
        "traditional-key-district",
        "regions.yaml",
        "serial: 14, name: 彭水县,",
        "serial: 14, name: 彭水縣,",
        at=r"serial: 14, name: 彭水縣",
        fragments=("彭水縣 is written in Traditional characters", "write 彭水县 in Simplified characters"),
    ),
    Breakage(
        "traditional-village-district",
        "regions.yaml",
        "name: 回龙村, town: 连湖镇, district: 彭水县",
        "name: 回龙村, town: 连湖镇, district: 彭水縣",
        at=r"district: 彭水縣",
        fragments=("彭水縣 is written in Traditional characters", "write 彭水县 in Simplified characters"),
    ),
    Breakage(
        "full-width-colon",
        "safety.yaml",
        "\ninsurance:",
        "\ninsurance：",
        at=r"^insurance：$",
        fragments=("YAML syntax error", "`insurance：` has a full-width colon", "write `insurance: `"),
    ),
    Breakage(
        "count-disagrees-with-source",
        "regions.yaml",
        "- {serial: 100, name: 庙坝村, town: 石林镇, district: 万盛经开区, source: 附件3 序号100}\n",
        "",
        at=r"^villages:$",
        fragments=(
            "99 designated villages listed",
            "第二条 of the guideline says 100",
            "restore the missing or remove the extra rows",
        ),
    ),
    Breakage(
        "source-does-not-exist",
        "focus.yaml",
        "source: 第二条(一)",
        "source: 第六十条",
        at=r"source: 第六十条",
        fragments=("source 第六十条 does not exist in the guideline", "cite an article, item or point"),
    ),
    Breakage(
        "text-not-verbatim",
        "participation.yaml",
        "定期向主管单位和登记机关报送",
        "每月向主管单位和登记机关报送",
        at=r"每月向主管单位",
        fragments=("text is not found verbatim in 第五条(九)", "copy it from the guideline"),
    ),
    Breakage(
        "unknown-getting-started-id",
        "participation.yaml",
        "getting_started: [survey,",
        "getting_started: [surveys,",
        at=r"^getting_started:",
        fragments=("surveys is not the id of a path", "use one of contact, contribute,"),
    ),
    Breakage(
        "impossible-date",
        "guideline.yaml",
        "date: 2020-05-14",
        "date: 2020-02-30",
        at=r"^  date: 2020-02-30$",
        fragments=("`2020-02-30` is not a valid date", "write a real date as YYYY-MM-DD"),
    ),
    Breakage(
        "empty-file",
        "safety.yaml",
        None,
        "",
        at=None,
        fragments=("the file is empty", "it needs at least `version: 1`"),
    ),
)


def knowledge_listing(directory: Path, name: str, key: str, entries: str) -> Path:
    """A copy of the fixture knowledge at ``directory`` whose ``name`` (updates.yaml, faq.yaml) lists
    ``entries`` (YAML lines, indented) under ``key`` instead of nothing."""
    copy_knowledge(directory)
    if entries:
        edit(directory / name, f"{key}: []\n", f"{key}:\n" + entries.lstrip("\n"))
    return directory


def only_problem(directory: Path, name: str) -> tuple[Problem, str]:
    """The one problem loading the knowledge at ``directory`` must raise, and the text of file ``name``."""
    with pytest.raises(DataError) as caught:
        load_knowledge(directory)
    (problem,) = caught.value.problems
    return problem, (directory / name).read_text(encoding="utf-8")


def git(root: Path, *args: str) -> str:
    """Runs git in ``root`` as a maintainer with a name and e-mail; fails the test if it fails."""
    identity = ["-c", "user.name=maintainer", "-c", "user.email=maintainer@example.org"]
    return subprocess.run(
        ["git", "-C", str(root), *identity, *args], capture_output=True, text=True, check=True
    ).stdout


def fixture_checkout(root: Path) -> Path:
    """A git checkout at ``root`` of the fixture knowledge and intents, committed (for impact and review)."""
    copy_knowledge(root / "knowledge")
    shutil.copytree(INTENTS, root / "intents", copy_function=shutil.copyfile)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the knowledge as the guideline prints it")
    return root
