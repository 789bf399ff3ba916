"""bot/nlu/tuning.py and bot/tools/tuning.py: every threshold's claim holds, with its margin."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.nlu import tuning
from bot.settings import PROJECT_ROOT
from bot.tools.tuning import SWEEPS, Measurement, measure_all, read_chatter, trying
from tests.engine_support import INTENTS, KNOWLEDGE

INDEX = PROJECT_ROOT / "tests" / "data" / "sets.yaml"
CHATTER = PROJECT_ROOT / "tests" / "fixtures" / "group_chatter.txt"
THRESHOLDS = sorted(name for name in vars(tuning) if name.isupper())


@pytest.fixture(scope="module")
def measurements(engine: Engine) -> dict[str, list[Measurement]]:
    """Every measurement, taken once (about 25 s: each sweep answers the tuning sets twice)."""

    def make_engine() -> Engine:
        return Engine.load(KNOWLEDGE, INTENTS)

    found: dict[str, list[Measurement]] = {}
    for measurement in measure_all(lambda: engine, make_engine, INDEX, read_chatter(CHATTER)):
        found.setdefault(measurement.name, []).append(measurement)
    return found


@pytest.mark.parametrize("name", THRESHOLDS)
def test_every_threshold_s_claim_holds(measurements: dict[str, list[Measurement]], name: str) -> None:
    assert name in measurements, f"{name} has no measurement in bot/tools/tuning.py"
    for measurement in measurements[name]:
        assert measurement.holds, str(measurement)


def test_every_sweep_probes_both_sides() -> None:
    for sweep in SWEEPS:
        value = getattr(tuning, sweep.name)
        assert min(sweep.probes) < value < max(sweep.probes), sweep.name


def test_trying_a_value_restores_the_threshold() -> None:
    with trying("MIN_SCORE", 1.0):
        assert tuning.MIN_SCORE == 1.0
    assert tuning.MIN_SCORE == 55.0


def test_a_threshold_out_of_place_fails_its_claim(engine: Engine) -> None:
    """The claims can fail: a score threshold far too high loses questions its probes answer."""
    chatter = read_chatter(CHATTER)
    with trying("MIN_SCORE", 80.0):
        [measurement] = measure_all(lambda: engine, lambda: engine, INDEX, chatter, ["MIN_SCORE"])
    assert not measurement.holds
