"""Puts a question into one canonical form before anything else looks at it.

Users type in Simplified or Traditional characters, with full-width letters, emoji, stray control or
bidirectional-override characters, and any spacing. After :func:`normalize` the text is Simplified
Chinese, NFKC-folded, lower-case, with punctuation and symbols turned into single spaces, and no spaces
left between Chinese characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

# Longer messages are cut before any work is done: no real question needs more, and it bounds the cost of
# a pasted document or a hostile 100 000-character message (measured: 1 000 characters take ~0.5 ms).
MAX_QUESTION_CHARS = 1000

_KEEP_CATEGORIES = ("L", "N")  # letters (incl. CJK) and digits; everything else separates words
_SPACES = re.compile(r"\s+")
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK}) (?={_CJK})")


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Converts Traditional characters to Simplified (Simplified text passes unchanged).

    OpenCC's table is not closed under itself for a few rare characters (薴 → 苧 → 苎), so the conversion
    is repeated, at most twice more, until it no longer changes the text.
    """
    converter = _converter()
    converted = str(converter.convert(text))
    for _ in range(2):
        again = str(converter.convert(converted))
        if again == converted:
            break
        converted = again
    return converted


def _fold_char(char: str) -> str:
    category = unicodedata.category(char)[0]
    if category in _KEEP_CATEGORIES:
        return char
    return "" if category == "M" else " "  # combining marks belong to the letter before them


def normalize(text: str) -> str:
    """Returns the canonical form of a question.

    Args:
        text: Whatever the user sent.

    Returns:
        Simplified, folded text; empty if nothing meaningful remains.
    """
    # Cut before NFKC to bound its cost, and again after it, since NFKC may lengthen text (ﷺ → 18 letters).
    text = unicodedata.normalize("NFKC", text[:MAX_QUESTION_CHARS]).lower()[:MAX_QUESTION_CHARS]
    # Lower-casing first lets the filter drop what it leaves behind (İ → i + a combining dot).
    text = "".join(_fold_char(char) for char in text)
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return ""
    text = to_simplified(text)
    return _SPACE_BETWEEN_CJK.sub("", text)
