"""The one list of knowledge files: each file's name, its schema, and whether its facts cite the guideline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from bot.data import schema
from bot.data.faq import FaqFile
from bot.data.updates import UpdatesFile


@dataclass(frozen=True)
class KnowledgeFile:
    """One file of ``knowledge/``.

    Attributes:
        name: The file name (``focus.yaml``); the knowledge base's field of the same stem holds its model.
        schema: The pydantic model of the whole file.
        quoted: Whether its records quote the guideline (``text`` with a ``source``), so that every quote
            is checked verbatim against the source it cites.
        optional: Whether the file may be missing, which means it lists nothing (the maintainers' own
            files, which an older copy of the knowledge does not have).
    """

    name: str
    schema: type[BaseModel]
    quoted: bool = False
    optional: bool = False

    @property
    def field(self) -> str:
        """The :class:`bot.data.knowledge.KnowledgeBase` field holding this file's model."""
        return self.name.removesuffix(".yaml")


# Adding a knowledge file means adding it here (and describing it in the README).
KNOWLEDGE: tuple[KnowledgeFile, ...] = (
    KnowledgeFile("guideline.yaml", schema.GuidelineFile),
    KnowledgeFile("regions.yaml", schema.RegionsFile),
    KnowledgeFile("place_names.yaml", schema.PlaceNamesFile),
    KnowledgeFile("focus.yaml", schema.FocusFile, quoted=True),
    KnowledgeFile("participation.yaml", schema.ParticipationFile, quoted=True),
    KnowledgeFile("activities.yaml", schema.ActivitiesFile, quoted=True),
    KnowledgeFile("reporting.yaml", schema.ReportingFile, quoted=True),
    KnowledgeFile("safety.yaml", schema.SafetyFile, quoted=True),
    KnowledgeFile("platform.yaml", schema.PlatformFile, quoted=True),
    KnowledgeFile("background.yaml", schema.BackgroundFile, quoted=True),
    KnowledgeFile("updates.yaml", UpdatesFile, optional=True),
    KnowledgeFile("faq.yaml", FaqFile, optional=True),
)
# Every knowledge file's schema, by file name.
KNOWLEDGE_FILES: dict[str, type[BaseModel]] = {f.name: f.schema for f in KNOWLEDGE}
# The background news reports quoted by background.yaml, under knowledge/.
NEWS_DIR = Path("source") / "news"
