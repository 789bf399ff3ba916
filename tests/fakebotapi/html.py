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
# The attributes that give a tag its argument: their value, without this prefix (which it must have).
_ARGUMENTS: Final = {
    ("a", "href"): "",
    ("tg-emoji", "emoji-id"): "",
    ("code", "class"): "language-",
    ("span", "class"): "tg-",
}
# An entity as tdlib reads it (&lt; &gt; &amp; &quot; &#65; &#x41;, ";" optional), or a bare "&".
_ENTITY: Final = re.compile(
    r"&(?:#x([0-9a-fA-F]{1,6})(?![0-9a-fA-F])|#([0-9]{1,7})(?![0-9])|(lt|gt|amp|quot)(?![A-Za-z]))?;?"
)
_NAMED: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's spaces; its names end at one, at the end of the text (or a NUL), or at ">" (or "=").
_SPACES: Final = re.compile(r"[ \t\r\n\v\f]*")
_TAG_NAME: Final = re.compile(r"[^ \t\r\n\v\f\0>]*")
_ATTRIBUTE_NAME: Final = re.compile(r"[^ \t\r\n\v\f\0=>]*")
_TOKEN: Final = re.compile(r"[A-Za-z0-9.-]*")  # an unquoted attribute value
_QUOTED: Final = re.compile(r"""(['"])((?:(?!\1)[^\0])*)\1?""")


class HtmlParseError(ValueError):
    """Telegram would refuse this HTML; the message is tdlib's (``Unsupported start tag "br" at …``)."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def checked_link(url: str) -> str | None:
    """A loose imitation of tdlib's link normalisation; None when Telegram would drop the link."""
    url = url.strip()
    if not url or any(ch in TRIMMED + "\0" for ch in url):
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
    index: int  # in the output pieces


def parse_telegram_html(html: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Parses Telegram's HTML subset as the Bot API server (tdlib ``parse_html``) does, wording included.

    Tags: ``b strong i em u ins s strike del tg-spoiler span.tg-spoiler a[href] code pre (+ code.language-x)
    blockquote[expandable] tg-emoji[emoji-id]``; ``&lt; &gt; &amp; &quot; &#…;``. An ``&`` that starts
    none is kept literally, as by Telegram, unless ``strict_ampersand`` (as its documentation asks).
    Returns the plain text (not trimmed yet: :func:`trim`) and its entities (UTF-16 offsets), by offset.
    """
    out: list[str] = []
    utf16 = 0
    nested: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(html):
        begin = html.find("<", i) % (len(html) + 1)  # the end of the text if there is no tag
        text = _unescape(html, i, begin, strict=strict_ampersand)
        out.append(text)
        utf16 += utf16_len(text)
        if begin == len(html):
            break
        if html[begin + 1 : begin + 2] != "/":
            tag, argument, i = _start_tag(html, begin)
            nested.append(_Open(tag, argument, utf16, len(out)))
            continue
        if not nested:
            raise _error(html, "Unexpected end tag", begin)
        i = _past(_TAG_NAME, html, begin + 2)
        end_tag = html[begin + 2 : i].translate(_LOWER)
        i = _past(_SPACES, html, i)
        if html[i : i + 1] != ">":
            raise _error(html, "Unclosed end tag", begin)
        top = nested.pop()
        if end_tag and end_tag != top.tag:
            raise _error(html, "Unmatched end tag", begin, f', expected "</{top.tag}>", found "</{end_tag}>"')
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


def _start_tag(html: str, begin: int) -> tuple[str, str, int]:
    """The start tag at ``begin`` as tdlib reads it: its name, its argument, and the position after it."""

    def at(i: int) -> str:
        return html[i] if i < len(html) else "\0"

    i = _past(_TAG_NAME, html, begin + 1)
    tag = html[begin + 1 : i].translate(_LOWER)
    if at(i) == "\0":
        raise _error(html, "Unclosed start tag", begin)
    if tag not in _TAGS:
        raise _error(html, f'Unsupported start tag "{tag}"', begin)
    argument = ""
    while at(i := _past(_SPACES, html, i)) != ">":
        name_end = _past(_ATTRIBUTE_NAME, html, i)
        name, i = html[i:name_end], _past(_SPACES, html, name_end)
        if not name:
            raise _error(html, f'Empty attribute name in the tag "{tag}"', begin)
        if (tag, name) == ("blockquote", "expandable"):
            argument = "1"  # with a value or without
        has_value = at(i) == "="
        if has_value:
            i = _past(_SPACES, html, i + 1)
        if at(i) == "\0":
            raise _error(html, f'Unclosed start tag "{tag}"', begin)
        if not has_value:
            continue
        if (quoted := _QUOTED.match(html, i)) is not None:
            value, i = _unescape(html, *quoted.span(2)), quoted.end()
        else:
            token, i = i, _past(_TOKEN, html, i)
            value = html[token:i].translate(_LOWER)
            if at(i) not in " \t\r\n\v\f\0>":
                raise _error(html, "Unexpected end of name token", token)
        if at(i) == "\0":
            raise _error(html, "Unclosed start tag", begin)
        prefix = _ARGUMENTS.get((tag, name))
        if prefix is not None and value.startswith(prefix):
            argument = value.removeprefix(prefix)
    if tag == "span" and argument != "spoiler":
        raise _error(html, 'Tag "span" must have class "tg-spoiler"', begin)
    return tag, argument, i + 1


def _unescape(html: str, start: int, end: int, *, strict: bool = False) -> str:
    """``html[start:end]`` with its entities decoded; a bare ``&`` stays (an error if ``strict``)."""

    def decode(entity: re.Match[str]) -> str:
        hexa, decimal, named = entity.groups()
        code = int(hexa, 16) if hexa else int(decimal) if decimal else ord(_NAMED.get(named or "", "\0"))
        if 0 < code < 0x10FFFF:
            return chr(code)
        if strict:
            strict_mode = '; write it as "&amp;" (FakeBotApi strict mode)'
            raise _error(html, 'Unescaped "&"', start + entity.start(), strict_mode)
        return entity.group()

    return _ENTITY.sub(decode, html[start:end])


def _past(pattern: re.Pattern[str], html: str, i: int) -> int:
    """Where what ``pattern`` matches at ``i`` ends (it matches nothing as well)."""
    match = pattern.match(html, i)
    return i if match is None else match.end()


def _error(html: str, what: str, at: int, more: str = "") -> HtmlParseError:
    """tdlib's error for what is wrong at ``at``: ``Unclosed end tag at byte offset 4``."""
    return HtmlParseError(f"{what} at byte offset {len(html[:at].encode('utf-8', 'surrogatepass'))}{more}")


def _close(top: _Open, length: int, inner: str, entities: list[dict[str, Any]]) -> None:
    """Adds the entity of a closed tag, merging ``<pre><code class="language-x">`` as tdlib does."""
    entity: dict[str, Any] = {"type": _SIMPLE.get(top.tag, top.tag), "offset": top.offset, "length": length}
    last = entities[-1] if entities else None
    same_span = last is not None and (last["offset"], last["length"]) == (top.offset, length)
    if top.tag == "tg-emoji":
        if not (top.argument.isascii() and top.argument.isdigit() and 0 < int(top.argument) < 2**63):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=top.argument)
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
