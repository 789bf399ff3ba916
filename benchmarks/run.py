"""Benchmarks the answer engine beside a BM25 baseline over the same guideline, in the same run.

``make bench`` (or ``.venv/bin/python benchmarks/run.py [--repeat N] [--quick] [--json FILE] [--check]``)
measures, for Bangfu's :class:`bot.engine.Engine` and for :mod:`benchmarks.bm25_baseline`:

* per-question latency, warm: every question of ``tests/data/dev.yaml``, ``holdout.yaml`` and
  ``chatter.yaml`` answered once as a warm-up (that pass is also scored for accuracy), then the whole set
  answered ``--repeat`` times (the two systems alternate passes); median, p90 and p99 in ms, and the
  single-thread throughput. The engine's time includes rendering the reply as text, as the console does;
  the baseline's answer is already text;
* cold start to first answer: a fresh ``python -c`` that imports, loads, answers one question and prints
  the answer, timed from spawning the process to reading the answer (median of ``--cold-runs``), split
  into interpreter start, imports, load and the first answer. "Typical" runs find the caches that jieba
  and the engine keep in the temp directory; "first run" runs get an empty ``TMPDIR``, as on a fresh
  machine, and build them (Python's bytecode caches are not cleared: any earlier run writes them). The
  process's exit after the answer is not counted;
* peak memory: the RSS high-water mark (``getrusage(RUSAGE_SELF).ru_maxrss``) of a fresh process that
  loads the system and answers the whole set;
* accuracy: each set scored with :func:`bot.tools.evaluate.check`, the ``bangfu eval`` rules;
* where the time goes: each stage of both systems timed on its own over the same questions (median and
  p99 in µs), so a maintainer sees which stage to work on and how its cost compares with the whole
  baseline.

It prints a table ``metric | Bangfu | BM25 baseline | target | met?`` and exits 0, or with ``--check``
exits 1 when a target is missed: the engine's median and p99 latency no higher than the baseline's, cold
start (typical) under 1.5 s, peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu import tuning

if __package__ in (None, ""):  # run as a script (make bench): make the project importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bm25_baseline import TOP_K, BM25Baseline, evaluate_baseline, tokenize
from benchmarks.telegram_burst import BURST_QUESTIONS_EACH, BURST_USERS, BurstFigures, measure_burst
from bot.channels.text import render_text
from bot.data.normalize import normalize
from bot.engine import Engine
from bot.tools.evaluate import Case, Report, evaluate, load_cases

ROOT = Path(__file__).resolve().parent.parent
# The knowledge and intents the bot itself reads: the repository's, unless BANGFU_KNOWLEDGE_DIR or
# BANGFU_INTENTS_DIR names others (as the tests do, with their fixture copies).
KNOWLEDGE_DIR = Path(os.environ.get("BANGFU_KNOWLEDGE_DIR") or ROOT / "knowledge")
INTENTS_DIR = Path(os.environ.get("BANGFU_INTENTS_DIR") or ROOT / "intents")
QUESTION_SETS = {name: ROOT / "tests" / "data" / f"{name}.yaml" for name in ("dev", "holdout", "chatter")}
# The question a cold start answers: the commonest kind (a district's office phone).
COLD_QUESTION = "万州区扶贫办的联系电话"

DEFAULT_REPEAT = 5
DEFAULT_COLD_RUNS = 5
QUICK_REPEAT = 1
QUICK_COLD_RUNS = 2

# Targets of issue 3.
MAX_COLD_START_S = 1.5
MAX_PEAK_MEMORY_MB = 200.0

ENGINE = "Bangfu"
BASELINE = "BM25 baseline"


@dataclass(frozen=True)
class System:
    """A system under test: how to use it in this process and how to start it in a fresh one.

    Attributes:
        name: As the table shows it.
        imports: Python statements importing what the system needs (run in the child process).
        load: A statement binding ``system`` to the loaded system (run in the child process).
        answer: An expression giving the text answer to ``question`` from ``system``.
    """

    name: str
    imports: str
    load: str
    answer: str


SYSTEMS = (
    System(
        ENGINE,
        imports="from pathlib import Path\nfrom bot.engine import Engine\nfrom bot.channels.text import render_text",
        load=f"system = Engine.load(Path({str(KNOWLEDGE_DIR)!r}), Path({str(INTENTS_DIR)!r}))",
        answer="render_text(system.answer(question))",
    ),
    System(
        BASELINE,
        imports="from benchmarks.bm25_baseline import BM25Baseline",
        load="system = BM25Baseline.load()",
        answer="system.answer(question).text",
    ),
)


@dataclass(frozen=True)
class Latency:
    """Warm per-question latency and throughput of one system.

    Attributes:
        median_ms: Median time to answer one question.
        p90_ms: 90th percentile.
        p99_ms: 99th percentile.
        max_ms: Slowest answer.
        throughput_qps: Questions answered per second, single thread (wall time of the timed passes).
        samples: How many answers were timed.
    """

    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    throughput_qps: float
    samples: int


@dataclass(frozen=True)
class ColdStart:
    """Start-up of a fresh process up to its first answer (medians over the runs).

    Attributes:
        total_s: From spawning the process to reading the printed answer.
        interpreter_s: Python's own start-up (``total_s`` less the three phases timed inside the child).
        import_s: Importing the system's modules.
        load_s: Loading the system (files, dictionaries, indexes).
        first_answer_s: Answering the first question.
        runs_s: Every run's total, in order.
    """

    total_s: float
    interpreter_s: float
    import_s: float
    load_s: float
    first_answer_s: float
    runs_s: tuple[float, ...]


@dataclass(frozen=True)
class Memory:
    """RSS high-water marks of a fresh process, in MB (2**20 bytes).

    Attributes:
        after_load_mb: Once the system is loaded.
        peak_mb: Once it has answered the whole question set.
    """

    after_load_mb: float
    peak_mb: float


@dataclass(frozen=True)
class Figures:
    """Everything measured for one system.

    Attributes:
        latency: Warm per-question latency and throughput.
        cold_typical: Cold start with the temp-directory caches in place.
        cold_first: Cold start with an empty temp directory (first run on a machine).
        memory: Peak memory.
        accuracy: Share of cases passed (0–100) per question set, and ``all``.
    """

    latency: Latency
    cold_typical: ColdStart
    cold_first: ColdStart
    memory: Memory
    accuracy: dict[str, float]


@dataclass(frozen=True)
class Stage:
    """One stage of a system, timed on its own (its inputs prepared beforehand).

    Attributes:
        system: The system it belongs to.
        name: What the stage does.
        median_us: Median time per question, in microseconds.
        p99_us: 99th percentile, in microseconds.
    """

    system: str
    name: str
    median_us: float
    p99_us: float


@dataclass(frozen=True)
class Target:
    """A target of issue 3 and whether the engine met it.

    Attributes:
        metric: What is compared.
        wanted: The target as the table shows it.
        met: Whether the engine met it.
    """

    metric: str
    wanted: str
    met: bool


@dataclass(frozen=True)
class BenchmarkReport:
    """A whole run: the machine, the settings, each system's figures and the targets.

    Attributes:
        machine: Python version, platform, processors, load average.
        settings: Repeats, cold runs and question counts.
        systems: Figures by system name.
        targets: The targets, checked.
        stages: Each system's stages timed on their own, in pipeline order.
        telegram: The Telegram burst (answers through the stand-in Bot API beside Telegram's floor).
    """

    machine: dict[str, Any]
    settings: dict[str, Any]
    systems: dict[str, Figures]
    targets: list[Target] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    telegram: BurstFigures | None = None

    @property
    def all_met(self) -> bool:
        """Whether the engine met every target."""
        return all(t.met for t in self.targets)

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON data."""
        data = dataclasses.asdict(self)
        data["all_met"] = self.all_met
        return data


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0–100) of ``values``, interpolating linearly between ranks.

    Raises:
        ValueError: ``values`` is empty.
    """
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return percentile(values, 50)


def machine_info() -> dict[str, Any]:
    """The facts about this machine that the figures depend on."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
    }
    if hasattr(os, "getloadavg"):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_question_sets(paths: Mapping[str, Path] = QUESTION_SETS) -> dict[str, list[Case]]:
    """Reads the question sets, by name."""
    return {name: load_cases(path) for name, path in paths.items()}


def engine_answerer(engine: Engine) -> Callable[[str], str]:
    """Answers with the engine and renders the reply as the console shows it."""

    def answer(question: str) -> str:
        return render_text(engine.answer(question))

    return answer


def baseline_answerer(baseline: BM25Baseline) -> Callable[[str], str]:
    """Answers with the baseline."""

    def answer(question: str) -> str:
        return baseline.answer(question).text

    return answer


def measure_latency(
    answerers: Mapping[str, Callable[[str], str]], questions: Sequence[str], repeat: int
) -> dict[str, Latency]:
    """Times every question ``repeat`` times for each system (already warmed up).

    Passes alternate between the systems, and which goes first alternates too, so that a slow spell of
    the machine does not fall on one system only.

    Args:
        answerers: Question → answer text, by system name.
        questions: The questions; each pass answers all of them in order.
        repeat: How many passes per system.

    Returns:
        Latency figures by system name.
    """
    samples: dict[str, list[float]] = {name: [] for name in answerers}
    wall: dict[str, float] = dict.fromkeys(answerers, 0.0)
    names = list(answerers)
    clock = time.perf_counter_ns
    for rep in range(repeat):
        for name in names if rep % 2 == 0 else reversed(names):
            answer = answerers[name]
            times = samples[name]
            gc.collect()
            start = clock()
            for question in questions:
                t0 = clock()
                answer(question)
                times.append((clock() - t0) / 1e6)
            wall[name] += (clock() - start) / 1e9
    return {
        name: Latency(
            median_ms=median(times),
            p90_ms=percentile(times, 90),
            p99_ms=percentile(times, 99),
            max_ms=max(times),
            throughput_qps=len(times) / max(wall[name], 1e-9),
            samples=len(times),
        )
        for name, times in samples.items()
    }


def _time_each(run: Callable[[int], object], count: int, repeat: int) -> tuple[float, float]:
    """(median, p99) in µs of ``run(i)`` for every ``i < count``, each timed ``repeat`` times."""
    clock = time.perf_counter_ns
    for index in range(count):  # warm-up
        run(index)
    times: list[float] = []
    gc.collect()
    for _ in range(repeat):
        for index in range(count):
            t0 = clock()
            run(index)
            times.append((clock() - t0) / 1e3)
    return median(times), percentile(times, 99)


def measure_stages(
    engine: Engine, baseline: BM25Baseline, questions: Sequence[str], repeat: int
) -> list[Stage]:
    """Times each stage of both systems on its own, its input computed beforehand.

    The engine's stages are those of :meth:`bot.engine.Engine.answer`: normalizing, cutting with jieba,
    finding entities (these three and the folding into words make the analysis), scoring the intents'
    examples with rapidfuzz (part of ranking), ranking, writing the reply (which understands each part
    of a message that asks several things) and rendering it as text. The baseline's are tokenizing
    (jieba), the BM25 search and the whole answer.

    Args:
        engine: The loaded engine.
        baseline: The loaded baseline.
        questions: The questions.
        repeat: Timed passes per stage.

    Returns:
        The stages, engine first, each in pipeline order.
    """
    analyzer = engine.analyzer
    texts = [normalize(q) for q in questions]
    cuts = [analyzer.segmenter.cut(t) if t else [] for t in texts]
    analyses = [analyzer.analyze(q) for q in questions]
    understandings = [engine.understand(q) for q in questions]
    replies = [engine.reply_to(u) for u in understandings]
    tokens = [tokenize(q) for q in questions]
    steps: list[tuple[str, str, Callable[[int], object]]] = [
        (ENGINE, "normalize", lambda i: normalize(questions[i])),
        (ENGINE, "segment (jieba)", lambda i: analyzer.segmenter.cut(texts[i]) if texts[i] else None),
        (ENGINE, "find entities", lambda i: analyzer.gazetteer.find(texts[i], cuts[i]) if texts[i] else None),
        (ENGINE, "analysis, whole", lambda i: analyzer.analyze(questions[i])),
        (ENGINE, "score examples (rapidfuzz)", lambda i: engine.matcher.similarities(analyses[i].words)),
        (
            ENGINE,
            "rank intents, whole",
            lambda i: engine.matcher.rank(analyses[i], limit=tuning.RANKED_CANDIDATES),
        ),
        (ENGINE, "reply", lambda i: engine.reply_to(understandings[i])),
        (ENGINE, "render text", lambda i: render_text(replies[i])),
        (BASELINE, "tokenize (jieba)", lambda i: tokenize(questions[i])),
        (BASELINE, "BM25 top 3", lambda i: baseline.index.top(tokens[i], TOP_K)),
        (BASELINE, "answer, whole", lambda i: baseline.answer(questions[i])),
    ]
    return [Stage(system, name, *_time_each(run, len(questions), repeat)) for system, name, run in steps]


_COLD_CHILD = """\
import time
_t0 = time.perf_counter()
{imports}
_t1 = time.perf_counter()
{load}
_t2 = time.perf_counter()
question = {question!r}
_text = {answer}
_t3 = time.perf_counter()
import json, sys
sys.stdout.write(_text + "\\n" + json.dumps({{"import": _t1 - _t0, "load": _t2 - _t1, "answer": _t3 - _t2}}) + "\\n")
sys.stdout.flush()
"""

_MEMORY_CHILD = """\
import json, resource, sys
{imports}
{load}
def _mb():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB elsewhere
_after_load = _mb()
for question in json.load(sys.stdin):
    _text = {answer}
print(json.dumps({{"after_load": _after_load, "peak": _mb()}}))
"""


def _child_env(tmpdir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if tmpdir is not None:
        for name in ("TMPDIR", "TEMP", "TMP"):
            env[name] = str(tmpdir)
    return env


def _cold_run(system: System, question: str, tmpdir: Path | None) -> tuple[float, dict[str, float]]:
    """One fresh process: (seconds from spawn to the answer read, the phases the child timed)."""
    code = _COLD_CHILD.format(
        imports=system.imports, load=system.load, question=question, answer=system.answer
    )
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_child_env(tmpdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as process:
        assert process.stdout is not None
        lines: list[str] = []
        # The answer has several lines; the phases' JSON comes last, in the same write.
        for line in process.stdout:
            lines.append(line)
            if line.startswith('{"import"'):
                break
        elapsed = time.perf_counter() - start
        _, stderr = process.communicate()
    if process.returncode or not lines or not lines[-1].startswith('{"import"'):
        raise RuntimeError(f"{system.name} cold start failed ({process.returncode}):\n{stderr}")
    phases: dict[str, float] = json.loads(lines[-1])
    return elapsed, phases


def measure_cold_start(
    system: System, runs: int, *, first_run: bool, question: str = COLD_QUESTION
) -> ColdStart:
    """Starts ``system`` in ``runs`` fresh processes and times each up to its first answer.

    Args:
        system: The system to start.
        runs: How many processes (the figures are medians).
        first_run: Give each process an empty temp directory, as on a machine that never ran it; otherwise
            run once untimed first so that the caches exist.
        question: The question each process answers.

    Returns:
        The medians of the runs.
    """
    totals: list[float] = []
    phases: list[dict[str, float]] = []
    if not first_run:
        _cold_run(system, question, None)  # builds the caches if missing and warms the file cache
    for _ in range(runs):
        tmpdir = Path(tempfile.mkdtemp(prefix="bangfu-bench-")) if first_run else None
        try:
            total, phase = _cold_run(system, question, tmpdir)
        finally:
            if tmpdir is not None:
                shutil.rmtree(tmpdir, ignore_errors=True)
        totals.append(total)
        phases.append(phase)
    import_s = median([p["import"] for p in phases])
    load_s = median([p["load"] for p in phases])
    answer_s = median([p["answer"] for p in phases])
    interpreter_s = median(
        [t - p["import"] - p["load"] - p["answer"] for t, p in zip(totals, phases, strict=True)]
    )
    return ColdStart(
        total_s=median(totals),
        interpreter_s=interpreter_s,
        import_s=import_s,
        load_s=load_s,
        first_answer_s=answer_s,
        runs_s=tuple(totals),
    )


# Linux keeps a process's RSS high-water mark across exec, and a child spawned by fork or vfork starts
# from its parent's: a child of this process (which holds both systems) would report at least this
# process's size. So the measured process is started by a small launcher process instead, whose own
# footprint (~10 MB) is far below any figure measured.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', sys.argv[1]]).returncode)"


def measure_memory(system: System, questions: Sequence[str]) -> Memory:
    """The RSS high-water marks of a fresh process that loads ``system`` and answers ``questions``."""
    code = _MEMORY_CHILD.format(imports=system.imports, load=system.load, answer=system.answer)
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, code],
        cwd=ROOT,
        env=_child_env(None),
        input=json.dumps(list(questions), ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"{system.name} memory run failed ({result.returncode}):\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return Memory(after_load_mb=figures["after_load"], peak_mb=figures["peak"])


def _accuracy(reports: Mapping[str, Report]) -> dict[str, float]:
    accuracy = {name: report.percent for name, report in reports.items()}
    outcomes = [o for report in reports.values() for o in report.outcomes]
    accuracy["all"] = 100.0 * sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0
    return accuracy


def check_targets(systems: Mapping[str, Figures]) -> list[Target]:
    """Checks the engine's figures against the targets of issue 3."""
    engine, baseline = systems[ENGINE], systems[BASELINE]
    return [
        Target("latency median", "≤ baseline", engine.latency.median_ms <= baseline.latency.median_ms),
        Target("latency p99", "≤ baseline", engine.latency.p99_ms <= baseline.latency.p99_ms),
        Target(
            "cold start (typical)", f"< {MAX_COLD_START_S} s", engine.cold_typical.total_s < MAX_COLD_START_S
        ),
        Target("peak memory", f"< {MAX_PEAK_MEMORY_MB:.0f} MB", engine.memory.peak_mb < MAX_PEAK_MEMORY_MB),
    ]


def run_benchmark(
    sets: Mapping[str, Sequence[Case]],
    *,
    repeat: int = DEFAULT_REPEAT,
    cold_runs: int = DEFAULT_COLD_RUNS,
    burst: tuple[int, int] = (BURST_USERS, BURST_QUESTIONS_EACH),
    progress: Callable[[str], None] | None = None,
) -> BenchmarkReport:
    """Measures the engine and the baseline in this run, and the Telegram bot's burst.

    Args:
        sets: The question sets, by name; latency and memory use all their questions.
        repeat: Timed passes over all questions, per system.
        cold_runs: Fresh processes per system and kind of cold start.
        burst: Users and questions each of the Telegram burst.
        progress: Called with a line saying what is being measured (for example ``print`` to stderr).

    Returns:
        The figures and the targets checked.
    """
    say = progress or (lambda _line: None)
    questions = [case.q for cases in sets.values() for case in cases]
    machine = machine_info()
    say(f"loading both systems; warm-up and accuracy over {len(questions)} questions")
    engine = Engine.load(KNOWLEDGE_DIR, INTENTS_DIR)
    baseline = BM25Baseline.load()
    # The warm-up pass: every question answered once by each system, and scored.
    accuracy = {
        ENGINE: _accuracy({name: evaluate(engine, cases) for name, cases in sets.items()}),
        BASELINE: _accuracy({name: evaluate_baseline(baseline, cases) for name, cases in sets.items()}),
    }
    say(f"latency: {repeat} timed pass(es) per system")
    latency = measure_latency(
        {ENGINE: engine_answerer(engine), BASELINE: baseline_answerer(baseline)}, questions, repeat
    )
    say("where the time goes: each stage on its own")
    stages = measure_stages(engine, baseline, questions, repeat)
    say(f"Telegram burst: {burst[0]} users asking {burst[1]} questions each through the stand-in Bot API")
    telegram = measure_burst(engine, *burst)
    del engine, baseline
    gc.collect()
    figures: dict[str, Figures] = {}
    for system in SYSTEMS:
        say(f"{system.name}: cold start, {cold_runs} typical and {cold_runs} first runs; peak memory")
        figures[system.name] = Figures(
            latency=latency[system.name],
            cold_typical=measure_cold_start(system, cold_runs, first_run=False),
            cold_first=measure_cold_start(system, cold_runs, first_run=True),
            memory=measure_memory(system, questions),
            accuracy=accuracy[system.name],
        )
    settings = {
        "repeat": repeat,
        "cold_runs": cold_runs,
        "questions": {name: len(cases) for name, cases in sets.items()},
        "cold_question": COLD_QUESTION,
    }
    return BenchmarkReport(machine, settings, figures, check_targets(figures), stages, telegram)


# (label, unit, getter) of every row; a getter returns one system's figure.
ROWS: tuple[tuple[str, str, Callable[[Figures], float]], ...] = (
    ("latency median", "ms", lambda f: f.latency.median_ms),
    ("latency p90", "ms", lambda f: f.latency.p90_ms),
    ("latency p99", "ms", lambda f: f.latency.p99_ms),
    ("latency max", "ms", lambda f: f.latency.max_ms),
    ("throughput (1 thread)", "q/s", lambda f: f.latency.throughput_qps),
    ("cold start (typical)", "s", lambda f: f.cold_typical.total_s),
    ("  interpreter start", "s", lambda f: f.cold_typical.interpreter_s),
    ("  imports", "s", lambda f: f.cold_typical.import_s),
    ("  load", "s", lambda f: f.cold_typical.load_s),
    ("  first answer", "s", lambda f: f.cold_typical.first_answer_s),
    ("cold start (first run, empty TMPDIR)", "s", lambda f: f.cold_first.total_s),
    ("  interpreter start", "s", lambda f: f.cold_first.interpreter_s),
    ("  imports", "s", lambda f: f.cold_first.import_s),
    ("  load", "s", lambda f: f.cold_first.load_s),
    ("  first answer", "s", lambda f: f.cold_first.first_answer_s),
    ("memory after load (RSS)", "MB", lambda f: f.memory.after_load_mb),
    ("peak memory (RSS high-water)", "MB", lambda f: f.memory.peak_mb),
)


def _number(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "q/s":
        return f"{value:,.0f} q/s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.1f}{unit}"


def _table(rows: Iterable[Sequence[str]]) -> str:
    rows = [list(row) for row in rows]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)]
        lines.append(" | ".join(cells).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_report(report: BenchmarkReport) -> str:
    """The report as a table, with the machine and settings above it."""
    engine, baseline = report.systems[ENGINE], report.systems[BASELINE]
    targets = {t.metric: t for t in report.targets}
    rows: list[list[str]] = [["metric", ENGINE, BASELINE, "target", "met?"]]
    for label, unit, get in ROWS:
        target = targets.get(label)
        rows.append(
            [
                label,
                _number(get(engine), unit),
                _number(get(baseline), unit),
                target.wanted if target else "",
                ("yes" if target.met else "NO") if target else "",
            ]
        )
    counts = report.settings["questions"]
    for name, value in engine.accuracy.items():
        count = sum(counts.values()) if name == "all" else counts[name]
        rows.append(
            [f"accuracy {name} ({count} q)", f"{value:.1f}%", f"{baseline.accuracy[name]:.1f}%", "", ""]
        )
    machine = report.machine
    header = [
        f"machine: {machine['cpu']}; nproc {machine['nproc']} (cpu_count {machine['cpu_count']}); "
        f"{machine['platform']}; Python {machine['python']} ({machine['implementation']})"
        + (f"; load average {machine['load_average']}" if "load_average" in machine else ""),
        f"questions: {', '.join(f'{name} {n}' for name, n in counts.items())}; "
        f"{report.settings['repeat']} timed pass(es) after a warm-up; "
        f"cold start = median of {report.settings['cold_runs']} fresh processes answering "
        f"{report.settings['cold_question']!r}",
        "",
    ]
    verdict = (
        "all targets met"
        if report.all_met
        else "targets missed: " + ", ".join(t.metric for t in report.targets if not t.met)
    )
    burst = [report.telegram.line(), ""] if report.telegram else []
    return "\n".join([*header, _table(rows), "", verdict, "", *burst, format_stages(report.stages)])


def format_stages(stages: Sequence[Stage]) -> str:
    """The stages as a table: each system's stages in pipeline order, in µs per question."""
    rows = [["where the time goes (each stage on its own)", "median", "p99"]]
    rows += [[f"{s.system}: {s.name}", f"{s.median_us:.1f} µs", f"{s.p99_us:.1f} µs"] for s in stages]
    return _table(rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Reads the command line."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Latency, throughput, cold start and memory of the engine beside a BM25 baseline.",
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help=f"timed passes over all questions (default {DEFAULT_REPEAT})"
    )
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=None,
        help=f"fresh processes per cold-start figure (default {DEFAULT_COLD_RUNS})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_REPEAT} timed pass and {QUICK_COLD_RUNS} cold runs (unless given): a rough look in seconds",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure to FILE as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the engine misses a target")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = QUICK_REPEAT if args.quick else DEFAULT_REPEAT
    if args.cold_runs is None:
        args.cold_runs = QUICK_COLD_RUNS if args.quick else DEFAULT_COLD_RUNS
    if args.repeat < 1 or args.cold_runs < 1:
        parser.error("--repeat and --cold-runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the exit status."""
    args = parse_args(argv)
    sets = load_question_sets()
    report = run_benchmark(
        sets,
        repeat=args.repeat,
        cold_runs=args.cold_runs,
        progress=lambda line: print(f"… {line}", file=sys.stderr),
    )
    print(format_report(report))
    if args.json:
        args.json.write_text(
            json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"figures written to {args.json}")
    return 1 if args.check and not report.all_met else 0


if __name__ == "__main__":
    sys.exit(main())
