"""Resolving a follow-up against its conversation: the question as the user meant it.

A follow-up leans on what was said before. Each kind of follow-up is rewritten into a question that stands
on its own, which the engine then answers like any other:

* a choice of the bot's last options: 第二个, or 秀山那个 after two 高桥村 → the question about that one;
* an answer to the bot's clarifying question: 医疗类的 after "which type is your organization?";
* a correction: 不是城口,是巫溪 → the previous question about 巫溪;
* an ellipsis: 那巫溪呢 → the previous question about 巫溪; 电话呢, 村呢 → that about the place last discussed;
* references: 它, 那边, 该县, 那个乡, 他 → the place or person last discussed;
* an acknowledgement (好的 收到) or a request for more (还有呢), answered briefly.

A message that stands on its own is left as it is, so a new place or a new topic is never answered with the
old context. The words of each kind live in ``intents/lexicon.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.data.entity_type import PLACE_TYPES, EntityType
from bot.data.knowledge import KnowledgeBase
from bot.data.normalize import normalize, to_simplified
from bot.data.numerals import parse_chinese_numeral
from bot.engine.conversation import Conversation
from bot.nlu.analysis import Analysis, Analyzer
from bot.nlu.entities import Mention, token_spans

# Entity types one follow-up can swap for another (那巫溪呢 after a district; 医疗类的呢 after a type).
_KINDS = (
    PLACE_TYPES | {EntityType.OTHER_PLACE},
    frozenset({EntityType.ORG_TYPE}),
    frozenset({EntityType.THEME}),
)
# 第二个, 第2个, 2, 二
_ORDINAL = re.compile(r"^(?:第|选)?([一二三四五六七八九十]{1,2}|\d{1,2})(?:个|项|条|种)?$")
# 第五个, 第二个村, 第8个县, 最后一个, 倒数第二个 in a question about the places the last answer listed (not
# 第五条, an article).
_PLACE_WORD = r"(?:村子|村|乡镇|乡|镇|区县|县|区|地方)"
_LISTED_ORDINAL = re.compile(
    rf"(倒数)?第([一二三四五六七八九十]{{1,3}}|\d{{1,2}})(?:个{_PLACE_WORD}?|{_PLACE_WORD})|最后(?:一|那)个{_PLACE_WORD}?"
)
# What joins several picks: 第二个和第三个.
_JOINERS = re.compile(r"以及|还有|和|与|跟|及")
# What may follow a place that selects one reading of an ambiguous name: 石柱那个, 秀山的, 酉阳这个.
_SELECTOR_TAIL = re.compile(r"^(?:的那个|那个|这个|那|的)")
# A follow-up of a bare attribute is short: longer messages say enough to stand alone.
MAX_ATTRIBUTE_CHARS = 10
# Characters that carry nothing once names and particles are taken out of an ellipsis.
_FILLER = re.compile(r"[\s的了吗啊呀哦嘛吧,.!?;:、]+")
# What may stand around a correction besides the name (哦, 不好意思 是 …): 我是说潼南 is a correction, 不好意思,
# 请问万州区扶贫办电话 a question of its own.
_CORRECTION_FILLER = re.compile(r"[\s的了吗啊呀哦嘛吧呃嗯噢,.!?;:、是那个我这不好意思抱歉]+")
MAX_CORRECTION_REST = 2


class FollowUp(StrEnum):
    """How a message was read against its conversation."""

    NONE = "none"  # a question that stands on its own
    CHOICE = "choice"
    CLARIFICATION = "clarification"
    CORRECTION = "correction"
    ELLIPSIS = "ellipsis"
    ATTRIBUTE = "attribute"
    REFERENCE = "reference"
    ACKNOWLEDGEMENT = "acknowledgement"
    MORE = "more"


@dataclass(frozen=True)
class Resolution:
    """A message resolved against its conversation.

    Attributes:
        text: The question to answer.
        kind: How the conversation was used (:attr:`FollowUp.NONE` when it was not).
        person: Whether a word pointing at a person (他, 她) was resolved to the contact last named.
    """

    text: str
    kind: FollowUp = FollowUp.NONE
    person: bool = False

    @property
    def used_context(self) -> bool:
        """Whether the conversation changed the question (an acknowledgement or "more" does not)."""
        return self.kind not in (FollowUp.NONE, FollowUp.ACKNOWLEDGEMENT, FollowUp.MORE)


class Resolver:
    """Reads follow-ups with one analyzer and knowledge base."""

    def __init__(self, analyzer: Analyzer, kb: KnowledgeBase) -> None:
        """Uses ``analyzer`` for the message and the previous question, and ``kb`` for places."""
        self.analyzer = analyzer
        self.kb = kb
        self.lexicon = analyzer.lexicon

    def resolve(self, message: str, conversation: Conversation) -> Resolution:
        """The question ``message`` asks, given what ``conversation`` remembers."""
        if conversation.empty or not message.strip():
            return Resolution(message)
        text = normalize(message)
        bare = _FILLER.sub("", text)
        if bare in self.lexicon.acknowledgements or _only_acknowledgements(
            text, self.lexicon.acknowledgements
        ):
            return Resolution(message, FollowUp.ACKNOWLEDGEMENT)
        if bare in self.lexicon.more_requests and conversation.choices:
            return Resolution(message, FollowUp.MORE)
        if any(message.strip() == c.query for c in conversation.choices):
            return Resolution(message)  # a button (or a number in the console) asks its own full question
        choice = self._choice(bare, conversation)
        if choice is not None:
            return Resolution(choice, FollowUp.CHOICE)
        picked = self._picked(text, conversation)
        if picked is not None:
            return picked
        rest = self._after_acknowledgements(text)
        if rest and rest != text.strip():  # 好的, then something: a remark, or a follow-up of its own
            if self._remark(self.analyzer.analyze(rest)):
                return Resolution(message, FollowUp.ACKNOWLEDGEMENT)
            inner = self.resolve(rest, conversation)
            return inner if inner.kind is not FollowUp.NONE else Resolution(message)
        analysis = self.analyzer.analyze(message)
        for step in (self._reading, self._clarification, self._correction, self._ellipsis):
            found = step(text, analysis, conversation)
            if found is not None:
                return found
        referred = self._references(text, analysis, conversation, _light(message))
        if referred is not None:
            return referred
        attribute = self._attribute(text, analysis, conversation)
        return attribute if attribute is not None else Resolution(message)

    # --- the kinds of follow-up ---------------------------------------------------------------------

    @staticmethod
    def _choice(bare: str, conversation: Conversation) -> str | None:
        """第二个 / 2 after the bot listed places or offered choices: the question of that place or choice."""
        match = _ORDINAL.match(bare)
        options = conversation.listed or conversation.choices
        if match is None or not options:
            return None
        number = match.group(1)
        index = int(number) if number.isdigit() else _numeral(number)
        if index is None or not 1 <= index <= len(options):
            return None
        return options[index - 1].query

    def _after_acknowledgements(self, text: str) -> str:
        """``text`` without the acknowledgements it opens with (好的好的 那我们先打镇上那个 → 那我们先打镇上那个)."""
        rest = text.strip()
        while opener := next((w for w in self.lexicon.acknowledgements if w and rest.startswith(w)), None):
            rest = rest[len(opener) :].lstrip(" ,.!?;:、")
        return rest

    def _remark(self, analysis: Analysis) -> bool:
        """Whether a message after an acknowledgement asks nothing: no question, no place, no attribute."""
        if analysis.asking or analysis.mentions:
            return False
        return not any(t in self.lexicon.followup_questions for t in analysis.tokens)

    def _picked(self, text: str, conversation: Conversation) -> Resolution | None:
        """第五个的联系人是谁, 第二个和第三个呢 after a list of places: the question about those places."""
        listed = conversation.listed
        matches = list(_LISTED_ORDINAL.finditer(text)) if listed else []
        if not matches:
            return None
        picks = []
        for match in matches:
            if match.group(2) is None:  # 最后一个
                index = len(listed)
            else:
                number = match.group(2)
                index = int(number) if number.isdigit() else (_numeral(number) or 0)
                index = len(listed) + 1 - index if match.group(1) else index
            if not 1 <= index <= len(listed):
                return None
            picks.append(listed[index - 1])
        rest = _LISTED_ORDINAL.sub("", text)
        rest = _strip(rest, self.lexicon.ellipsis_openers, self.lexicon.ellipsis_closers)
        if not _FILLER.sub("", _JOINERS.sub("", rest)):  # nothing but the picks: ask what the list offers
            suffix = picks[0].query.removeprefix(picks[0].label)
            return Resolution("、".join(p.label for p in picks) + suffix, FollowUp.CHOICE)
        for match, pick in reversed(list(zip(matches, picks, strict=True))):
            text = text[: match.start()] + pick.label + text[match.end() :]
        return Resolution(text, FollowUp.CHOICE)

    def _reading(self, text: str, analysis: Analysis, conversation: Conversation) -> Resolution | None:
        """石柱那个 after 回龙村 was found in 彭水县 and 石柱县: the question about 石柱县's."""
        if not conversation.readings or conversation.question is None:
            return None
        for mention in analysis.mentions:
            districts = {c.district for c in mention.candidates if c.district}
            chosen = [r for r in conversation.readings if r.district in districts]
            if len(chosen) != 1 or mention.surface == chosen[0].surface:
                continue
            reading = chosen[0]
            tail = _SELECTOR_TAIL.match(text[mention.end :])
            end = mention.end + (tail.end() if tail else 0)
            rest = _without(text[: mention.start] + text[end:], [], self.lexicon.corrections)
            if _CORRECTION_FILLER.sub("", rest) and not tail:
                continue  # 那石柱县扶贫办电话呢 names the district, it chooses no reading (石柱那个 does)
            if _CORRECTION_FILLER.sub("", rest):
                # 石柱那个,它所在县的扶贫办电话: its own question, about that reading (它 is the village).
                focused = Conversation(place=reading.label, district=self.kb.district(reading.district))
                after = text[end:]
                referred = self._references(after, self.analyzer.analyze(after), focused)
                if referred is not None:
                    return Resolution(text[: mention.start] + referred.text, FollowUp.CHOICE)
                return Resolution(text[: mention.start] + reading.label + after, FollowUp.CHOICE)
            previous = normalize(conversation.question)
            for other in conversation.readings:  # 说错了 是彭水那个: the other reading, chosen before
                if other.label in previous:
                    swapped = previous.replace(other.label, reading.label, 1)
                    return Resolution(swapped.replace(other.district, reading.district), FollowUp.CHOICE)
            if reading.surface in previous:
                return Resolution(previous.replace(reading.surface, reading.label, 1), FollowUp.CHOICE)
            return Resolution(reading.label + previous, FollowUp.CHOICE)
        return None

    def _clarification(self, text: str, analysis: Analysis, conversation: Conversation) -> Resolution | None:
        """医疗类的 after the bot asked which type the organization is: the previous question for that type."""
        asked = conversation.clarifying
        if asked is None or conversation.question is None:
            return None
        given = [m for m in analysis.mentions if m.type.value == asked]
        if not given:
            return None
        own = _FILLER.sub("", _without(text, given, self.lexicon.self_references))
        lead = text if own and len(own) > len("我们是") else given[0].surface
        return Resolution(f"{lead} {normalize(conversation.question)}", FollowUp.CLARIFICATION)

    def _correction(self, text: str, analysis: Analysis, conversation: Conversation) -> Resolution | None:
        """不是城口,是巫溪: the previous question about 巫溪."""
        if conversation.question is None or not any(w in text for w in self.lexicon.corrections):
            return None
        previous = self.analyzer.analyze(conversation.question)
        known = {c for m in previous.mentions for c in m.candidates}
        new = [m for m in analysis.mentions if not set(m.candidates) & known and _swappable(m)]
        if not new:
            return None
        # Only a correction: a message with a question of its own (不好意思,请问万州区扶贫办电话) stands alone.
        rest = _without(text, list(analysis.mentions), self.lexicon.corrections)
        rest = _strip(rest, self.lexicon.ellipsis_openers, self.lexicon.ellipsis_closers)
        leftover = _CORRECTION_FILLER.sub("", rest)
        if len(leftover) > MAX_CORRECTION_REST and self.lexicon.asking.search(leftover):
            return None
        sort = [m for m in new if any(m.type in k and new[-1].type in k for k in _KINDS)]
        surface = text[sort[0].start : sort[-1].end] if len(sort) > 1 else new[-1].surface
        return Resolution(_swap(previous, surface, new[-1].type), FollowUp.CORRECTION)

    def _ellipsis(self, text: str, analysis: Analysis, conversation: Conversation) -> Resolution | None:
        """那巫溪呢, 医疗类的呢: the previous question about what the message names."""
        if conversation.question is None or not analysis.mentions:
            return None
        names = [m for m in analysis.mentions if _swappable(m)]
        if len(names) != len(analysis.mentions):
            return None
        rest = _strip(_without(text, names, ()), self.lexicon.ellipsis_openers, self.lexicon.ellipsis_closers)
        if _FILLER.sub("", rest):
            return None
        previous = self.analyzer.analyze(conversation.question)
        surface = text[names[0].start : names[-1].end]
        return Resolution(_swap(previous, surface, names[0].type), FollowUp.ELLIPSIS)

    def _attribute(self, text: str, analysis: Analysis, conversation: Conversation) -> Resolution | None:
        """电话呢, 村呢, 扶贫办电话也发我一下 after a place: that attribute of the place."""
        if conversation.place is None or analysis.mentions:
            return None
        lexicon = self.lexicon
        asked = _FILLER.sub("", _strip(text, lexicon.ellipsis_openers, lexicon.ellipsis_closers))
        if not asked or len(asked) > MAX_ATTRIBUTE_CHARS:
            return None
        words = [t for t in analysis.tokens if t not in lexicon.followup_fillers and _FILLER.sub("", t)]
        words = [w for w in words if w not in lexicon.ellipsis_openers and w not in lexicon.ellipsis_closers]
        known = [w for w in words if w in lexicon.followup_questions]
        if known and len(known) == len(words):
            template = lexicon.followup_questions[known[-1]]
            return Resolution(template.format(place=conversation.place), FollowUp.ATTRIBUTE)
        if not text.rstrip().endswith(lexicon.ellipsis_closers):
            return None  # a short question of its own (怎么参与), not an attribute asked with 呢
        return Resolution(f"{conversation.place}的{asked}", FollowUp.ATTRIBUTE)

    def _references(
        self, text: str, analysis: Analysis, conversation: Conversation, original: str | None = None
    ) -> Resolution | None:
        """它, 那边, 该县, 那个乡, 他: the place or person they point at."""
        targets = {
            "place": conversation.place,
            "district": conversation.district.name if conversation.district else None,
            "township": _township_name(conversation),
            "village": _village_label(conversation),
            "person": _contact_name(conversation),
            "places": _places(conversation),
        }
        named = {m.type for m in analysis.mentions}
        starts = {start for start, _ in token_spans(text, analysis.tokens)}
        ends = {end for _, end in token_spans(text, analysis.tokens)}
        found: list[tuple[int, int, str]] = []
        person = False
        for level, words in self.lexicon.references.items():
            target = targets.get(level)
            if target is None or (level != "person" and named & PLACE_TYPES):
                continue
            for word in words:
                for match in re.finditer(re.escape(word), text):
                    span = (match.start(), match.end())
                    # A reference is no unknown place (这三个区县 is read as one): only known names block it.
                    inside = any(
                        m.start < span[1] and span[0] < m.end
                        for m in analysis.mentions
                        if m.type is not EntityType.OTHER_PLACE
                    )
                    taken = any(s < span[1] and span[0] < e for s, e, _ in found)
                    if span[0] in starts and span[1] in ends and not inside and not taken:
                        found.append((span[0], span[1], target))
                        person = person or level == "person"
        if not found:
            return None
        return Resolution(_edit(text, original or text, found), FollowUp.REFERENCE, person)


# --- helpers ----------------------------------------------------------------------------------------------


def _swappable(mention: Mention) -> bool:
    return any(mention.type in kind for kind in _KINDS)


def _swap(previous: Analysis, surface: str, kind: EntityType) -> str:
    """The previous question with its entities of ``kind``'s sort replaced by ``surface`` (or it added).

    Every mention of the sort goes: after 云阳泥溪镇联系人是谁, 那开州大进镇呢 asks 开州大进镇联系人是谁.
    """
    sort = next((k for k in _KINDS if kind in k), frozenset({kind}))
    old = [m for m in previous.mentions if m.type in sort]
    light = _light(previous.original)
    if not old:
        return f"{surface}{light}"
    edits = [(old[0].start, old[0].end, surface)] + [(m.start, m.end, "") for m in old[1:]]
    return _edit(previous.text, light, edits)


def _light(text: str) -> str:
    """``text`` in Simplified characters with full-width forms folded, its spaces and punctuation kept (they
    separate the questions of a message, which the normalized text runs together)."""
    return to_simplified(unicodedata.normalize("NFKC", text)).strip()


def _edit(normalized: str, light: str, edits: list[tuple[int, int, str]]) -> str:
    """Applies edits given as spans of the normalized text to the light form of the same message.

    Normalizing drops punctuation and the spaces between Chinese characters but keeps the characters, so
    the n-th occurrence of an edited word in the normalized text is its n-th occurrence in the light one.
    When a word cannot be found there, the normalized text is edited instead.
    """
    located = []
    for start, end, replacement in edits:
        word = normalized[start:end]
        nth = _occurrences(normalized, word, start)
        at = _nth(light, word, nth)
        if at < 0:
            edited = normalized
            for s, e, r in sorted(edits, reverse=True):
                edited = edited[:s] + r + edited[e:]
            return edited
        located.append((at, at + len(word), replacement))
    for start, end, replacement in sorted(located, reverse=True):
        light = light[:start] + replacement + light[end:]
    return light


def _occurrences(text: str, word: str, before: int) -> int:
    """How many times ``word`` starts in ``text`` before ``before``."""
    count, at = 0, text.find(word)
    while 0 <= at < before:
        count, at = count + 1, text.find(word, at + 1)
    return count


def _nth(text: str, word: str, nth: int) -> int:
    """Where the ``nth`` occurrence (from 0) of ``word`` starts in ``text``, or -1."""
    at = text.find(word)
    for _ in range(nth):
        if at < 0:
            return -1
        at = text.find(word, at + 1)
    return at


def _without(text: str, mentions: list[Mention], words: tuple[str, ...]) -> str:
    """``text`` without the mentions' spans and without ``words``."""
    kept = "".join(ch for i, ch in enumerate(text) if not any(m.start <= i < m.end for m in mentions))
    for word in words:
        kept = kept.replace(word, "")
    return kept


def _strip(text: str, openers: tuple[str, ...], closers: tuple[str, ...]) -> str:
    """``text`` without a leading opener (那) and trailing closers (呢)."""
    text = text.strip()
    for opener in openers:
        if text.startswith(opener):
            text = text[len(opener) :]
            break
    changed = True
    while changed:
        changed = False
        text = text.rstrip(" ,.!?")
        for closer in closers:
            if text.endswith(closer):
                text, changed = text[: -len(closer)], True
                break
    return text.strip()


def _only_acknowledgements(text: str, words: frozenset[str]) -> bool:
    """Whether every part of the message is an acknowledgement (好的 收到, 好的谢谢)."""
    parts = [p for p in re.split(r"[\s,.!?;:、]+", text) if p]
    return bool(parts) and all(p in words or _covers(p, words) for p in parts)


def _covers(part: str, words: frozenset[str]) -> bool:
    """Whether ``part`` is made of acknowledgement words one after another (好的谢谢)."""
    if not part:
        return True
    return any(part.startswith(w) and _covers(part[len(w) :], words) for w in words if w)


def _village_label(conversation: Conversation) -> str | None:
    """The village last discussed, or the only designated village of the district last discussed."""
    village = conversation.village
    if village is None and conversation.district is not None and len(conversation.district.villages) == 1:
        village = conversation.district.villages[0]
    return f"{village.district}{village.town}{village.name}" if village else None


def _township_name(conversation: Conversation) -> str | None:
    """The township last discussed, or the only deep-poverty township of the district last discussed."""
    township = conversation.township
    if township is None and conversation.district is not None and len(conversation.district.townships) == 1:
        township = conversation.district.townships[0]
    return f"{township.district}{township.name}" if township else None


def _contact_name(conversation: Conversation) -> str | None:
    """The contact last named, or the contact of the only deep-poverty township of the district discussed."""
    contact = conversation.contact
    district = conversation.district
    if contact is None and district is not None and len(district.townships) == 1:
        contact = district.townships[0]
    return contact.contact if contact else None


def _places(conversation: Conversation) -> str | None:
    """这几个区县: the districts the last question named when there were several, else the last discussed."""
    districts = conversation.districts if len(conversation.districts) > 1 else conversation.recent[-3:]
    return "、".join(d.name for d in districts) if len(districts) > 1 else None


def _numeral(text: str) -> int | None:
    try:
        return parse_chinese_numeral(text)
    except ValueError:
        return None
