"""The shape of each knowledge file, and schema errors explained at their line with a way to fix them."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from bot.data import schema
from bot.data.registry import KNOWLEDGE_FILES
from bot.data.yamlio import parse_yaml
from bot.errors import DataError, Problem
from tests.knowledge_support import KNOWLEDGE


def problems(model: type[BaseModel], text: str) -> list[Problem]:
    """The problems ``model`` finds in the YAML ``text`` (shown as f.yaml)."""
    with pytest.raises(DataError) as caught:
        schema.parse_model(model, parse_yaml(text, "f.yaml"))
    return caught.value.problems


DISTRICT = """\
serial: 1
name: 万州区
tier: 国家级
phone: {phone}
source: 附件1 序号1
"""


# --- phones -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["023-58569600", "023-54453819", "13594500668", "19908372085", "15730595678"]
)
def test_phones_in_the_guidelines_formats_are_accepted(phone: str) -> None:
    district = schema.parse_model(
        schema.KeyDistrict, parse_yaml(DISTRICT.format(phone=f"'{phone}'"), "f.yaml")
    )
    assert district.phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        "023-5856960",  # a digit short
        "023-585696000",  # a digit too many
        "010-58569600",  # not a Chongqing landline
        "02358569600",  # no dash
        "023 58569600",  # a space for the dash
        "(023)58569600",
        "1359450066",  # a mobile a digit short
        "135945006681",
        "12594500668",  # no mobile starts with 12
        "+8613594500668",
        "135-9450-0668",
    ],
)
def test_a_phone_in_another_format_is_refused_with_the_formats_to_use(phone: str) -> None:
    (problem,) = problems(schema.KeyDistrict, DISTRICT.format(phone=f"'{phone}'"))
    assert problem == Problem(
        "f.yaml",
        4,
        f"phone `{phone}` is not in a known format; write a landline as 023-XXXXXXXX or an 11-digit mobile "
        "such as 13594500668, exactly as the guideline prints it",
    )


def test_an_unquoted_mobile_is_a_number_and_is_refused_with_a_hint_to_quote_it() -> None:
    (problem,) = problems(schema.KeyDistrict, DISTRICT.format(phone="13594500668"))
    assert problem == Problem(
        "f.yaml",
        4,
        '`phone` must be text, not int 13594500668 (put phone numbers in quotes: "13594500668")',
    )


# --- fields -------------------------------------------------------------------------------------------


def test_a_misspelt_field_is_reported_once_with_a_suggestion() -> None:
    text = DISTRICT.format(phone="023-58569600").replace("tier:", "teir:")
    assert problems(schema.KeyDistrict, text) == [
        Problem("f.yaml", 3, "unknown field `teir`; did you mean `tier`?")
    ]


def test_an_unknown_field_unlike_any_other_lists_the_known_fields() -> None:
    text = DISTRICT.format(phone="023-58569600") + "备注: x\n"
    assert problems(schema.KeyDistrict, text) == [
        Problem("f.yaml", 6, "unknown field `备注`; known fields are: name, phone, serial, source, tier")
    ]


def test_an_unknown_field_deep_in_a_file_is_suggested_from_its_own_record() -> None:
    text = "version: 1\ninsurance:\n  text: 保险\n  sorce: 第十八条(五)\ncautions:\n  - {label: a, text: b, source: 第十八条}\n"
    assert problems(schema.SafetyFile, text) == [
        Problem("f.yaml", 4, "unknown field `sorce`; did you mean `source`?")
    ]


def test_a_missing_field_is_reported_at_its_record() -> None:
    text = "version: 1\nkey_districts:\n  - serial: 1\n    name: 万州区\n    tier: 国家级\n    source: 附件1 序号1\n"
    text += "townships: []\nvillages: []\n"
    found = problems(schema.RegionsFile, text)
    assert (
        Problem(
            "f.yaml",
            3,
            "`key_districts[0].phone` is missing; add `phone:` here (the header comment of this file explains it)",
        )
        in found
    )


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        pytest.param(
            ("tier: 国家级", "tier: 省级"),
            3,
            "`tier` is '省级'; it must be one of '国家级' or '市级'",
            id="tier",
        ),
        pytest.param(
            ("serial: 1", "serial: 一"), 1, "`serial` must be a whole number, not str '一'", id="serial"
        ),
        pytest.param(
            ("name: 万州区", "name: ''"), 2, "`name` is empty; write a value or remove the entry", id="empty"
        ),
        pytest.param(
            ("name: 万州区", "name: [万州区]"), 2, "`name` must be text, not a list", id="list-for-text"
        ),
        pytest.param(
            ("source: 附件1 序号1", "source: 附件一"),
            5,
            "`附件一` is not a source reference; write it as 第五条, 第五条(九), 印发通知第一点, 附件1 序号3",
            id="source",
        ),
    ],
)
def test_a_wrong_value_is_explained(edit: tuple[str, str], line: int, message: str) -> None:
    text = DISTRICT.format(phone="023-58569600").replace(*edit)
    (problem,) = problems(schema.KeyDistrict, text)
    assert (problem.line, problem.message[: len(message)]) == (line, message)


def test_an_empty_list_is_refused() -> None:
    found = problems(schema.SafetyFile, "version: 1\ninsurance: {text: a, source: 第十八条}\ncautions: []\n")
    assert found == [
        Problem("f.yaml", 3, "`cautions` must be a non-empty list of entries, each starting with `- `")
    ]


def test_a_scalar_where_a_record_belongs_is_refused() -> None:
    found = problems(
        schema.SafetyFile,
        "version: 1\ninsurance: 买保险\ncautions: [{label: a, text: b, source: 第十八条}]\n",
    )
    assert found == [
        Problem("f.yaml", 2, "`insurance` must be a mapping of fields (key: value), not str '买保险'")
    ]


def test_a_date_must_be_a_real_date() -> None:
    text = (
        (KNOWLEDGE / "guideline.yaml")
        .read_text(encoding="utf-8")
        .replace("date: 2020-05-14", "date: '2020-13-14'")
    )
    (problem,) = problems(schema.GuidelineFile, text)
    assert problem.message == "`document.date` must be a date written as YYYY-MM-DD, not '2020-13-14'"


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    assert problems(schema.SafetyFile, "- version: 1\n") == [
        Problem("f.yaml", 1, "the file must be a mapping of fields such as `version: 1`")
    ]


def test_a_url_must_be_a_web_address() -> None:
    text = (
        (KNOWLEDGE / "platform.yaml")
        .read_text(encoding="utf-8")
        .replace("url: https://www.zgshfp.com.cn/?p=1", "url: www.zgshfp.com.cn")
    )
    (problem,) = problems(schema.PlatformFile, text)
    assert problem.message.startswith("`url` is 'www.zgshfp.com.cn', which does not match the expected form")


@pytest.mark.parametrize("name", KNOWLEDGE_FILES)
def test_every_shipped_file_fits_its_schema_and_no_other_field_is_allowed(name: str) -> None:
    text = (KNOWLEDGE / name).read_text(encoding="utf-8")
    model = KNOWLEDGE_FILES[name]
    schema.parse_model(model, parse_yaml(text, name))
    (problem,) = problems(model, text + "extra_field: 1\n")
    assert problem.message.startswith("unknown field `extra_field`")


def test_records_are_immutable() -> None:
    district = schema.parse_model(
        schema.KeyDistrict, parse_yaml(DISTRICT.format(phone="023-58569600"), "f.yaml")
    )
    with pytest.raises(ValidationError):
        district.phone = "023-00000000"  # type: ignore[misc]


def test_an_articles_full_text_is_its_lead_text_then_items() -> None:
    article = schema.Article(label="第二条", text="重点地区:", items=[schema.Item(label="(一)", text="甲;")])
    assert article.full_text == "重点地区:(一)甲;"
