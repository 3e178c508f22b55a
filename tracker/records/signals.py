"""Signals other domains listen to (report caches, search indexes, feeds).

Each is sent with the record as sender and ``content`` (the copy concerned) and
``previous`` (the live copy that was replaced, if any) as keyword arguments,
inside the transaction that made the change.
"""

from blinker import Namespace

_signals = Namespace()

#: a working copy became the live copy
record_published = _signals.signal("record-published")
#: the live copy was taken off the public site
record_withdrawn = _signals.signal("record-withdrawn")
#: soft-deleted or restored (deleted records vanish from every public view)
record_deleted = _signals.signal("record-deleted")
record_undeleted = _signals.signal("record-undeleted")
