"""State practice: public attributions of cyber operations and the norms they invoke.

An attribution statement is a record (kind ``attribution``) like a measure: one
row in ``records`` and a working and a live copy of its content here. A joint
statement is one record with several attributing parties, so counts can say
whether they count statements or attributing parties.
"""
