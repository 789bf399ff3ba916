"""What every handler needs, built once per process and kept in the application's typed ``bot_data``.

Handlers receive a :class:`Context`, whose :attr:`Context.services` are the engine, the store and the
district directory: python-telegram-bot's ``ContextTypes`` make ``bot_data`` a :class:`BotData`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.channels.health import Health
from bot.channels.metrics import Metrics
from bot.channels.questionlog import QuestionLog
from bot.channels.reload import Reloader
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.districts import DistrictDirectory
from bot.channels.telegram.store import Store
from bot.data.knowledge import KnowledgeBase
from bot.engine import ConversationStore, Engine


@dataclass(frozen=True)
class Services:
    """The engine, the store and the district directory, shared by all handlers.

    A reload replaces the whole object (:func:`bot.channels.telegram.maintainers.install_engine`): a handler
    that has read ``context.services`` keeps answering from the engine it read.

    Attributes:
        engine: The answer engine (its calls are pure CPU, about a millisecond: called directly).
        store: Group settings and button questions.
        districts: Districts by slug, for buttons and deep links.
        conversations: What each conversation remembers (per user in a private chat; per chat, forum topic
            and user in a group), so follow-ups are understood.
        questions: The question log, or None when it is off (``BANGFU_QUESTION_LOG=off``).
        maintainers: Telegram user ids allowed /reload and /stats (``BANGFU_ADMIN_IDS``).
    """

    engine: Engine
    store: Store
    districts: DistrictDirectory
    conversations: ConversationStore = field(default_factory=ConversationStore)
    questions: QuestionLog | None = None
    maintainers: frozenset[int] = frozenset()

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base."""
        return self.engine.kb


class BotData:
    """What the application keeps for every chat: the services, the delivery machinery (inbox, sender,
    polling, with their counters), what to undo at shutdown, and what ``/metrics`` and ``/healthz`` report
    (:mod:`bot.channels.metrics`, :mod:`bot.channels.health`)."""

    def __init__(self) -> None:
        """Starts empty; :func:`bot.channels.telegram.app.build_application` fills it in."""
        self.services: Services | None = None
        self.delivery: Delivery | None = None
        self.cleanups: list[Callable[[], None]] = []
        self.metrics = Metrics()
        self.health = Health()
        self.reloader: Reloader | None = None


class Context(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""

    @property
    def services(self) -> Services:
        """The services of the application handling this update.

        Raises:
            RuntimeError: The application was not built by :func:`bot.channels.telegram.app.build_application`.
        """
        found = self.bot_data.services
        if found is None:
            raise RuntimeError("bot_data has no Services; build the application with build_application()")
        return found


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
# The application, with the typed context and bot_data.
BangfuApplication = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], BotData, Any]
