"""Smoke test of the benchmark (benchmarks/): it runs and reports every metric. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.bm25_baseline import BM25, BM25Baseline, evaluate_baseline
from bot.tools.evaluate import load_cases


@pytest.fixture(scope="module")
def report() -> run.BenchmarkReport:
    """A benchmark over three questions, one pass, one fresh process per cold-start figure, a burst of six."""
    cases = load_cases(run.QUESTION_SETS["dev"])[:3]
    return run.run_benchmark({"dev": cases}, repeat=1, cold_runs=1, burst=(3, 2))


def test_report_has_every_metric(report: run.BenchmarkReport) -> None:
    assert set(report.systems) == {run.ENGINE, run.BASELINE}
    for figures in report.systems.values():
        assert figures.latency.samples == 3
        for value in (
            figures.latency.median_ms,
            figures.latency.p90_ms,
            figures.latency.p99_ms,
            figures.latency.throughput_qps,
            figures.cold_typical.total_s,
            figures.cold_typical.import_s,
            figures.cold_typical.load_s,
            figures.cold_first.total_s,
            figures.memory.peak_mb,
        ):
            assert value > 0
        assert set(figures.accuracy) == {"dev", "all"}
    assert [t.metric for t in report.targets] == [
        "latency median",
        "latency p99",
        "cold start (typical)",
        "peak memory",
    ]


def test_the_telegram_burst_is_reported_beside_the_floor(report: run.BenchmarkReport) -> None:
    burst = report.telegram
    assert burst is not None
    assert burst.messages == 6
    assert burst.floor_s == pytest.approx(6 / 30)
    assert burst.flood_refusals == 0
    assert "Telegram burst: 6 answers in" in run.format_report(report)
    assert "floor at Telegram's 30/s: 0.2 s" in run.format_report(report)


def test_every_stage_of_both_systems_is_timed(report: run.BenchmarkReport) -> None:
    systems = [stage.system for stage in report.stages]
    assert systems == sorted(systems, key=[run.ENGINE, run.BASELINE].index)  # engine first, then baseline
    assert {"score examples (rapidfuzz)", "reply", "render text"} <= {
        s.name for s in report.stages if s.system == run.ENGINE
    }
    assert [s.name for s in report.stages if s.system == run.BASELINE][-1] == "answer, whole"
    for stage in report.stages:
        assert 0 < stage.median_us <= stage.p99_us
    table = run.format_report(report)
    assert "where the time goes" in table
    assert f"{run.ENGINE}: score examples (rapidfuzz)" in table


def test_table_and_json_show_every_metric(report: run.BenchmarkReport, tmp_path: Path) -> None:
    table = run.format_report(report)
    for label, _unit, _get in run.ROWS:
        assert label in table
    assert "accuracy dev (3 q)" in table
    header = next(line for line in table.splitlines() if line.startswith("metric"))
    assert [cell.strip() for cell in header.split("|")] == [
        "metric",
        "Bangfu",
        "BM25 baseline",
        "target",
        "met?",
    ]
    path = tmp_path / "figures.json"
    path.write_text(json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data["systems"][run.ENGINE]) == {"latency", "cold_typical", "cold_first", "memory", "accuracy"}
    assert isinstance(data["all_met"], bool)
    assert {stage["name"] for stage in data["stages"]} >= {"normalize", "BM25 top 3"}


def test_percentile_interpolates() -> None:
    assert run.percentile([1.0], 99) == 1.0
    assert run.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert run.percentile([0.0, 10.0], 90) == pytest.approx(9.0)


def test_bm25_ranks_the_document_with_the_rare_term_first() -> None:
    index = BM25([["a", "b"], ["a", "c"], ["a", "a", "b"]])
    best, _score = index.top(["c"], 1)[0]
    assert best == 1
    assert index.top(["zzz"], 3) == []


def test_baseline_is_scored_like_the_engine() -> None:
    baseline = BM25Baseline.load()
    cases = load_cases(run.QUESTION_SETS["dev"])[:1]  # 万州区扶贫办的联系电话
    report = evaluate_baseline(baseline, cases)
    assert report.outcomes[0].intent == "bm25"
    assert "023-58569600" in report.outcomes[0].answer
    assert baseline.answer("").intent is None
