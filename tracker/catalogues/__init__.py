"""Catalogues of practical actions taken from the UN framework (reference data, not reviewed)."""
