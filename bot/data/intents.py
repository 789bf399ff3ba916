"""Intents: what users ask for, each with example questions and the answer that serves it.

Intents live in ``intents/*.yaml`` (every file except ``lexicon.yaml`` and ``entities.yaml``); their schema
is here. An intent names the composer in :mod:`bot.compose` that writes its answer, the knowledge files
that composer reads, the entities it needs or accepts, and at least eight varied example questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from bot.data.entity_type import EntityType
from bot.data.registry import KNOWLEDGE_FILES
from bot.data.schema import Ident, Strict, Text, parse_model
from bot.data.yamlio import YamlFile, load_yaml
from bot.errors import DataError, Problem, display_path

MIN_EXAMPLES = 8
VOCABULARY_FILES = ("lexicon.yaml", "entities.yaml", "scope.yaml")


class EntitySlots(Strict):
    """Which entities an intent needs (all of them) and which others it can use."""

    required: list[EntityType] = []
    optional: list[EntityType] = []


class IntentSpec(Strict):
    """One intent as written in an intents file."""

    name: Ident
    description: Text
    answer: Ident
    knowledge: list[Text] = []
    entities: EntitySlots = EntitySlots()
    examples: list[Text] = Field(min_length=MIN_EXAMPLES)
    decline: bool = False
    smalltalk: bool = False
    strict: bool = False

    @field_validator("knowledge")
    @classmethod
    def _known_files(cls, files: list[str]) -> list[str]:
        unknown = [f for f in files if f not in KNOWLEDGE_FILES]
        if unknown:
            raise ValueError(
                f"unknown knowledge file {', '.join(unknown)}; use file names from knowledge/: "
                + ", ".join(KNOWLEDGE_FILES)
            )
        return files


class IntentsFile(Strict):
    """One ``intents/*.yaml`` file."""

    version: Literal[1]
    intents: list[IntentSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Intent:
    """An intent ready for matching.

    Attributes:
        name: Unique name, e.g. ``district_contact``.
        description: What it answers, for maintainers and ``--debug``.
        answer: The composer in :mod:`bot.compose` that writes the reply.
        required: Entity types the question must mention for a full answer.
        optional: Entity types the answer can use when mentioned.
        examples: Example questions.
        decline: Whether matching this intent means the bot declines (out-of-scope examples).
        smalltalk: Greetings, thanks and help: accepted only on a close match, and their words are no
            evidence that a question is about the guideline.
        strict: Answers a bare name (万州区, 中益乡), which any remark naming the place would otherwise
            match (我老家在石柱, 去彭水的同志多带件衣服): in a message that does not read as a question,
            words off the guideline's topics count against it even beside the name.
    """

    name: str
    description: str
    answer: str
    required: tuple[EntityType, ...]
    optional: tuple[EntityType, ...]
    examples: tuple[str, ...]
    decline: bool = False
    smalltalk: bool = False
    strict: bool = False


def intent_files(intents_dir: Path) -> list[Path]:
    """The intent files of a directory, in name order."""
    return sorted(p for p in intents_dir.glob("*.yaml") if p.name not in VOCABULARY_FILES)


def load_intents(intents_dir: Path, composers: frozenset[str]) -> tuple[Intent, ...]:
    """Loads and checks every intent file.

    Args:
        intents_dir: The ``intents/`` directory.
        composers: Names of the answer composers that exist.

    Returns:
        All intents, in file order.

    Raises:
        DataError: With every problem, each as ``file:line: what and how to fix``.
    """
    problems: list[Problem] = []
    documents: list[tuple[YamlFile, IntentsFile]] = []
    files = intent_files(intents_dir)
    if not files:
        raise DataError([Problem(str(intents_dir), 0, "no intent files (*.yaml) found")])
    for path in files:
        try:
            document = load_yaml(path, display_path(path))
            documents.append((document, parse_model(IntentsFile, document)))
        except DataError as exc:
            problems.extend(exc.problems)
    intents: list[Intent] = []
    first_seen: dict[str, str] = {}
    example_at: dict[str, tuple[str, str]] = {}  # example → (intent, file:line of its first copy)
    for document, parsed in documents:
        for index, spec in enumerate(parsed.intents):
            loc = ("intents", index)
            if spec.name in first_seen:
                problems.append(
                    document.problem(
                        (*loc, "name"), f"duplicate intent {spec.name} (also in {first_seen[spec.name]})"
                    )
                )
            first_seen.setdefault(spec.name, f"{document.display}:{document.line((*loc, 'name'))}")
            if spec.answer not in composers:
                problems.append(
                    document.problem(
                        (*loc, "answer"),
                        f"no answer composer named {spec.answer}; use one of: {', '.join(sorted(composers))}",
                    )
                )
            both = set(spec.entities.required) & set(spec.entities.optional)
            if both:
                problems.append(
                    document.problem(
                        (*loc, "entities"), f"{', '.join(sorted(both))} listed as both required and optional"
                    )
                )
            problems += _repeated_examples(document, loc, spec, example_at)
            intents.append(
                Intent(
                    name=spec.name,
                    description=spec.description,
                    answer=spec.answer,
                    required=tuple(spec.entities.required),
                    optional=tuple(spec.entities.optional),
                    examples=tuple(spec.examples),
                    decline=spec.decline,
                    smalltalk=spec.smalltalk,
                    strict=spec.strict,
                )
            )
    if problems:
        raise DataError(problems)
    return tuple(intents)


def _repeated_examples(
    document: YamlFile, loc: tuple[str | int, ...], spec: IntentSpec, example_at: dict[str, tuple[str, str]]
) -> list[Problem]:
    """Reports each example seen before (in this intent or another) at its later copy, naming the first.

    The later copy is usually the one just added, so that is the line the maintainer has to change.
    """
    problems = []
    for number, example in enumerate(spec.examples):
        here = (*loc, "examples", number)
        first = example_at.get(example)
        if first is None:
            example_at[example] = (spec.name, f"{document.display}:{document.line(here)}")
            continue
        owner, where = first
        seen = "twice in this intent" if owner == spec.name else f"also in intent {owner}"
        problems.append(
            document.problem(here, f"example {example!r} appears {seen} (first at {where}); keep it once")
        )
    return problems
