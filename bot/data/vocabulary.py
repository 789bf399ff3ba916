"""The vocabulary files ``intents/lexicon.yaml`` and ``intents/entities.yaml``: their schemas and checks.

:mod:`bot.nlu.lexicon` turns them into the form the answer engine uses.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from bot.data.knowledge import KnowledgeBase
from bot.data.normalize import normalize
from bot.data.schema import Ident, Strict, Text
from bot.data.yamlio import YamlFile
from bot.errors import DataError, Problem


class LexiconFile(Strict):
    """``intents/lexicon.yaml``."""

    version: Literal[1]
    synonyms: dict[Text, list[Text]] = Field(min_length=1)
    stopwords: list[Text]
    generic: list[Text]
    other_places: list[Text]
    home_places: list[Text] = Field(min_length=1)
    place_suffixes: list[Text] = Field(min_length=1)
    generic_place_words: list[Text]
    local_place_suffixes: list[Text] = Field(min_length=1)
    not_place_starts: list[Annotated[str, StringConstraints(min_length=1, max_length=1)]]
    office_words: list[Text] = Field(min_length=1)
    office_prefixes: list[Text] = Field(min_length=1)
    function_characters: list[Annotated[str, StringConstraints(min_length=1, max_length=1)]]
    question_words: list[Text] = Field(min_length=1)
    request_words: list[Text]
    question_openers: list[Text]
    part_separators: list[Text]
    contact_words: list[Text] = Field(min_length=1)
    plural_words: list[Text]
    references: dict[Literal["place", "district", "township", "village", "person", "places"], list[Text]]
    corrections: list[Text]
    ellipsis_openers: list[Text]
    ellipsis_closers: list[Text]
    acknowledgements: list[Text]
    more_requests: list[Text]
    self_references: list[Text]
    place_topics: list[Text] = Field(min_length=1)
    followup_fillers: list[Text]
    followup_questions: dict[Text, Annotated[str, StringConstraints(pattern=r".*\{place\}.*")]]


class EntitiesFile(Strict):
    """``intents/entities.yaml``."""

    version: Literal[1]
    org_types: dict[Ident, list[Text]] = Field(min_length=1)
    themes: dict[Ident, list[Text]] = Field(min_length=1)
    tiers: dict[Literal["国家级", "市级"], list[Text]] = Field(min_length=1)


def check_entities(kb: KnowledgeBase, data: EntitiesFile, document: YamlFile) -> None:
    """Checks that ``intents/entities.yaml`` names existing types and themes, each word once.

    Raises:
        DataError: With every problem found.
    """
    problems: list[Problem] = []
    known = {
        "org_types": {g.id for g in kb.activities.org_types},
        "themes": {g.id for g in kb.activities.themes},
    }
    for field, ids in known.items():
        for ident in getattr(data, field):
            if ident not in ids:
                problems.append(
                    document.problem(
                        (field, ident),
                        f"{ident} is not an id in knowledge/activities.yaml {field}; use one of {', '.join(sorted(ids))}",
                    )
                )
    owner: dict[str, str] = {}
    for field in ("org_types", "themes", "tiers"):
        for ident, words in getattr(data, field).items():
            for index, word in enumerate(words):
                key = normalize(word)
                if key in owner and owner[key] != f"{field}.{ident}":
                    problems.append(
                        document.problem(
                            (field, ident, index),
                            f"{word} already names {owner[key]}; a word may name only one thing",
                        )
                    )
                owner.setdefault(key, f"{field}.{ident}")
    if problems:
        raise DataError(problems)
