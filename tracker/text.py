"""Markdown for descriptions, rendered with markdown-it-py and sanitised with nh3.

Raw HTML in the source is escaped (``html=False``), images are not rendered, and
only links to public http(s) addresses (tracker.validators.url_problem) and mailto
links survive sanitising, in pages and PDFs alike: a link to localhost or
169.254.169.254 keeps its text and loses its address.
"""

from __future__ import annotations

import html as _html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from tracker.validators import url_problem

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable(["image"])

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "href" and not value.lower().startswith("mailto:"):
        return value if url_problem(value) is None else None
    return value


def _demote_headings(html: str) -> str:
    # Page structure owns h1/h2; descriptions start at h3.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


def render_markdown(source: str | None) -> Markup:
    """Markdown to safe HTML."""
    if not source:
        return Markup("")
    html = _demote_headings(_md.render(source))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def plain_text(source: str | None) -> str:
    """Markdown reduced to text (for snippets, CSV and PDF metadata)."""
    if not source:
        return ""
    return _html.unescape(nh3.clean(_md.render(source), tags=set())).strip()
