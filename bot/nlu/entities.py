"""Finds the places, organization types, themes and tiers a question mentions.

Exact names are found first (every name of every district, township, town and village in the knowledge
files, and the words of ``intents/entities.yaml``), longest first. Then, in what is left, names typed with
a wrong character of the same sound (万洲区 for 万州区, 钱江 for 黔江) are found by comparing pinyin, but
only when the typed word shares at least one character with the real name, so an unknown place never
becomes a known one: 成都武侯区 is not 武隆区. Finally, words that look like place names but are not in the
guideline (广州, 天河区) are reported as places the guideline does not cover.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pypinyin import Style, pinyin

from bot.data.entity_type import EntityType
from bot.data.knowledge import KnowledgeBase
from bot.data.normalize import normalize
from bot.data.numerals import parse_chinese_numeral
from bot.data.vocabulary import EntitiesFile
from bot.nlu import tuning
from bot.nlu.lexicon import Lexicon


@dataclass(frozen=True)
class TownshipKey:
    """A deep-poverty township of 附件2, or a town of 附件3, by its district and name."""

    district: str
    name: str

    def __str__(self) -> str:
        return f"{self.district}/{self.name}"


@dataclass(frozen=True)
class VillageKey:
    """A designated village of 附件3, by its district, town and name."""

    district: str
    town: str
    name: str

    def __str__(self) -> str:
        return f"{self.district}/{self.town}/{self.name}"


@dataclass(frozen=True)
class ArticleKey:
    """An article of the guideline (第五条), or one of its items (第五条(九)); item 0 is the whole article."""

    number: int
    item: int = 0

    def __str__(self) -> str:
        return f"{self.number}/{self.item}" if self.item else str(self.number)


# What identifies an entity: a plain name (a district's printed name, an organization type's or theme's id,
# a tier, an unknown place's name) or one of the structured keys above.
EntityKey = str | TownshipKey | VillageKey | ArticleKey


@dataclass(frozen=True)
class Entity:
    """One thing a span of the question may denote.

    Attributes:
        type: What kind of thing it is.
        key: Its identity: a district's printed name (万州区); a :class:`TownshipKey` for a township or a
            town (丰都县/三建乡); a :class:`VillageKey` for a village; an id for an organization type or
            theme; the tier; an :class:`ArticleKey`; the place's name for an unknown place. ``str(key)``
            is how the JSON output shows it.
        local: For a place the guideline does not cover, whether it is named like a township or village
            (解放村, 李家镇), most likely one of Chongqing's that the attachments do not list, rather than a
            province or city elsewhere.
    """

    type: EntityType
    key: EntityKey
    local: bool = False

    @property
    def district(self) -> str | None:
        """The district a place entity lies in (its own name for a district)."""
        if self.type is EntityType.DISTRICT and isinstance(self.key, str):
            return self.key
        if isinstance(self.key, TownshipKey | VillageKey):
            return self.key.district
        return None

    @property
    def name(self) -> str:
        """The key as a plain name (districts, organization types, themes, tiers, unknown places)."""
        return str(self.key)


@dataclass(frozen=True)
class Mention:
    """A span of the normalized question and every entity it may denote.

    Attributes:
        start: Offset of the span in the normalized text.
        end: Offset just past the span.
        surface: The text of the span.
        candidates: The entities it may denote (several when a name is shared, as 高桥村).
        exact: False when recognized by sound rather than spelling.
    """

    start: int
    end: int
    surface: str
    candidates: tuple[Entity, ...]
    exact: bool = True

    @property
    def type(self) -> EntityType:
        """The type of the first candidate (all candidates of a name usually share it)."""
        return self.candidates[0].type


def is_unlisted_local_place(entity: Entity) -> bool:
    """Whether ``entity`` is a township or village that the attachments do not list (解放村)."""
    return entity.type is EntityType.OTHER_PLACE and entity.local


# An article (第十一条, 第5条) and perhaps one of its items: 第五条第九项, or 第五条(九), which normalizing
# turns into 第五条九 (so a bare numeral counts only before the end or a word asking about it).
_NUMERAL = r"[一二三四五六七八九十]{1,3}|\d{1,2}"
_ARTICLE_REFERENCE = re.compile(
    rf"第({_NUMERAL})条(?:第({_NUMERAL})[项款点]?|({_NUMERAL})(?:[项款点]|(?=$|[ 是讲说的怎规内写有呢吗啥什])))?"
)
# Phone numbers as users type them, normalized: digits, possibly split by spaces where a dash or brackets
# were.
TYPED_NUMBER = re.compile(r"(?<!\d)\d[\d ]{5,14}\d(?!\d)")

# Fuzzy pinyin: initials and finals that speakers of southwestern Mandarin (and pinyin typists) mix up.
_FUZZY_PINYIN = [(re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"),
                 (re.compile(r"^l"), "n"), (re.compile(r"ing$"), "in"), (re.compile(r"eng$"), "en"),
                 (re.compile(r"ang$"), "an")]  # fmt: skip


@functools.lru_cache(maxsize=8192)
def char_sound(char: str) -> str:
    """The toneless, fuzzy-folded pinyin of one character (the character itself if it has none)."""
    reading = pinyin(char, style=Style.NORMAL, heteronym=False, errors="default")[0][0]
    if reading == char:
        return char
    for pattern, replacement in _FUZZY_PINYIN:
        reading = pattern.sub(replacement, reading)
    return reading


def sound_of(text: str) -> tuple[str, ...]:
    """The fuzzy pinyin of each character of ``text``."""
    return tuple(char_sound(char) for char in text)


class Gazetteer:
    """Every name the bot knows, and the matching that finds them in a question."""

    def __init__(
        self,
        kb: KnowledgeBase,
        entities: EntitiesFile,
        lexicon: Lexicon,
        common_words: Callable[[str], int],
        general_places: frozenset[str] = frozenset(),
    ) -> None:
        """Indexes every name.

        Args:
            kb: The knowledge base (places).
            entities: The names of organization types, themes and tiers.
            lexicon: For other places and place-like endings.
            common_words: A word's frequency in jieba's general dictionary, to skip bare township
                names that are everyday words.
            general_places: Words the general dictionary tags as place names (洛阳), recognized as
                places outside the guideline when they name an office (洛阳扶贫办).
        """
        self._names: dict[str, set[Entity]] = defaultdict(set)
        self._sounded: dict[str, set[Entity]] = defaultdict(set)  # names that may be matched by sound
        self._lexicon = lexicon
        self._general_places = general_places - set(lexicon.home_places)
        for district in kb.districts:
            entity = Entity(EntityType.DISTRICT, district.name)
            for name in district.names:
                self._add(name, entity, by_sound=len(name) >= 2)
            for spelling in romanizations(district.short or district.name):
                self._add(spelling, entity, by_sound=False)
        self._phones: dict[str, Entity] = {}
        for district in kb.key_districts:
            # An updated office is still found by the number the guideline printed for it.
            for phone in {district.phone, district.guideline_phone} - {None}:
                self._phones[re.sub(r"\D", "", phone or "")] = Entity(EntityType.DISTRICT, district.name)
        for township in kb.townships:
            entity = Entity(EntityType.TOWNSHIP, TownshipKey(township.district, township.name))
            self._add(township.name, entity, by_sound=True)
            # Users ask who a contact is (陶松森是哪个乡的): the person stands for the township.
            self._add(township.contact, entity, by_sound=False)
            self._phones[township.phone] = entity
            bare = township.name[:-1]
            if len(bare) >= 2 and common_words(bare) <= tuning.COMMON_WORD_FREQ:
                self._add(bare, entity, by_sound=False)
        # An updated township is still found by the contact and number the guideline printed for it.
        for original in kb.regions.townships:
            entity = Entity(EntityType.TOWNSHIP, TownshipKey(original.district, original.name))
            self._phones.setdefault(original.phone, entity)
            self._add(original.contact, entity, by_sound=False)
        township_keys = {TownshipKey(t.district, t.name) for t in kb.townships}
        for village in kb.villages:
            town_key = TownshipKey(village.district, village.town)
            if town_key not in township_keys:
                self._add(village.town, Entity(EntityType.TOWN, town_key), by_sound=True)
            entity = Entity(EntityType.VILLAGE, VillageKey(village.district, village.town, village.name))
            self._add(village.name, entity, by_sound=True)
            self._add(village.town + village.name, entity, by_sound=True)
        # Organization types and themes typed or dictated with a wrong character of the same sound (行业鞋会,
        # 三流守, 和作社) are found like places; tiers are not (市集, a market, sounds like 市级).
        for ident, words in entities.org_types.items():
            for word in words:
                self._add(
                    word, Entity(EntityType.ORG_TYPE, ident), by_sound=len(word) >= tuning.MIN_SOUNDED_WORD
                )
        for ident, words in entities.themes.items():
            for word in words:
                self._add(
                    word, Entity(EntityType.THEME, ident), by_sound=len(word) >= tuning.MIN_SOUNDED_WORD
                )
        for tier, words in entities.tiers.items():
            for word in words:
                self._add(word, Entity(EntityType.TIER, tier), by_sound=False)
        for place in lexicon.other_places:
            if place not in self._names:
                self._add(place, self._elsewhere(place), by_sound=False)
        for place in lexicon.home_places:
            if place not in self._names:
                self._add(place, Entity(EntityType.CITY, place), by_sound=False)
        names = sorted(self._names, key=lambda n: (-len(n), n))
        self._pattern = re.compile("|".join(re.escape(n) for n in names))
        self._by_sound: dict[tuple[str, ...], list[tuple[str, frozenset[Entity]]]] = defaultdict(list)
        for name, found in self._sounded.items():
            self._by_sound[sound_of(name)].append((name, frozenset(found)))
        self._sound_lengths = sorted({len(key) for key in self._by_sound}, reverse=True)
        self._sound_openings = frozenset(key[:2] for key in self._by_sound)
        suffixes = "|".join(re.escape(s) for s in sorted(lexicon.place_suffixes, key=len, reverse=True))
        self._place_like = re.compile(rf"^[\u4e00-\u9fff]{{2,6}}(?:{suffixes})$")

    def _add(self, name: str, entity: Entity, *, by_sound: bool) -> None:
        key = normalize(name)
        if not key:
            return
        self._names[key].add(entity)
        if by_sound:
            self._sounded[key].add(entity)

    @property
    def names(self) -> frozenset[str]:
        """Every known name (normalized), for the segmenter's dictionary."""
        return frozenset(self._names)

    def find(self, text: str, words: Iterable[str] = ()) -> list[Mention]:
        """Finds every mention in a normalized question.

        Args:
            text: The normalized question.
            words: Its jieba segmentation, used to spot unknown place names (天河区).

        Returns:
            Mentions in order of position, without overlaps.
        """
        mentions = [
            Mention(m.start(), m.end(), m.group(), _ordered(self._names[m.group()]))
            for m in self._pattern.finditer(text)
            if not _inside_latin_word(text, m.start(), m.end())
        ]
        mentions += self._find_phones(text, mentions)
        mentions += self._find_city(text, mentions)
        mentions += _find_articles(text, mentions)
        mentions += self._find_by_sound(text, mentions)
        spans = token_spans(text, words)
        mentions += self._find_unknown_places(text, spans, mentions)
        mentions += self._find_places_before_offices(text, spans, mentions)
        return sorted(mentions, key=lambda m: m.start)

    def _find_phones(self, text: str, known: list[Mention]) -> list[Mention]:
        """Finds the guideline's phone numbers, so 023-79223577是哪里的 can be answered."""
        found = []
        for match in TYPED_NUMBER.finditer(text):
            entity = self._phones.get(match.group().replace(" ", ""))
            if entity and not any(m.start < match.end() and match.start() < m.end for m in known):
                found.append(Mention(match.start(), match.end(), match.group(), (entity,)))
        return found

    def _find_by_sound(self, text: str, exact: list[Mention]) -> list[Mention]:
        taken = [False] * len(text)
        for mention in exact:
            taken[mention.start : mention.end] = [True] * (mention.end - mention.start)
        sounds = sound_of(text)
        found: list[Mention] = []
        start = 0
        while start < len(text):
            match = None
            # Every name has two or more characters: most positions are ruled out by their first two sounds.
            if sounds[start : start + 2] not in self._sound_openings:
                start += 1
                continue
            for length in self._sound_lengths:
                end = start + length
                if end > len(text) or any(taken[start:end]):
                    continue
                window = text[start:end]
                # Of the names that sound alike, those sharing the most characters with what was typed
                # (庙霸村 is 庙坝村 rather than 苗坝村); a tie keeps both readings.
                shared = [
                    (len(set(name) & set(window)), entities)
                    for name, entities in self._by_sound.get(sounds[start:end], ())
                    if name != window and not set(window) - set(name) & self._lexicon.function_characters
                ]
                most = max((count for count, _ in shared), default=0)
                if most:
                    readings = {e for count, entities in shared if count == most for e in entities}
                    match = Mention(start, end, window, _ordered(readings), exact=False)
                    break
            if match:
                found.append(match)
                start = match.end
            else:
                start += 1
        return found

    def _find_unknown_places(
        self, text: str, spans: list[tuple[int, int]], known: list[Mention]
    ) -> list[Mention]:
        """Finds words shaped like place names that the guideline does not cover (天河区, 遵义市).

        jieba may cut an unfamiliar name from its ending (武侯/区), so a word followed directly by a
        one-character place ending is tried with it.
        """
        found: list[Mention] = []
        for index, (start, end) in enumerate(spans):
            following = spans[index + 1] if index + 1 < len(spans) else None
            ends = [end]
            if (
                following
                and following[0] == end
                and text[following[0] : following[1]] in self._lexicon.place_suffixes
            ):
                ends.insert(0, following[1])
            for stop in ends:
                word = text[start:stop]
                overlaps = any(m.start < stop and start < m.end for m in [*known, *found])
                if not overlaps and self._is_unknown_place(word):
                    found.append(Mention(start, stop, word, (self._elsewhere(word),)))
                    break
        return found

    def _find_city(self, text: str, known: list[Mention]) -> list[Mention]:
        """A 市 standing alone before an office means Chongqing itself (市扶贫办电话)."""
        return [
            Mention(m.start(), m.end(), m.group(), (Entity(EntityType.CITY, m.group()),))
            for m in self._lexicon.city_office.finditer(text)
            if not any(k.start < m.end() and m.start() < k.end for k in known)
        ]

    def _find_places_before_offices(
        self, text: str, spans: list[tuple[int, int]], known: list[Mention]
    ) -> list[Mention]:
        """Finds the unknown place that names an office (康保县扶贫办, 洛阳扶贫办, 浦东新区的民政局).

        jieba may cut an unfamiliar name into single characters (康/保/县), so the words just before the
        office are gathered back (at most :data:`bot.nlu.tuning.MAX_PLACE_NAME_CHARS` characters, stopping at a known
        name, a stop word or a word of the lexicon). The result is a place if it ends like one (县, 区 …)
        or is a single word the general dictionary tags as a place.
        """
        found: list[Mention] = []
        for index, (start, end) in enumerate(spans):
            if not self._is_office(text[start:end]):
                continue
            first = index
            if first > 0 and text[spans[first - 1][0] : spans[first - 1][1]] == "的":
                first -= 1
            gathered: list[tuple[int, int]] = []
            while first > 0:
                before = spans[first - 1]
                word = text[before[0] : before[1]]
                length = sum(e - b for b, e in gathered) + len(word)
                if (
                    length > tuning.MAX_PLACE_NAME_CHARS
                    or word in self._lexicon.stopwords
                    or word in self._lexicon.words
                    or any(m.start < before[1] and before[0] < m.end for m in [*known, *found])
                ):
                    break
                gathered.insert(0, before)
                first -= 1
            if not gathered:
                continue
            place_start, place_end = gathered[0][0], gathered[-1][1]
            name = text[place_start:place_end]
            single_place = len(gathered) == 1 and name in self._general_places
            if single_place or (len(name) >= 2 and self._is_unknown_place(name, context=True)):
                found.append(Mention(place_start, place_end, name, (self._elsewhere(name),)))
        return found

    def _elsewhere(self, name: str) -> Entity:
        """A place the guideline does not cover."""
        return Entity(EntityType.OTHER_PLACE, name, local=self._lexicon.is_local_place(name))

    def _is_office(self, word: str) -> bool:
        lexicon = self._lexicon
        return word.startswith(lexicon.office_prefixes) or lexicon.canonical(word) in lexicon.office_words

    def _is_unknown_place(self, word: str, *, context: bool = False) -> bool:
        """Whether ``word`` looks like a place name the guideline does not cover.

        Before an office (``context``) a name ending like an ordinary word is still a place (南山区,
        浦东新区), unless it is one of those words itself.
        """
        if context:
            generic = word in self._lexicon.generic_place_words
        else:
            generic = word.endswith(self._lexicon.generic_place_words)
        # 帮扶县 in 做点帮扶,县扶贫办电话 (the comma normalized away) is a domain word and a 县, not a place.
        domain_stem = word[:-1] in self._lexicon.canonical_words
        return bool(
            "个" not in word[:-1]  # 两个县, 几个区: a count of places, not one place
            and self._place_like.match(word)
            and word[0] not in self._lexicon.not_place_starts
            and word not in self._lexicon.words
            and not generic
            and not domain_stem
        )


def romanizations(name: str) -> list[str]:
    """Toneless pinyin spellings of a place name without spaces (城口 → chengkou)."""
    spellings = [""]
    for readings in pinyin(name, style=Style.NORMAL, heteronym=True):
        spellings = [s + r for s in spellings for r in readings][: tuning.MAX_ROMANIZATIONS]
    return [s for s in spellings if s.isascii() and len(s) >= 4]


def _find_articles(text: str, known: list[Mention]) -> list[Mention]:
    """Finds references to the guideline's articles and items; the key is 5 or 5/9 (第五条第九项)."""
    found = []
    for match in _ARTICLE_REFERENCE.finditer(text):
        if any(m.start < match.end() and match.start() < m.end for m in known):
            continue
        article = _numeral_value(match.group(1))
        item_text = match.group(2) or match.group(3)
        item = _numeral_value(item_text) if item_text else 0
        if article is None or item is None:
            continue  # 第一十条 is no numeral the guideline writes
        key = ArticleKey(article, item)
        found.append(Mention(match.start(), match.end(), match.group(), (Entity(EntityType.ARTICLE, key),)))
    return found


def _numeral_value(text: str) -> int | None:
    """The value of 1–99 written in digits or as the guideline writes numerals (十一); None otherwise."""
    if text.isdigit():
        return int(text)
    try:
        return parse_chinese_numeral(text)
    except ValueError:
        return None


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """Whether a Latin-letter match is part of a longer Latin word (so 'wulong' in 'wulongcha' is not)."""
    if not text[start:end].isascii():
        return False
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())


def token_spans(text: str, tokens: Iterable[str]) -> list[tuple[int, int]]:
    """Where each token of a segmentation of ``text`` starts and ends (tokens not found are skipped)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for token in tokens:
        start = text.find(token, position)
        if start >= 0:
            spans.append((start, start + len(token)))
            position = start + len(token)
    return spans


def _ordered(entities: Iterable[Entity]) -> tuple[Entity, ...]:
    """Candidates in a stable order: townships before towns and villages, then by key."""
    rank = {EntityType.TOWNSHIP: 0, EntityType.DISTRICT: 1, EntityType.TOWN: 2, EntityType.VILLAGE: 3}
    return tuple(sorted(entities, key=lambda e: (rank.get(e.type, 4), str(e.key))))
