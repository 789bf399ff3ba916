"""The engine: understands a question, chooses its answer (or declines), and has the reply written."""

from bot.engine.conversation import Conversation, ConversationStore
from bot.engine.core import Engine
from bot.engine.understanding import Response, Understanding

__all__ = ["Conversation", "ConversationStore", "Engine", "Response", "Understanding"]
