"""Loaders for the real datasets that ship inside Python packages, with provenance.

>>> from medlm.datasets import load
>>> pima = load("pima")
>>> pima.provenance.rows, pima.target, len(pima.to_records())
(768, 'Outcome', 768)
"""

from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, DatasetKind, Provenance
from medlm.datasets.registry import info, list_datasets, load

__all__ = ["Dataset", "DatasetInfo", "DatasetKind", "Provenance", "info", "list_datasets", "load"]
