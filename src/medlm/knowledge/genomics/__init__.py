"""CPIC pharmacogene tables as cited data: allele function and diplotype -> phenotype.

One YAML file per gene beside this module (`cyp2c19.yaml`, `cyp2c9.yaml`, `slco1b1.yaml`), each
with its CPIC document, table and how each row was checked (V/S, see the files' headers). Two
methods: `function_pair` (CYP2C19, SLCO1B1: the phenotype of an unordered pair of allele
functions) and `activity_score` (CYP2C9: the sum of the two alleles' activity values). An allele
a table does not list, or one of uncertain function, gives "Indeterminate" with the reason,
never a guess. Files are read on first use and cached, never at import.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import ConfigError

INDETERMINATE = "Indeterminate"
GENE_FILES = ("cyp2c19.yaml", "cyp2c9.yaml", "slco1b1.yaml")
Function = Literal["increased", "normal", "decreased", "no", "uncertain", "any"]


class RowCite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str
    verification: Literal["V", "S", "U"]


class AlleleTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cite: RowCite
    function: dict[str, Function] = Field(default_factory=dict)
    activity: dict[str, float | None] = Field(default_factory=dict)


class PairRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    functions: tuple[Function, Function]
    phenotype: str
    section: str
    verification: Literal["V", "S", "U"]
    checked: list[str] = Field(default_factory=list)


class ScoreRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    activity_score: float
    phenotype: str
    section: str
    verification: Literal["V", "S", "U"]
    checked: list[str] = Field(default_factory=list)


class Translation(BaseModel):
    """A diplotype translated: the phenotype, the table that gave it, and why if Indeterminate."""

    phenotype: str
    source: str
    reason: str | None = None


class GeneTable(BaseModel):
    """One gene's CPIC allele table and phenotype rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gene: str
    version: str
    document: str
    year: int
    method: Literal["function_pair", "activity_score"]
    alleles: AlleleTable
    phenotypes: list[PairRule] = Field(default_factory=list)
    scores: list[ScoreRule] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return f"CPIC {self.gene} diplotype-phenotype table ({self.version})"

    def translate(self, first: str, second: str) -> Translation:
        """The phenotype of the diplotype first/second (allele names such as '*2')."""
        known = self.alleles.activity if self.method == "activity_score" else self.alleles.function
        missing = [a for a in (first, second) if a not in known]
        if missing:
            names = " and ".join(missing)
            return self._indeterminate(f"{self.gene} {names} not in the CPIC allele table")
        if self.method == "activity_score":
            return self._by_score(first, second)
        return self._by_pair(first, second)

    def _indeterminate(self, reason: str) -> Translation:
        return Translation(phenotype=INDETERMINATE, source=self.label, reason=reason)

    def _by_pair(self, first: str, second: str) -> Translation:
        pair = {self.alleles.function[first], self.alleles.function[second]}
        for rule in self.phenotypes:
            wanted = set(rule.functions)
            if wanted == pair or ("any" in wanted and wanted - {"any"} <= pair):
                reason = None
                if rule.phenotype == INDETERMINATE:
                    reason = f"{self.gene} {first}/{second}: an allele of uncertain function"
                return Translation(phenotype=rule.phenotype, source=self.label, reason=reason)
        functions = " and ".join(sorted(pair))
        return self._indeterminate(f"{self.gene}: no CPIC rule for {functions} function alleles")

    def _by_score(self, first: str, second: str) -> Translation:
        values = (self.alleles.activity[first], self.alleles.activity[second])
        if values[0] is None or values[1] is None:
            return self._indeterminate(
                f"{self.gene} {first}/{second}: an allele without a CPIC activity value"
            )
        score = values[0] + values[1]
        for rule in self.scores:
            if abs(rule.activity_score - score) < 1e-9:
                return Translation(phenotype=rule.phenotype, source=self.label)
        return self._indeterminate(f"{self.gene}: no CPIC phenotype for activity score {score:g}")


class PgxTables(BaseModel):
    """The CPIC tables by upper-case gene symbol."""

    model_config = ConfigDict(frozen=True)

    genes: dict[str, GeneTable]

    def table(self, gene: str) -> GeneTable | None:
        return self.genes.get(gene.upper())


def _load(name: str) -> GeneTable:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    try:
        return GeneTable.model_validate(yaml.safe_load(text))
    except (ValueError, yaml.YAMLError) as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"knowledge/genomics/{name} is invalid: {exc}") from exc


@lru_cache(maxsize=1)
def load_pgx_tables() -> PgxTables:
    """The packaged CPIC tables (read once)."""
    tables = [_load(name) for name in GENE_FILES]
    return PgxTables(genes={t.gene.upper(): t for t in tables})
