"""Working groups of external experts: members, affiliations and (later) reviewer accounts."""
