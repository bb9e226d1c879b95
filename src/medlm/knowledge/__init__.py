"""Cited clinical knowledge as data: scores, guideline logic, drug safety facts, code look-ups.

Each sub-package loads versioned YAML/JSON files whose entries carry their citation (document,
year, section) and say where a value is unverified.
"""
