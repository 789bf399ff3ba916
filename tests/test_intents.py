"""bot/intents.py and intents/entities.yaml: the shipped intents validate; mistakes are reported at file:line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.compose import COMPOSERS
from bot.data.intents import MIN_EXAMPLES, load_intents
from bot.engine import Engine
from bot.errors import DataError, Problem
from tests.engine_support import INTENTS, ProjectCopy, line_of

COMPOSER_NAMES = frozenset(COMPOSERS)


def problems_of(intents_dir: Path) -> list[Problem]:
    with pytest.raises(DataError) as raised:
        load_intents(intents_dir, COMPOSER_NAMES)
    return raised.value.problems


# --- the shipped intents ----------------------------------------------------------------------------------


def test_the_shipped_intents_validate() -> None:
    intents = load_intents(INTENTS, COMPOSER_NAMES)
    names = [intent.name for intent in intents]
    assert len(names) == len(set(names))
    examples = [example for intent in intents for example in intent.examples]
    assert len(examples) == len(set(examples))
    for intent in intents:
        assert len(intent.examples) >= MIN_EXAMPLES, intent.name
        assert intent.answer in COMPOSER_NAMES, intent.name
        assert not set(intent.required) & set(intent.optional), intent.name


def test_the_engine_is_built_from_the_shipped_intents(engine: Engine) -> None:
    assert [i.name for i in engine.intents] == [i.name for i in load_intents(INTENTS, COMPOSER_NAMES)]


# Issue 3 names what the intents must cover; each kind has an intent whose composer writes it.
REQUIRED_COMPOSERS = [
    "district_contact",  # a district's office phone
    "township_contact",  # a township's contact
    "village_location",  # where a village is
    "district_overview",  # everything about one district
    "tier_list",  # lists by tier
    "region_counts",  # counts
    "focus_people",
    "focus_domains",
    "focus_regions",
    "three_focus",
    "activities_by_orgtype",
    "activities_by_theme",
    "participation_paths",
    "getting_started",
    "online_platform",
    "reporting_plan",
    "reporting_followup",
    "reporting_results",
    "recognition",
    "honours",
    "safety_insurance",
    "document_info",
    "greeting",
    "help",
    "thanks",
    "decline",
]


@pytest.mark.parametrize("composer", REQUIRED_COMPOSERS)
def test_every_kind_of_question_of_the_issue_has_an_intent(composer: str) -> None:
    assert composer in {intent.answer for intent in load_intents(INTENTS, COMPOSER_NAMES)}


def test_the_out_of_scope_intent_declines_and_small_talk_is_marked() -> None:
    intents = {intent.name: intent for intent in load_intents(INTENTS, COMPOSER_NAMES)}
    assert any(intent.decline for intent in intents.values())
    assert {"greeting", "thanks", "help"} <= {name for name, intent in intents.items() if intent.smalltalk}


# --- broken intent files -----------------------------------------------------------------------------------

_EIGHT = "[问题一, 问题二, 问题三, 问题四, 问题五, 问题六, 问题七, 问题八]"


@dataclass(frozen=True)
class BrokenIntent:
    """An intents file with one mistake, and the problem it must produce.

    Attributes:
        id: Test id.
        text: The whole new file ``intents/zz_broken.yaml``; ``{example}`` is replaced by an example of
            a shipped intent.
        at: Pattern of the line the problem must name.
        fragments: What the message must say.
    """

    id: str
    text: str
    at: str
    fragments: tuple[str, ...]


BROKEN_INTENTS = [
    BrokenIntent(
        "fewer-than-8-examples",
        "version: 1\nintents:\n  - name: too_few\n    description: 测试\n    answer: district_contact\n"
        "    examples:\n      - 问题一\n      - 问题二\n      - 问题三\n",
        r"^    examples:",
        ("examples",),
    ),
    BrokenIntent(
        "unknown-composer",
        f"version: 1\nintents:\n  - name: lost\n    description: 测试\n    answer: no_such_composer\n"
        f"    examples: {_EIGHT}\n",
        r"answer: no_such_composer",
        ("no answer composer named no_such_composer", "district_contact"),
    ),
    BrokenIntent(
        "duplicate-name",
        f"version: 1\nintents:\n  - name: district_contact\n    description: 测试\n    answer: district_contact\n"
        f"    examples: {_EIGHT}\n",
        r"name: district_contact",
        ("duplicate intent district_contact", "intents/regions.yaml:"),
    ),
    BrokenIntent(
        "duplicate-example-across-intents",
        "version: 1\nintents:\n  - name: copycat\n    description: 测试\n    answer: district_contact\n"
        "    examples:\n      - 问题一\n      - {example}\n      - 问题三\n      - 问题四\n"
        "      - 问题五\n      - 问题六\n      - 问题七\n      - 问题八\n",
        r"^      - {example}$",
        ("{example}", "also in intent", "(first at ", "guidance.yaml:"),
    ),
    BrokenIntent(
        "duplicate-example-within-an-intent",
        "version: 1\nintents:\n  - name: stutter\n    description: 测试\n    answer: district_contact\n"
        '    examples:\n      - "问题一"\n      - 问题二\n      - 问题三\n      - 问题四\n'
        "      - 问题五\n      - 问题六\n      - 问题七\n      - 问题一\n",
        r"^      - 问题一$",
        ("问题一", "twice in this intent", "zz_broken.yaml:7); keep it once"),
    ),
    BrokenIntent(
        "unknown-entity-type",
        f"version: 1\nintents:\n  - name: county\n    description: 测试\n    answer: district_contact\n"
        f"    entities: {{required: [county]}}\n    examples: {_EIGHT}\n",
        r"required: \[county\]",
        ("county", "district", "township", "village"),
    ),
    BrokenIntent(
        "entity-required-and-optional",
        f"version: 1\nintents:\n  - name: both\n    description: 测试\n    answer: district_contact\n"
        f"    entities: {{required: [district], optional: [district]}}\n    examples: {_EIGHT}\n",
        r"required: \[district\]",
        ("district listed as both required and optional",),
    ),
    BrokenIntent(
        "unknown-knowledge-file",
        f"version: 1\nintents:\n  - name: reads\n    description: 测试\n    answer: district_contact\n"
        f"    knowledge: [regions.yml]\n    examples: {_EIGHT}\n",
        r"knowledge: \[regions.yml\]",
        ("unknown knowledge file regions.yml", "regions.yaml"),
    ),
    BrokenIntent(
        "misspelt-field",
        f"version: 1\nintents:\n  - name: typo\n    descripton: 测试\n    answer: district_contact\n"
        f"    examples: {_EIGHT}\n",
        r"descripton:",
        ("descripton", "description"),
    ),
    BrokenIntent(
        "malformed-yaml-unclosed-quote",
        'version: 1\nintents:\n  - name: quote\n    description: "测试\n    answer: district_contact\n',
        r'description: "测试',
        ("YAML syntax error", "quote"),
    ),
    BrokenIntent(
        "full-width-colon",
        f"version: 1\nintents:\n  - name: colon\n    description: 测试\n    answer：district_contact\n"
        f"    examples: {_EIGHT}\n",
        r"answer：district_contact",
        ("`answer：` has a full-width colon (：)", "write `answer: ` with an ASCII colon and a space"),
    ),
    BrokenIntent(
        "malformed-yaml-tab",
        "version: 1\nintents:\n  - name: tab\n\tdescription: 测试\n",
        r"^\tdescription",
        ("YAML syntax error", "tab"),
    ),
]


@pytest.mark.parametrize("broken", BROKEN_INTENTS, ids=[b.id for b in BROKEN_INTENTS])
def test_a_broken_intent_file_is_reported_at_its_file_and_line(
    project_copy: ProjectCopy, engine: Engine, broken: BrokenIntent
) -> None:
    example = engine.intents[0].examples[0]
    text = broken.text.replace("{example}", example)
    path = project_copy.intents / "zz_broken.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(project_copy.intents)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.path.endswith("zz_broken.yaml")
    assert problem.line == line_of(text, broken.at.replace("{example}", example))
    for fragment in broken.fragments:
        assert fragment.replace("{example}", example) in problem.message, problem.message
    assert str(problem).startswith(f"{problem.path}:{problem.line}: ")


def test_too_few_examples_says_how_many_are_needed(project_copy: ProjectCopy) -> None:
    (project_copy.intents / "zz_broken.yaml").write_text(BROKEN_INTENTS[0].text, encoding="utf-8")
    (problem,) = problems_of(project_copy.intents)
    assert str(MIN_EXAMPLES) in problem.message


def test_every_problem_of_every_file_is_reported_at_once(project_copy: ProjectCopy) -> None:
    first = BROKEN_INTENTS[1].text
    second = BROKEN_INTENTS[2].text.replace("问题", "提问")
    (project_copy.intents / "zz_broken.yaml").write_text(first, encoding="utf-8")
    (project_copy.intents / "zz_broken_too.yaml").write_text(second, encoding="utf-8")
    messages = [p.message for p in problems_of(project_copy.intents)]
    assert len(messages) == 2
    assert any("no_such_composer" in m for m in messages)
    assert any("duplicate intent" in m for m in messages)


def test_a_directory_without_intent_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "lexicon.yaml").write_text("version: 1\n", encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert "no intent files" in problem.message


# --- intents/entities.yaml ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenEntities:
    """One mistake in intents/entities.yaml and the problem it must produce."""

    id: str
    old: str
    new: str
    at: str
    fragments: tuple[str, ...]


BROKEN_ENTITIES = [
    BrokenEntities(
        "unknown-org-type-id",
        "org_types:\n",
        "org_types:\n  hospital_group: [医院集团]\n",
        r"^  hospital_group:",
        ("hospital_group is not an id in knowledge/activities.yaml org_types", "medical"),
    ),
    BrokenEntities(
        "unknown-theme-id",
        "themes:\n",
        "themes:\n  weather: [天气]\n",
        r"^  weather:",
        ("weather is not an id in knowledge/activities.yaml themes", "left_behind"),
    ),
    BrokenEntities(
        "a-word-naming-two-things",
        "  employment: [",
        "  employment: [义诊, ",
        r"^  employment:",
        ("义诊 already names org_types.medical", "only one thing"),
    ),
]


@pytest.mark.parametrize("broken", BROKEN_ENTITIES, ids=[b.id for b in BROKEN_ENTITIES])
def test_a_broken_entities_file_is_reported_at_its_line(
    project_copy: ProjectCopy, broken: BrokenEntities
) -> None:
    path = project_copy.intents / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(broken.old) == 1, f"{broken.old!r} must occur once in entities.yaml"
    text = text.replace(broken.old, broken.new)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        Engine.load(project_copy.knowledge, project_copy.intents)
    (problem,) = raised.value.problems
    assert problem.path.endswith("entities.yaml")
    assert problem.line == line_of(text, broken.at)
    for fragment in broken.fragments:
        assert fragment in problem.message, problem.message


def test_no_example_of_small_talk_or_a_declined_intent_names_an_entity(engine: Engine) -> None:
    # Such an example reads as "ORGTYPE …" or "THEME …" once names become placeholders, and would match,
    # and decline, real questions about any organization type or theme (哪里有招聘会: 招聘 is a theme).
    named = [
        (intent.name, example)
        for intent in engine.intents
        if intent.decline or intent.smalltalk
        for example in intent.examples
        if engine.analyzer.analyze(example).mentions
    ]
    assert named == []
