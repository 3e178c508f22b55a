"""National and regional policy measures and their mappings to norms and commitments."""
