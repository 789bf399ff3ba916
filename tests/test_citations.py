"""Source references: the forms knowledge files use, and how each is shown to users."""

from __future__ import annotations

import pytest

from bot.data.citations import CITATION_FORMS, Citation, CitationKind, parse_citation

FW_OPEN, FW_CLOSE = "\uff08", "\uff09"  # full-width brackets, as the published guideline prints them

NEWS = "000_1e745a1f9b73e742.txt"


@pytest.mark.parametrize(
    ("raw", "kind", "number", "item", "shown"),
    [
        ("第五条", CitationKind.ARTICLE, 5, 0, "《工作指引》第五条"),
        ("第五条(九)", CitationKind.ARTICLE, 5, 9, "《工作指引》第五条(九)"),
        (f"第五条{FW_OPEN}九{FW_CLOSE}", CitationKind.ARTICLE, 5, 9, "《工作指引》第五条(九)"),
        (f"第十八条{FW_OPEN}五)", CitationKind.ARTICLE, 18, 5, "《工作指引》第十八条(五)"),
        ("第十条(三)", CitationKind.ARTICLE, 10, 3, "《工作指引》第十条(三)"),
        (
            "第六十条",
            CitationKind.ARTICLE,
            60,
            0,
            "《工作指引》第六十条",
        ),  # a valid form; whether it exists is checked elsewhere
        (" 第二条(四) ", CitationKind.ARTICLE, 2, 4, "《工作指引》第二条(四)"),
        ("印发通知", CitationKind.NOTICE, 0, 0, "《工作指引》印发通知"),
        ("印发通知第三点", CitationKind.NOTICE, 3, 0, "《工作指引》印发通知第三点"),
        ("附件1 序号3", CitationKind.ATTACHMENT, 1, 3, "《工作指引》附件1"),
        ("附件3 序号100", CitationKind.ATTACHMENT, 3, 100, "《工作指引》附件3"),
        ("附件2", CitationKind.ATTACHMENT, 2, 0, "《工作指引》附件2"),
        (NEWS, CitationKind.NEWS, 0, 0, f"背景资料:{NEWS}"),
    ],
)
def test_each_citation_form_is_parsed_and_displayed(
    raw: str, kind: CitationKind, number: int, item: int, shown: str
) -> None:
    citation = parse_citation(raw)
    assert (citation.kind, citation.number, citation.item) == (kind, number, item)
    assert citation.display() == shown


def test_full_width_brackets_are_normalized_so_both_spellings_are_one_citation() -> None:
    assert (
        parse_citation(f"第五条{FW_OPEN}九{FW_CLOSE}")
        == parse_citation("第五条(九)")
        == Citation("第五条(九)", CitationKind.ARTICLE, 5, 9)
    )


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "第五条九",
        "第五条(九",
        "第5条",
        "第零条",
        "第五条(十一)(二)",
        "五条",
        "附件1序号3",
        "附件0",
        "附件1 序号",
        "印发通知第1点",
        "000_1E745A1F9B73E742.txt",
        "000_1e745a1f9b73e742",
        "guideline.txt",
    ],
)
def test_anything_else_is_refused_with_the_forms_to_use(raw: str) -> None:
    with pytest.raises(ValueError, match="is not a source reference") as caught:
        parse_citation(raw)
    assert str(caught.value) == f"`{raw}` is not a source reference; write it as {CITATION_FORMS}"
