"""bot/engine/routing.py: the one table that sends a question to another composer, and composers as leaves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.compose import COMPOSERS
from bot.compose.registry import Brief
from bot.engine import Engine
from bot.engine.routing import ROUTES, Route, route, targets
from bot.nlu.slots import resolve_slots

COMPOSE_DIR = Path(__file__).resolve().parent.parent / "bot" / "compose"


def brief(engine: Engine, question: str) -> Brief:
    analysis = engine.analyzer.analyze(question)
    return engine.brief(resolve_slots(engine.kb, analysis), analysis)


def test_every_composer_the_table_names_exists() -> None:
    assert targets() <= set(COMPOSERS)


def test_no_composer_calls_another() -> None:
    """Composers are leaves: only the routing table chooses another answer."""
    for path in sorted(COMPOSE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", None) == "composer"
                for d in node.decorator_list
            ):
                called = {
                    c.func.id
                    for c in ast.walk(node)
                    if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                }
                registered = {f.__name__ for f in COMPOSERS.values()}
                assert not called & registered - {node.name}, (
                    f"{path.name}: {node.name} calls {called & registered}"
                )


@pytest.mark.parametrize(
    ("answer", "question", "composer"),
    [
        ("district_contact", "万州区扶贫办电话", "district_contact"),
        ("district_contact", "扶贫办电话", "district_phone_list"),
        ("district_contact", "北京扶贫办电话", "other_region"),
        ("district_contact", "重庆市扶贫办电话", "city_office"),
        ("district_overview", "城口县明中乡金池村", "village_location"),
        ("org_in_district", "我们是山东的协会,山东省扶贫办电话", "other_region"),
        ("district_overview", "城口县", "district_overview"),
        ("district_phone_list", "重庆市各区县扶贫办电话", "district_phone_list"),
        ("district_phone_list", "城口扶贫办电话", "district_contact"),
        ("township_contact", "城口县的乡镇联系人", "townships_in_district"),
        ("township_contact", "医疗组织去三建乡找谁", "org_in_district"),
        ("township_contact", "高桥村联系人", "village_location"),
        ("village_location", "三建乡在哪", "township_contact"),
        ("village_location", "三建乡有哪些攻坚村", "no_villages"),
        ("village_location", "城口县的攻坚村", "villages_in_district"),
        ("activities_by_orgtype", "能做什么", "which_org_type"),
        ("activities_by_orgtype", "医疗类组织去城口能做什么", "org_in_district"),
        ("activities_by_theme", "教育培训类组织", "activities_by_orgtype"),
        ("article_text", "指引讲什么", "document_info"),
        ("district_tier", "回龙村是彭水的还是石柱的", "village_location"),  # a village between two districts
        ("district_tier", "涪陵区是市级还是国家级", "district_tier"),
        ("region_counts", "国家级重点区县一共几个?列一下", "tier_list"),
        ("region_counts", "国家级重点区县一共几个", "region_counts"),
    ],
)
def test_questions_are_routed_by_what_they_name(
    engine: Engine, answer: str, question: str, composer: str
) -> None:
    routed = route(answer, brief(engine, question), engine.analyzer.lexicon)
    assert routed.composer == composer
    assert all(isinstance(row, Route) and row.why for row in routed.path)


def test_a_circle_in_the_table_is_reported(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    always = Route("a", lambda b, lx: True, "b", "test"), Route("b", lambda b, lx: True, "a", "test")
    monkeypatch.setattr("bot.engine.routing._BY_ANSWER", {"a": (always[0],), "b": (always[1],)})
    with pytest.raises(RuntimeError, match="circle"):
        route("a", brief(engine, "你好"), engine.analyzer.lexicon)


def test_every_row_explains_itself() -> None:
    assert all(row.why and row.answer != row.then for row in ROUTES)
