"""Benchmarks conversations: answer time per message beside the engine of an earlier revision, and memory.

``make bench`` runs this after ``benchmarks/run.py`` (or ``.venv/bin/python benchmarks/conversations.py
[--before REV] [--repeat N] [--conversations N]``). It measures, in one run:

* per-question answer time of this engine and of the engine at ``--before`` (by default the revision before
  conversations and near misses were added), over the same questions (``tests/data/dev.yaml``,
  ``holdout.yaml``, ``chatter.yaml``), each answered ``--repeat`` times after a warm-up, each engine in a
  fresh process (the earlier one in a ``git worktree`` checkout, with the same interpreter and packages),
  the two alternating ``--rounds`` times and the best run of each kept. The target: the median no more
  than 10 % above the earlier engine's;
* per-turn answer time of the dialogue sets played as conversations (resolving follow-ups included);
* memory with ``--conversations`` active conversations (10 000 by default): each one a realistic
  conversation of two turns, measured with ``tracemalloc`` as the growth over the engine alone, and per
  conversation; the store keeps at most :data:`bot.engine.conversation.MAX_CONVERSATIONS`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script (make bench): make the project importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import Conversation, ConversationStore, Engine
from bot.tools.dialogues import load_dialogues
from bot.tools.evaluate import load_cases

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
QUESTION_SETS = ("dev.yaml", "holdout.yaml", "chatter.yaml")
DIALOGUE_SETS = ("dialogs.yaml", "dialogs2.yaml", "dialogs3.yaml", "dialogs4.yaml")
# The revision before conversations and near misses: the answer-time baseline of the conversation issue.
BEFORE = "13f2a6a"
# The conversation issue's target: answer time per question within 10 % of the earlier engine's.
MAX_SLOWDOWN = 0.10
# The script the earlier engine's checkout runs: median and p99 answer time, in ms, as JSON.
_TIMER = """
import json, statistics, sys, time
from pathlib import Path
from bot.engine import Engine
questions = json.loads(sys.stdin.read())
engine = Engine.load(Path("knowledge"), Path("intents"))
for q in questions:
    engine.answer(q)
times = []
for _ in range({repeat}):
    for q in questions:
        start = time.perf_counter()
        engine.answer(q)
        times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({{"median": statistics.median(times), "p99": times[int(len(times) * 0.99)]}}))
"""


def questions() -> list[str]:
    """The questions timed, in a fixed order."""
    return [case.q for name in QUESTION_SETS for case in load_cases(DATA / name)]


def time_turns(engine: Engine, repeat: int) -> dict[str, float]:
    """Median and p99 answer time per turn of the dialogue sets played as conversations, in ms."""
    dialogues = [d for name in DIALOGUE_SETS for d in load_dialogues(DATA / name)]
    times = []
    for _ in range(repeat):
        for dialogue in dialogues:
            conversation = Conversation()
            for turn in dialogue.turns:
                start = time.perf_counter()
                engine.answer(turn.q, conversation)
                times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p99": times[int(len(times) * 0.99)], "turns": len(times)}


def time_checkout(checkout: Path, asked: Sequence[str], repeat: int) -> dict[str, float]:
    """Median and p99 answer time, in ms, of the engine of a checkout, in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", _TIMER.format(repeat=repeat)],
        input=json.dumps(list(asked)),
        cwd=checkout,
        env={"PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def time_both(
    revision: str, asked: Sequence[str], repeat: int, rounds: int
) -> tuple[dict[str, float], dict[str, float] | None]:
    """This engine's answer time and that of ``revision`` (None if unavailable), each the best of ``rounds``
    runs, the two alternating so that a busy machine slows both alike."""
    with tempfile.TemporaryDirectory() as directory:
        checkout = Path(directory) / "before"
        added = subprocess.run(
            ["git", "worktree", "add", "--detach", str(checkout), revision],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            nows, befores = [], []
            for _ in range(rounds):
                nows.append(time_checkout(ROOT, asked, repeat))
                if added.returncode == 0:
                    befores.append(time_checkout(checkout, asked, repeat))
        finally:
            if added.returncode == 0:
                subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, check=False)
    if added.returncode != 0:
        print(f"(no earlier engine to compare: {added.stderr.strip()})", file=sys.stderr)
    best_now = min(nows, key=lambda f: f["median"])
    return best_now, (min(befores, key=lambda f: f["median"]) if befores else None)


def conversation_memory(engine: Engine, count: int) -> dict[str, float]:
    """Memory taken by ``count`` active conversations of two turns each, in MB and KB per conversation."""
    store = ConversationStore(max_conversations=count)
    firsts = ["城口县扶贫办电话", "我们是一家基金会,想去酉阳县", "巫山双龙镇联系人", "回龙村在哪个区县"]
    follow_ups = ["它有哪些攻坚村", "我们能做啥", "他的电话多少", "石柱那个"]
    # Answers are computed once: what is measured is what the store keeps, not the engine's caches.
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for user in range(count):
        conversation = store.get((1, 0, user))
        engine.answer(firsts[user % len(firsts)], conversation)
        engine.answer(follow_ups[user % len(follow_ups)], conversation)
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = max(0, after - before)
    return {"conversations": len(store), "mb": grown / 2**20, "kb_each": grown / 1024 / max(1, len(store))}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the measurements and prints them beside the earlier engine's."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE, help="the earlier revision to compare with (%(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions (%(default)s)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each engine (%(default)s)")
    parser.add_argument("--conversations", type=int, default=10_000, help="conversations for memory")
    parser.add_argument("--check", action="store_true", help="exit 1 when the answer-time target is missed")
    args = parser.parse_args(argv)
    engine = Engine.load(ROOT / "knowledge", ROOT / "intents")
    asked = questions()
    now, before = time_both(args.before, asked, args.repeat, args.rounds)
    turns = time_turns(engine, 1)
    memory = conversation_memory(engine, args.conversations)
    print(
        f"\nConversations ({len(asked)} questions, {args.repeat} timed passes; {int(turns['turns'])} turns)\n"
    )
    print("| metric | now | before | target |")
    print("|---|---|---|---|")
    slower = (now["median"] / before["median"] - 1) if before else None
    target = f"≤ +{MAX_SLOWDOWN:.0%}: " + (
        "met" if slower is not None and slower <= MAX_SLOWDOWN else "not met"
    )
    earlier = f"{before['median']:.2f} ms ({args.before})" if before else "—"
    print(f"| answer time per question, median | {now['median']:.2f} ms | {earlier} | {target} |")
    earlier99 = f"{before['p99']:.2f} ms" if before else "—"
    print(f"| answer time per question, p99 | {now['p99']:.2f} ms | {earlier99} | |")
    print(f"| answer time per turn of a conversation, median | {turns['median']:.2f} ms | | |")
    print(f"| answer time per turn of a conversation, p99 | {turns['p99']:.2f} ms | | |")
    print(
        f"| memory of {int(memory['conversations'])} conversations | {memory['mb']:.1f} MB "
        f"({memory['kb_each']:.2f} KB each) | | |"
    )
    if slower is not None:
        print(f"\nanswer time per question: {slower:+.1%} against {args.before}")
    missed = slower is not None and slower > MAX_SLOWDOWN
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
