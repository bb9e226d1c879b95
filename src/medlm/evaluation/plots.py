"""Reliability diagram and decision curve as PNG files (matplotlib, the `reports` extra)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from medlm.evaluation.metrics import check_binary, net_benefit

logger = logging.getLogger(__name__)


def _pyplot() -> object | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        logger.warning("matplotlib is not installed (pip install 'medlm[reports]'): no plots")
        return None
    return plt


def reliability_plot(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, bins: int = 10
) -> Path | None:
    """Observed event rate against mean predicted risk per decile of prediction, per model."""
    plt = _pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(5, 5))  # type: ignore[attr-defined]
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="ideal")
    for name, (y, p) in curves.items():
        y_arr, p_arr = check_binary(y, p)
        edges = np.quantile(p_arr, np.linspace(0, 1, bins + 1))
        index = np.clip(np.searchsorted(edges, p_arr, side="right") - 1, 0, bins - 1)
        groups = [index == b for b in range(bins) if (index == b).any()]
        ax.plot(
            [p_arr[g].mean() for g in groups],
            [y_arr[g].mean() for g in groups],
            marker="o",
            label=name,
        )
    ax.set_xlabel("mean predicted risk (decile)")
    ax.set_ylabel("observed event rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)  # type: ignore[attr-defined]
    return path


def decision_curve(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, max_threshold: float = 0.8
) -> Path | None:
    """Net benefit across threshold probabilities, with treat-all and treat-none."""
    plt = _pyplot()
    if plt is None:
        return None
    thresholds = np.linspace(0.01, max_threshold, 80)
    fig, ax = plt.subplots(figsize=(6, 4))  # type: ignore[attr-defined]
    y_any = next(iter(curves.values()))[0]
    y_ref, _ = check_binary(y_any, np.full(len(y_any), 0.5))
    prevalence = y_ref.mean()
    treat_all = prevalence - (1 - prevalence) * thresholds / (1 - thresholds)
    ax.plot(thresholds, treat_all, color="grey", linestyle=":", label="treat all")
    ax.axhline(0, color="black", linewidth=0.8, label="treat none")
    for name, (y, p) in curves.items():
        ax.plot(thresholds, net_benefit(y, p, thresholds), label=name)
    ax.set_xlabel("threshold probability")
    ax.set_ylabel("net benefit")
    ax.set_ylim(-0.05, max(prevalence, 0.05) * 1.1)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)  # type: ignore[attr-defined]
    return path
