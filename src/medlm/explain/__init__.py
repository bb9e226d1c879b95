"""Attributions turned into readable reasons: exact linear contributions, TreeSHAP and
integrated gradients.

`Contribution` is one input's push on the log-odds with a sentence ("Glucose 168 mg/dL:
+0.21"); `top_reasons` picks the largest; `global_importance` averages their magnitudes.
`attribute_tokens` (integrated gradients) attributes an output of medlm's encoder to the
tokens of a text (`TokenAttributions`, with one `Span` per token); it needs torch, so it is
imported only when first used.
"""

from typing import Any

from medlm.explain.contributions import (
    Contribution,
    aggregate,
    describe,
    global_importance,
    linear_contributions,
    top_reasons,
    tree_contributions,
)

_INTEGRATED_GRADIENTS = (
    "TokenAttributions",
    "attribute_tokens",
    "pooled_linear_head",
    "quadrature",
    "sum_over_ranges",
)

__all__ = [
    "Contribution",
    "TokenAttributions",
    "aggregate",
    "attribute_tokens",
    "describe",
    "global_importance",
    "linear_contributions",
    "pooled_linear_head",
    "quadrature",
    "sum_over_ranges",
    "top_reasons",
    "tree_contributions",
]


def __getattr__(name: str) -> Any:
    """Import the integrated-gradients names (and torch) only when one is first asked for."""
    if name in _INTEGRATED_GRADIENTS:
        import importlib

        module = importlib.import_module("medlm.explain.integrated_gradients")
        return getattr(module, name)
    raise AttributeError(f"module 'medlm.explain' has no attribute {name!r}")
