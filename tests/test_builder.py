"""``build-knowledge``: generates regions.yaml and guideline.yaml, is idempotent, and never loses a hand edit."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from bot.data.yamlio import parse_yaml
from bot.errors import DataError
from bot.tools.builder import (
    GENERATED_FILES,
    Outcome,
    build_knowledge,
    diff,
    guideline_data,
    regions_data,
    render,
)
from bot.tools.guideline_parser import GuidelineFormatError, ParsedGuideline, parse_guideline
from tests.knowledge_support import KNOWLEDGE, SOURCE_TEXT, edit, line_of

GENERATED = list(GENERATED_FILES)


@pytest.fixture(scope="module")
def parsed() -> ParsedGuideline:
    return parse_guideline(SOURCE_TEXT.read_text(encoding="utf-8"))


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` and its bytes."""
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


# --- what the builder writes ------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATED)
def test_the_shipped_file_is_exactly_what_the_builder_renders(parsed: ParsedGuideline, name: str) -> None:
    assert render(GENERATED_FILES[name], parsed) == (KNOWLEDGE / name).read_text(encoding="utf-8")


def test_regions_carry_their_attachment_row_as_source(parsed: ParsedGuideline) -> None:
    data = regions_data(parsed)
    assert data["key_districts"][0]["source"] == "附件1 序号1"
    assert data["townships"][17]["source"] == "附件2 序号18"
    assert data["villages"][99]["source"] == "附件3 序号100"


def test_the_document_date_is_written_as_a_date(parsed: ParsedGuideline) -> None:
    assert guideline_data(parsed)["document"]["date"] == datetime.date(2020, 5, 14)
    assert "date: 2020-05-14\n" in render(GENERATED_FILES["guideline.yaml"], parsed)


def test_articles_without_items_have_no_items_key(parsed: ParsedGuideline) -> None:
    articles = guideline_data(parsed)["articles"]
    assert "items" not in articles[0]
    assert len(articles[4]["items"]) == 9


def test_mobiles_are_quoted_so_they_stay_text(parsed: ParsedGuideline) -> None:
    text = render(GENERATED_FILES["regions.yaml"], parsed)
    assert "phone: '13594500668'" in text
    assert parse_yaml(text, "regions.yaml").data["townships"][0]["phone"] == "13594500668"


# --- idempotence ----------------------------------------------------------------------------------------


def test_running_twice_on_a_fresh_copy_changes_no_byte(knowledge_dir: Path) -> None:
    before = snapshot(knowledge_dir)
    for _ in range(2):
        reports = build_knowledge(knowledge_dir)
        assert [(r.path, r.outcome, r.differences) for r in reports] == [
            ("knowledge/regions.yaml", Outcome.UNCHANGED, []),
            ("knowledge/guideline.yaml", Outcome.UNCHANGED, []),
        ]
        assert snapshot(knowledge_dir) == before


@pytest.mark.parametrize("name", GENERATED)
def test_a_deleted_file_is_recreated_byte_for_byte(knowledge_dir: Path, name: str) -> None:
    (knowledge_dir / name).unlink()
    outcomes = {r.path: r.outcome for r in build_knowledge(knowledge_dir)}
    assert outcomes[f"knowledge/{name}"] is Outcome.CREATED
    assert (knowledge_dir / name).read_bytes() == (KNOWLEDGE / name).read_bytes()
    assert {r.outcome for r in build_knowledge(knowledge_dir)} == {Outcome.UNCHANGED}


def test_from_the_source_text_alone_it_builds_the_shipped_files(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    shutil.copyfile(SOURCE_TEXT, tmp_path / "source" / "guideline.txt")
    assert {r.outcome for r in build_knowledge(tmp_path)} == {Outcome.CREATED}
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (KNOWLEDGE / name).read_bytes()


def test_check_reports_a_missing_file_without_creating_it(knowledge_dir: Path) -> None:
    (knowledge_dir / "regions.yaml").unlink()
    outcomes = {r.path: r.outcome for r in build_knowledge(knowledge_dir, check=True)}
    assert outcomes["knowledge/regions.yaml"] is Outcome.MISSING
    assert not (knowledge_dir / "regions.yaml").exists()


def test_check_on_the_shipped_knowledge_finds_nothing() -> None:
    reports = build_knowledge(KNOWLEDGE, check=True)
    assert [(r.outcome, r.differences) for r in reports] == [(Outcome.UNCHANGED, [])] * 2


# --- hand edits are reported, not lost ---------------------------------------------------------------

VILLAGE_50 = "- {serial: 50, name: 天池村, town: 石桥乡, district: 武隆区, source: 附件3 序号50}\n"

# (file, old, new, pattern of the line reported, the difference reported there)
HAND_EDITS = [
    pytest.param(
        "regions.yaml",
        "phone: 023-58569600",
        "phone: 023-58569601",
        r"serial: 1, name: 万州区",
        "`key_districts[0].phone` is '023-58569601'; the guideline says '023-58569600'",
        id="phone-edited",
    ),
    pytest.param(
        "regions.yaml",
        "phone: '13594500668'",
        "phone: 13594500668",
        r"serial: 1, name: 三建乡",
        "`townships[0].phone` is 13594500668; the guideline says '13594500668'",
        id="mobile-unquoted",
    ),
    pytest.param(
        # One deleted row is one difference, at the line where the row belongs, naming the row.
        "regions.yaml",
        VILLAGE_50,
        "",
        r"serial: 51, name: 回龙村",
        "`villages` lacks entry 49 (天池村) that the guideline has",
        id="village-deleted",
    ),
    pytest.param(
        "regions.yaml",
        VILLAGE_50,
        VILLAGE_50 + "- {serial: 50, name: 新村, town: 石桥乡, district: 武隆区, source: 附件3 序号50}\n",
        r"name: 新村",
        "`villages[50]` (新村) is not in the guideline",
        id="village-added",
    ),
    pytest.param(
        "regions.yaml",
        "title: 乡民政和社会事务办主任, source: 附件2 序号1}",
        "title: 乡民政和社会事务办主任, source: 附件2 序号1, note: 已核实}",
        r"note: 已核实",
        "`townships[0].note` is not in the guideline; remove it",
        id="field-added",
    ),
    pytest.param(
        "guideline.yaml",
        "text: 100个定点攻坚村。",
        "text: 101个定点攻坚村。",
        r"text: 101个定点攻坚村",
        "`articles[1].items[3].text` is '101个定点攻坚村。'; the guideline says '100个定点攻坚村。'",
        id="article-edited",
    ),
    pytest.param(
        "guideline.yaml",
        "  sealed_by: 重庆市民政局代章\n",
        "",
        r"^document:$",
        "`document.sealed_by` is missing; the guideline gives '重庆市民政局代章'",
        id="field-deleted",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "at", "message"), HAND_EDITS)
@pytest.mark.parametrize("check", [False, True], ids=["build", "check"])
def test_a_hand_edit_is_reported_and_kept(
    knowledge_dir: Path, name: str, old: str, new: str, at: str, message: str, check: bool
) -> None:
    edited = edit(knowledge_dir / name, old, new)
    reports = {r.path: r for r in build_knowledge(knowledge_dir, check=check)}
    report = reports[f"knowledge/{name}"]
    assert report.outcome is Outcome.DRIFTED
    assert [str(d) for d in report.differences] == [f"knowledge/{name}:{line_of(edited, at)}: {message}"]
    assert (knowledge_dir / name).read_text(encoding="utf-8") == edited
    assert {r.outcome for r in reports.values() if r is not report} == {Outcome.UNCHANGED}


@pytest.mark.parametrize(("name", "old", "new", "at", "message"), HAND_EDITS)
def test_force_replaces_a_hand_edit_with_the_guideline(
    knowledge_dir: Path, name: str, old: str, new: str, at: str, message: str
) -> None:
    edit(knowledge_dir / name, old, new)
    reports = {r.path: r for r in build_knowledge(knowledge_dir, force=True)}
    assert reports[f"knowledge/{name}"].outcome is Outcome.OVERWRITTEN
    assert [d.message for d in reports[f"knowledge/{name}"].differences] == [message]
    assert (knowledge_dir / name).read_bytes() == (KNOWLEDGE / name).read_bytes()
    assert {r.outcome for r in build_knowledge(knowledge_dir)} == {Outcome.UNCHANGED}


def test_check_never_writes_even_with_force(knowledge_dir: Path) -> None:
    edited = edit(knowledge_dir / "regions.yaml", "phone: 023-58569600", "phone: 023-58569601")
    (report, _) = build_knowledge(knowledge_dir, check=True, force=True)
    assert report.outcome is Outcome.DRIFTED
    assert (knowledge_dir / "regions.yaml").read_text(encoding="utf-8") == edited


def test_several_edits_are_each_reported(knowledge_dir: Path) -> None:
    edit(knowledge_dir / "regions.yaml", "phone: 023-58569600", "phone: 023-58569601")
    edit(knowledge_dir / "regions.yaml", VILLAGE_50, "")
    edit(knowledge_dir / "regions.yaml", "name: 庙坝村", "name: 庙坝")
    (report, _) = build_knowledge(knowledge_dir)
    assert [d.message.split(";")[0] for d in report.differences] == [
        "`key_districts[0].phone` is '023-58569601'",
        "`villages` lacks entry 49 (天池村) that the guideline has",
        "`villages[98].name` is '庙坝'",
    ]


# --- what is not drift --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("version: 1\n", "# 已核对 2024 年\nversion: 1\n", id="comment-added"),
        pytest.param(
            "- {serial: 1, name: 万州区, tier: 国家级, phone: 023-58569600, source: 附件1 序号1}",
            "- serial: 1\n  name: 万州区\n  tier: 国家级\n  phone: '023-58569600'\n  source: 附件1 序号1",
            id="row-reformatted",
        ),
        pytest.param("{serial: 2, name: 黔江区,", "{name: 黔江区, serial: 2,", id="keys-reordered"),
    ],
)
def test_comments_and_layout_are_not_drift_and_are_kept(knowledge_dir: Path, old: str, new: str) -> None:
    edited = edit(knowledge_dir / "regions.yaml", old, new)
    assert {r.outcome for r in build_knowledge(knowledge_dir)} == {Outcome.UNCHANGED}
    assert (knowledge_dir / "regions.yaml").read_text(encoding="utf-8") == edited


def test_diff_of_identical_data_is_empty(parsed: ParsedGuideline) -> None:
    text = render(GENERATED_FILES["regions.yaml"], parsed)
    assert list(diff(parse_yaml(text, "regions.yaml"), regions_data(parsed))) == []


def test_diff_reports_a_type_change_even_when_the_text_is_equal() -> None:
    document = parse_yaml("version: 1\nserial: '3'\n", "f.yaml")
    assert [str(p) for p in diff(document, {"version": 1, "serial": 3})] == [
        "f.yaml:2: `serial` is '3'; the guideline says 3"
    ]


# --- errors -------------------------------------------------------------------------------------------


def test_a_missing_source_text_is_a_located_error(knowledge_dir: Path) -> None:
    (knowledge_dir / "source" / "guideline.txt").unlink()
    with pytest.raises(
        DataError, match=r"^knowledge/source/guideline.txt: the guideline's source text is missing$"
    ):
        build_knowledge(knowledge_dir)


def test_a_malformed_source_text_stops_the_build_and_writes_nothing(knowledge_dir: Path) -> None:
    edit(knowledge_dir / "source" / "guideline.txt", "\n附件3\n", "\n")
    (knowledge_dir / "regions.yaml").unlink()
    with pytest.raises(GuidelineFormatError, match="no '附件3' heading"):
        build_knowledge(knowledge_dir)
    assert not (knowledge_dir / "regions.yaml").exists()


def test_a_generated_file_that_is_not_valid_yaml_is_reported_at_its_line(knowledge_dir: Path) -> None:
    edited = edit(knowledge_dir / "regions.yaml", "name: 黔江区,", "name: 黔江区,,:")
    with pytest.raises(DataError) as caught:
        build_knowledge(knowledge_dir)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("knowledge/regions.yaml", line_of(edited, "黔江区,,:"))
    assert (knowledge_dir / "regions.yaml").read_text(encoding="utf-8") == edited
