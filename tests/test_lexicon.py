"""bot/lexicon.py: synonyms fold to one word, the segmenter keeps the domain's words whole, jieba loads once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jieba
import pytest
import yaml

from bot.data.loader import load_knowledge
from bot.data.normalize import normalize
from bot.data.schema import parse_model
from bot.data.vocabulary import LexiconFile
from bot.data.yamlio import load_yaml
from bot.engine import Engine
from bot.nlu import lexicon as lexicon_module
from bot.nlu.lexicon import Lexicon, Segmenter
from tests.engine_support import INTENTS, KNOWLEDGE

# The language lists every lexicon file must have, at their smallest.
LANGUAGE = (
    "local_place_suffixes: [村]\nnot_place_starts: [哪]\noffice_words: [扶贫办]\noffice_prefixes: [扶贫]\n"
    "function_characters: [的]\nquestion_words: [吗]\nrequest_words: []\nquestion_openers: []\n"
    "part_separators: []\ncontact_words: [电话]\nplural_words: []\nreferences: {place: [它]}\ncorrections: [不是]\nellipsis_openers: [那]\n"
    "ellipsis_closers: [呢]\nacknowledgements: [好的]\nmore_requests: [还有呢]\nself_references: [我们]\n"
    "place_topics: [电话]\nfollowup_fillers: [也]\nfollowup_questions: {电话: '{place}扶贫办电话'}\n"
)


def _synonym_pairs() -> list[tuple[str, str]]:
    data = yaml.safe_load((INTENTS / "lexicon.yaml").read_text(encoding="utf-8"))
    return [(variant, canonical) for canonical, variants in data["synonyms"].items() for variant in variants]


def _entity_words() -> list[str]:
    data = yaml.safe_load((INTENTS / "entities.yaml").read_text(encoding="utf-8"))
    words = {
        word for field in ("org_types", "themes", "tiers") for group in data[field].values() for word in group
    }
    return sorted(words)


def _place_and_person_names() -> list[str]:
    kb = load_knowledge(KNOWLEDGE)
    names: set[str] = set()
    for district in kb.districts:
        names.update(district.names)
    for township in kb.townships:
        names.update((township.name, township.contact))
    for village in kb.villages:
        names.update((village.name, village.town))
    return sorted(names)


SYNONYMS = _synonym_pairs()


@pytest.fixture(scope="module")
def lexicon(engine: Engine) -> Lexicon:
    return engine.analyzer.lexicon


@pytest.fixture(scope="module")
def segmenter(engine: Engine) -> Segmenter:
    return engine.analyzer.segmenter


# --- synonyms -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "canonical"), SYNONYMS, ids=[v for v, _ in SYNONYMS])
def test_every_synonym_folds_to_its_canonical_word(lexicon: Lexicon, variant: str, canonical: str) -> None:
    assert lexicon.canonical(normalize(variant)) == normalize(canonical)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("联系方式", "电话"),
        ("座机", "电话"),
        ("号码", "电话"),
        ("扶贫部门", "扶贫办"),
        ("扶贫开发办公室", "扶贫办"),
        ("负责人", "联系人"),
        ("找谁", "联系人"),
        ("定点帮扶村", "攻坚村"),
        ("意外险", "保险"),
        ("民政局", "登记机关"),
    ],
)
def test_the_synonyms_users_type_most_fold_as_expected(
    lexicon: Lexicon, variant: str, canonical: str
) -> None:
    assert lexicon.canonical(variant) == canonical


def test_canonical_words_map_to_themselves_and_unknown_words_pass_through(lexicon: Lexicon) -> None:
    assert lexicon.canonical("电话") == "电话"
    assert lexicon.canonical("扶贫办") == "扶贫办"
    assert lexicon.canonical("火锅") == "火锅"


def test_a_variant_listed_under_two_words_keeps_the_first(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(
        "version: 1\n"
        "synonyms:\n  电话: [号码]\n  编号: [号码]\n"
        "stopwords: [的]\ngeneric: [哪些]\nother_places: [北京]\nhome_places: [重庆市]\n"
        "place_suffixes: [区]\ngeneric_place_words: [山区]\n" + LANGUAGE,
        encoding="utf-8",
    )
    lexicon = Lexicon.from_file(parse_model(LexiconFile, load_yaml(path, "lexicon.yaml")))
    assert lexicon.canonical("号码") == "电话"
    assert lexicon.canonical("编号") == "编号"


def test_lexicon_words_are_normalized(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(
        "version: 1\n"
        "synonyms:\n  電話: [聯繫方式, ＴＥＬ]\n"
        "stopwords: [請問]\ngeneric: [哪些]\nother_places: [廣州]\nhome_places: [重慶市]\n"
        "place_suffixes: [區]\ngeneric_place_words: [山區]\n" + LANGUAGE,
        encoding="utf-8",
    )
    lexicon = Lexicon.from_file(parse_model(LexiconFile, load_yaml(path, "lexicon.yaml")))
    assert lexicon.canonical("联系方式") == "电话"
    assert lexicon.canonical("tel") == "电话"
    assert "请问" in lexicon.stopwords
    assert lexicon.other_places == ("广州",)
    assert lexicon.home_places == ("重庆市",)


# --- segmentation -------------------------------------------------------------------------------------------

CONTEXTS = (
    "{}",
    "请问{}在哪里",
    "我们想去{}开展帮扶",
    "{}的联系电话",
    "{}扶贫办电话",
    "{}联系人",
    "去{}看看",
)


@pytest.mark.parametrize("name", _place_and_person_names())
def test_segmenter_keeps_every_place_and_contact_name_whole(segmenter: Segmenter, name: str) -> None:
    for context in CONTEXTS:
        question = context.format(name)
        assert name in segmenter.cut(question), question


@pytest.mark.parametrize("word", [w for w in _entity_words() if len(normalize(w)) > 1])
def test_segmenter_keeps_organization_type_theme_and_tier_words_whole(
    segmenter: Segmenter, word: str
) -> None:
    key = normalize(word)
    for context in ("{}", "请问{}是什么", "我们{}怎么参与"):
        assert key in segmenter.cut(context.format(key))


@pytest.mark.parametrize(
    "word", sorted({normalize(w) for pair in SYNONYMS for w in pair if len(normalize(w)) > 1})
)
def test_segmenter_keeps_synonyms_whole(segmenter: Segmenter, word: str) -> None:
    assert word in segmenter.cut(f"请问{word}是什么")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("酉阳土家族苗族自治县扶贫办联系方式", ["酉阳土家族苗族自治县", "扶贫办", "联系方式"]),
        ("城口县有哪些深度贫困乡镇", ["城口县", "有", "哪些", "深度贫困乡镇"]),
        ("高桥村在哪个区县", ["高桥村", "在", "哪个区县"]),
    ],
)
def test_segmentation_of_typical_questions(segmenter: Segmenter, text: str, words: list[str]) -> None:
    assert segmenter.cut(text) == words


def test_segmenter_drops_spaces(segmenter: Segmenter) -> None:
    assert segmenter.cut("hello world 万州区") == ["hello", "world", "万州区"]


def test_segmenters_do_not_share_words() -> None:
    taught, fresh = Segmenter(), Segmenter()
    taught.add_words(["龘靐齉"])
    assert taught.cut("我想去龘靐齉看看").count("龘靐齉") == 1
    assert "龘靐齉" not in fresh.cut("我想去龘靐齉看看")


# --- the pruned jieba dictionary ------------------------------------------------------------------------------


def test_general_dictionary_is_loaded_once_per_process() -> None:
    Segmenter()
    before = lexicon_module._general_dictionary.cache_info()
    first, second = Segmenter(), Segmenter()
    after = lexicon_module._general_dictionary.cache_info()
    assert after.misses == before.misses
    assert first.general_frequency("重庆") == second.general_frequency("重庆") > 0


def test_pruned_dictionary_is_written_once_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    path = lexicon_module._pruned_dictionary()
    assert path.parent == tmp_path
    written = path.stat().st_mtime_ns
    os.utime(path, ns=(written - 10_000_000_000, written - 10_000_000_000))
    aged = path.stat().st_mtime_ns
    assert lexicon_module._pruned_dictionary() == path
    assert path.stat().st_mtime_ns == aged  # not rewritten
    assert not list(tmp_path.glob("*.tmp"))  # no half-written file left behind


def test_pruned_dictionary_keeps_common_words_and_drops_rare_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    kept = lexicon_module._pruned_dictionary().read_text(encoding="utf-8").splitlines()
    full = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8").splitlines()
    assert 0 < len(kept) < len(full)
    assert set(kept) <= set(full)
    words = {line.split()[0] for line in kept}
    assert {"重庆", "扶贫", "社会", "组织", "电话"} <= words
