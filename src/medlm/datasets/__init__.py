"""Loaders for the real datasets that ship inside Python packages, with provenance."""
