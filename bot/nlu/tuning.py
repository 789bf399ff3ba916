"""Every tuning threshold of the answer engine, in one place, each with the measurement that chose it.

``bangfu tuning NAME`` (``make tuning`` for all) repeats a threshold's measurement (:mod:`bot.tools.tuning`).
Most are **swept**: the tuning sets (the development set, held-out sets 6 and 10, and the chatter) are
answered with the chosen value and with the values given beside it, a margin below and above; the claim is
that neither answers more than one question more correctly. The others are checked against the examples
their comment names. ``tests/test_tuning.py`` checks every claim, so a change that makes a threshold wrong
fails a test instead of leaving a stale comment; ``bangfu tuning --all`` sweeps over every question set.

The engine reads these as ``tuning.NAME`` when it answers, so a measurement can try other values.
"""

from __future__ import annotations

# --- choosing an intent (bot/engine/core.py) ---------------------------------------------------------------

# Below this adjusted score (0–100) no intent is close enough and the question is declined. Swept at 50 and
# 60, which both answer fewer questions right. (Of the in-scope questions answered right, 1 % score below 59.)
MIN_SCORE = 55.0
# Small talk (greetings, thanks, help) is accepted only when the question is this close to an example: its
# examples are short and generic, so looser matches were ordinary chatter. Swept at 70 and 90.
SMALLTALK_MIN_SIMILARITY = 80.0
# Points taken from the best score in proportion to the share of the question's content words the engine
# has never seen (怎么注册公司: 公司 is unknown, half the content words): enough to decline everyday
# questions that share one word with an example, while long in-scope questions, whose unknown words are a
# minority, stay answered. Swept at 20 and 40.
UNKNOWN_WORD_PENALTY = 30.0
# Points taken from a strict intent (one answering a bare name) when the message does not read as a
# question and has words off the guideline's topics: a remark naming a place (我老家在石柱) scores about 90
# as that place's overview; this takes it below MIN_SCORE without losing an in-scope question. Swept at 35
# and 55.
REMARK_PENALTY = 45.0
# How many ranked candidates the decision considers: enough to pass over small talk that matched loosely.
# Swept at 4 and 12.
RANKED_CANDIDATES = 8
# A message may ask several things (…联系谁?另外志愿者需要买保险吗?). Each part that scores at least this on
# its own, for a different intent, adds its answer; lower scores were mostly fragments repeating the main
# question. Swept at 60 and 80.
SECONDARY_MIN_SCORE = 70.0
# At most this many other parts of a message are answered besides the main one. Swept at 1 and 3.
MAX_SECONDARY_ANSWERS = 2
# An explicit question (after 请问, 麻烦您 …) with at least this many content words, none of them a word of
# the guideline's topics, is off topic even when the background before it is in scope. Swept at 1 and 3.
MIN_OFF_TOPIC_WORDS = 2
# A news sentence is quoted only if it shares with the question a word that jieba's general dictionary
# counts fewer times than this (零售额 48, 疫情 204, 协作 726, 支出 1424), not only everyday ones (更加 8824,
# 表示 19238). Swept at 1000 and 9000.
NEWS_RARE_WORD_FREQ = 3000

# --- scoring intents (bot/nlu/matcher.py) ------------------------------------------------------------------

# Weight of token_set_ratio in the blend (the rest is token_sort_ratio): set-only over-rewards long examples
# that merely contain the question. Swept at 0.3 and 0.7, which both answer fewer questions right.
SET_WEIGHT = 0.5
# Points lost for each required entity type the question does not mention. Swept at 12 and 24.
MISSING_REQUIRED_PENALTY = 18.0
# Points lost for each entity type mentioned that the intent neither requires nor accepts. Swept at 3 and 9.
UNUSED_ENTITY_PENALTY = 6.0
# Points gained for each required or optional entity type that is mentioned. Swept at 1 and 5.
USED_ENTITY_BONUS = 3.0
# Fuzzy similarity weighs every word alike, so common words (社会组织, 活动, 哪些) can outvote the one that
# matters (保险, 冠名, 三聚焦). An intent whose examples cover the whole question (words weighted by how few
# intents use them) gains this many points. Swept at 5 and 15.
COVERAGE_POINTS = 10.0
# A word used by the examples of at most this many intents points at them (保险, 冠名, 计划); one used by more
# (联系, 部门, 电话) is common to many questions. A part of a multi-part message naming no entity is answered
# only if it has such a word. Swept at 2 and 4.
DISTINCTIVE_MAX_INTENTS = 3

# --- quoting sentences (bot/nlu/passages.py) ---------------------------------------------------------------

# A passage worth quoting must share words whose IDF adds up to at least this much: one word found in a
# single sentence of the guideline scores ln(N) ≈ 5.3 with N ≈ 200 sentences, a word found in ten ≈ 3.0.
# Swept at 3.5 and 5.5.
MIN_PASSAGE_SCORE = 4.5
# A passage is not quoted when more than this share of its words is already in the answer. Swept at 0.3
# and 0.7.
MAX_REPEATED_SHARE = 0.5
# Words in more than this share of sentences are too common to point at a sentence (社会组织, 扶贫). Swept at
# 0.03 and 0.08.
MAX_DOCUMENT_SHARE = 0.05
# Shorter lines of a news report are page furniture: headings, bylines, navigation (第01版, 首页). Swept at 8
# and 24.
MIN_NEWS_LINE_CHARS = 16

# --- finding names (bot/nlu/entities.py, bot/nlu/lexicon.py) ----------------------------------------------

# A bare township name (三建 for 三建乡) is recognized only if jieba's general dictionary does not count it as
# a common word more often than this: 平安 (1438), 沿河 (462) and 鸡鸣 (108) are everyday words, while 龙驹
# (86), 隘口 (96) and 天元 (80) are in practice place names.
COMMON_WORD_FREQ = 100
# Organization-type and theme words shorter than this are not matched by sound: two-character ones have
# everyday homophones sharing a character (志愿/自愿, 书籍/书记), which turned chatter into questions. Swept
# at 2 and 4.
MIN_SOUNDED_WORD = 3
# A place name gathered before an office is at most this long (内蒙古自治区 is 6; longer runs are sentences).
# Swept at 4 and 8.
MAX_PLACE_NAME_CHARS = 6
# Districts may be typed in pinyin (chengkou扶贫办): their short names' readings, with every reading of a
# character that has several (丰都: fengdu and fengdou), but never more than this many spellings: every
# district's usual spelling is among them.
MAX_ROMANIZATIONS = 4
# jieba keeps a word whole when its frequency beats the product of its parts' probabilities; this makes
# every domain word (place names, 扶贫办, 联系人 …) win over the general dictionary. Swept at 20 000 and
# 2 000 000.
DOMAIN_WORD_FREQ = 200_000
# jieba's general dictionary has 349 046 words and takes ~0.8 s to load. Words it counts fewer than this
# many times (270 000 of them: rare names, archaic terms) barely change how questions are cut, while the
# others, fewer than 100 000, load in ~0.1 s.
MIN_GENERAL_WORD_FREQ = 20

# --- groups (bot/channels/telegram/groups.py) -------------------------------------------------------------

# In auto mode an unaddressed message is answered only when the engine scores its best intent at least this
# high (0–1). Of the group chatter of tests/fixtures/group_chatter.txt, the lines that read as questions
# about the guideline score up to about 0.91 (潼南的油菜花开了 as a district overview): 0.95 keeps a margin
# of at least 0.03 above them while still answering at least 80 % of the development set's in-scope
# questions. Silence is the safe side: a missed question can still be asked with @, while a wrong answer to
# chatter is noise for a whole group.
AUTO_MIN_CONFIDENCE = 0.95
# Long messages are conversation, not questions to a bot; they may still be asked with @. At most 5 % of the
# tuning sets' in-scope questions are longer.
AUTO_MAX_CHARS = 80
