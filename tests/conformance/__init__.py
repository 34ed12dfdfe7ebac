"""Numbered rule-conformance cases, one file per rulebook section (in the style of the DATC)."""
