"""What a conversation remembers between messages, and the bounded store that keeps conversations.

People in a chat do not repeat themselves: after 城口县扶贫办电话, "它有哪些攻坚村" is about 城口县. A
:class:`Conversation` holds what a follow-up can lean on (the places, contact and organization type last
discussed, the question last answered, the choices the bot last offered); :mod:`bot.engine.followup`
resolves a follow-up against it. Conversations expire after :data:`IDLE_SECONDS` of silence, and the
:class:`ConversationStore` keeps at most :data:`MAX_CONVERSATIONS`, dropping the least recently used, so
that ten thousand users cannot grow the process without limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from bot.compose.reply import Choice
from bot.data.knowledge import District
from bot.data.schema import ActivityGroup, Township, Village

# After this much silence a conversation starts afresh: a question asked half an hour later is a new topic,
# and "它" then has nothing to point at (the bot answers it as it stands, or says what it needs).
IDLE_SECONDS = 30 * 60
# Districts remembered for 这几个区县: a conversation compares a few places at most.
RECENT_DISTRICTS = 5
# Conversations kept at once; the least recently used is dropped first. Each holds a few references and
# strings (well under 2 KB measured in make bench), so this bounds their memory to about 20 MB.
MAX_CONVERSATIONS = 10_000


@dataclass(frozen=True)
class Reading:
    """One reading of a name that the last answer found in several places (回龙村 in 彭水县 and 石柱县).

    Attributes:
        surface: The name as the question wrote it.
        district: The district of this reading.
        label: The place written in full (石柱县六塘乡回龙村), to ask about it unambiguously.
    """

    surface: str
    district: str
    label: str


@dataclass
class Conversation:
    """One conversation's memory (in a private chat per user; in a group per chat, topic and user).

    Attributes:
        district: The district last discussed (or the district of the township or village last discussed).
        districts: The districts the last question named (这几个区县 points at them when there were several).
        recent: The districts discussed, most recent last, each once (at most :data:`RECENT_DISTRICTS`).
        township: The deep-poverty township last discussed.
        village: The designated village last discussed.
        place: The name of the most specific place last discussed, as the knowledge writes it.
        contact: The township whose contact person was last named (他, 她 point at that person).
        org_type: The organization type the user gave for their own organization.
        org_word: How the user named it (基金会), to ask on their behalf.
        question: The last question answered, as understood (with context filled in).
        intent: The intent that answered it (None when it was declined).
        clarifying: The entity type the bot last asked for (an organization type, a theme), if it asked.
        choices: The choices and suggestions the last reply offered, in order (第二个 picks the second).
        listed: The places the last reply listed, as questions; when there are some, 第二个 picks among them.
        readings: The readings of a name the last reply found in several places.
        touched: When the conversation last changed (``time.monotonic()``).
    """

    district: District | None = None
    districts: tuple[District, ...] = ()
    recent: tuple[District, ...] = ()
    township: Township | None = None
    village: Village | None = None
    place: str | None = None
    contact: Township | None = None
    org_type: ActivityGroup | None = None
    org_word: str | None = None
    question: str | None = None
    intent: str | None = None
    clarifying: str | None = None
    choices: tuple[Choice, ...] = ()
    listed: tuple[Choice, ...] = ()
    readings: tuple[Reading, ...] = ()
    touched: float = field(default_factory=time.monotonic)

    @property
    def empty(self) -> bool:
        """Whether nothing has been said yet that a follow-up could lean on."""
        return self.question is None and self.place is None and self.org_type is None

    def reset(self) -> None:
        """Forgets everything (``/start``, ``/reset``)."""
        fresh = Conversation()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


ConversationKey = Hashable


class ConversationStore:
    """Conversations by key, least recently used dropped beyond a maximum, each expiring when idle.

    Args:
        max_conversations: How many conversations to keep.
        idle_seconds: After how long without a message a conversation starts afresh.
        clock: The time source (``time.monotonic``; tests pass their own).
    """

    def __init__(
        self,
        max_conversations: int = MAX_CONVERSATIONS,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Creates an empty store."""
        self._conversations: OrderedDict[ConversationKey, Conversation] = OrderedDict()
        self._max = max_conversations
        self._idle = idle_seconds
        self._clock = clock

    def get(self, key: ConversationKey) -> Conversation:
        """The conversation of ``key``: the one under way, or a fresh one if it expired or never began."""
        now = self._clock()
        conversation = self._conversations.get(key)
        if conversation is None or now - conversation.touched > self._idle:
            conversation = Conversation(touched=now)
            self._conversations[key] = conversation
        conversation.touched = now
        self._conversations.move_to_end(key)
        while len(self._conversations) > self._max:
            self._conversations.popitem(last=False)
        return conversation

    def forget(self, key: ConversationKey) -> None:
        """Ends a conversation (``/reset``)."""
        self._conversations.pop(key, None)

    def __len__(self) -> int:
        return len(self._conversations)
