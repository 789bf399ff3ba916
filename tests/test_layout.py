"""The package's shape: one-way layers without cycles, modules a newcomer can read, and a stand-in Bot API
that stays small."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bot"
# A module longer than this does more than one job: split it.
MAX_MODULE_LINES = 500
MODULES = sorted(PACKAGE.rglob("*.py"))
FAKE_BOT_API = Path(__file__).resolve().parent / "fakebotapi"
# The stand-in Bot API models what the bot's tests need of Telegram, not all of Telegram: past this many
# lines (counted as `wc -l tests/fakebotapi/*.py` counts them), trim it before adding to it.
MAX_FAKE_BOT_API_LINES = 1500


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_no_module_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_the_fake_bot_api_stays_under_1500_lines() -> None:
    lines = sum(path.read_bytes().count(b"\n") for path in FAKE_BOT_API.glob("*.py"))
    assert lines < MAX_FAKE_BOT_API_LINES, f"tests/fakebotapi/ has {lines} lines"


def test_no_import_cycle_among_modules() -> None:
    graph = grimp.build_graph("bot", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if module != imported and graph.chain_exists(imported, module, as_packages=False):
                cycles.append(f"{module} ⇄ {imported}")
    assert cycles == []


def test_the_layer_contract_is_checked_by_make_test() -> None:
    makefile = (PACKAGE.parent / "Makefile").read_text(encoding="utf-8")
    assert "lint-imports" in makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "bot.compose" in (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
