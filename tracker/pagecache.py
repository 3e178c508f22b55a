"""Public pages kept per data version.

What an anonymous reader gets from a public page depends only on the published records,
the reference data, the day (standings are taken on a date) and the address. The site's
publication stamp (``tracker.records.stamps.SITE``) moves in the same transaction as every
publication, withdrawal, deletion or restore of any record, and with every load of
reference or demo data, so a page rendered for one (stamp, day, address) is the page for
every later reader until the stamp or the day moves. Such a page is kept, in the process
and (with ``REDIS_URL``) in Redis for the other workers, and served without running its
view: at 40,000 measures a kept page answers in a few milliseconds, as on the demo data.

Only what cannot differ between readers is kept:

- GET and HEAD requests for the endpoints in :data:`ENDPOINTS` (public pages, feeds and API
  calls; never sign-in, alert forms, exports, which stream, or briefs, which have their own
  cache and progress pages);
- from a request that carries neither the session cookie nor the remember-me cookie: a
  signed-in reader (who may see drafts, review links, a CSRF token) always gets the view;
- a 200 response of a listed type whose view did not write the session (a CSRF token or a
  flashed message), did not show drafts, did not stream and did not forbid storing.

Every kept page also expires after ``PAGE_CACHE_SECONDS`` (a bound on what a change that
bypasses publishing, such as a direct database edit, can leave showing). Responses carry
``X-Page-Cache: hit`` or ``miss`` and a strong ETag, so a browser revalidates with
``If-None-Match`` and gets a 304.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session

log = logging.getLogger(__name__)

#: the endpoints whose page is the same for every anonymous reader on a data version and day
ENDPOINTS = frozenset(
    {
        "site.index",
        "norms.index",
        "norms.detail",
        "jurisdictions.index",
        "jurisdictions.detail",
        "gaps.compare",
        "gaps.jurisdiction",
        "measures.index",
        "measures.detail",
        "measures.related",
        "reports.compare",
        "search.index",
        "attribution.index",
        "attribution.detail",
        "attribution.states",
        "attribution.norms",
        "attribution.by_state",
        "attribution.against",
        "attribution.api_list",
        "attribution.api_detail",
        "papers.index",
        "papers.detail",
        "workinggroups.index",
        "opendata.changes",
        "opendata.changes_feed",
        "opendata.cite_measure",
        "opendata.codebook",
        "opendata.codebook_json",
        "opendata.openapi_document",
        "follow.calendar",
        "api.index",
        "api.norms",
        "api.norm",
        "api.jurisdictions",
        "api.jurisdiction",
        "api.measures",
        "api.measure",
    }
)
#: the media types kept (a view answering with anything else is served as it is)
TYPES = frozenset(
    {
        "text/html",
        "application/json",
        "application/atom+xml",
        "application/x-research-info-systems",
        "application/x-bibtex",
        "text/calendar",
    }
)
#: headers that belong to one response, not to the page (set again on every answer)
_NOT_KEPT = frozenset({"set-cookie", "content-length", "date", "etag", "x-page-cache"})
_SHARED_GROUP = "pages"


@dataclass(frozen=True, slots=True)
class Page:
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    #: time.time() when rendered
    at: float

    def dumps(self) -> bytes:
        head = json.dumps({"headers": self.headers, "etag": self.etag, "at": self.at})
        return head.encode() + b"\n" + self.body

    @classmethod
    def loads(cls, data: bytes) -> Page:
        head, _, body = data.partition(b"\n")
        meta = json.loads(head)
        return cls(tuple((k, v) for k, v in meta["headers"]), body, meta["etag"], meta["at"])


class Kept:
    """The pages kept in this process: least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: Page) -> None:
        if len(page.body) > self.max_bytes // 4:
            return  # one page may not push out everything else
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes and self._pages:
                _key, dropped = self._pages.popitem(last=False)
                self.size -= len(dropped.body)

    def drop(self, key: str) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)

    def __len__(self) -> int:
        return len(self._pages)


def kept(app: Flask | None = None) -> Kept:
    app = app or current_app
    found = app.extensions.get("pagecache")
    if found is None:
        found = app.extensions["pagecache"] = Kept(int(app.config["PAGE_CACHE_MAX_BYTES"]))
    return found


def _enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE", not current_app.testing))


def _shared() -> bool:
    """Pages go to Redis too (for the other workers) when it is configured, and only pages
    at an address without a query string: those are a bounded set (the site's pages and
    records), while arguments (searches, filters, pages) can name any number of addresses,
    which stay in each process's bounded memory instead of filling the Redis the job queue
    shares."""
    config = current_app.config
    wanted = bool(config.get("PAGE_CACHE_SHARED", True)) and bool(config.get("REDIS_URL"))
    return wanted and not request.query_string


def _signed_in_cookie() -> bool:
    config = current_app.config
    names = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


def page_key() -> str | None:
    """The key of this request's page, or None when this request's answer is not kept."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in ENDPOINTS:
        return None
    if not _enabled() or _signed_in_cookie():
        return None
    return address_key()


def address_key() -> str:
    """This request's address (scheme, host, path, arguments) on this data version (the site's
    stamp) and day: what an anonymous reader gets there cannot change until one of them does
    (the export cache keys its files on it too)."""
    from tracker.measures import lifecycle
    from tracker.records import stamps

    seq, when = stamps.site_stamp()
    text = json.dumps(
        [
            _database(),
            seq,
            when.isoformat() if when else "",
            lifecycle.today().isoformat(),
            request.scheme,
            request.host,
            request.path,
            # in the order sent: views read the first of repeated arguments
            # (``request.args.get``) or keep their order (the columns of /gaps), so
            # ``?q=a&q=b`` and ``?q=b&q=a`` are two pages
            list(request.args.items(multi=True)),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _database() -> str:
    """Which database the stamps count in: two databases (the demo and a copy, staging and
    production) can hold equal stamps, and may share a Redis or an instance folder."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("pagecache_database")
    if found is None:
        from tracker.extensions import db

        where = db.session.get_bind().engine.url.render_as_string(hide_password=True)
        found = app.extensions["pagecache_database"] = hashlib.sha256(where.encode()).hexdigest()
    return str(found)


def anonymous() -> bool:
    """The request carries neither the session cookie nor the remember-me cookie."""
    return not _signed_in_cookie()


def _fresh(page: Page | None) -> Page | None:
    if page is None or time.time() - page.at > int(current_app.config["PAGE_CACHE_SECONDS"]):
        return None
    return page


def _find(key: str) -> Page | None:
    page = _fresh(kept().get(key))
    if page is None and _shared():
        from tracker.reports.cache import store

        data = store().get_blob(_SHARED_GROUP, key)
        page = _fresh(Page.loads(data)) if data else None
        if page is not None:
            kept().put(key, page)
    return page


def _answer(page: Page, state: str) -> Response:
    response = Response(page.body, status=200, headers=list(page.headers))
    response.set_etag(page.etag)
    response.headers["X-Page-Cache"] = state
    response.make_conditional(request)  # in place: a 304 when the reader's copy is current
    return response


def serve_kept() -> Response | None:
    """``before_request``: answer with the kept page, if there is one."""
    key = page_key()
    g.page_key = key
    g.page_served = False
    if key is None:
        return None
    page = _find(key)
    if page is None:
        return None
    g.page_served = True
    return _answer(page, "hit")


def keep(response: Response) -> Response:
    """``after_request``: keep the page this request rendered, when every reader gets it."""
    key = getattr(g, "page_key", None)
    if key is None or getattr(g, "page_served", False) or not _keepable(response):
        return response
    body = response.get_data()
    own, weak = response.get_etag()  # a view's own validator (the Atom feed's) is kept
    page = Page(
        headers=tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _NOT_KEPT
        ),
        body=body,
        etag=own if own and not weak else hashlib.sha256(body).hexdigest()[:32],
        at=time.time(),
    )
    kept().put(key, page)
    if _shared():
        from tracker.reports.cache import store

        store().put_blob(
            _SHARED_GROUP, key, page.dumps(), ttl=int(current_app.config["PAGE_CACHE_SECONDS"])
        )
    response.set_etag(page.etag)
    response.headers["X-Page-Cache"] = "miss"
    response.make_conditional(request)
    return response


def _keepable(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype in TYPES
        and not response.is_streamed
        and not response.direct_passthrough
        and not response.cache_control.no_store
        and not response.cache_control.private
        and not session.modified
        and not session
        and not getattr(g, "shows_drafts", False)
    )


#: the pages every publication can change (the lists, counts and feeds)
SITE_PAGES = (
    "/",
    "/measures/",
    "/norms/",
    "/jurisdictions/",
    "/gaps",
    "/compare",
    "/changes",
    "/changes.atom",
    "/api/v1/measures",
    "/api/v1/jurisdictions",
)


def pages_for(codes: list[str], letters: list[str]) -> list[str]:
    """The addresses a publication touching ``codes`` and ``letters`` changes that readers
    open first: the site's lists and counts, and the pages of its norms and jurisdictions."""
    paths = list(SITE_PAGES)
    for letter in sorted(set(letters)):
        paths += [f"/norms/{letter}", f"/api/v1/norms/{letter}"]
    for code in sorted(set(codes)):
        paths += [
            f"/jurisdictions/{code}",
            f"/jurisdictions/{code}/gaps",
            f"/api/v1/jurisdictions/{code}",
        ]
    return paths


def warm(base_url: str, paths: list[str]) -> int:
    """Render ``paths`` as an anonymous reader at ``base_url`` (the address readers use, taken
    from the request that published), so that the first reader after a publication is served a
    kept page too. Runs in the publication's background task; returns the pages rendered."""
    if not _enabled():
        return 0
    from werkzeug.test import Client

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    client = Client(app)
    rendered = 0
    for path in paths:
        try:
            # an empty context: each page gets its own app context (g, database session), as
            # a reader's request does, not the background task's
            response = contextvars.Context().run(client.get, path, base_url=base_url)
            rendered += response.headers.get("X-Page-Cache") == "miss"
            response.close()
        except Exception:  # a cache: a publication never fails for it
            log.warning("could not render %s for the page cache", path, exc_info=True)
    return rendered


#: where a new worker renders its warm-up pages (".invalid" is never a real host: RFC 2606)
WARM_UP_URL = "http://worker-warm-up.invalid/"


def warm_worker(app: Flask) -> int:
    """Before a new web worker takes requests (gunicorn's ``post_worker_init``): render the
    site's lists once, so that its first readers do not pay for what every worker computes
    once (the figures kept per data version, the stored standings read in, the templates
    compiled, a database connection). The pages are rendered at an address no reader uses,
    so readers' first requests render their own (a warm-up, not a fill of the cache)."""
    with app.app_context():
        return warm(WARM_UP_URL, list(SITE_PAGES))


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
    app.config.setdefault("PAGE_CACHE_SECONDS", 600)
    # registered after the rate limits and the authorisation check, which still run first
    app.before_request(serve_kept)
    app.after_request(keep)


def clear(app: Flask | None = None) -> None:
    """Forget the pages kept in this process (tests; the shared ones expire on their own)."""
    app = app or current_app
    app.extensions.pop("pagecache", None)
