"""``intents/scope.yaml``: what the guideline does not contain, though questions about it name its words.

Its header comment explains every field; :mod:`bot.nlu.scope` recognizes such questions.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from bot.data.entity_type import EntityType
from bot.data.schema import Ident, Strict, Text

SCOPE_FILE = "scope.yaml"


def _check_pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(
            f"pattern `{value}` is not a valid regular expression ({exc}); write it as Python's re module "
            "reads it, or list the words under `words:` instead"
        ) from None
    return value


Pattern = Annotated[Text, AfterValidator(_check_pattern)]


class UnlistedTopic(Strict):
    """Something people ask that no knowledge file has."""

    id: Ident
    what: Text
    office: bool = False
    townships: bool = True
    with_phone: bool = True
    words: list[Text] = Field(min_length=1)
    patterns: list[Pattern] = []
    unless: list[Text] = []
    unless_patterns: list[Pattern] = []
    answered_of: list[EntityType] = []
    contact: bool = False


class Personal(Strict):
    """Details of a listed contact beyond what the guideline prints."""

    what: Text
    words: list[Text] = Field(min_length=1)
    always: list[Text] = []


class Later(Strict):
    """Questions about policy after the guideline's date."""

    words: list[Text] = Field(min_length=1)
    times: list[Text]
    topics: list[Text]
    after_year: int = Field(ge=2000, le=2100)


class Refuse(Strict):
    """Messages that get no answer in groups and a short decline in private chats."""

    advertising: list[Text]
    injection: list[Text]
    allowed_links: list[Text]


class Remarks(Strict):
    """Messages that tell rather than ask: chat in a group that names a place or a contact in passing."""

    markers: list[Text] = []
    coordination: list[Text] = []
    requests: list[Text] = []
    emoji: list[Text] = []
    bot_names: list[Text] = []


class ScopeFile(Strict):
    """``intents/scope.yaml``."""

    version: Literal[1]
    unlisted: list[UnlistedTopic] = Field(min_length=1)
    contact_words: list[Text] = Field(min_length=1)
    office_words: list[Text] = []
    personal: Personal
    later: Later
    refuse: Refuse
    remarks: Remarks = Remarks()
