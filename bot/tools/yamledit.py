"""Edits a hand-maintained YAML file as text, so that its comments and layout stay as the maintainer left them.

The commands that write for maintainers (``bangfu update``, ``bangfu review --add``) add or replace one item
of a block list (``- …`` lines); everything else in the file is kept byte for byte. Whoever calls these
functions validates the result afterwards and restores the old text if it does not load.
"""

from __future__ import annotations

import yaml

from bot.data.yamlio import Loc, YamlFile
from bot.errors import BangfuError

# A line this long is never wrapped by the YAML writer: a scalar stays on one line.
_NO_WRAP = 1_000_000


class EditError(BangfuError):
    """The file cannot be edited automatically (a flow list, say); the message says what to do by hand."""


def scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar: plain when YAML reads it back as the same text, else quoted."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=_NO_WRAP, default_flow_style=True)
    text = dumped.removesuffix("\n").removesuffix("\n...").strip()
    if yaml.safe_load(text) != value:  # pragma: no cover - safe_dump quotes whatever needs it
        raise EditError(f"cannot write {value!r} as YAML")
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def item_lines(document: YamlFile, text: str, loc: Loc) -> range:
    """The 0-based lines of one item of a block list (its ``- `` line and the lines indented under it).

    Trailing blank and comment lines belong to what follows, not to the item.
    """
    lines = text.splitlines()
    start = document.line(loc) - 1
    dash = _indent(lines[start])
    end = start + 1
    last = start
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if _indent(line) <= dash:
                break
            last = end
        end += 1
    return range(start, last + 1)


def replace_item(document: YamlFile, text: str, loc: Loc, new: list[str] | None) -> str:
    """The text with the list item at ``loc`` replaced by ``new`` (lines, indented), or removed if None.

    Removing a list's last item leaves ``key: []``, an empty list rather than an empty value.
    """
    lines = text.splitlines()
    span = item_lines(document, text, loc)
    lines[span.start : span.stop] = new or []
    items = document.data
    for part in loc[:-1]:
        items = items[part]
    if new is None and len(items) == 1:
        at = document.line(loc[:-1]) - 1
        lines[at] = lines[at].split(":", 1)[0] + ": []"
    return "\n".join(lines) + "\n"


def append_item(document: YamlFile, text: str, key: Loc, new: list[str]) -> tuple[str, int]:
    """The text with ``new`` (an item's lines, indented under ``key``'s items) added at the end of a list,
    and the 1-based line where it starts.

    Raises:
        EditError: The list is written inline (``[a, b]``) with items, which only a person can extend.
    """
    lines = text.splitlines()
    items = document.data
    for part in key:
        items = items[part]
    if not isinstance(items, list):
        raise EditError(f"{document.display}:{document.line(key)}: `{key[-1]}` is not a list")
    if not items:
        at = document.line(key) - 1
        head = lines[at].split(":", 1)[0]
        if not lines[at].rstrip().endswith("[]"):
            raise EditError(
                f"{document.display}:{at + 1}: write `{head.strip()}: []` or add the item by hand"
            )
        lines[at] = f"{head}:"
        lines[at + 1 : at + 1] = new
        return "\n".join(lines) + "\n", at + 2
    last = (*key, len(items) - 1)
    line = lines[document.line(last) - 1]
    if not line.lstrip().startswith("- "):
        raise EditError(
            f"{document.display}:{document.line(key)}: the list is written on one line; "
            "write one `- ` line per item, or add it by hand"
        )
    span = item_lines(document, text, last)
    lines[span.stop : span.stop] = new
    return "\n".join(lines) + "\n", span.stop + 1


def list_entry(indent: int, value: str) -> str:
    """One ``- value`` line of a list of texts."""
    return f"{' ' * indent}- {scalar(value)}"


def indent_of_items(document: YamlFile, text: str, key: Loc) -> int:
    """The indentation of the ``- `` lines of the list at ``key`` (its first item's)."""
    lines = text.splitlines()
    return _indent(lines[document.line((*key, 0)) - 1])
