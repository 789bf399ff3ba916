"""``bangfu tuning``: repeats the measurement behind each threshold of :mod:`bot.nlu.tuning`.

Two kinds of claim are measured:

* a **sweep**: every question of the tuning sets (:data:`TUNING_SETS`: the development set, the hardest
  held-out sets and the chatter; ``--all`` for every set of ``tests/data/sets.yaml``) is answered with the
  chosen value and with values a margin below and above it; the claim is that neither answers more than
  :data:`TOLERANCE` more questions correctly than the chosen value. Thresholds the engine reads while it
  is built are measured on an engine rebuilt for each value.
* an **example** claim: the words or messages the threshold is meant to separate (everyday words from place
  names, chatter from questions) fall on the right side of it, with a margin where the claim names one.

``tests/test_tuning.py`` checks every claim, so a threshold that drifts out of place fails a test.
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.channels.telegram.groups import auto_answerable
from bot.data.normalize import MAX_QUESTION_CHARS
from bot.engine import Engine
from bot.nlu import tuning
from bot.nlu.analysis import Analysis
from bot.nlu.entities import romanizations
from bot.tools.evaluate import Case, evaluate, load_cases
from bot.tools.quality import load_index

EngineFactory = Callable[[], Engine]
# Tags of small talk, which auto mode never answers.
SMALL_TALK_TAGS = frozenset({"greeting", "thanks", "help"})


@dataclass(frozen=True)
class Measurement:
    """One threshold's measurement.

    Attributes:
        name: The threshold, as named in :mod:`bot.nlu.tuning`.
        value: Its value.
        lines: What was measured, one finding a line.
        holds: Whether the claim holds.
    """

    name: str
    value: float
    lines: tuple[str, ...]
    holds: bool

    def __str__(self) -> str:
        verdict = "holds" if self.holds else "DOES NOT HOLD"
        return "\n".join([f"{self.name} = {self.value:g}: {verdict}", *(f"  {line}" for line in self.lines)])


@dataclass(frozen=True)
class Sweep:
    """A threshold measured by answering the question sets with other values.

    Attributes:
        name: The threshold.
        probes: The other values tried, a margin below and above the chosen one.
        rebuild: Whether the engine reads it while being built (so each value needs a new engine).
        analysis: Whether it changes how questions are analyzed (so analyses cannot be reused).
    """

    name: str
    probes: tuple[float, ...]
    rebuild: bool = False
    analysis: bool = False


SWEEPS: tuple[Sweep, ...] = (
    Sweep("MIN_SCORE", (50.0, 60.0)),
    Sweep("SMALLTALK_MIN_SIMILARITY", (70.0, 90.0)),
    Sweep("UNKNOWN_WORD_PENALTY", (20.0, 40.0)),
    Sweep("REMARK_PENALTY", (35.0, 55.0)),
    Sweep("RANKED_CANDIDATES", (4, 12)),
    Sweep("SECONDARY_MIN_SCORE", (60.0, 80.0)),
    Sweep("MAX_SECONDARY_ANSWERS", (1, 3)),
    Sweep("MIN_OFF_TOPIC_WORDS", (1, 3)),
    Sweep("NEWS_RARE_WORD_FREQ", (1000, 9000)),
    Sweep("SET_WEIGHT", (0.3, 0.7)),
    Sweep("MISSING_REQUIRED_PENALTY", (12.0, 24.0)),
    Sweep("UNUSED_ENTITY_PENALTY", (3.0, 9.0)),
    Sweep("USED_ENTITY_BONUS", (1.0, 5.0)),
    Sweep("COVERAGE_POINTS", (5.0, 15.0)),
    Sweep("DISTINCTIVE_MAX_INTENTS", (2, 4)),
    Sweep("MIN_PASSAGE_SCORE", (3.5, 5.5)),
    Sweep("MAX_REPEATED_SHARE", (0.3, 0.7)),
    Sweep("MAX_PLACE_NAME_CHARS", (4, 8), analysis=True),
    Sweep("MAX_DOCUMENT_SHARE", (0.03, 0.08), rebuild=True),
    Sweep("MIN_NEWS_LINE_CHARS", (8, 24), rebuild=True),
    Sweep("MIN_SOUNDED_WORD", (2, 4), rebuild=True),
    Sweep("DOMAIN_WORD_FREQ", (20_000, 2_000_000), rebuild=True),
)

# The sets a sweep answers: the development set, the held-out sets that have been hardest (typos, fragments,
# Chongqing speech, the news reports' figures; near misses), and chatter that must be declined.
TUNING_SETS = ("dev.yaml", "holdout6.yaml", "holdout10.yaml", "chatter.yaml")
# A probe may answer this many more questions correctly than the chosen value: one question is noise.
TOLERANCE = 1
# The words 平安, 沿河 and 鸡鸣 are everyday words; 龙驹, 隘口 and 天元 are in practice place names.
EVERYDAY_TOWNSHIP_WORDS = ("平安", "沿河", "鸡鸣")
PLACE_TOWNSHIP_WORDS = ("龙驹", "隘口", "天元")
# Lowest share of in-scope questions that auto mode must still answer in a group.
MIN_AUTO_RECALL = 0.80
# The margin auto mode keeps above the most confident chatter.
AUTO_CHATTER_MARGIN = 0.03
# Highest share of in-scope questions longer than the auto-mode limit (they can still be asked with @).
MAX_LONG_SHARE = 0.05
# The longest place name gathered before an office must fit: 内蒙古自治区.
LONGEST_PLACE = "内蒙古自治区"
# How many words jieba's pruned general dictionary may keep for the engine to load in about 0.1 s.
MAX_GENERAL_WORDS = 100_000


@contextlib.contextmanager
def trying(name: str, value: float) -> Iterator[None]:
    """Sets ``bot.nlu.tuning.<name>`` to ``value`` for the duration of the block."""
    old = getattr(tuning, name)
    setattr(tuning, name, type(old)(value))
    try:
        yield
    finally:
        setattr(tuning, name, old)


def project_cases(index: Path, *, every_set: bool = False) -> list[Case]:
    """The questions of the tuning sets (or of every set the index lists)."""
    sets = [s for s in load_index(index) if every_set or s.path.name in TUNING_SETS]
    return [case for question_set in sets for case in load_cases(question_set.path)]


def passed(engine: Engine, cases: Sequence[Case]) -> int:
    """How many cases the engine answers as expected."""
    engine.matcher.clear_cache()
    return sum(outcome.passed for outcome in evaluate(engine, cases).outcomes)


@contextlib.contextmanager
def reusing_analyses(engine: Engine) -> Iterator[None]:
    """Analyzes each question once for the duration of the block (for thresholds that do not change it)."""
    analyzer = engine.analyzer
    original = analyzer.analyze
    cache: dict[str, Analysis] = {}

    def analyze(question: str) -> Analysis:
        found = cache.get(question)
        if found is None:
            found = cache[question] = original(question)
        return found

    analyzer.analyze = analyze  # type: ignore[method-assign]
    try:
        yield
    finally:
        analyzer.analyze = original  # type: ignore[method-assign]


def measure_sweep(
    sweep: Sweep, engine: Engine, make_engine: EngineFactory, cases: Sequence[Case], chosen: int
) -> Measurement:
    """Answers the cases with each probe; holds if none answers more than :data:`TOLERANCE` more correctly."""
    value = getattr(tuning, sweep.name)
    lines = [f"{value:g}: {chosen}/{len(cases)} (chosen)"]
    best_probe = 0
    for probe in sweep.probes:
        with trying(sweep.name, probe):
            if sweep.rebuild:
                other = passed(make_engine(), cases)
            elif sweep.analysis:
                other = passed(engine, cases)
            else:
                with reusing_analyses(engine):
                    other = passed(engine, cases)
        best_probe = max(best_probe, other)
        lines.append(f"{probe:g}: {other}/{len(cases)}")
    return Measurement(sweep.name, value, tuple(lines), best_probe <= chosen + TOLERANCE)


def measure_examples(
    engine: Engine, cases: Sequence[Case], dev_cases: Sequence[Case], chatter: Sequence[str]
) -> list[Measurement]:
    """The example claims: each threshold against the words or messages it must separate."""
    results = []
    frequency = engine.analyzer.segmenter.general_frequency
    everyday = {w: frequency(w) for w in EVERYDAY_TOWNSHIP_WORDS}
    places = {w: frequency(w) for w in PLACE_TOWNSHIP_WORDS}
    results.append(
        Measurement(
            "COMMON_WORD_FREQ",
            tuning.COMMON_WORD_FREQ,
            (
                "everyday words above it: " + ", ".join(f"{w} {n}" for w, n in everyday.items()),
                "place names at or below it: " + ", ".join(f"{w} {n}" for w, n in places.items()),
            ),
            min(everyday.values()) > tuning.COMMON_WORD_FREQ >= max(places.values()),
        )
    )
    shorts = [d.short or d.name for d in engine.kb.districts]
    plain = {name: "".join(s[0] for s in _readings(name)) for name in shorts}
    missing = [name for name, spelling in plain.items() if spelling not in romanizations(name)]
    results.append(
        Measurement(
            "MAX_ROMANIZATIONS",
            tuning.MAX_ROMANIZATIONS,
            (
                f"districts whose usual spelling is kept: {len(shorts) - len(missing)}/{len(shorts)}",
                f"丰都: {', '.join(romanizations('丰都'))}",
            ),
            not missing and {"fengdu", "fengdou"} <= set(romanizations("丰都")),
        )
    )
    results.append(
        Measurement(
            "MAX_PLACE_NAME_CHARS",
            tuning.MAX_PLACE_NAME_CHARS,
            (f"{LONGEST_PLACE} has {len(LONGEST_PLACE)} characters",),
            len(LONGEST_PLACE) <= tuning.MAX_PLACE_NAME_CHARS,
        )
    )
    words = len(engine.analyzer.segmenter.general_words())
    results.append(
        Measurement(
            "MIN_GENERAL_WORD_FREQ",
            tuning.MIN_GENERAL_WORD_FREQ,
            (f"general dictionary words kept: {words} (at most {MAX_GENERAL_WORDS})",),
            0 < words <= MAX_GENERAL_WORDS,
        )
    )
    in_scope = [c.q for c in cases if not c.oos and not c.decline and c.q.strip()]
    # Chatter that passes every other test of auto mode: only the confidence keeps it unanswered.
    with trying("AUTO_MIN_CONFIDENCE", 0.0):
        understood = [engine.understand(text) for text in chatter]
        close = [u.confidence for u in understood if auto_answerable(u, u.analysis.original)]
    chatter_confidence = max(close, default=0.0)
    dev = [c.q for c in dev_cases if not c.oos and not c.decline and c.tag not in SMALL_TALK_TAGS]
    recall = sum(auto_answerable(engine.understand(q), q) for q in dev) / len(dev)
    results.append(
        Measurement(
            "AUTO_MIN_CONFIDENCE",
            tuning.AUTO_MIN_CONFIDENCE,
            (
                f"chatter that reads as a question about the guideline: {len(close)}/{len(chatter)}, "
                f"the most confident {chatter_confidence:.3f} (a margin of {AUTO_CHATTER_MARGIN} required)",
                f"in-scope questions of the development set answered in auto mode: {recall:.1%} "
                f"(at least {MIN_AUTO_RECALL:.0%})",
            ),
            chatter_confidence <= tuning.AUTO_MIN_CONFIDENCE - AUTO_CHATTER_MARGIN
            and recall >= MIN_AUTO_RECALL,
        )
    )
    lengths = [len(q) for q in in_scope]
    long_share = sum(n > tuning.AUTO_MAX_CHARS for n in lengths) / len(lengths)
    results.append(
        Measurement(
            "AUTO_MAX_CHARS",
            tuning.AUTO_MAX_CHARS,
            (
                f"in-scope questions longer: {long_share:.1%} (at most {MAX_LONG_SHARE:.0%}); "
                f"median length {statistics.median(lengths):g}, messages are cut at {MAX_QUESTION_CHARS}",
            ),
            long_share <= MAX_LONG_SHARE,
        )
    )
    return results


def _readings(name: str) -> list[list[str]]:
    from pypinyin import Style, pinyin

    return [list(r) for r in pinyin(name, style=Style.NORMAL, heteronym=False)]


def measure_all(
    engine_now: EngineFactory,
    make_engine: EngineFactory,
    index: Path,
    chatter: Sequence[str],
    names: Sequence[str] = (),
    *,
    every_set: bool = False,
) -> list[Measurement]:
    """Measures every threshold (or those named), sweeps first.

    Args:
        engine_now: The engine as it is.
        make_engine: Builds a new engine (for the thresholds read while the engine is built).
        index: The question sets' index; the development set is ``dev.yaml`` beside it.
        chatter: Group chatter that auto mode must not answer.
        names: The thresholds to measure (all when empty).
        every_set: Sweep over every set of the index rather than the tuning sets.
    """
    engine = engine_now()
    cases = project_cases(index, every_set=every_set)
    sweeps = [sweep for sweep in SWEEPS if not names or sweep.name in names]
    chosen = passed(engine, cases) if sweeps else 0
    results = [measure_sweep(sweep, engine, make_engine, cases, chosen) for sweep in sweeps]
    examples = measure_examples(engine, cases, load_cases(index.parent / "dev.yaml"), chatter)
    return results + [m for m in examples if not names or m.name in names]


def read_chatter(path: Path) -> list[str]:
    """The lines of a chatter fixture (one message a line; # starts a comment)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
