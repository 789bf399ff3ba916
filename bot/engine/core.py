"""The answer engine: from a question to a reply, choosing one intent among the scored candidates.

This is the only place that decides. :mod:`bot.nlu.analysis` understands the question, :mod:`bot.nlu.matcher`
scores every intent, and here the best candidate is accepted, or the question declined; the intent's
composer in :mod:`bot.compose` then writes the reply from the knowledge base.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
import unicodedata
from pathlib import Path

from bot.compose import COMPOSERS, Brief
from bot.compose.background import news_reply, passages_reply
from bot.compose.declines import out_of_scope_reply
from bot.compose.faq import with_faq
from bot.compose.notes import with_notes
from bot.compose.reply import Reply, ReplyKind, Section
from bot.compose.smalltalk import acknowledgement_reply, decline_reply
from bot.data.entity_type import PLACE_TYPES, EntityType
from bot.data.faq_intents import ensure_apart
from bot.data.intents import Intent, load_intents
from bot.data.knowledge import KnowledgeBase
from bot.data.loader import load_files, load_knowledge
from bot.data.normalize import MAX_QUESTION_CHARS
from bot.data.scope import SCOPE_FILE, ScopeFile
from bot.data.vocabulary import EntitiesFile, LexiconFile, check_entities
from bot.engine.conversation import Conversation
from bot.engine.dialogue import carry_org_type, carry_topic, incidental
from bot.engine.followup import FollowUp, Resolution, Resolver
from bot.engine.memory import remember
from bot.engine.quoting import Quoting
from bot.engine.routing import route
from bot.engine.understanding import Response, Understanding
from bot.nlu import tuning
from bot.nlu.analysis import PLACEHOLDERS, Analysis, Analyzer
from bot.nlu.entities import Gazetteer
from bot.nlu.lexicon import Lexicon, Segmenter, general_place_names
from bot.nlu.matcher import IntentMatcher
from bot.nlu.passages import PassageIndex
from bot.nlu.scope import AT_MENTION, Finding, OfficeDetail, OutOfScope, Scope
from bot.nlu.slots import Slots, resolve_slots, unlisted_local_places

logger = logging.getLogger(__name__)

# How many ranked candidates an understanding keeps (for --debug and the JSON output).
KEEP_CANDIDATES = 3
# A part of a message shorter than this (好的, 谢谢, 第一) asks nothing of its own.
MIN_PART_CHARS = 4
# What a part of a message must name to be answered beside a declined part: a place or an article, facts the
# guideline lists (城口扶贫办电话多少?那边有什么好玩的), not an organization type alone (残疾证怎么办 要去哪个
# 医院做鉴定: 医院 is no question of its own).
ANSWERABLE_PARTS = PLACE_TYPES | {EntityType.ARTICLE}
# The pseudo-intents of an answer quoted from the guideline's sentences, or the background news reports',
# when no intent fits.
GUIDELINE_TEXT_INTENT = "guideline_text"
NEWS_TEXT_INTENT = "news_text"
# A question word that takes an object (有没有 …): a space after it, or around English words, does not end
# the question; 几 before a measure word counts (几个会员), it asks nothing.
_OPEN_QUESTION = re.compile(r"(有没有|是不是|能不能|要不要|可不可以|有无) +")
_ASCII_SPACE = re.compile(r" +(?=[A-Za-z])|(?<=[A-Za-z]) +")
_FEW = re.compile(r"几(?=[个位家户名天次])")
# What scope.yaml declines that an entry of knowledge/faq.yaml may answer (not refusals, nor contacts'
# private details).
MAINTAINED = frozenset({Finding.UNLISTED, Finding.LATER, Finding.REMARK})
# Chongqing speech ends a question with these instead of a question word (垫江有攻坚村没得, 号码是好多).
TRAILING_QUESTIONS = ("没得", "没有", "不", "没", "好多", "莫得")
# Answers that give a place's contacts, and the canonical words asking for a person and for the office: a
# question for the person of a town the attachments list no contact for is declined (see
# Engine._unlisted_contact).
CONTACT_ANSWERS = frozenset({"district_contact", "township_contact", "villages_in_district", "town_villages"})
PERSON_WORD = "联系人"
TOWN_PLACEHOLDER = PLACEHOLDERS[EntityType.TOWN]
OFFICE_WORD = "扶贫办"


class Engine:
    """Answers questions from one knowledge base and one set of intents."""

    def __init__(
        self,
        kb: KnowledgeBase,
        intents: tuple[Intent, ...],
        lexicon: Lexicon,
        entities: EntitiesFile,
        scope: ScopeFile,
    ) -> None:
        """Builds the pipeline (with the FAQ entries as intents); :meth:`load` builds it from the files."""
        self.kb = kb
        self.intents, self.composers = with_faq(kb, intents, COMPOSERS)
        segmenter = Segmenter()
        gazetteer = Gazetteer(kb, entities, lexicon, segmenter.general_frequency, general_place_names())
        self.analyzer = Analyzer(lexicon, gazetteer, segmenter)
        self.matcher = IntentMatcher(self.intents, self.analyzer)
        self.passages = PassageIndex.of_guideline(kb, segmenter, lexicon)
        self.news = PassageIndex.of_news(kb, segmenter, lexicon)
        guideline_words = self.passages.vocabulary | {
            self.analyzer.lexicon.canonical(w) for w in self.passages.vocabulary
        }
        self.analyzer.set_vocabulary(self.matcher.vocabulary | guideline_words, self.matcher.known_words)
        self.resolver = Resolver(self.analyzer, kb)
        self.quoting = Quoting(
            kb, self.passages, self.news, segmenter.general_frequency, self.analyzer.lexicon.contact_words
        )
        self._contacts = frozenset(t.contact for t in kb.townships)
        self._smalltalk_words = frozenset(
            word
            for i in intents
            if i.smalltalk
            for e in i.examples
            for word in self.analyzer.analyze(e).words
        )
        self.scope = Scope(scope, self._contacts)
        faq_names = {entry.name for entry in kb.faq.entries}
        self._faq_intents = frozenset(i for i in self.intents if i.name in faq_names)

    @classmethod
    def load(cls, knowledge_dir: Path, intents_dir: Path) -> Engine:
        """Loads and validates the knowledge and intent files and builds the engine.

        Raises:
            DataError: A file is malformed or inconsistent (every problem, with file and line).
        """
        kb = load_knowledge(knowledge_dir)
        documents, vocab = load_files(
            intents_dir, {"lexicon.yaml": LexiconFile, "entities.yaml": EntitiesFile, SCOPE_FILE: ScopeFile}
        )
        lexicon_file = vocab["lexicon.yaml"]
        entities_file = vocab["entities.yaml"]
        scope_file = vocab[SCOPE_FILE]
        assert isinstance(lexicon_file, LexiconFile)
        assert isinstance(entities_file, EntitiesFile)
        assert isinstance(scope_file, ScopeFile)
        check_entities(kb, entities_file, documents["entities.yaml"])
        intents = load_intents(intents_dir, frozenset(COMPOSERS))
        ensure_apart(knowledge_dir, intents_dir, kb.faq, intents)
        return cls(kb, intents, Lexicon.from_file(lexicon_file), entities_file, scope_file)

    def understand(self, question: str) -> Understanding:
        """Analyzes a question, scores the intents and decides whether and how to answer.

        Candidates are considered best first: small talk is taken only on a close match (otherwise the
        next candidate is considered), an out-of-scope intent declines, and any other intent is taken
        when the question shows evidence of being about the guideline and its score, less the penalty
        for words the engine has never seen, reaches :data:`bot.nlu.tuning.MIN_SCORE`.
        """
        # An @mention names who the message is for (@bot, @小王), not what it asks: it is read by
        # Scope.remark from the message as written, and left out of the analysis.
        if "@" in question:
            analysis = self.analyzer.analyze(AT_MENTION.sub(" ", question))
            analysis = dataclasses.replace(analysis, original=question)
        else:
            analysis = self.analyzer.analyze(question)
        ranked = self.matcher.rank(analysis, limit=tuning.RANKED_CANDIDATES) if analysis.words else []
        slots = resolve_slots(self.kb, analysis)
        # A place, organization type or theme named in the question outweighs unknown words around it,
        # except for a strict intent in a remark (我老家在石柱 is no question about 石柱).
        unknown = tuning.UNKNOWN_WORD_PENALTY * self.analyzer.unknown_share(analysis)
        remark = not analysis.asking and self.analyzer.off_topic_share(analysis) > 0
        off_topic = tuning.REMARK_PENALTY if remark else 0.0

        def penalty(intent: Intent) -> float:
            if not analysis.entity_types:
                return unknown
            return off_topic if intent.strict else 0.0

        chosen: Intent | None = None
        score = ranked[0].score - penalty(ranked[0].intent) if ranked else 0.0
        for candidate in ranked:
            if candidate.intent.smalltalk:
                if candidate.similarity >= tuning.SMALLTALK_MIN_SIMILARITY:
                    chosen, score = candidate.intent, candidate.similarity
                    break
                continue
            score = candidate.score - penalty(candidate.intent)
            if analysis.evidence and not candidate.intent.decline and score >= tuning.MIN_SCORE:
                chosen = candidate.intent
            break
        if chosen is not None and self._asks_off_topic(analysis.original):
            chosen = (
                None  # 我们协会下周开年会……麻烦您讲一个笑话: the background is in scope, the question not
            )
        scope = self._screen(question, analysis)
        if scope is None and not (chosen is not None and chosen.smalltalk) and self._is_remark(analysis):
            scope = OutOfScope(Finding.REMARK)
        if scope is None and chosen is not None and self._asks_else_of_place(chosen, analysis):
            scope = OutOfScope(Finding.UNLISTED)
        if scope is None and chosen is not None:
            scope = self._unlisted_contact(chosen, analysis, slots)
        if isinstance(scope, OutOfScope) and scope.finding in MAINTAINED and chosen in self._faq_intents:
            scope = None  # the maintainers answered it themselves (knowledge/faq.yaml): they know better
        if isinstance(scope, OutOfScope):
            chosen = None
        confidence = max(0.0, min(1.0, score / 100))
        return Understanding(analysis, tuple(ranked[:KEEP_CANDIDATES]), chosen, confidence, slots, scope)

    def _asks_else_of_place(self, intent: Intent, analysis: Analysis) -> bool:
        """Whether a question naming a place asks about it something the attachments do not list.

        An answer about a place (its office, townships, villages) fits a question asking for one of them:
        酉阳桃花源几月份去最好看 names 酉阳 but none of the words that ask for what the guideline lists of a
        place (``place_topics`` of the lexicon), only others. English words and greetings are left aside
        (院星村 is in which district?), as are questions naming only places (城口县).
        """
        if not PLACE_TYPES & set(intent.required) or analysis.entity_types - PLACE_TYPES:
            return False
        if any(m.surface in self._contacts for m in analysis.mentions):
            return False  # asked about a listed contact (张锡定是镇里的什么领导): the attachments list them
        lexicon = self.analyzer.lexicon
        content = [
            w
            for w in self.analyzer.content_words(analysis)
            if not w.isascii() and w not in self._smalltalk_words
        ]
        return bool(content) and not set(analysis.words) & lexicon.place_topics

    def _is_remark(self, analysis: Analysis) -> bool:
        """Whether a message tells rather than asks (:meth:`bot.nlu.scope.Scope.remark`)."""
        text = analysis.text
        questioning = bool(self.analyzer.lexicon.question.search(text)) or text.endswith(TRAILING_QUESTIONS)
        return self.scope.remark(analysis.original, text, questioning=questioning)

    def _unlisted_contact(self, intent: Intent, analysis: Analysis, slots: Slots) -> OutOfScope | None:
        """A question for the contact person of a town the attachments list no contact for, declined.

        Only the 18 deep-poverty townships have a contact in the guideline; 巫溪中梁乡联系人电话 names a town
        of designated villages (or 草堂镇, one not listed at all), and answering with the district office
        would give a phone for a question that asked for someone else. The decline offers the district's
        office as a question to tap.
        """
        if intent.answer not in CONTACT_ANSWERS or slots.townships:
            return None
        words = analysis.words
        if PERSON_WORD not in words or OFFICE_WORD in words:
            return None
        town_person = any(a == TOWN_PLACEHOLDER and b == PERSON_WORD for a, b in itertools.pairwise(words))
        if slots.villages and not town_person:
            return None  # a village's contact is its district office's (高桥村联系谁), which the answer gives
        towns = set(slots.towns)
        town_names = {town for _, town in towns}
        local = unlisted_local_places(slots)
        if not towns and not local:
            return None
        named = "、".join(dict.fromkeys([town for _, town in slots.towns] + local))
        what = f"{named}的联系人:指引只列出{len(self.kb.townships)}个深度贫困乡镇的联系人,{named}不在其中"
        villages = [v for v in self.kb.villages if (v.district, v.town) in towns]
        if villages:
            what += f"({named}有定点攻坚村{'、'.join(v.name for v in villages)})"
        # 云阳双龙镇 is not 巫山双龙镇, the deep-poverty township of the same name: say which is listed.
        namesakes = [t for t in self.kb.townships if t.name in town_names]
        what += "".join(f";{t.district}{t.name}是深度贫困乡镇,可另问其联系人" for t in namesakes)
        return OutOfScope(Finding.UNLISTED, what, office=True)

    def _screen(self, question: str, analysis: Analysis) -> OutOfScope | OfficeDetail | None:
        """What the question asks that the guideline does not contain (:mod:`bot.nlu.scope`).

        A message of several questions is declined for an unlisted topic only if none of its parts is
        about something the guideline has (城口扶贫办电话多少?那边有什么好玩的 still gets the phone).
        """
        found = self.scope.screen(question, analysis)
        if not isinstance(found, OutOfScope) or found.finding is not Finding.UNLISTED:
            return found
        text = unicodedata.normalize("NFKC", question[:MAX_QUESTION_CHARS])
        # 忠县扶贫办有没有 official WeChat 公众号 is one question: its fragment 忠县扶贫办有没有 is not another.
        text = _ASCII_SPACE.sub("", _OPEN_QUESTION.sub(r"\1", text))
        parts = [p for p in self.analyzer.lexicon.parts.split(text) if len(p.strip()) >= MIN_PART_CHARS]
        if len(parts) < 2:
            return found
        for part in parts:
            other = self.understand(part)
            # A part asking nothing, or naming nothing of its own, may be background or the tail of the
            # declined one (想成立一个民办非企业单位,需要准备哪些材料; 我在万州读的大学,那边的烤鱼好吃);
            # a request without a question word is background too (石柱县残联电话多少 想对接残疾人项目).
            if other.intent is None or other.scope is not None or other.intent.smalltalk:
                continue
            # 组织几个会员去城口县扶贫办 asks nothing.
            asked = _FEW.sub("", other.analysis.text)
            questioning = bool(self.analyzer.lexicon.question.search(asked))
            if questioning and other.analysis.entity_types & ANSWERABLE_PARTS:
                return None
        return found

    def _asks_off_topic(self, message: str) -> bool:
        """Whether a message's explicit question (the part after 请问, 麻烦您 …) is about something else.

        Background about an organization (我们学校周末组织教职工足球赛) can match an intent while what is
        asked (请问越位是怎么判罚的) has nothing to do with the guideline: at least two content words, none
        of them a word of its topics, and no entity.
        """
        text = unicodedata.normalize("NFKC", message[:MAX_QUESTION_CHARS])
        asked = next((m.group(1) for m in self.analyzer.lexicon.asked.finditer(text)), None)
        if asked is None or len(asked) == len(text):
            return False
        part = self.analyzer.analyze(asked)
        return (
            not part.mentions
            and len(self.analyzer.content_words(part)) >= tuning.MIN_OFF_TOPIC_WORDS
            and self.analyzer.off_topic_share(part) == 1.0
        )

    def reply_to(self, understanding: Understanding) -> Reply:
        """Writes the reply for an understanding.

        A declined question is still answered when a sentence of the guideline, or else of the background
        news reports, shares its specific words (unless it is closest to an out-of-scope example); an answered one gains the answers to its other parts and
        the sentence holding a specific word the answer lacks. A question about the news (the background
        intent) or about another province's practice (not its offices) is answered with the reports'
        matching sentences when there are any.
        """
        intent = understanding.intent
        analysis = understanding.analysis
        name = intent.name if intent else None
        explicit = bool(understanding.candidates) and understanding.candidates[0].intent.decline
        if isinstance(understanding.scope, OutOfScope):
            reply = out_of_scope_reply(self.kb, understanding.scope, understanding.slots)
        elif intent is None and explicit:
            reply = decline_reply(self.kb)  # closest to an out-of-scope example (年检材料, 免税资格)
        elif intent is None:
            guideline = self.quoting.strong(self.passages, analysis)
            news = [] if guideline else self.quoting.strong(self.news, analysis, in_scope_only=True)
            if guideline:
                reply, name = passages_reply(self.kb, guideline), GUIDELINE_TEXT_INTENT
            elif news:
                reply, name = news_reply(self.kb, news), NEWS_TEXT_INTENT
            else:
                reply = decline_reply(self.kb)
        else:
            reply = self.compose(
                intent.answer, self.brief(understanding.slots, analysis, understanding.scope)
            )
            news = self.quoting.news_for(intent, analysis, understanding.slots)
            if news:
                reply = news_reply(self.kb, news, places=understanding.slots.other_places)
                reply = self._add_other_parts(understanding, reply)
            elif reply.kind is ReplyKind.ANSWER:
                reply = self._add_other_parts(understanding, reply)
                reply = self.quoting.add_passage(analysis.tokens, reply)
        if reply.kind in (ReplyKind.DECLINE, ReplyKind.REFUSE):
            name = None  # a composer that finds nothing to say for what was asked declines
        return dataclasses.replace(
            reply,
            intent=name,
            confidence=round(understanding.confidence, 3),
            entities={kind: tuple(keys) for kind, keys in understanding.entities.items()},
        )

    def brief(
        self, slots: Slots, analysis: Analysis, scope: OutOfScope | OfficeDetail | None = None
    ) -> Brief:
        """What the composers are given for a question: its entities, its analysis, the unlisted detail it asks."""
        detail = scope.what if isinstance(scope, OfficeDetail) else None
        return Brief(self.kb, slots, analysis, office_detail=detail)

    def compose(self, answer: str, brief: Brief) -> Reply:
        """Writes an answer: routes it (:mod:`bot.engine.routing`), composes it, and adds the notes it needs."""
        routed = route(answer, brief, self.analyzer.lexicon)
        reply = self.composers[routed.composer](brief)
        return with_notes(brief, reply)

    def _add_other_parts(self, understanding: Understanding, reply: Reply) -> Reply:
        """Appends the answers to the other questions of a message that asks several things."""
        text = unicodedata.normalize("NFKC", understanding.analysis.original[:MAX_QUESTION_CHARS])
        parts = [p for p in self.analyzer.lexicon.parts.split(text) if len(p.strip()) >= MIN_PART_CHARS]
        if len(parts) < 2 or understanding.intent is None:
            return reply
        answered = {understanding.intent.answer}
        sections = list(reply.sections)
        added = 0
        others = sorted((self.understand(part) for part in parts), key=lambda u: -u.confidence)
        for other in others:
            if added >= tuning.MAX_SECONDARY_ANSWERS:
                break
            if (
                other.intent is None
                or other.intent.answer in answered
                or other.confidence * 100 < tuning.SECONDARY_MIN_SCORE
            ):
                continue
            # A part naming no place, organization type or theme is often the tail of the one before it
            # (…去涪陵开展免费体检,联系哪个部门): it must say something that points at its own answer.
            if not other.analysis.entity_types and not self.matcher.distinctive_words(
                other.intent, other.analysis.words
            ):
                continue
            extra = self.compose(other.intent.answer, self.brief(other.slots, other.analysis, other.scope))
            new = [section for section in extra.sections if section not in sections]
            if extra.kind is not ReplyKind.ANSWER or not new:
                continue
            answered.add(other.intent.answer)
            added += 1
            sections += new
        return dataclasses.replace(reply, sections=tuple(sections))

    def respond(self, message: str, conversation: Conversation | None = None) -> Response:
        """Answers a message, as a follow-up of its conversation when there is one.

        The conversation (when given) is read to resolve the message (:mod:`bot.engine.followup`) and then
        updated with what the answer was about. Any text may come in: this never raises on odd input.
        """
        resolution = Resolution(message)
        if conversation is not None:
            resolution = self.resolver.resolve(message, conversation)
        if resolution.kind is FollowUp.ACKNOWLEDGEMENT:
            return Response(
                self.understand(message), acknowledgement_reply(thanked="谢" in message), resolution
            )
        text = resolution.text
        if resolution.kind is FollowUp.MORE and conversation is not None:
            # 还有呢: all the guideline says of the place last discussed, or of the last question's topic.
            text = conversation.place or conversation.question or message
        understanding = self.understand(text)
        if resolution.kind is FollowUp.REFERENCE and not resolution.person:
            original = self.understand(message)
            if incidental(understanding, original):
                understanding, text = original, message
        carried = carry_org_type(self, understanding, conversation) or carry_topic(
            self, understanding, conversation
        )
        if carried is not None:
            understanding, text = carried, carried.analysis.original
        reply = self.reply_to(understanding)
        if resolution.kind is FollowUp.MORE and conversation is not None:
            reply = dataclasses.replace(reply, choices=(*reply.choices, *conversation.choices))
        if text != message:
            note = Section(None, (f"(接上文,理解为:{text})",))
            reply = dataclasses.replace(reply, sections=(note, *reply.sections), resolved=text)
        if conversation is not None:
            chose = resolution.kind is FollowUp.CHOICE
            remember(
                conversation,
                self.kb,
                understanding.analysis,
                understanding.slots,
                text,
                reply,
                picked=chose,
            )
        logger.debug(
            "question -> %s (%.2f), follow-up %s",
            understanding.intent.name if understanding.intent else None,
            understanding.confidence,
            resolution.kind.value,
        )
        return Response(understanding, reply, resolution)

    @property
    def self_references(self) -> tuple[str, ...]:
        """Words of the user speaking of their own organization (我们)."""
        return self.analyzer.lexicon.self_references

    def topic_words(self, question: str) -> list[str]:
        """The words of a question that say what it is about in the guideline's terms (深度贫困乡镇)."""
        return self.analyzer.topic_words(self.analyzer.analyze(question))

    def routed(self, answer: str, understanding: Understanding) -> str:
        """The composer that would write the answer ``answer`` for ``understanding``."""
        brief = self.brief(understanding.slots, understanding.analysis, understanding.scope)
        return route(answer, brief, self.analyzer.lexicon).composer

    def answer(self, question: str, conversation: Conversation | None = None) -> Reply:
        """Answers one message (in its conversation, if given); never raises on odd input."""
        return self.respond(question, conversation).reply
