"""The hand-built patient cases of tests/treatment/cases/, counted by area: cases, passed, pending.

Each case is written as a FHIR R4 Bundle, read through the records boundary and given to the
treatment recommender, exactly as tests/treatment/test_cases.py does (that module is loaded here).

    .venv/bin/python benchmarks/treatment_cases.py
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests" / "treatment" / "test_cases.py"


def _cases_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("treatment_case_table", TESTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    table = _cases_module()
    cases, passed, pending = Counter[str](), Counter[str](), Counter[str]()
    for case in table.load_cases():
        area = case["area"]
        cases[area] += 1
        if case.get("pending"):
            pending[area] += 1
        elif not table.mismatches(case, table.run_case(case)):
            passed[area] += 1
    print("| area | cases | passed | pending |")
    print("|---|---|---|---|")
    for area in sorted(cases):
        print(f"| {area} | {cases[area]} | {passed[area]} | {pending[area]} |")
    total = sum(cases.values()), sum(passed.values()), sum(pending.values())
    print(f"| all | {total[0]} | {total[1]} | {total[2]} |")


if __name__ == "__main__":
    main()
