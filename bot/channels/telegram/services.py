"""What every handler needs, built once per process and kept in the application's ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram.ext import CallbackContext, ExtBot

from bot.channels.telegram.districts import DistrictDirectory
from bot.channels.telegram.store import Store
from bot.data.knowledge import KnowledgeBase
from bot.engine import Engine

SERVICES_KEY = "bangfu.services"

# The context handlers receive; the bot is an ExtBot with a rate limiter.
Context: TypeAlias = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


@dataclass(frozen=True)
class Services:
    """The engine, the store and the district directory, shared by all handlers.

    Attributes:
        engine: The answer engine (its calls are pure CPU, about a millisecond: called directly).
        store: Group settings and button questions.
        districts: Districts by slug, for buttons and deep links.
    """

    engine: Engine
    store: Store
    districts: DistrictDirectory

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base."""
        return self.engine.kb


def services(context: Context) -> Services:
    """The services of the application handling this update.

    Raises:
        RuntimeError: The application was not built by :func:`bot.channels.telegram.app.build_application`.
    """
    found = context.bot_data.get(SERVICES_KEY)
    if not isinstance(found, Services):
        raise RuntimeError("bot_data has no Services; build the application with build_application()")
    return found
