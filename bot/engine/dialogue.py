"""Choices the engine makes for a message in a conversation, beyond resolving its follow-up.

* :func:`incidental`: a place a reference was resolved to may be beside the point of the question;
* :func:`carry_org_type`: the organization type the user gave earlier answers what they can do now;
* :func:`carry_topic`: a question naming a place and asking how many or which, without saying of what,
  asks it of the previous question's topic (重庆有多少个深度贫困乡镇 → 其中巫溪有几个).
"""

from __future__ import annotations

from typing import Protocol

from bot.data.entity_type import PLACE_TYPES, EntityType
from bot.engine.conversation import Conversation
from bot.engine.understanding import Understanding
from bot.nlu.scope import Finding, OutOfScope

# Intents whose answers a remembered organization type may turn into what the organization can do there.
_PLACE_INTENTS = (
    "district_",
    "township",
    "village",
    "town_",
    "org_in_district",
    "activities_general",
    "help",
)


class Understands(Protocol):
    """What these choices need of the engine."""

    @property
    def self_references(self) -> tuple[str, ...]:
        """Words of the user speaking of their own organization."""

    def understand(self, question: str) -> Understanding:
        """Analyzes a question and decides how to answer it."""

    def routed(self, answer: str, understanding: Understanding) -> str:
        """The composer that would write ``answer`` for ``understanding``."""

    def topic_words(self, question: str) -> list[str]:
        """The words of a question that say what it is about in the guideline's terms."""


def incidental(resolved: Understanding, original: Understanding) -> bool:
    """Whether the place a reference was resolved to is beside the point of the question.

    我们医生去那边 指引对人员安全有什么建议 asks about safety wherever 那边 is: naming the place turns it into
    a question about the place (a bare-name intent), while the message as written has an answer that takes
    no place at all, at least as confidently.
    """
    intent, plain = resolved.intent, original.intent
    if intent is None or not intent.strict or plain is None or plain.smalltalk or plain.decline:
        return False
    return original.confidence >= resolved.confidence and not PLACE_TYPES & {
        *plain.required,
        *plain.optional,
    }


def carry_org_type(
    engine: Understands, understanding: Understanding, conversation: Conversation | None
) -> Understanding | None:
    """The question asked again for the organization type the user gave before, when it is about them.

    After 我们是一家基金会, 我们能做啥 is about what a foundation can do. When a question names no type or theme,
    the remembered type is added and the result kept if the answer then uses it, and either the user spoke
    of their own organization (我们), or the answer would have asked which type it is, or the question was
    about a place or about what to do (到了那边能做点啥) and is answered better with the type. A question on
    another topic (帮扶以后要怎么回访) keeps its own answer.
    """
    if conversation is None or conversation.org_type is None:
        return None
    analysis = understanding.analysis
    if {EntityType.ORG_TYPE, EntityType.THEME} & analysis.entity_types:
        return None
    word = conversation.org_word or conversation.org_type.name
    again = engine.understand(f"{word}{analysis.text}")
    carried = again.intent
    if carried is None or carried.smalltalk or carried.decline or again.scope is not None:
        return None
    uses = EntityType.ORG_TYPE in (*carried.required, *carried.optional)
    intent = understanding.intent
    own = any(word in analysis.text for word in engine.self_references)
    asks = intent is not None and engine.routed(intent.answer, understanding) == "which_org_type"
    if (own or asks) and uses:
        return again
    if EntityType.ORG_TYPE not in carried.required:
        return None
    if intent is None:
        return again if analysis.evidence and understanding.scope is None else None
    open_ended = intent.name.startswith(_PLACE_INTENTS)
    return again if open_ended and again.confidence > understanding.confidence else None


def carry_topic(
    engine: Understands, understanding: Understanding, conversation: Conversation | None
) -> Understanding | None:
    """A question naming a place and asking how many or which, of the previous question's topic.

    After 重庆有多少个深度贫困乡镇, 其中巫溪有几个,分别是哪些 asks about 巫溪's deep-poverty townships: a question
    that names a place and asks something, but is declined as it stands, is asked again with the words
    of the previous question that said what it was about.
    """
    if conversation is None or conversation.question is None or understanding.intent is not None:
        return None
    analysis = understanding.analysis
    scope = understanding.scope
    # Declined only for naming a place without saying what of it (其中巫溪有几个): the topic may say it.
    vague = isinstance(scope, OutOfScope) and scope.finding is Finding.UNLISTED and not scope.what
    if (scope is not None and not vague) or not analysis.asking or not PLACE_TYPES & analysis.entity_types:
        return None
    topic = [w for w in engine.topic_words(conversation.question) if w not in analysis.words]
    if not topic:
        return None
    again = engine.understand(f"{analysis.text}{''.join(topic)}")
    carried = again.intent
    if carried is None or carried.smalltalk or carried.decline or again.scope is not None:
        return None
    return again
