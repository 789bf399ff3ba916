"""Numerals as the guideline writes them: 第十一条, (九), 二十."""

from __future__ import annotations

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(value: int) -> str:
    """Writes 1–99 the way the guideline numbers articles and items (十一, 二十)."""
    if not 1 <= value <= 99:
        raise ValueError(f"numeral out of range: {value}")
    tens, ones = divmod(value, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")


def parse_chinese_numeral(text: str) -> int:
    """Reads a numeral written by :func:`chinese_numeral`."""
    for value in range(1, 100):
        if chinese_numeral(value) == text:
            return value
    raise ValueError(f"not a Chinese numeral: {text!r}")
