"""The shape of every knowledge file, and the translation of schema errors into ``file:line`` problems.

Each ``*File`` model describes one file in ``knowledge/``; the header comment of that file explains the
same fields to maintainers. Checks that span several files (references, counts, verbatim quotes) live in
:mod:`bot.data.checks`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from rapidfuzz import process

from bot.data.citations import parse_citation
from bot.data.yamlio import YamlFile, full_width_colon
from bot.errors import DataError, Problem

LANDLINE = re.compile(r"^023-\d{8}$")  # every landline in the guideline is a Chongqing number
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _check_phone(value: str) -> str:
    if LANDLINE.match(value) or MOBILE.match(value):
        return value
    raise ValueError(
        f"phone `{value}` is not in a known format; write a landline as 023-XXXXXXXX or an 11-digit "
        "mobile such as 13594500668, exactly as the guideline prints it"
    )


def _check_source(value: str) -> str:
    parse_citation(value)
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_phone)]
Source = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_source)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Strict(BaseModel):
    """Base of every knowledge record: unknown fields are errors and records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(Strict):
    """A statement quoted verbatim from its source."""

    text: Text
    source: Source


class LabeledFact(Fact):
    """A quoted statement with a short heading for display."""

    label: Text


# --- regions.yaml (generated from 附件1–3) ---------------------------------------------------------------


class KeyDistrict(Strict):
    """A key district of 附件1."""

    serial: int
    name: Text
    tier: Literal["国家级", "市级"]
    phone: Phone
    source: Source


class Township(Strict):
    """A deep-poverty township of 附件2 and its contact."""

    serial: int
    name: Text
    district: Text
    contact: Text
    phone: Phone
    title: Text
    source: Source


class Village(Strict):
    """A designated village of 附件3."""

    serial: int
    name: Text
    town: Text
    district: Text
    source: Source


class RegionsFile(Strict):
    """``knowledge/regions.yaml``."""

    version: Literal[1]
    key_districts: list[KeyDistrict] = Field(min_length=1)
    townships: list[Township] = Field(min_length=1)
    villages: list[Village] = Field(min_length=1)


# --- guideline.yaml (generated from the articles and the cover letter) ------------------------------------


class Item(Strict):
    """A numbered item: ``(九)`` of an article or ``一`` of the cover letter."""

    label: Text
    text: Text


class Article(Strict):
    """An article (条) with its lead text and items."""

    label: Text
    text: str
    items: list[Item] = []

    @property
    def full_text(self) -> str:
        """The lead text and all items, as printed."""
        return "".join([self.text, *(f"{item.label}{item.text}" for item in self.items)])


class DocumentInfo(Strict):
    """The guideline's title, issuers and date."""

    title: Text
    addressees: Text
    issuers: list[Text] = Field(min_length=1)
    sealed_by: Text
    date: datetime.date
    attachments: list[Text]


class Notice(Strict):
    """The cover letter (印发通知) that accompanies the guideline."""

    intro: Text
    points: list[Item] = Field(min_length=1)


class GuidelineFile(Strict):
    """``knowledge/guideline.yaml``."""

    version: Literal[1]
    document: DocumentInfo
    notice: Notice
    preamble: Text
    articles: list[Article] = Field(min_length=1)


# --- place_names.yaml -----------------------------------------------------------------------------------


class PlaceName(Strict):
    """The names under which one district is written."""

    name: Text
    official: Text
    short: Text | None = None
    aliases: list[Text] = []


class PlaceNamesFile(Strict):
    """``knowledge/place_names.yaml``."""

    version: Literal[1]
    source: Text
    districts: list[PlaceName] = Field(min_length=1)


# --- focus.yaml -----------------------------------------------------------------------------------------


class FactGroup(Strict):
    """A titled list of quoted facts drawn from one article."""

    title: Text
    source: Source
    items: list[Fact] = Field(min_length=1)


class FocusFile(Strict):
    """``knowledge/focus.yaml``."""

    version: Literal[1]
    regions: FactGroup
    people: FactGroup
    domains: FactGroup
    three_focus: Fact


# --- participation.yaml ---------------------------------------------------------------------------------


class Path(LabeledFact):
    """One way of taking part (第五条)."""

    id: Ident


class ParticipationFile(Strict):
    """``knowledge/participation.yaml``."""

    version: Literal[1]
    paths: list[Path] = Field(min_length=1)
    getting_started: list[Ident] = Field(min_length=1)


# --- activities.yaml ------------------------------------------------------------------------------------


class ActivityGroup(Strict):
    """Recommended activities for one organization type or one theme."""

    id: Ident
    name: Text
    source: Source
    activities: list[Fact] = Field(min_length=1)


class ActivitiesFile(Strict):
    """``knowledge/activities.yaml``."""

    version: Literal[1]
    org_types: list[ActivityGroup] = Field(min_length=1)
    themes: list[ActivityGroup] = Field(min_length=1)


# --- reporting.yaml -------------------------------------------------------------------------------------


class Requirement(LabeledFact):
    """Something a participating organization plans, follows up or reports, or how it is recognized."""

    id: Ident
    when: Text | None = None


class ReportingFile(Strict):
    """``knowledge/reporting.yaml``."""

    version: Literal[1]
    requirements: list[Requirement] = Field(min_length=1)
    recognition: list[Requirement] = Field(min_length=1)


# --- safety.yaml ----------------------------------------------------------------------------------------


class SafetyFile(Strict):
    """``knowledge/safety.yaml``."""

    version: Literal[1]
    insurance: Fact
    cautions: list[LabeledFact] = Field(min_length=1)


# --- platform.yaml --------------------------------------------------------------------------------------


class PlatformFile(Strict):
    """``knowledge/platform.yaml``."""

    version: Literal[1]
    name: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    url_source: Source
    facts: list[Fact] = Field(min_length=1)


# --- background.yaml ------------------------------------------------------------------------------------


class NewsSource(Strict):
    """A background news report."""

    title: Text
    publisher: Text


class BackgroundItem(Strict):
    """A fact quoted from a news report."""

    id: Ident
    topic: Text
    text: Text
    source: Source


class BackgroundFile(Strict):
    """``knowledge/background.yaml``."""

    version: Literal[1]
    sources: dict[str, NewsSource]
    items: list[BackgroundItem] = Field(min_length=1)


# --- turning validation errors into problems ------------------------------------------------------------

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_model(model: type[ModelT], document: YamlFile) -> ModelT:
    """Validates a parsed YAML file against ``model``.

    Args:
        model: The schema of the file.
        document: The parsed file with its line map.

    Returns:
        The validated record.

    Raises:
        DataError: With one ``file:line`` problem per schema violation.
    """
    if not isinstance(document.data, dict):
        advice = full_width_colon(document.data) if isinstance(document.data, str) else None
        message = advice or "the file must be a mapping of fields such as `version: 1`"
        raise DataError([document.problem((), message)])
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise DataError(problems_from(exc, document, model)) from None


def problems_from(exc: ValidationError, document: YamlFile, model: type[BaseModel]) -> list[Problem]:
    """Explains each schema error at the line it concerns, with a hint on how to fix it."""
    errors = [
        (tuple(part for part in error["loc"] if isinstance(part, str | int)), error)
        for error in exc.errors(include_url=False)
    ]
    # A misspelt field shows up twice: as unknown (`nmae`) and as missing (`name`). Report only the typo.
    misspelt = {
        (*loc[:-1], guess)
        for loc, error in errors
        if error["type"] == "extra_forbidden" and (guess := _closest_field(model, loc))
    }
    return [
        document.problem(loc, _explain(error, loc, model))
        for loc, error in errors
        if not (error["type"] == "missing" and loc in misspelt)
    ]


def _closest_field(model: type[BaseModel], loc: tuple[str | int, ...]) -> str | None:
    known = _known_fields(model, loc[:-1])
    guess = process.extractOne(str(loc[-1]), known, score_cutoff=60) if known else None
    return guess[0] if guess else None


def _field_path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "the file"


def _explain(error: Any, loc: tuple[str | int, ...], model: type[BaseModel]) -> str:
    kind = error["type"]
    where = _field_path(loc)
    value = error.get("input")
    if kind == "missing":
        return f"`{where}` is missing; add `{loc[-1]}:` here (the header comment of this file explains it)"
    if kind == "extra_forbidden":
        guess = _closest_field(model, loc)
        known = ", ".join(sorted(_known_fields(model, loc[:-1])))
        hint = f"did you mean `{guess}`?" if guess else f"known fields are: {known}"
        return f"unknown field `{loc[-1]}`; {hint}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"`{where}` is {value!r}; it must be one of {expected}"
    if kind == "string_type":
        hint = ' (put phone numbers in quotes: "13594500668")' if isinstance(value, int) else ""
        return f"`{where}` must be text, not {_describe(value)}{hint}"
    if kind == "string_too_short":
        return f"`{where}` is empty; write a value or remove the entry"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"`{where}` is {value!r}, which does not match the expected form {pattern}"
    if kind == "too_short" and isinstance(value, list) and value:
        minimum = error.get("ctx", {}).get("min_length", "more")
        return f"`{where}` has {len(value)} entries; it needs at least {minimum}"
    if kind in ("list_type", "too_short"):
        return f"`{where}` must be a non-empty list of entries, each starting with `- `"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        advice = full_width_colon(value) if isinstance(value, str) else None
        if advice:
            return f"`{where}` is text, not fields: {advice}"
        return f"`{where}` must be a mapping of fields (key: value), not {_describe(value)}"
    if kind in ("int_type", "int_parsing"):
        return f"`{where}` must be a whole number, not {_describe(value)}"
    if kind.startswith("date"):
        return f"`{where}` must be a date written as YYYY-MM-DD, not {value!r}"
    return f"`{where}`: {error['msg']}"


def _describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


def _known_fields(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Walks ``model`` along ``loc`` to list the fields allowed at that place."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = current.model_fields if isinstance(current, type) and issubclass(current, BaseModel) else {}
        field = fields.get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def iter_models(
    value: Any, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], BaseModel]]:
    """Yields every record nested in ``value`` with its location, parents before children."""
    if isinstance(value, BaseModel):
        yield loc, value
        for name in type(value).model_fields:
            yield from iter_models(getattr(value, name), (*loc, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from iter_models(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_models(item, (*loc, key))
