"""The official HL7 FHIR R4 examples (npm `hl7.fhir.r4.examples` 4.0.1, CC0), fetched once.

`npm pack` downloads the package tarball into ~/.cache/medlm-tests/ (reused when present); the
tests read only the JSON members they need, straight from the tarball. Nothing is committed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HL7_PACKAGE = "hl7.fhir.r4.examples@4.0.1"
HL7_TARBALL = "hl7.fhir.r4.examples-4.0.1.tgz"
CACHE = Path.home() / ".cache" / "medlm-tests"


class HL7Examples:
    """The example resources of the HL7 package, by type (`package/<Type>-<id>.json`)."""

    def __init__(self, tarball: Path) -> None:
        self._tar = tarfile.open(tarball, "r:gz")  # noqa: SIM115 - closed by the fixture
        self._names = [m.name for m in self._tar.getmembers() if m.isfile()]

    def of_type(self, kind: str) -> dict[str, Any]:
        """File name -> parsed JSON of every example whose file starts with '<kind>-'."""
        out = {}
        for name in self._names:
            base = name.removeprefix("package/")
            if "/" not in base and base.startswith(f"{kind}-") and base.endswith(".json"):
                handle = self._tar.extractfile(name)
                assert handle is not None
                out[base] = json.load(handle)
        return out

    def close(self) -> None:
        self._tar.close()


def _fetch() -> Path:
    tarball = CACHE / HL7_TARBALL
    if tarball.is_file():
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch the HL7 FHIR R4 examples package")
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "pack", HL7_PACKAGE, "--pack-destination", str(CACHE), "--silent"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return tarball


@pytest.fixture(scope="session")
def hl7_examples() -> Iterator[HL7Examples]:
    examples = HL7Examples(_fetch())
    yield examples
    examples.close()
