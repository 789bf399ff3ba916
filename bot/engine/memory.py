"""What a conversation keeps of each answered message: the places, contact and type it was about."""

from __future__ import annotations

from bot.compose.reply import Reply, ReplyKind
from bot.data.entity_type import EntityType
from bot.data.knowledge import KnowledgeBase
from bot.engine.conversation import RECENT_DISTRICTS, Conversation, Reading
from bot.nlu.analysis import Analysis
from bot.nlu.entities import Entity, TownshipKey, VillageKey
from bot.nlu.slots import Slots, implied_districts

# The longest list whose places 第N个 may pick: the 18 districts or townships. No one counts down the 100
# villages, and keeping them would cost each conversation some 10 KB.
MAX_LISTED = 18


def remember(
    conversation: Conversation,
    kb: KnowledgeBase,
    analysis: Analysis,
    slots: Slots,
    question: str,
    reply: Reply,
    *,
    picked: bool = False,
) -> None:
    """Updates ``conversation`` after ``reply`` answered ``question`` (as understood).

    A place, contact or organization type the question named replaces the one remembered; what it did not
    name is kept, so that 它 still points at the last place after a question on another topic. A declined
    question leaves the places as they were but is the new previous question. When the question was
    ``picked`` among what the last reply offered (one reading of an ambiguous name, a place of a list), the
    readings and the list stay, so 说错了 是彭水那个 can choose another reading and 第三个呢 another place.
    """
    _remember_place(conversation, kb, slots)
    if len(slots.org_types) == 1:
        conversation.org_type = slots.org_types[0]
        conversation.org_word = next(
            (m.surface for m in analysis.mentions if m.type is EntityType.ORG_TYPE), slots.org_types[0].name
        )
    conversation.question = question
    conversation.intent = reply.intent
    conversation.clarifying = reply.asks if reply.kind is ReplyKind.CLARIFY else None
    conversation.choices = (*reply.choices, *reply.suggestions)
    listed = reply.listed  # derived from the sections each time: read once
    if listed or not picked:
        conversation.listed = listed if len(listed) <= MAX_LISTED else ()
    if not (picked and reply.kind is ReplyKind.ANSWER):
        conversation.readings = _readings(analysis) if reply.kind is ReplyKind.ANSWER else ()


def _remember_place(conversation: Conversation, kb: KnowledgeBase, slots: Slots) -> None:
    """The most specific place the question named, and the district it lies in."""
    named = implied_districts(kb, slots)
    if named:
        conversation.districts = tuple(named)
        recent = [d for d in conversation.recent if d not in named] + named
        conversation.recent = tuple(recent[-RECENT_DISTRICTS:])
    if len(slots.villages) == 1:
        village = slots.villages[0]
        conversation.village, conversation.township = village, None
        conversation.district = kb.district(village.district)
        conversation.place = f"{village.district}{village.town}{village.name}"
    elif len(slots.townships) == 1:
        township = slots.townships[0]
        conversation.township, conversation.village = township, None
        conversation.district = kb.district(township.district)
        conversation.place = f"{township.district}{township.name}"
        conversation.contact = township
    elif len(slots.towns) == 1 and not slots.villages:
        district, town = slots.towns[0]
        conversation.township = conversation.village = None
        conversation.district = kb.district(district)
        conversation.place = f"{district}{town}"
    elif slots.districts:
        conversation.district = slots.districts[0]
        conversation.township = conversation.village = None
        conversation.place = slots.districts[0].name
        if conversation.contact is not None and conversation.contact.district != conversation.district.name:
            conversation.contact = None  # 他 no longer points at a contact of another district


def _readings(analysis: Analysis) -> tuple[Reading, ...]:
    """The readings of a name the answer found in several districts (回龙村 in 彭水县 and 石柱县)."""
    for mention in analysis.mentions:
        districts = {c.district for c in mention.candidates if c.district}
        if len(districts) > 1:
            return tuple(Reading(mention.surface, c.district or "", _label(c)) for c in mention.candidates)
    return ()


def _label(entity: Entity) -> str:
    """A place written in full: 石柱县六塘乡回龙村, 巫山县双龙镇."""
    key = entity.key
    if isinstance(key, VillageKey):
        return f"{key.district}{key.town}{key.name}"
    if isinstance(key, TownshipKey):
        return f"{key.district}{key.name}"
    return str(key)
