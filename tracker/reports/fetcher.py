"""The only way a rendering brief can load anything: files under the app's static folder.

WeasyPrint fetches stylesheets, images, fonts and attachments through a URL fetcher.
``StaticOnlyFetcher`` serves ``file:`` URLs that resolve (symlinks followed) to a regular
file inside the static folder, and refuses everything else — other files, ``http(s):``,
``data:``, ``ftp:`` — with one log line per refusal. It never opens a socket.

Briefs are rendered with ``base_url`` set to the static folder itself (configuration,
never input), so a template writes ``css/print.css`` and nothing else resolves.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("tracker.reports.fetcher")

#: What a brief may load from the static folder.
ALLOWED_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf", ".otf"}
MAX_BYTES = 5 * 1024 * 1024


class FetchRefused(ValueError):
    """WeasyPrint logs this and renders without the resource."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_folder: str | os.PathLike[str]) -> None:
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False)
        self.root = Path(static_folder).resolve(strict=True)
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        return self.root.as_uri() + "/"

    def refuse(self, url: str, reason: str) -> FetchRefused:
        shown = url if len(url) <= 200 else url[:200] + "…"
        self.refused.append(url)
        log.warning("refused to fetch %s while rendering a brief: %s", shown, reason)
        return FetchRefused(f"{reason}: {shown}")

    def resolve(self, url: str) -> Path:
        """The file a URL names, or FetchRefused."""
        try:
            parts = urlsplit(url)
        except ValueError:
            raise self.refuse(url, "malformed URL") from None
        if parts.scheme.lower() != "file":
            raise self.refuse(url, f"scheme {parts.scheme or 'none'!r} is not allowed")
        if parts.netloc not in ("", "localhost"):
            raise self.refuse(url, "remote file host")
        raw = url2pathname(unquote(parts.path))
        if "\x00" in raw:
            raise self.refuse(url, "NUL in path")
        path = Path(os.path.realpath(raw))  # follows symlinks: an escaping link is refused below
        if path != self.root and self.root not in path.parents:
            raise self.refuse(url, "outside the static folder")
        if path.suffix.lower() not in ALLOWED_SUFFIXES:
            raise self.refuse(url, f"file type {path.suffix or 'none'!r} is not allowed")
        if not path.is_file():
            raise self.refuse(url, "no such file")
        if path.stat().st_size > MAX_BYTES:
            raise self.refuse(url, "file too large")
        return path

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.resolve(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body = path.read_bytes()
        response_headers = {
            "Content-Type": f"{mime}; charset=utf-8" if mime.startswith("text/") else mime
        }
        return URLFetcherResponse(path.as_uri(), body, response_headers, 200)

    def open(self, url: object, data: object = None, timeout: object = None) -> URLFetcherResponse:
        # OpenerDirector.open would reach urllib's handlers; everything goes through fetch.
        full = getattr(url, "full_url", url)
        return self.fetch(str(full))

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)
