"""Glucose monitoring replay: alert burden, level-2 detection, compression lows, predictive low.

SYNTHETIC: simglucose's UVA/Padova virtual patients (`medlm.monitor.glucose.simulate`: seeded
meals, basal-bolus insulin with a seeded per-meal dosing error, 5-minute CGM with sensor noise,
injected compression lows and dropouts) replayed reading by reading through
1. medlm: `GlucoseMonitor` (CGM levels only after 15 consecutive minutes, escalation,
   re-notification, hysteresis, rapid-fall and predicted-low alerts), and
2. naive: every reading whose value lies beyond any threshold (< 70, < 54, > 180, > 250 mg/dL)
   pages at that reading's level (`NaivePolicy`, no duration, no trend).
Scored against the simulated TRUE plasma glucose: level-2 events (true < 54 mg/dL for at least
15 minutes), true lows (< 70 for at least 15 minutes) for the predictive alert, and the
injected compression lows. REAL: the CDISC pilot's laboratory glucose (alert burden only).

    .venv/bin/python benchmarks/glucose_replay.py [--days 7] [--patients 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from medlm.knowledge.glucose import GlucoseThresholds, load_glucose_thresholds
from medlm.monitor.alerts import AlertInput, NaivePolicy, VitalAlert
from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.simulate import SimulatedTrace, SimulationConfig, simulate, true_runs

GROUPS = ("adolescent", "adult", "child")
MATCH = timedelta(minutes=30)  # an alert this close to a true event counts for it
PREDICT_LOOKBACK = timedelta(minutes=60)  # a predicted-low alert up to this long before onset


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cohort(patients: int, days: float) -> list[SimulationConfig]:
    names = [f"{g}#{i:03d}" for i in range(1, 11) for g in GROUPS][:patients]
    return [
        SimulationConfig(virtual_patient=n, days=days, seed=k, bolus_error_sd=0.3)
        for k, n in enumerate(names)
    ]


class Naive:
    """Every reading beyond a (non-persistence) threshold pages at its level."""

    def __init__(self, thresholds: GlucoseThresholds) -> None:
        self.levels = sorted(
            (lvl for lvl in thresholds.levels if not lvl.persistent), key=lambda lvl: -lvl.rank
        )
        self.policy = NaivePolicy(min_level=1)

    def process(self, reading: GlucoseReading) -> list[VitalAlert]:
        level = next((lvl for lvl in self.levels if lvl.contains(reading.mg_dl)), None)
        if level is None:
            return []
        return self.policy.evaluate(
            AlertInput(
                patient_id=reading.patient_id, time=reading.time, signal="glucose",
                level=level.rank, level_name=level.name, description=f"{reading.mg_dl:g} mg/dL",
                response=level.name,
            )
        )  # fmt: skip


def replay(readings: Sequence[GlucoseReading]) -> dict[str, list[VitalAlert]]:
    t = load_glucose_thresholds()
    monitor, naive = GlucoseMonitor(thresholds=t), Naive(t)
    out: dict[str, list[VitalAlert]] = {"medlm": [], "naive": []}
    for reading in sorted(readings, key=lambda r: (r.time, r.patient_id)):
        out["medlm"] += monitor.process(reading, now=reading.time)
        out["naive"] += naive.process(reading)
    return out


@dataclass
class Tally:
    patient_days: float = 0.0
    alerts: int = 0
    paging: int = 0
    level2_events: int = 0
    level2_delays: list[float] = field(default_factory=list)
    compression_lows: int = 0
    compression_alerts: int = 0
    compression_hit: int = 0
    lows: int = 0
    predicted_leads: list[float] = field(default_factory=list)
    threshold_leads: list[float] = field(default_factory=list)
    predicted_alerts: int = 0
    predicted_true: int = 0
    paging_by_kind: dict[str, int] = field(default_factory=dict)
    hypo_renotified: int = 0
    missed_cgm_episode: int = 0


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def score(trace: SimulatedTrace, alerts: list[VitalAlert], tally: Tally) -> None:
    t = load_glucose_thresholds()
    level2 = t.level("level 2 hypoglycaemia").rank
    hypo = min(lvl.rank for lvl in t.levels if lvl.hypo)
    tally.patient_days += trace.config.days
    tally.alerts += len(alerts)
    tally.paging += sum(a.notify for a in alerts)
    for a in alerts:
        if a.notify:
            what = (
                a.kind
                if a.kind in ("predicted-low", "rapid-fall")
                else ("hypoglycaemia" if a.level >= hypo else "hyperglycaemia")
            )
            tally.paging_by_kind[what] = tally.paging_by_kind.get(what, 0) + 1
            tally.hypo_renotified += what == "hypoglycaemia" and a.kind == "renotified"
    hypo_alerts = [a for a in alerts if a.level >= hypo and a.kind not in ("predicted-low",)]
    for event in trace.events:
        tally.level2_events += 1
        hits = [a for a in alerts if a.level >= level2 and a.kind != "predicted-low"]
        hits = [a for a in hits if event.start - MATCH <= a.time <= event.end + MATCH]
        if hits:
            tally.level2_delays.append(_minutes(min(a.time for a in hits) - event.start))
        else:
            near = [r for r in trace.readings if event.start - MATCH <= r.time <= event.end + MATCH]
            tally.missed_cgm_episode += _longest_run_below(near, t.metrics.below_2) >= timedelta(
                minutes=t.cgm_episode_minutes
            )
    truth = {p.time: p.mg_dl for p in trace.true_glucose}
    for fault in (f for f in trace.faults if f.kind == "compression low"):
        tally.compression_lows += 1
        false = [
            a
            for a in alerts
            if (a.level >= hypo or a.kind in ("predicted-low", "rapid-fall"))
            and a.kind != "de-escalated"
            and fault.start <= a.time < fault.end + MATCH
            and truth.get(a.time, 0.0) >= t.metrics.below_1
        ]
        tally.compression_alerts += len(false)
        tally.compression_hit += bool(false)
    _score_lows(trace, alerts, hypo_alerts, tally)


def _longest_run_below(readings: Sequence[GlucoseReading], bound: float) -> timedelta:
    """The longest span from first to last of consecutive readings (5-minute steps) < bound."""
    longest, first, previous = timedelta(0), None, None
    for r in readings:
        gap = previous is not None and r.time - previous.time > timedelta(minutes=5)
        if r.mg_dl >= bound or gap:
            first = None
        if r.mg_dl < bound:
            first = first or r
            longest = max(longest, r.time - first.time)
        previous = r
    return longest


def _score_lows(
    trace: SimulatedTrace, alerts: list[VitalAlert], hypo_alerts: list[VitalAlert], tally: Tally
) -> None:
    t = load_glucose_thresholds()
    lows = true_runs(trace.true_glucose, below=t.metrics.below_1, min_minutes=t.cgm_episode_minutes)
    predicted = [a for a in alerts if a.kind == "predicted-low"]
    for low in lows:
        tally.lows += 1
        before = [a for a in predicted if low.start - PREDICT_LOOKBACK <= a.time <= low.start]
        if before:
            tally.predicted_leads.append(_minutes(low.start - min(a.time for a in before)))
        onset = [a for a in hypo_alerts if low.start - MATCH <= a.time <= low.end + MATCH]
        if onset:
            tally.threshold_leads.append(_minutes(low.start - min(a.time for a in onset)))
    tally.predicted_alerts += len(predicted)
    tally.predicted_true += sum(
        any(a.time - MATCH <= low.start <= a.time + PREDICT_LOOKBACK for low in lows)
        for a in predicted
    )


def pct(values: Sequence[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]:.0f}"


def report(tallies: dict[str, Tally]) -> None:
    print("\nSYNTHETIC simulated patients (true glucose known)")
    print(
        "| policy | alerts / patient-day | paging / patient-day | level-2 detected | "
        "delay median (min) | delay p90 (min) | false hypo alerts in compression lows |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        d = t.level2_delays
        print(
            f"| {name} | {t.alerts / t.patient_days:.2f} | {t.paging / t.patient_days:.2f} | "
            f"{len(d)}/{t.level2_events} (missed {t.level2_events - len(d)}) | "
            f"{pct(d, 0.5)} | {pct(d, 0.9)} | {t.compression_alerts} "
            f"(in {t.compression_hit} of {t.compression_lows} lows) |"
        )
    for name, t in tallies.items():
        missed = t.level2_events - len(t.level2_delays)
        hypo_pages = t.paging_by_kind.get("hypoglycaemia", 0)
        print(
            f"{name}: missed level-2 events whose CGM had a 15-minute run below 54 nearby: "
            f"{t.missed_cgm_episode} of {missed}; hypoglycaemia pages that are "
            f"re-notifications: {t.hypo_renotified} of {hypo_pages}"
        )
    print("\npaging alerts per patient-day by what they are about")
    kinds = ("hypoglycaemia", "hyperglycaemia", "predicted-low", "rapid-fall")
    print("| policy | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name, t in tallies.items():
        per_day = [t.paging_by_kind.get(k, 0) / t.patient_days for k in kinds]
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in per_day) + " |")
    m = tallies["medlm"]
    print(f"\ntrue lows (< 70 mg/dL for >= 15 min): {m.lows}")
    print("| alert | lows caught before onset or at it | lead median (min) | lead p10 (min) |")
    print("|---|---|---|---|")
    pred = m.predicted_leads
    print(f"| medlm predicted low | {len(pred)}/{m.lows} | {pct(pred, 0.5)} | {pct(pred, 0.1)} |")
    for name, t in tallies.items():
        lead = t.threshold_leads
        caught = sum(x >= 0 for x in lead)
        print(
            f"| {name} threshold (< 70) | {caught}/{t.lows} (any time: {len(lead)}) | "
            f"{pct(lead, 0.5)} | {pct(lead, 0.1)} |"
        )
    print(
        f"predicted-low alerts: {m.predicted_alerts}, followed by a true low within "
        f"{PREDICT_LOOKBACK.total_seconds() / 60:.0f} min: {m.predicted_true}"
    )


def real_lab_burden() -> None:
    from medlm.datasets import load
    from medlm.datasets.glucose import glucose_readings

    readings = glucose_readings(load("cdisc-glucose").frame)
    spans: dict[str, list[GlucoseReading]] = {}
    for r in readings:
        spans.setdefault(r.patient_id, []).append(r)
    days = sum(
        (max(x.time for x in rs) - min(x.time for x in rs)) / timedelta(days=1) + 1
        for rs in spans.values()
    )
    alerts = replay(readings)
    print(f"\nREAL CDISC pilot laboratory glucose: {len(readings)} values, {len(spans)} subjects")
    print("| policy | alerts | paging | paging per patient-day | patients paged |")
    print("|---|---|---|---|---|")
    for name, found in alerts.items():
        paging = [a for a in found if a.notify]
        print(
            f"| {name} | {len(found)} | {len(paging)} | {len(paging) / days:.4f} | "
            f"{len({a.patient_id for a in paging})} |"
        )
    quiet = [a.kind for a in alerts["medlm"] if not a.notify]
    print("medlm non-paging alerts by kind:", {k: quiet.count(k) for k in sorted(set(quiet))})


def _simulate_and_replay(
    config: SimulationConfig,
) -> tuple[SimulatedTrace, dict[str, list[VitalAlert]]]:
    trace = simulate(config)
    return trace, replay(trace.readings)


def run(configs: Iterable[SimulationConfig], workers: int) -> dict[str, Tally]:
    tallies = {"medlm": Tally(), "naive": Tally()}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for trace, alerts in pool.map(_simulate_and_replay, configs):
            for name, found in alerts.items():
                score(trace, found, tallies[name])
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; {args.patients} SYNTHETIC patients x {args.days:g} days")
    started = time.perf_counter()
    tallies = run(cohort(args.patients, args.days), args.workers)
    print(f"simulated and replayed in {time.perf_counter() - started:.1f} s")
    report(tallies)
    real_lab_burden()
    print(f"\ntotal {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
