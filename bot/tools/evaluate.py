"""``bangfu eval``: scores the engine on a question set such as ``tests/data/dev.yaml``.

Each case gives a question and what the answer must show (see the header of ``tests/data/dev.yaml``):
``all`` texts must all appear, ``any`` at least one (whitespace is ignored for both), ``none`` regexes
must not match the answer as shown, ``oos`` means the answer may contain no phone number, and ``decline``
that the engine declines.

Expectations follow the guideline. Where ``knowledge/updates.yaml`` has replaced one of its phone numbers or
contacts, a case expecting the guideline's value expects the update's instead (:func:`follow_updates`), so
the question sets need no edit when a maintainer records an update.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from bot.channels.text import render_text
from bot.data.knowledge import KnowledgeBase
from bot.data.schema import Strict, Text, problems_from
from bot.data.yamlio import load_yaml
from bot.engine import Engine
from bot.errors import DataError, display_path

PHONE = re.compile(r"\d{3}-\d{8}|1[3-9]\d{9}")


class Case(Strict):
    """One question and its expectations."""

    q: str
    all: list[Text] = []
    any: list[Text] = []
    none: list[Text] = []
    oos: bool = False
    decline: bool = False
    tag: Text = "untagged"


_CASES = TypeAdapter(list[Case])
# A model of the items of a list file.
M = TypeVar("M", bound=Strict)


@dataclass(frozen=True)
class Outcome:
    """The result of one case."""

    case: Case
    answer: str
    intent: str | None
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.failures


@dataclass
class Report:
    """Results of a whole question set."""

    outcomes: list[Outcome] = field(default_factory=list)
    followed_updates: int = 0  # cases whose expectations an update changed

    @property
    def passed(self) -> int:
        """Number of cases passed."""
        return sum(o.passed for o in self.outcomes)

    @property
    def percent(self) -> float:
        """Share of cases passed, 0–100."""
        return 100.0 * self.passed / len(self.outcomes) if self.outcomes else 0.0


def load_cases(path: Path) -> list[Case]:
    """Reads a question-set file.

    Raises:
        DataError: The file is malformed (with file and line).
    """
    return load_list(
        path, _CASES, Case, "a question set is a list of cases, each line `- {q: ..., all: [...]}`"
    )


def load_list(path: Path, adapter: TypeAdapter[list[M]], model: type[M], shape: str) -> list[M]:
    """Reads a YAML file that is a non-empty list of ``model`` items (a question or dialogue set).

    Args:
        path: The file.
        adapter: Validates the whole list.
        model: The item's model, to name its fields in errors.
        shape: What the file should be, said when it is not a non-empty list.

    Raises:
        DataError: The file is malformed (with file and line).
    """
    document = load_yaml(path, display_path(path))
    if not isinstance(document.data, list) or not document.data:
        raise DataError([document.problem((), shape)])
    try:
        return adapter.validate_python(document.data)
    except ValidationError as exc:
        raise DataError(problems_from(exc, document, model)) from None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check(case: Case, answer: str, intent: str | None) -> tuple[str, ...]:
    """Every expectation of ``case`` that ``answer`` fails, described."""
    failures = []
    flat = _squash(answer)
    missing = [text for text in case.all if _squash(text) not in flat]
    if missing:
        failures.append(f"missing {missing}")
    if case.any and not any(_squash(text) in flat for text in case.any):
        failures.append(f"none of {case.any}")
    for pattern in case.none:
        if re.search(pattern, answer):
            failures.append(f"matches forbidden /{pattern}/")
    if case.oos and PHONE.search(answer):
        failures.append("out of scope but shows a phone number")
    if case.decline and intent is not None:
        failures.append(f"should decline but answered as {intent}")
    return tuple(failures)


def follow_updates(case: Case, kb: KnowledgeBase) -> Case:
    """The case expecting the updated phone numbers and contacts where it expects the guideline's."""
    replaced: dict[str, str] = {}
    for update in kb.updated.values():
        if update.old_phone:
            replaced[update.old_phone] = update.phone
        if update.old_contact and update.contact:
            replaced[update.old_contact] = update.contact
        if update.old_title and update.title:
            replaced[update.old_title] = update.title
    if not replaced:
        return case

    def current(texts: list[str]) -> list[str]:
        result = []
        for text in texts:
            for old, new in replaced.items():
                text = text.replace(old, new)
            result.append(text)
        return result

    return case.model_copy(update={"all": current(case.all), "any": current(case.any)})


def evaluate(engine: Engine, cases: Iterable[Case]) -> Report:
    """Runs every case through the engine, expecting updated facts where there are updates."""
    report = Report()
    for original in cases:
        case = follow_updates(original, engine.kb)
        report.followed_updates += case != original
        reply = engine.answer(case.q)
        answer = render_text(reply)
        report.outcomes.append(Outcome(case, answer, reply.intent, check(case, answer, reply.intent)))
    return report


def format_report(report: Report, *, show_fail: bool = False) -> str:
    """Per-tag results, a confusion summary of the failures, and the overall score (last line)."""
    by_tag: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in report.outcomes:
        by_tag[outcome.case.tag].append(outcome)
    lines = ["tag                         passed"]
    for tag in sorted(by_tag):
        outcomes = by_tag[tag]
        passed = sum(o.passed for o in outcomes)
        mark = "" if passed == len(outcomes) else "  <"
        lines.append(f"{tag:<27} {passed:>3}/{len(outcomes):<3}{mark}")
    failed = [o for o in report.outcomes if not o.passed]
    if failed:
        confusion = Counter((o.case.tag, o.intent or "(declined)") for o in failed)
        lines.append("")
        lines.append("failures by tag → intent chosen:")
        lines += [f"  {tag} → {intent}: {count}" for (tag, intent), count in confusion.most_common()]
    if show_fail and failed:
        lines.append("")
        for outcome in failed:
            lines.append(f"✗ [{outcome.case.tag}] {outcome.case.q}")
            lines.append(f"    intent: {outcome.intent}; {'; '.join(outcome.failures)}")
            excerpt = outcome.answer.replace("\n", " ⏎ ")
            lines.append(f"    answer: {excerpt[:300]}")
    if report.followed_updates:
        lines.append("")
        lines.append(
            f"{report.followed_updates} case(s) expect the updated phone or contact of knowledge/updates.yaml "
            "instead of the guideline's"
        )
    lines.append("")
    lines.append(f"{report.passed}/{len(report.outcomes)} passed ({report.percent:.1f}%)")
    return "\n".join(lines)
