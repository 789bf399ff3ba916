"""The bot's own Chinese strings: Simplified, polite, and valid where Telegram has rules."""

from __future__ import annotations

import re
import string

import opencc
import pytest

from bot.channels.telegram import texts


def _all_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in vars(texts).items():
        if name.isupper() and isinstance(value, str):
            found[name] = value
        elif name.isupper() and isinstance(value, dict):
            found.update({f"{name}[{k}]": v for k, v in value.items()})
        elif name.isupper() and isinstance(value, tuple):
            flat = [v for item in value for v in (item if isinstance(item, tuple) else (item,))]
            found.update({f"{name}[{i}]": v for i, v in enumerate(flat)})
    return found


STRINGS = _all_strings()


@pytest.mark.parametrize(("name", "text"), STRINGS.items())
def test_simplified_chinese(name: str, text: str) -> None:
    assert opencc.OpenCC("t2s").convert(text) == text, name


@pytest.mark.parametrize(("name", "text"), STRINGS.items())
def test_polite_form_of_address(name: str, text: str) -> None:
    assert "你" not in text, f"{name}: address users as 您"


@pytest.mark.parametrize(("name", "text"), STRINGS.items())
def test_placeholders_are_known(name: str, text: str) -> None:
    fields = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    assert fields <= {
        "username",
        "title",
        "source",
        "question",
        "tier",
        "count",
        "org",
        "district",
        "theme",
        "mode",
        "description",
        "name",
        # the maintainers' /reload and /stats
        "intents",
        "faq",
        "updates",
        "days",
        "day",
        "total",
        "declined",
        "rate",
        "up",
        "down",
        "wrong",
        "dead",
    }, name


@pytest.mark.parametrize("menu", [texts.PRIVATE_COMMANDS, texts.GROUP_COMMANDS], ids=["private", "group"])
def test_command_menus_follow_telegrams_rules(menu: tuple[tuple[str, str], ...]) -> None:
    commands = [command for command, _ in menu]
    assert len(commands) == len(set(commands))
    for command, description in menu:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
        assert 1 <= len(description) <= 256


def test_mode_names_cover_every_mode() -> None:
    from bot.channels.telegram.store import GroupMode

    assert set(texts.MODE_NAMES) == set(texts.MODE_DESCRIPTIONS) == {m.value for m in GroupMode}
