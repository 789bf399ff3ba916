"""Reloading the knowledge and intents without a restart: validate the files, then swap the engine at once.

The new engine is built in a worker thread while the old one keeps answering. Only when every file is valid
is it installed, in one assignment, so a question is answered wholly by the old engine or wholly by the new:
questions in flight finish on the one they started with. When a file is invalid, the old engine stays, every
problem is logged as ``file:line: …``, and the outcome lists them for whoever asked for the reload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.data.faq import FAQ_PREFIX
from bot.engine import Engine
from bot.errors import DataError, Problem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did.

    Attributes:
        engine: The engine now answering: the new one, or None when the old one stayed.
        problems: Why the files were refused (empty on success).
    """

    engine: Engine | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the new knowledge is now answering."""
        return self.engine is not None


class Reloader:
    """Builds an engine from the files and hands it to ``install``; one reload at a time."""

    def __init__(
        self,
        knowledge_dir: Path,
        intents_dir: Path,
        install: Callable[[Engine], None],
        load: Callable[[Path, Path], Engine] = Engine.load,
    ) -> None:
        """Reloads from ``knowledge_dir`` and ``intents_dir``; ``install`` makes an engine the one answering."""
        self.knowledge_dir = knowledge_dir
        self.intents_dir = intents_dir
        self._install = install
        self._load = load
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        """Whether a reload is in progress."""
        return self._lock.locked()

    async def reload(self, reason: str) -> ReloadOutcome:
        """Loads and validates the files, and installs the new engine if they are valid.

        Args:
            reason: Who asked (``SIGHUP``, ``/reload``), for the log.
        """
        async with self._lock:
            try:
                engine = await asyncio.to_thread(self._load, self.knowledge_dir, self.intents_dir)
            except DataError as exc:
                logger.error(
                    "reload (%s) refused, still answering from the previous knowledge: %d problem(s)",
                    reason,
                    len(exc.problems),
                )
                for problem in exc.problems:
                    logger.error("%s", problem)
                return ReloadOutcome(None, tuple(exc.problems))
            except Exception as exc:  # a bug must not take the running bot down with it
                logger.exception("reload (%s) failed, still answering from the previous knowledge", reason)
                return ReloadOutcome(None, (Problem("reload", 0, f"unexpected error: {exc}"),))
            self._install(engine)
            faq = sum(intent.name.startswith(FAQ_PREFIX) for intent in engine.intents)
            logger.info(
                "reloaded the knowledge (%s): %d intents, %d FAQ entries, %d updates",
                reason,
                len(engine.intents) - faq,
                faq,
                len(engine.kb.updated),
            )
            return ReloadOutcome(engine)
