"""Numerals as the guideline writes them."""

from __future__ import annotations

import pytest

from bot.data.numerals import chinese_numeral, parse_chinese_numeral


@pytest.mark.parametrize(
    ("value", "numeral"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (18, "十八"),
        (20, "二十"),
        (60, "六十"),
        (99, "九十九"),
    ],
)
def test_numerals_are_written_and_read_as_the_guideline_prints_them(value: int, numeral: str) -> None:
    assert chinese_numeral(value) == numeral
    assert parse_chinese_numeral(numeral) == value


@pytest.mark.parametrize("value", [0, 100, -1])
def test_numerals_outside_1_to_99_are_refused(value: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        chinese_numeral(value)


@pytest.mark.parametrize("text", ["", "零", "一十", "十十", "一百", "5"])
def test_text_that_is_not_a_numeral_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a Chinese numeral"):
        parse_chinese_numeral(text)
