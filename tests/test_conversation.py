"""bot/engine/conversation.py: what a conversation remembers, expiry, and the bounded store."""

from __future__ import annotations

from bot.engine import Conversation, ConversationStore
from bot.engine.conversation import IDLE_SECONDS


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_conversation_is_kept_between_messages() -> None:
    clock = Clock()
    store = ConversationStore(clock=clock)
    first = store.get(("chat", 1))
    first.place = "城口县"
    clock.now += 60
    assert store.get(("chat", 1)) is first
    assert store.get(("chat", 1)).place == "城口县"


def test_a_conversation_expires_after_a_silence() -> None:
    clock = Clock()
    store = ConversationStore(clock=clock)
    store.get("k").place = "城口县"
    clock.now += IDLE_SECONDS + 1
    assert store.get("k").empty


def test_the_store_drops_the_least_recently_used_beyond_its_maximum() -> None:
    store = ConversationStore(max_conversations=3, clock=Clock())
    for key in ("a", "b", "c"):
        store.get(key).place = key
    store.get("a")  # used again: now the most recent
    store.get("d")
    assert len(store) == 3
    assert store.get("a").place == "a"
    assert store.get("b").empty  # the least recently used was dropped


def test_ten_thousand_users_do_not_grow_the_store_beyond_its_bound() -> None:
    store = ConversationStore(max_conversations=1000, clock=Clock())
    for user in range(10_000):
        store.get((1, 0, user)).question = "城口县扶贫办电话"
    assert len(store) == 1000


def test_forget_and_reset_end_a_conversation() -> None:
    store = ConversationStore(clock=Clock())
    store.get("k").question = "城口县扶贫办电话"
    store.forget("k")
    assert store.get("k").empty
    conversation = Conversation(place="城口县", question="城口县扶贫办电话")
    conversation.reset()
    assert conversation.empty
