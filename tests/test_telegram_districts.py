"""District slugs for buttons and deep links: one per district, readable, unique."""

from __future__ import annotations

import re

import pytest

from bot.channels.telegram.districts import DEEP_LINK_PREFIX, DistrictDirectory, district_slug
from bot.engine import Engine

# The 18 key districts of 附件1 and the slug each must have (丰都 is fēngdū, not fēngdōu).
KEY_DISTRICT_SLUGS = {
    "万州区": "wanzhou",
    "黔江区": "qianjiang",
    "武隆区": "wulong",
    "丰都县": "fengdu",
    "秀山县": "xiushan",
    "开州区": "kaizhou",
    "云阳县": "yunyang",
    "巫山县": "wushan",
    "奉节县": "fengjie",
    "石柱县": "shizhu",
    "城口县": "chengkou",
    "巫溪县": "wuxi",
    "酉阳县": "youyang",
    "彭水县": "pengshui",
    "涪陵区": "fuling",
    "潼南区": "tongnan",
    "南川区": "nanchuan",
    "忠县": "zhongxian",
}


@pytest.fixture(scope="module")
def directory(engine: Engine) -> DistrictDirectory:
    return DistrictDirectory.build(engine.kb)


@pytest.mark.parametrize(("name", "slug"), KEY_DISTRICT_SLUGS.items())
def test_every_key_district_has_its_slug_and_deep_link(
    engine: Engine, directory: DistrictDirectory, name: str, slug: str
) -> None:
    district = engine.kb.district(name)
    assert district_slug(district) == slug
    assert directory.get(slug) == district
    link = directory.deep_link(district)
    assert link == f"district_{slug}"
    # Telegram's start parameter: at most 64 characters of A-Z, a-z, 0-9, _ and -.
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", link)
    assert directory.from_deep_link(link) == district


def test_the_key_districts_are_exactly_those_of_attachment_1(engine: Engine) -> None:
    assert [d.name for d in engine.kb.key_districts] == list(KEY_DISTRICT_SLUGS)


def test_slugs_are_unique_for_every_district_the_guideline_lists(
    engine: Engine, directory: DistrictDirectory
) -> None:
    listed = [d for d in engine.kb.districts if d.in_guideline]
    assert len(directory.by_slug) == len(listed) == len({district_slug(d) for d in listed})
    assert list(directory.by_slug)[:18] == list(KEY_DISTRICT_SLUGS.values())


@pytest.mark.parametrize(
    "payload", ["", "district_", "district_nowhere", "wanzhou", "district_wanzhou_x", "x" * 64]
)
def test_unknown_deep_links_open_nothing(directory: DistrictDirectory, payload: str) -> None:
    assert directory.from_deep_link(payload) is None


def test_deep_links_ignore_case(directory: DistrictDirectory) -> None:
    district = directory.from_deep_link(f"{DEEP_LINK_PREFIX}WanZhou")
    assert district is not None
    assert district.name == "万州区"
