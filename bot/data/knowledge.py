"""The knowledge base: every fact the bot can state, as loaded from ``knowledge/*.yaml`` by :mod:`bot.data.loader`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.data import schema
from bot.data.citations import Citation, CitationKind, parse_citation
from bot.data.faq import FaqFile
from bot.data.updates import PlaceDirectory, PlaceRef, Updated, UpdatesFile, apply_updates, updated_township


@dataclass(frozen=True)
class District:
    """A district or county of Chongqing with everything the guideline says about it.

    Attributes:
        name: The name as the guideline prints it (秀山县), or the official name if it is not printed.
        official: The full official name (秀山土家族苗族自治县).
        short: The short form (秀山), if there is one.
        aliases: Other names users write (former names such as 开县).
        key: Its row in 附件1 when it is one of the 18 key districts.
        townships: Its deep-poverty townships (附件2), with their contacts as updated.
        villages: Its designated villages (附件3).
        update: The update of its office phone (``knowledge/updates.yaml``), if any.
    """

    name: str
    official: str
    short: str | None
    aliases: tuple[str, ...]
    key: schema.KeyDistrict | None
    townships: tuple[schema.Township, ...]
    villages: tuple[schema.Village, ...]
    update: Updated | None = None

    @property
    def tier(self) -> str | None:
        """国家级 or 市级 for a key district, else None."""
        return self.key.tier if self.key else None

    @property
    def phone(self) -> str | None:
        """The poverty-alleviation office's current phone: as updated, else as printed in 附件1, if listed."""
        if self.update is not None:
            return self.update.phone
        return self.key.phone if self.key else None

    @property
    def guideline_phone(self) -> str | None:
        """The office's phone as printed in 附件1, if listed, whether or not it was updated since."""
        return self.key.phone if self.key else None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the district is known by, longest first."""
        names = {self.name, self.official, *self.aliases}
        if self.short:
            names.add(self.short)
        return tuple(sorted(names, key=lambda n: (-len(n), n)))

    @property
    def label(self) -> str:
        """How the district is named in answers: 秀山县(秀山土家族苗族自治县)."""
        return self.name if self.official == self.name else f"{self.name}({self.official})"

    @property
    def in_guideline(self) -> bool:
        """Whether any attachment lists this district."""
        return self.key is not None or bool(self.villages)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, indexed for the answer engine and the browsing commands."""

    guideline: schema.GuidelineFile
    regions: schema.RegionsFile
    districts: tuple[District, ...]
    place_names_source: str
    focus: schema.FocusFile
    participation: schema.ParticipationFile
    activities: schema.ActivitiesFile
    reporting: schema.ReportingFile
    safety: schema.SafetyFile
    platform: schema.PlatformFile
    background: schema.BackgroundFile
    updates: UpdatesFile = field(default_factory=lambda: UpdatesFile(version=1))
    faq: FaqFile = field(default_factory=lambda: FaqFile(version=1))
    # 附件2's townships with their contacts as updated, and every update applied, by place.
    current_townships: tuple[schema.Township, ...] = ()
    updated: Mapping[PlaceRef, Updated] = field(default_factory=dict)
    news: dict[str, str] = field(default_factory=dict)  # each report's text, by file name

    @property
    def document(self) -> schema.DocumentInfo:
        """The guideline's title, issuers and date."""
        return self.guideline.document

    @property
    def townships(self) -> tuple[schema.Township, ...]:
        """The 18 deep-poverty townships of 附件2, with their contacts as updated."""
        return self.current_townships or tuple(self.regions.townships)

    def place_directory(self) -> PlaceDirectory:
        """The places an update may name (key districts, deep-poverty townships), by all their names."""
        return PlaceDirectory(
            {n: d.name for d in self.districts for n in d.names}, tuple(self.regions.townships)
        )

    def update_replacing(self, digits: str) -> Updated | None:
        """The update that replaced the guideline's phone ``digits`` (digits only), if one did."""
        for update in self.updated.values():
            if update.old_phone and update.old_phone.replace("-", "") == digits:
                return update
        return None

    @property
    def villages(self) -> tuple[schema.Village, ...]:
        """The 100 designated villages of 附件3."""
        return tuple(self.regions.villages)

    @property
    def key_districts(self) -> tuple[District, ...]:
        """The 18 districts of 附件1, in the attachment's order."""
        keyed = [d for d in self.districts if d.key is not None]
        return tuple(sorted(keyed, key=lambda d: d.key.serial if d.key else 0))

    def districts_of_tier(self, tier: str) -> tuple[District, ...]:
        """The key districts of one tier (国家级 or 市级), in the attachment's order."""
        return tuple(d for d in self.key_districts if d.tier == tier)

    def district(self, name: str) -> District:
        """Looks a district up by the name the guideline prints (KeyError if unknown)."""
        for district in self.districts:
            if district.name == name:
                return district
        raise KeyError(name)

    def org_type(self, ident: str) -> schema.ActivityGroup:
        """Looks an organization type up by id (KeyError if unknown)."""
        return _by_id(self.activities.org_types, ident)

    def theme(self, ident: str) -> schema.ActivityGroup:
        """Looks a theme up by id (KeyError if unknown)."""
        return _by_id(self.activities.themes, ident)

    def article(self, number: int) -> schema.Article:
        """The article 第{number}条 (IndexError if there is none)."""
        if not 1 <= number <= len(self.guideline.articles):
            raise IndexError(number)
        return self.guideline.articles[number - 1]

    def cited_text(self, citation: Citation) -> str | None:
        """The guideline's text that ``citation`` points at, or None if it points nowhere.

        Attachment rows and news reports have no text here; for them this returns an empty string when
        the reference exists.
        """
        if citation.kind is CitationKind.ARTICLE:
            if not 1 <= citation.number <= len(self.guideline.articles):
                return None
            article = self.article(citation.number)
            if citation.item == 0:
                return article.full_text
            return article.items[citation.item - 1].text if citation.item <= len(article.items) else None
        if citation.kind is CitationKind.NOTICE:
            points = self.guideline.notice.points
            if citation.number == 0:
                return self.guideline.notice.intro + "".join(p.text for p in points)
            return points[citation.number - 1].text if citation.number <= len(points) else None
        if citation.kind is CitationKind.ATTACHMENT:
            regions = self.regions
            rows = {1: len(regions.key_districts), 2: len(regions.townships), 3: len(regions.villages)}.get(
                citation.number
            )
            return "" if rows is not None and citation.item <= rows else None
        return "" if citation.raw in self.background.sources else None

    def cite(self, source: str) -> str:
        """How a fact's source is shown to users, e.g. 《工作指引》第五条(九)."""
        citation = parse_citation(source)
        if citation.kind is CitationKind.NEWS:
            report = self.background.sources.get(citation.raw)
            if report is not None:
                return f"背景资料:{report.publisher}《{report.title}》"
        return citation.display()


def _by_id(groups: list[schema.ActivityGroup], ident: str) -> schema.ActivityGroup:
    for group in groups:
        if group.id == ident:
            return group
    raise KeyError(ident)


def assemble(models: Mapping[str, Any]) -> KnowledgeBase:
    """Builds the knowledge base from the parsed files' models, by file name."""
    regions: schema.RegionsFile = models["regions.yaml"]
    places: schema.PlaceNamesFile = models["place_names.yaml"]
    updates: UpdatesFile = models.get("updates.yaml") or UpdatesFile(version=1)
    key_by_name = {d.name: d for d in regions.key_districts}
    directory = PlaceDirectory.of(places.districts, regions.townships)
    updated = apply_updates(updates, {d.name: d.phone for d in regions.key_districts}, directory)
    townships = tuple(
        updated_township(t, updates.updates[u.index], u)
        if (u := updated.get(PlaceRef(t.district, t.name)))
        else t
        for t in regions.townships
    )
    districts = tuple(
        District(
            name=place.name,
            official=place.official,
            short=place.short,
            aliases=tuple(place.aliases),
            key=key_by_name.get(place.name),
            townships=tuple(t for t in townships if t.district == place.name),
            villages=tuple(v for v in regions.villages if v.district == place.name),
            update=updated.get(PlaceRef(place.name)),
        )
        for place in places.districts
    )
    return KnowledgeBase(
        guideline=models["guideline.yaml"],
        regions=regions,
        districts=districts,
        place_names_source=places.source,
        focus=models["focus.yaml"],
        participation=models["participation.yaml"],
        activities=models["activities.yaml"],
        reporting=models["reporting.yaml"],
        safety=models["safety.yaml"],
        platform=models["platform.yaml"],
        background=models["background.yaml"],
        updates=updates,
        faq=models.get("faq.yaml") or FaqFile(version=1),
        current_townships=townships,
        updated=updated,
    )
