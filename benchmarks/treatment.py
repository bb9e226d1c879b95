"""Treatment: CDS hook latency against the 500 ms CDS Hooks target, and ACTG 175 policy values.

1. Latency of the patient-view and order-sign work for the demo patients (real rows plus
   labelled synthetic drug lists): record -> recommendations/safety -> cards, warm, over
   `--repeats` rounds, through the library; and the same patients as FHIR prefetch (written
   by `medlm.records.fhir.to_bundle`) POSTed to the CDS Hooks routes of the app in-process
   (FHIR parsing and validation, HTTP handling, cards). Ratio: p95 / 500 ms.
2. Learned treatment rules (T- and DR-learner) vs the best single arm on ACTG 175, IPW values
   on cross-fitted held-out patients with bootstrap CIs. Ratio: learned / best arm.

    .venv/bin/python benchmarks/treatment.py [--repeats 50] [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from typing import Any

from medlm.datasets import load
from medlm.knowledge.treatment import load_trial
from medlm.records import PatientRecord
from medlm.treatment import TreatmentRecommender, cds
from medlm.treatment.demo_patients import DEMO_PATIENTS
from medlm.treatment.policy import evaluate_policies

TARGET_S = 0.5  # CDS Hooks: services SHOULD respond on the order of 500 ms


def hook_latency(repeats: int) -> None:
    started = time.perf_counter()
    recommender = TreatmentRecommender()
    records = [build() for build in DEMO_PATIENTS.values()]
    recommender.recommend(records[0])
    print(f"cold start (knowledge + drug dictionary): {time.perf_counter() - started:.2f} s")
    for service in (cds.PATIENT_VIEW, cds.ORDER_SIGN):
        times = []
        for _ in range(repeats):
            for record in records:
                t0 = time.perf_counter()
                if service == cds.ORDER_SIGN:
                    cds.cards(service, recommender.check(record))
                else:
                    cds.cards(service, recommender.recommend(record))
                times.append(time.perf_counter() - t0)
        _report(f"library {service}", times)


def _hook_request(record: PatientRecord, hook: str) -> dict[str, Any]:
    from medlm.records.fhir import to_bundle

    entries = to_bundle([record])["entry"]
    patient = next(e["resource"] for e in entries if e["resource"]["resourceType"] == "Patient")
    drafts = [e for e in entries if e["resource"].get("status") == "draft"]
    rest = [e for e in entries if e not in drafts and e["resource"] is not patient]
    context: dict[str, Any] = {"patientId": patient["id"]}
    if hook == "order-sign":
        context["draftOrders"] = {"resourceType": "Bundle", "type": "collection", "entry": drafts}
    else:
        rest += drafts
    return {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
        "prefetch": {
            "patient": patient,
            "rest": {"resourceType": "Bundle", "type": "searchset", "entry": rest},
        },
    }


def http_hook_latency(repeats: int) -> None:
    from fastapi.testclient import TestClient

    from medlm.service.app import create_app
    from medlm.settings import Settings

    records = [build() for build in DEMO_PATIENTS.values()]
    with TestClient(create_app(Settings())) as client:
        for service in cds.services():
            calls = [_hook_request(r, service.hook) for r in records]
            times = []
            for _ in range(repeats):
                for body in calls:
                    t0 = time.perf_counter()
                    response = client.post(f"/cds-services/{service.id}", json=body)
                    times.append(time.perf_counter() - t0)
                    assert response.status_code == 200, response.text
            _report(f"HTTP {service.id}", times)


def _report(label: str, times: list[float]) -> None:
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{label}: median {1000 * statistics.median(times):.1f} ms, "
        f"p95 {1000 * p95:.1f} ms over {len(times)} calls; "
        f"p95 / 500 ms target = {p95 / TARGET_S:.3f}"
    )


def policy_values(n_bootstrap: int) -> None:
    result = evaluate_policies(
        load("actg175").frame, load_trial("actg175"), n_bootstrap=n_bootstrap
    )
    best = result.arms[result.best_arm]
    print(
        f"best single arm ({result.best_arm}): {best.value:.1f} "
        f"(95% CI {best.ci_low:.1f}-{best.ci_high:.1f})"
    )
    for p in result.policies:
        print(
            f"{p.learner} rule: {p.value.value:.1f} (95% CI {p.value.ci_low:.1f}-"
            f"{p.value.ci_high:.1f}); ratio to best arm {p.value.value / best.value:.3f}; "
            f"difference {p.vs_best_arm.value:+.1f} "
            f"(95% CI {p.vs_best_arm.ci_low:+.1f} to {p.vs_best_arm.ci_high:+.1f})"
        )
    sn_best = result.arms_self_normalized[result.best_arm_self_normalized]
    print(
        f"self-normalized best arm ({result.best_arm_self_normalized}): {sn_best.value:.1f} "
        f"(95% CI {sn_best.ci_low:.1f}-{sn_best.ci_high:.1f})"
    )
    print(result.conclusion)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    hook_latency(args.repeats)
    http_hook_latency(args.repeats)
    policy_values(args.bootstrap)


if __name__ == "__main__":
    main()
