"""Vocabulary for understanding questions: synonyms, stop words, other places, and the jieba segmenter.

The data lives in ``intents/lexicon.yaml`` and ``intents/entities.yaml``; their schemas and checks are in
:mod:`bot.data.vocabulary`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jieba

from bot.data.normalize import normalize
from bot.data.vocabulary import LexiconFile
from bot.nlu import tuning

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lexicon:
    """The vocabulary in the form the engine uses (all words normalized); see ``intents/lexicon.yaml``.

    Attributes:
        synonyms: Variant → canonical word (canonical words map to themselves).
        stopwords: Words dropped before matching.
        generic: Question words that are no evidence of a question being in scope.
        other_places: Places outside Chongqing.
        home_places: Names of Chongqing itself (重庆市).
        place_suffixes: Endings of place names.
        generic_place_words: Ordinary words with a place ending (贫困地区).
        local_place_suffixes: Endings of places below a district (乡, 镇, 村 …).
        not_place_starts: Characters that start question words or determiners, never a place.
        office_words: Canonical words naming an office (扶贫办, 登记机关).
        office_prefixes: Beginnings of an office's name (扶贫, 民政 …).
        function_characters: Characters of grammar, never a typo of a name's character.
        contact_words: Canonical words asking whom to contact.
        plural_words: Canonical words asking for every district rather than one.
        question: Matches a question word.
        asking: Matches a question word or a request word (in text or in canonical words).
        parts: Splits a message into its questions (punctuation, separators, 第一/第二 …).
        asked: Finds the explicit question after background (请问 …); group 1 is the question.
        city_office: Matches a 市 standing alone before an office (市扶贫办): Chongqing itself.
        references: Words pointing back at what was last discussed, by what they point at, longest first.
        corrections: Words that correct the previous question.
        ellipsis_openers: What may stand before a bare name or attribute in a follow-up (那), longest first.
        ellipsis_closers: What may stand after it (呢), longest first.
        acknowledgements: What closes a topic (好的, 收到).
        more_requests: Asking for more of the same (还有呢).
        self_references: The user speaking of their own organization (我们).
        place_topics: Canonical words that ask of a place what the attachments list.
        followup_fillers: Words that may stand beside a bare attribute in a follow-up.
        followup_questions: A bare attribute → the full question about ``{place}``.
    """

    synonyms: Mapping[str, str]
    stopwords: frozenset[str]
    generic: frozenset[str]
    other_places: tuple[str, ...]
    home_places: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    generic_place_words: tuple[str, ...]
    local_place_suffixes: tuple[str, ...]
    not_place_starts: frozenset[str]
    office_words: frozenset[str]
    office_prefixes: tuple[str, ...]
    function_characters: frozenset[str]
    contact_words: frozenset[str]
    plural_words: frozenset[str]
    question: re.Pattern[str]
    asking: re.Pattern[str]
    parts: re.Pattern[str]
    asked: re.Pattern[str]
    city_office: re.Pattern[str]
    references: Mapping[str, tuple[str, ...]]
    corrections: tuple[str, ...]
    ellipsis_openers: tuple[str, ...]
    ellipsis_closers: tuple[str, ...]
    acknowledgements: frozenset[str]
    more_requests: frozenset[str]
    self_references: tuple[str, ...]
    place_topics: frozenset[str]
    followup_fillers: frozenset[str]
    followup_questions: Mapping[str, str]

    @classmethod
    def from_file(cls, data: LexiconFile) -> Lexicon:
        """Builds the lexicon from its validated file."""
        synonyms: dict[str, str] = {}
        for canonical, variants in data.synonyms.items():
            target = normalize(canonical)
            synonyms[target] = target
            for variant in variants:
                synonyms.setdefault(normalize(variant), target)
        question_words = _alternatives(data.question_words)
        office_prefixes = tuple(normalize(w) for w in data.office_prefixes)
        return cls(
            synonyms=synonyms,
            stopwords=frozenset(normalize(w) for w in data.stopwords),
            generic=frozenset(normalize(w) for w in data.generic),
            other_places=tuple(normalize(w) for w in data.other_places),
            home_places=tuple(normalize(w) for w in data.home_places),
            place_suffixes=tuple(normalize(w) for w in data.place_suffixes),
            generic_place_words=tuple(normalize(w) for w in data.generic_place_words),
            local_place_suffixes=tuple(normalize(w) for w in data.local_place_suffixes),
            not_place_starts=frozenset(data.not_place_starts),
            office_words=frozenset(normalize(w) for w in data.office_words),
            office_prefixes=office_prefixes,
            function_characters=frozenset(data.function_characters),
            contact_words=frozenset(normalize(w) for w in data.contact_words),
            plural_words=frozenset(normalize(w) for w in data.plural_words),
            # The original question, before normalizing, still has its question mark.
            question=re.compile(rf"[?？]|{question_words}"),
            asking=re.compile(f"{question_words}|{_alternatives(data.request_words)}"),
            # Applied after NFKC, which turns full-width ？！；， into their ASCII forms. 第一/第二 start a
            # part (第一 巫溪扶贫办电话 第二 …), unless they number an article or item (第三条, 第五条第九项).
            parts=re.compile(
                "|".join(
                    [
                        r"[?!;,\u3002\n ]+",
                        _alternatives(data.part_separators),
                        r"第[一二三四五](?![一二三四五六七八九十]*[条项款点])",
                    ]
                )
            ),
            asked=re.compile(rf"(?:{_alternatives(data.question_openers)})([^?!;\u3002\n]+)"),
            references={level: _longest_first(words) for level, words in data.references.items()},
            corrections=_longest_first(data.corrections),
            ellipsis_openers=_longest_first(data.ellipsis_openers),
            ellipsis_closers=_longest_first(data.ellipsis_closers),
            acknowledgements=frozenset(normalize(w) for w in data.acknowledgements),
            more_requests=frozenset(normalize(w) for w in data.more_requests),
            self_references=_longest_first(data.self_references),
            place_topics=frozenset(normalize(w) for w in data.place_topics),
            followup_fillers=frozenset(normalize(w) for w in data.followup_fillers),
            followup_questions={normalize(k): v for k, v in data.followup_questions.items()},
            city_office=re.compile(rf"(?<![\u4e00-\u9fff])市(?={'|'.join(map(re.escape, office_prefixes))})"),
        )

    def is_local_place(self, name: str) -> bool:
        """Whether a place name ends like a place below a district (解放村, 李家镇)."""
        return name.endswith(self.local_place_suffixes)

    def canonical(self, token: str) -> str:
        """The canonical form of a token (the token itself when it has no synonym)."""
        return self.synonyms.get(token, token)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every word the segmenter should keep whole (computed once: entity search asks it per word)."""
        return frozenset(self.synonyms) | self.stopwords | self.generic

    @functools.cached_property
    def canonical_words(self) -> frozenset[str]:
        """The canonical words synonyms fold into (帮扶, 电话)."""
        return frozenset(self.synonyms.values())


class Segmenter:
    """Splits normalized text into words with jieba, keeping the domain's words whole.

    Each segmenter has its own jieba tokenizer (the general dictionary plus the domain's words), so
    engines built from different files do not share vocabulary.
    """

    def __init__(self) -> None:
        """Creates a tokenizer with jieba's general dictionary only (see :meth:`add_words`)."""
        general, total = _general_dictionary()
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.FREQ = dict(general)
        self._tokenizer.total = total
        self._tokenizer.initialized = True
        self._general = general

    def general_frequency(self, word: str) -> int:
        """How often jieba's general dictionary counts ``word`` (0 if it is not a general word)."""
        return int(self._general.get(word, 0))

    def general_words(self) -> frozenset[str]:
        """Every word of jieba's general dictionary as loaded (its rarest words pruned)."""
        return frozenset(self._general)

    def add_words(self, words: Iterable[str]) -> None:
        """Teaches the tokenizer words to keep whole (single characters need no teaching).

        Words of Latin letters and digits are not taught: jieba keeps such a run whole by itself, and
        teaching it ``at`` would cut ``what`` into ``wh`` and ``at``.
        """
        for word in sorted(set(words)):
            if len(word) > 1 and not (word.isascii() and word.isalnum()):
                self._tokenizer.add_word(word, tuning.DOMAIN_WORD_FREQ)

    def cut(self, text: str) -> list[str]:
        """Returns the words of ``text`` (spaces dropped)."""
        return [token for token in self._tokenizer.lcut(text, HMM=False) if token.strip()]


@functools.cache
def _general_dictionary() -> tuple[dict[str, int], int]:
    """Loads jieba's general dictionary, less its rarest words, once per process."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary=str(_pruned_dictionary()))
    tokenizer.initialize()
    logger.debug("jieba general dictionary loaded: %d entries", len(tokenizer.FREQ))
    return tokenizer.FREQ, tokenizer.total


@functools.cache
def general_place_names() -> frozenset[str]:
    """The words jieba's general dictionary tags as place names (ns: 洛阳, 珠海, 浦东 …)."""
    return frozenset(_pruned_dictionary(PLACES_SUFFIX).read_text(encoding="utf-8").split())


PLACES_SUFFIX = "-places"


def _pruned_dictionary(suffix: str = "") -> Path:
    """Writes (once per jieba version) the general dictionary without its rarest words, and beside it the
    list of its place names; returns the one named by ``suffix``."""
    source = Path(jieba.__file__).with_name("dict.txt")
    stem = f"bangfu-jieba-{jieba.__version__}-{tuning.MIN_GENERAL_WORD_FREQ}"
    directory = Path(tempfile.gettempdir())
    target = directory / f"{stem}{suffix}.txt"
    if not target.exists():
        kept = [
            line
            for line in source.read_text(encoding="utf-8").splitlines(keepends=True)
            if int(line.split()[1]) >= tuning.MIN_GENERAL_WORD_FREQ
        ]
        places = [f"{line.split()[0]}\n" for line in kept if line.split()[2:3] == ["ns"]]
        for name, lines in ((f"{stem}{PLACES_SUFFIX}.txt", places), (f"{stem}.txt", kept)):
            partial = directory / f"{name}.{os.getpid()}.tmp"
            partial.write_text("".join(lines), encoding="utf-8")
            partial.replace(directory / name)  # atomic: concurrent starts never read half a file
    return target


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """Normalized words without repeats, longest first (so 那个乡 is tried before 那)."""
    return tuple(sorted(dict.fromkeys(normalize(w) for w in words), key=len, reverse=True))


def _alternatives(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, longest first; English words only as whole words."""
    ordered = sorted(dict.fromkeys(normalize(w) for w in words), key=len, reverse=True)
    if not ordered:
        return "(?!)"  # an empty list matches nothing (an empty alternative would match everywhere)
    return "|".join(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in ordered)
