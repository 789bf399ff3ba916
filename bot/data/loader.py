"""Loading the knowledge files: parse, check the schema, assemble the knowledge base, run the cross-file checks."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from bot.data import schema
from bot.data.checks import check_knowledge
from bot.data.knowledge import KnowledgeBase, assemble
from bot.data.registry import KNOWLEDGE, NEWS_DIR
from bot.data.yamlio import YamlFile, load_yaml
from bot.errors import DataError, Problem, display_path

logger = logging.getLogger(__name__)


def load_knowledge(knowledge_dir: Path) -> KnowledgeBase:
    """Loads and validates every knowledge file.

    Args:
        knowledge_dir: The ``knowledge/`` directory.

    Returns:
        The knowledge base.

    Raises:
        DataError: With every problem found, each as ``file:line: what and how to fix``.
    """
    present = {
        f.name: f.schema for f in KNOWLEDGE if not (f.optional and not (knowledge_dir / f.name).exists())
    }
    documents, models = load_files(knowledge_dir, present)
    kb = assemble(models)
    problems = check_knowledge(kb, documents, knowledge_dir)
    if problems:
        raise DataError(problems)
    # The reports' text, for quoting their sentences (check_knowledge has made sure every file is there).
    news = {
        name: (knowledge_dir / NEWS_DIR / name).read_text(encoding="utf-8") for name in kb.background.sources
    }
    kb = dataclasses.replace(kb, news=news)
    logger.debug(
        "loaded %d districts, %d townships, %d villages",
        len(kb.districts),
        len(kb.townships),
        len(kb.villages),
    )
    return kb


def load_files(
    directory: Path, files: Mapping[str, type[BaseModel]]
) -> tuple[dict[str, YamlFile], dict[str, BaseModel]]:
    """Parses and schema-checks several YAML files, collecting the problems of all of them.

    Raises:
        DataError: If any file has any problem; every file is still read so all problems are reported.
    """
    documents: dict[str, YamlFile] = {}
    models: dict[str, BaseModel] = {}
    problems: list[Problem] = []
    for name, model in files.items():
        try:
            document = load_yaml(directory / name, display_path(directory / name))
            documents[name] = document
            models[name] = schema.parse_model(model, document)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return documents, models
