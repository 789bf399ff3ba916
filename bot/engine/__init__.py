"""The engine: understands a question, chooses its answer (or declines), and has the reply written."""

from bot.engine.core import Engine, Understanding

__all__ = ["Engine", "Understanding"]
