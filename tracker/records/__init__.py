"""Reviewable records: identity, workflow state, revisions and the draft/live copies.

Every reviewable thing (a measure, later a paper or an attribution) is one row in
``records`` and one or two rows of content in its own table:

* the *working copy* (``is_draft``) is what staff edit and reviewers review;
* the *live copy* (``is_live``) is what the public sees.

While nothing has changed since publication both flags sit on the same row. The
first edit after publication copies the row (copy on write), so the public keeps
seeing the published content until the new draft is published, which swaps the
copies in one transaction. Public queries therefore never need to look at
revisions or states: they select ``is_live`` rows of records that are not deleted.
"""
