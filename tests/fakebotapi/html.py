"""Message text as Telegram checks it: UTF-16 lengths, its HTML subset, and entities in users' texts.

:func:`parse_telegram_html` follows tdlib's ``parse_html`` (what the Bot API server runs), error wording
included, so a message the fake accepts is one Telegram accepts, and the other way round.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

MAX_MESSAGE_LENGTH: Final = 4096
"""Longest message text in UTF-16 code units, counted after HTML parsing and trimming."""

TRIMMED: Final = " \t\r\n\v\f"
"""What the Bot API strips from both ends of a message text."""

# A command (/start, /start@some_bot) or a mention (@some_bot), as Telegram marks them in users' texts.
COMMAND_RE: Final = re.compile(
    r"(?<![A-Za-z0-9_/<>])/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,32}))?(?![A-Za-z0-9_/])"
)
MENTION_RE: Final = re.compile(r"(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])")

_SPACE: Final = TRIMMED + "\0"  # tdlib's spaces, and the end of the text
_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Tags that make a plain entity (tdlib accepts span only as span class="tg-spoiler").
_SIMPLE: Final = {
    **dict.fromkeys(["b", "strong"], "bold"),
    **dict.fromkeys(["i", "em"], "italic"),
    **dict.fromkeys(["u", "ins"], "underline"),
    **dict.fromkeys(["s", "strike", "del"], "strikethrough"),
    **dict.fromkeys(["tg-spoiler", "span"], "spoiler"),
}
_TAGS: Final = frozenset(_SIMPLE) | {"a", "tg-emoji", "pre", "code", "blockquote"}


class HtmlParseError(ValueError):
    """Telegram would refuse this HTML; the message is tdlib's (``Unsupported start tag "br" at …``)."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _entity_at(text: str, pos: int) -> tuple[int, int] | None:
    """Decodes ``&…;`` at ``pos`` as tdlib does: (code point, position after), or None."""
    n = len(text)
    end, code = pos + 1, 0
    if text[pos + 1 : pos + 2] == "#":
        end += 1
        hexa = text[pos + 2 : pos + 3] == "x"
        end += hexa
        digits = string.hexdigits if hexa else string.digits
        while end < n and text[end] in digits:
            code = code * (16 if hexa else 10) + int(text[end], 16)
            end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(text[pos + 1 : end])
        if named is None:
            return None
        code = ord(named)
    return code, end + (text[end : end + 1] == ";")


def checked_link(url: str) -> str | None:
    """A loose imitation of tdlib's link normalisation; None when Telegram would drop the link."""
    url = url.strip()
    if not url or any(ch in _SPACE for ch in url):
        return None
    if "://" not in url and not url.startswith(("tg:", "mailto:")):
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            return None
        if not (parts.path or parts.query or parts.fragment):
            url += "/"
    return url


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16
    index: int  # in the output characters


def parse_telegram_html(html: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Parses Telegram's HTML subset as the Bot API server (tdlib ``parse_html``) does, wording included.

    Tags: ``b strong i em u ins s strike del tg-spoiler span.tg-spoiler a[href] code pre (+ code.language-x)
    blockquote[expandable] tg-emoji[emoji-id]``; ``&lt; &gt; &amp; &quot; &#…;``. An ``&`` that starts
    none is kept literally, as by Telegram, unless ``strict_ampersand`` (as its documentation asks).

    Returns:
        The plain text (not trimmed yet: :func:`trim`) and its entities (UTF-16 offsets), by offset.

    Raises:
        HtmlParseError: E.g. ``Unsupported start tag "br" at byte offset 5``.
    """
    n = len(html)

    def at(i: int) -> str:
        return html[i] if i < n else "\0"

    def byte(i: int) -> int:
        return len(html[:i].encode("utf-8", "surrogatepass"))

    out: list[str] = []
    utf16 = 0
    nested: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        ch = html[i]
        if ch == "&":
            decoded = _entity_at(html, i)
            if decoded is not None:
                code, i = decoded
                out.append(chr(code))
                utf16 += 2 if code > 0xFFFF else 1
                continue
            if strict_ampersand:
                why = f'Unescaped "&" at byte offset {byte(i)}'
                raise HtmlParseError(why + '; write it as "&amp;" (FakeBotApi strict mode)')
        if ch != "<":
            out.append(ch)
            utf16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":  # a start tag
            while at(i) not in _SPACE and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte(begin)}")
            tag = html[begin + 1 : i].translate(_LOWER)
            if tag not in _TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {byte(begin)}')
            argument = ""
            while at(i) != ">":
                while at(i) in TRIMMED:
                    i += 1
                if at(i) == ">":
                    break
                name_begin = i
                while at(i) not in _SPACE and at(i) not in "=>":
                    i += 1
                name = html[name_begin:i]
                if not name:
                    why = f'Empty attribute name in the tag "{tag}"'
                    raise HtmlParseError(f"{why} at byte offset {byte(begin)}")
                while at(i) in TRIMMED:
                    i += 1
                if at(i) != "=":
                    if at(i) == "\0":
                        raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {byte(begin)}')
                    if tag == "blockquote" and name == "expandable":
                        argument = "1"
                    continue
                i += 1
                while at(i) in TRIMMED:
                    i += 1
                if at(i) == "\0":
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {byte(begin)}')
                if at(i) not in "'\"":
                    token = i
                    while (at(i).isascii() and at(i).isalnum()) or at(i) in ".-":
                        i += 1
                    value = html[token:i].translate(_LOWER)
                    if at(i) not in _SPACE and at(i) != ">":
                        raise HtmlParseError(f"Unexpected end of name token at byte offset {byte(token)}")
                else:
                    quote = at(i)
                    chars: list[str] = []
                    i += 1
                    while at(i) not in (quote, "\0"):
                        decoded = _entity_at(html, i) if at(i) == "&" else None
                        if decoded is not None:
                            chars.append(chr(decoded[0]))
                            i = decoded[1]
                        else:
                            chars.append(at(i))
                            i += 1
                    i += at(i) == quote
                    value = "".join(chars)
                if at(i) == "\0":
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte(begin)}")
                if (tag, name) in (("a", "href"), ("tg-emoji", "emoji-id")):
                    argument = value
                elif (tag, name) == ("code", "class") and value.startswith("language-"):
                    argument = value.removeprefix("language-")
                elif (tag, name) == ("span", "class") and value.startswith("tg-"):
                    argument = value.removeprefix("tg-")
                elif (tag, name) == ("blockquote", "expandable"):
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte(begin)}')
            nested.append(_Open(tag, argument, utf16, len(out)))
            i += 1
            continue
        # An end tag.
        if not nested:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte(begin)}")
        while at(i) not in _SPACE and at(i) != ">":
            i += 1
        end_tag = html[begin + 2 : i].translate(_LOWER)
        while at(i) in TRIMMED:
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte(begin)}")
        top = nested.pop()
        if end_tag and end_tag != top.tag:
            expected = f'expected "</{top.tag}>", found "</{end_tag}>"'
            raise HtmlParseError(f"Unmatched end tag at byte offset {byte(begin)}, {expected}")
        if utf16 > top.offset:
            _close(top, utf16 - top.offset, "".join(out[top.index :]), entities)
        i += 1
    if nested:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].tag}"')
    text = "".join(out)
    if re.search("[\ud800-\udfff]", text):  # from &#xD800; and the like
        why = "Text contains invalid Unicode characters after decoding HTML entities"
        raise HtmlParseError(why + ", check for unmatched surrogate code units")
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _close(top: _Open, length: int, inner: str, entities: list[dict[str, Any]]) -> None:
    """Adds the entity of a closed tag, merging ``<pre><code class="language-x">`` as tdlib does."""
    entity: dict[str, Any] = {"type": _SIMPLE.get(top.tag, top.tag), "offset": top.offset, "length": length}
    last = entities[-1] if entities else None
    same_span = last is not None and (last["offset"], last["length"]) == (top.offset, length)
    if top.tag == "tg-emoji":
        arg = top.argument
        if not (arg.isascii() and arg.isdigit() and 0 < int(arg) < 2**63):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=arg)
    elif top.tag == "a":
        url = checked_link(top.argument or inner)
        if url is None:
            return
        entity.update(type="text_link", url=url)
    elif top.tag == "pre" and same_span and last and last["type"] == "code" and "_language" in last:
        last.update(type="pre", language=last.pop("_language"))
        return
    elif top.tag == "code" and top.argument:
        if same_span and last is not None and last["type"] == "pre":
            last["language"] = top.argument
            return
        entity["_language"] = top.argument
    elif top.tag == "blockquote" and top.argument:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strips whitespace from both ends as the Bot API does, clipping the entities to what is left."""
    stripped = text.strip(TRIMMED)
    lead = utf16_len(text[: len(text) - len(text.lstrip(TRIMMED))])
    total = utf16_len(stripped)
    kept = []
    for entity in entities:
        start, end = max(entity["offset"] - lead, 0), min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def user_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` and ``mention`` entities Telegram adds to a user's text (other kinds are not)."""
    found = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for kind, pattern in (("bot_command", COMMAND_RE), ("mention", MENTION_RE))
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda e: e["offset"])
