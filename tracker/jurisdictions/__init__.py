"""Jurisdictions: every ISO 3166-1 entry plus regional organisations such as the EU."""
