"""Import every domain's models so the metadata is complete (for Alembic and tests)."""


def import_all() -> None:
    from tracker.accounts import models as _accounts  # noqa: F401
    from tracker.attribution import models as _attribution  # noqa: F401
    from tracker.catalogues import models as _catalogues  # noqa: F401
    from tracker.follow import models as _follow  # noqa: F401
    from tracker.imports import models as _imports  # noqa: F401
    from tracker.jurisdictions import models as _jurisdictions  # noqa: F401
    from tracker.measures import models as _measures  # noqa: F401
    from tracker.norms import models as _norms  # noqa: F401
    from tracker.papers import models as _papers  # noqa: F401
    from tracker.records import models as _records  # noqa: F401
    from tracker.review import models as _review  # noqa: F401
    from tracker.search import models as _search  # noqa: F401
    from tracker.workinggroups import models as _workinggroups  # noqa: F401
