"""Reads YAML files while remembering the line of every value, so errors can name ``file:line``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import DataError, Problem

Loc = tuple[str | int, ...]

# The C parser is several times faster; fall back to the pure-Python one where libyaml is missing.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A field name followed by a full-width colon (answer：), which a Chinese input method types: YAML reads it
# as text, not as a field.
_FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?\{?\s*([A-Za-z_][A-Za-z0-9_]*)\s*：")


def full_width_colon(text: str) -> str | None:
    """The advice for a line or value that writes a field with a full-width colon (``answer：``), if it does."""
    match = _FULL_WIDTH_KEY.match(text)
    if match is None:
        return None
    key = match.group(1)
    return f"`{key}：` has a full-width colon (：); write `{key}: ` with an ASCII colon and a space"


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML file and the 1-based line on which each of its values starts.

    Attributes:
        display: The file's name as shown in messages (relative to the project when possible).
        data: The parsed document (plain dicts, lists and scalars).
        lines: Line of every value, keyed by its location, e.g. ``("districts", 3, "phone")``.
    """

    display: str
    data: Any
    lines: Mapping[Loc, int]

    def line(self, loc: Sequence[str | int]) -> int:
        """Returns the line of ``loc``, or of its nearest enclosing value that has one."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        """Builds a :class:`Problem` located at ``loc`` in this file."""
        return Problem(self.display, self.line(loc), message)


def load_yaml(path: Path, display: str) -> YamlFile:
    """Parses one YAML file.

    Args:
        path: The file to read.
        display: How to name the file in messages.

    Returns:
        The parsed file with its line map.

    Raises:
        DataError: The file cannot be read, is not valid YAML, is empty, or repeats a key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError([Problem(display, 0, "file not found; restore it from git or create it")]) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            [Problem(display, 0, f"not valid UTF-8 ({exc.reason}); save the file as UTF-8")]
        ) from None
    except OSError as exc:
        raise DataError([Problem(display, 0, f"cannot be read: {exc.strerror}")]) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> YamlFile:
    """Parses YAML text; see :func:`load_yaml`."""
    loader = _Loader(text)
    node: yaml.Node | None = None
    try:
        node = loader.get_single_node()
        if node is None:
            raise DataError([Problem(display, 0, "the file is empty; it needs at least `version: 1`")])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise DataError([_syntax_problem(display, exc, text)]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(display, 0, f"YAML error: {exc}")]) from None
    except ValueError as exc:  # PyYAML raises a bare ValueError for an impossible date such as 2020-02-30
        raise DataError([_bad_date_problem(display, node, exc)]) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _index(node, data, (), lines, problems, display)
    if problems:
        raise DataError(problems)
    return YamlFile(display, data, lines)


def _syntax_problem(display: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    colon = _full_width_line(text, [m.line for m in (exc.problem_mark, exc.context_mark) if m is not None])
    if colon is not None:
        return Problem(display, colon[0], f"YAML syntax error: {colon[1]}")
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    hint = "check the indentation (spaces, not tabs) and the quoting on this line and the one above"
    unclosed = "quoted scalar" in (exc.context or "") and "end of stream" in (exc.problem or "")
    if unclosed and exc.context_mark is not None:
        mark = exc.context_mark  # the quote that is never closed, not the end of the file
        hint = "close the quote that opens on this line"
    elif mark is not None and _char_at(text, mark) == "\t":
        hint = "replace the tab on this line with spaces"  # libyaml's message does not always say "tab"
    elif "mapping values are not allowed" in what:
        hint = (
            "indent this line like the lines around it, or quote a value that contains ': ', "
            'e.g. text: "...: ..."'
        )
    line = mark.line + 1 if mark is not None else 0
    return Problem(display, line, f"YAML syntax error: {what}; {hint}")


def _full_width_line(text: str, marked: list[int]) -> tuple[int, str] | None:
    """The 1-based line and advice of a full-width colon on a marked line or the line above one.

    libyaml notices the missing colon only on the line after the one with ``answer：``.
    """
    lines = text.splitlines()
    for index in sorted({i for line in marked for i in (line, line - 1)}, reverse=True):
        if 0 <= index < len(lines) and (advice := full_width_colon(lines[index])):
            return index + 1, advice
    return None


def _bad_date_problem(display: str, node: yaml.Node | None, exc: ValueError) -> Problem:
    """Locates the date PyYAML could not construct (its error carries no position)."""
    stack: list[yaml.Node] = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in current.value for part in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.ScalarNode) and current.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.constructor.SafeConstructor().construct_yaml_timestamp(current)
            except ValueError:
                return Problem(
                    display,
                    current.start_mark.line + 1,
                    f"`{current.value}` is not a valid date ({exc}); write a real date as YYYY-MM-DD",
                )
    return Problem(display, 0, f"a value cannot be read: {exc}")


def _char_at(text: str, mark: yaml.Mark) -> str:
    lines = text.splitlines()
    return lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else ""


def _index(
    node: yaml.Node, data: Any, loc: Loc, lines: dict[Loc, int], problems: list[Problem], display: str
) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or key not in data:
                continue  # merge keys and the like: nothing of ours uses them
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        display, line, f"duplicate key `{key}` (first on line {seen[key]}); keep one of them"
                    )
                )
                continue
            seen[key] = line
            _index(value_node, data[key], (*loc, key), lines, problems, display)
            lines[(*loc, key)] = line
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for index, (item_node, item) in enumerate(zip(node.value, data, strict=False)):
            _index(item_node, item, (*loc, index), lines, problems, display)
