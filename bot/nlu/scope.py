"""Knowing what the guideline does not contain: questions to decline, however close they come to it.

A question about a district's scenic spots names the district; one about tax relief on donations names
donations; an advertisement for paid 等级评估 services names 等级评估. Matching would answer each with what
the name or word matches. :class:`Scope` recognizes them first (the words live in ``intents/scope.yaml``):

* **refused**: advertising, spam links and attempts to change the bot's instructions;
* **later**: policy after the guideline's date (2020-05-14) — the answer says so before anything else;
* **personal**: details of a listed contact beyond the name, title and phone the guideline prints;
* **remark**: a message that tells rather than asks (陶松森那边我已经打过电话了), or speaks to another member
  of a group (@小王 统计一下报给我): naming a place or a contact in passing is no question about it;
* **unlisted**: a topic no knowledge file has (tourism, tax, loans …) or an office detail it does not print
  (an address, office hours); an office detail asked together with how to contact the office is answered
  with the phone the guideline prints, after saying the detail is not listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.data.entity_type import PLACE_TYPES, EntityType
from bot.data.normalize import normalize
from bot.data.scope import ScopeFile, UnlistedTopic
from bot.nlu.analysis import Analysis

# A web address: a scheme, www., or a domain ending most sites use.
_LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|cn|net|org|top|xyz|cc|io|me|info)\b", re.IGNORECASE)
# An @mention as typed in a group (@小王, @所有人): the name runs to the next space or punctuation.
AT_MENTION = re.compile(r"@([^\s@:：,，。!！?？;；]+)")
# Calling someone (周末打电话方便不, 他接电话吗) is no request for a number, though it says 电话.
_CALLING = re.compile("打电话|接电话|打过电话|打了电话|通完电话|回电话")
# An office's own phone asked beside a contact (乡里联系人是哪个?县扶贫办座机也发一下).
_OFFICE_PHONE = re.compile("扶贫办的?(座机|办公电话|办公室电话|固定电话|固话|电话|号码)")
# A year written in digits (2024年, 2024).
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


class Finding(StrEnum):
    """What kind of question the guideline cannot answer."""

    REFUSED = "refused"
    LATER = "later"
    PERSONAL = "personal"
    UNLISTED = "unlisted"
    REMARK = "remark"


@dataclass(frozen=True)
class OutOfScope:
    """A question the guideline cannot answer, and what it asked for.

    Attributes:
        finding: The kind of question.
        what: What it asked for, as a decline says it (旅游、景点; 扶贫办的办公地址); for ``later``, the
            time it asked about (今年, 2024年) or an empty string.
        office: Whether it is an office detail (then the decline names the place asked about).
    """

    finding: Finding
    what: str = ""
    office: bool = False


@dataclass(frozen=True)
class OfficeDetail:
    """An office detail the guideline does not print, asked together with how to contact the office."""

    what: str


class Scope:
    """Recognizes the questions of ``intents/scope.yaml``."""

    def __init__(self, data: ScopeFile, contacts: frozenset[str]) -> None:
        """Normalizes every word of the file.

        Args:
            data: The validated ``intents/scope.yaml``.
            contacts: The names of the listed contacts.
        """
        self._data = data
        self._topics = [
            (topic, Words(topic.words, topic.patterns), Words(topic.unless, topic.unless_patterns))
            for topic in data.unlisted
        ]
        # Most questions name no topic's word: one search over them all spares a search per topic.
        self._any_topic = Words(
            [word for topic in data.unlisted for word in topic.words],
            [pattern for topic in data.unlisted for pattern in topic.patterns],
        )
        self._contact = Words(data.contact_words)
        self._personal = Words(data.personal.words)
        self._always_personal = Words(data.personal.always)
        self._offices = Words(data.office_words)
        self._person_words = Words(["联系人", "负责人", "对接人", "联络人"])
        self._contacts = contacts
        self._later = Words(data.later.words)
        self._times = Words(data.later.times)
        self._topics_of_policy = Words(data.later.topics)
        self._refused = Words([*data.refuse.injection, *data.refuse.advertising])
        self._allowed_links = tuple(link.lower() for link in data.refuse.allowed_links)
        self._markers = Words(data.remarks.markers)
        self._coordination = Words(data.remarks.coordination)
        self._requests = Words(data.remarks.requests)
        self._emoji = tuple(data.remarks.emoji)  # read in the message as written: normalizing drops them
        self._bot_names = tuple(name.lower() for name in data.remarks.bot_names)

    def remark(self, question: str, text: str, *, questioning: bool) -> bool:
        """Whether a message tells something rather than asking the bot (see ``remarks`` in scope.yaml).

        Args:
            question: The message as written (its @mentions are read there: normalizing drops the @).
            text: The normalized message.
            questioning: Whether it has a question word or a question mark.
        """
        questioning = questioning or self._requests.found(text)
        mentioned = [name.lower() for name in AT_MENTION.findall(question)]
        if mentioned and not any(bot in name for name in mentioned for bot in self._bot_names):
            # Written to another member: a question there is theirs to answer (还有谁要去的接龙).
            return not questioning or self._coordination.found(text)
        return not questioning and (self._markers.found(text) or any(e in question for e in self._emoji))

    def screen(self, question: str, analysis: Analysis) -> OutOfScope | OfficeDetail | None:
        """What ``question`` asks that the guideline does not contain, if anything.

        Returns:
            An :class:`OutOfScope` to decline, an :class:`OfficeDetail` to mention before the office's
            phone, or None for a question the guideline may answer.
        """
        text = analysis.text
        if self._refused.found(text):
            return OutOfScope(Finding.REFUSED)
        # Links are found in the message as written: normalizing takes their punctuation out.
        raw = question.lower()
        if _LINK.search(raw) and not any(allowed in raw for allowed in self._allowed_links):
            return OutOfScope(Finding.REFUSED)
        later = self._asks_later(text)
        if later is not None:
            return OutOfScope(Finding.LATER, later)
        types = {m.type for m in analysis.mentions}
        person = self._person_words.found(text) or any(m.surface in self._contacts for m in analysis.mentions)
        # 扶贫办座机也发一下 asks for the office's landline, printed, not the contact's own.
        of_person = person and self._personal.found(_OFFICE_PHONE.sub(" ", text))
        if of_person or self._always_personal.found(text):
            return OutOfScope(Finding.PERSONAL, self._data.personal.what)
        if not self._any_topic.found(text):
            return None
        not_calling = _CALLING.sub(" ", text)
        asks_contact = self._contact.found(not_calling)
        for topic, words, unless in self._topics:
            if not words.found(text) or unless.found(text) or types & set(topic.answered_of):
                continue
            if topic.contact and not asks_contact:
                continue  # asked of a body the guideline names, but not how to contact it (慈善总会能做什么)
            if topic.office:
                if not (types & PLACE_TYPES or self._offices.found(text)):
                    continue  # an office detail is asked of a place or an office
                if not topic.townships and EntityType.TOWNSHIP in types:
                    continue  # some details only of a district's office
                if topic.with_phone and self._contact.found(words.removed(not_calling)):
                    return OfficeDetail(topic.what)
            return OutOfScope(Finding.UNLISTED, topic.what, topic.office)
        return None

    def _asks_later(self, text: str) -> str | None:
        """The time a question about later or current policy asks about (今年, 2024年; "" if unsaid), or None."""
        years = [y for y in _YEAR.findall(text) if int(y) > self._data.later.after_year]
        when = f"{years[0]}年" if years else self._times.first(text)
        if self._later.found(text):
            return when or ""
        if self._topics_of_policy.found(text) and when is not None:
            return when
        return None


# A trie of words: a character to the node of the words going on with it; "" marks a word's end.
_Trie = dict[str, "_Trie"]


def _trie_pattern(words: tuple[str, ...]) -> str:
    """One regular expression for ``words`` with their common beginnings shared (城口县|城口 → 城口县?).

    Python's engine tries the alternatives of ``a|b|c`` one by one at every position of the text; with
    shared beginnings it tries each character once (measured: 800 words, 14 µs a question as a plain
    alternation). A longer word is still preferred to its own beginning.
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _pattern_of(trie)


def _pattern_of(node: _Trie) -> str:
    ends = "" in node
    branches = [re.escape(char) + _pattern_of(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        # The word may stop here, but a longer one goes on: (?:…)? tried first.
        body = (body if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})") + "?"
    return body


class Words:
    """A list of words, found anywhere in a text with one regular expression (the lists are long)."""

    def __init__(self, words: list[str], patterns: list[str] | None = None) -> None:
        """Normalizes the words; longer words are tried first, then the patterns (regular expressions).

        Args:
            words: Literal words, written as users type them (normalized here).
            patterns: Regular expressions over the normalized text, for a family of phrasings no word
                list can enumerate (哪年定的, 哪一年上任).
        """
        self.words = tuple(
            sorted(dict.fromkeys(w for w in map(normalize, words) if w), key=len, reverse=True)
        )
        # The words in one alternation, the patterns each on its own: folding a pattern into the
        # alternation slows every search down (measured over 1 400 questions: words alone 8 µs a
        # question, words and patterns in one expression 41 µs; patterns in one expression of their own
        # 16 µs, one by one 9 µs).
        self._words = re.compile(_trie_pattern(self.words)) if self.words else None
        patterns_compiled = tuple(re.compile(p) for p in patterns or ())
        self._expressions = (self._words, *patterns_compiled) if self._words else patterns_compiled

    def found(self, text: str) -> bool:
        """Whether any of the words, or of the patterns, occurs in ``text``."""
        # A plain loop: a generator in any() costs more than the searches it runs (measured: the
        # generator was the second costliest line of the whole engine).
        for expression in self._expressions:  # noqa: SIM110
            if expression.search(text):
                return True
        return False

    def first(self, text: str) -> str | None:
        """The first of the words or patterns to occur in ``text``, or None."""
        matches = [m for e in self._expressions if (m := e.search(text))]
        return min(matches, key=lambda m: m.start()).group() if matches else None

    def removed(self, text: str) -> str:
        """``text`` without the words and patterns (so 传真号码 does not count as asking for a 号码)."""
        for expression in self._expressions:
            text = expression.sub(" ", text)
        return text


__all__ = ["AT_MENTION", "Finding", "OfficeDetail", "OutOfScope", "Scope", "UnlistedTopic", "Words"]
