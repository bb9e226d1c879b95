"""Attributions turned into readable reasons: exact linear contributions and TreeSHAP.

`Contribution` is one input's push on the log-odds with a sentence ("Glucose 168 mg/dL:
+0.21"); `top_reasons` picks the largest; `global_importance` averages their magnitudes.
"""

from medlm.explain.contributions import (
    Contribution,
    aggregate,
    describe,
    global_importance,
    linear_contributions,
    top_reasons,
    tree_contributions,
)

__all__ = [
    "Contribution",
    "aggregate",
    "describe",
    "global_importance",
    "linear_contributions",
    "top_reasons",
    "tree_contributions",
]
