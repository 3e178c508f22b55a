"""Citations of measures in CSL-JSON, BibTeX (biblatex) and RIS, as Zotero, biber and
citeproc read them.

One ``Citation`` is built per measure from its published content, then written
in each format:

* kind: laws, regulations, executive orders and procurement rules are
  legislation; a proposed law or regulation is a bill; strategies and programmes
  are government documents, standards and guidance reports. CSL types
  ``legislation``/``bill``/``report``; RIS ``STAT``/``BILL``/``GOVDOC``/``RPRT``;
  biblatex ``@misc`` with ``entrysubtype`` (its ``@legislation`` and ``@legal``
  have no fields in biber's data model) and ``@report`` with ``type``;
* author: the issuing body (else the jurisdiction), as one corporate name: a CSL
  ``literal``, a braced biblatex name (so " and " inside it does not split it);
* title: the English title where one is recorded, else the official title (the
  official title and its language go in the note when they differ);
* authority: the jurisdiction;
* issued: the adopted event, else the published one (else, for a proposal, the
  announced one), at the precision it is known;
* URL: the official URL; number: the official identifier (RIS ``M1`` for laws
  and bills, ``SN`` for documents and reports, as Zotero reads them);
* accessed: the latest access date among the sources, if any;
* note: the verification level and note, and the tracker page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import rispy
import rispy.writer

from tracker.measures import lifecycle
from tracker.measures.models import EventKind, Measure, MeasureStatus, MeasureType
from tracker.modelbase import DatePrecision, format_partial_date

LEGISLATION_TYPES = {
    MeasureType.LAW,
    MeasureType.REGULATION,
    MeasureType.EXECUTIVE_ORDER,
    MeasureType.PROCUREMENT_RULE,
}
BILL_TYPES = {MeasureType.LAW, MeasureType.REGULATION}

#: measure types cited as government documents (RIS GOVDOC); other non-legislation is RPRT
GOVERNMENT_DOCUMENT_TYPES = {MeasureType.STRATEGY, MeasureType.PROGRAMME}
#: RIS type -> the tag that carries the official identifier in Zotero's RIS import
RIS_NUMBER_KEY = {"STAT": "note", "BILL": "note", "GOVDOC": "issn", "RPRT": "issn"}


@dataclass
class Citation:
    key: str
    csl_type: str
    ris_type: str
    #: the measure type as readers name it ("Law", "Strategy")
    genre: str
    title: str
    authority: str
    issuing_body: str | None
    issued: list[int] | None
    url: str | None
    number: str | None
    accessed: dt.date | None
    language: str | None
    short_title: str | None
    note: str
    keywords: list[str] = field(default_factory=list)


def _date_parts(date: dt.date, precision: DatePrecision) -> list[int]:
    if precision is DatePrecision.YEAR:
        return [date.year]
    if precision is DatePrecision.MONTH:
        return [date.year, date.month]
    return [date.year, date.month, date.day]


def _issued(m: Measure) -> list[int] | None:
    order = [EventKind.ADOPTED, EventKind.PUBLISHED]
    if m.status is MeasureStatus.PROPOSED:
        order.append(EventKind.ANNOUNCED)
    for kind in order:
        events = [e for e in m.events if e.kind is kind]
        if events:
            first = min(events, key=lambda e: e.date)
            return _date_parts(first.date, first.precision)
    return None


def csl_type(m: Measure) -> str:
    if m.type in BILL_TYPES and m.status is MeasureStatus.PROPOSED:
        return "bill"
    if m.type in LEGISLATION_TYPES:
        return "legislation"
    return "report"


def ris_type(m: Measure) -> str:
    kind = csl_type(m)
    if kind == "legislation":
        return "STAT"
    if kind == "bill":
        return "BILL"
    return "GOVDOC" if m.type in GOVERNMENT_DOCUMENT_TYPES else "RPRT"


def citation_key(m: Measure) -> str:
    """A BibTeX-safe key: the record key (or measure-<id>), letters, digits, - and _ only."""
    raw = m.record.key if m.record is not None and m.record.key else f"measure-{m.record_id}"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-") or f"measure-{m.record_id}"


def build(m: Measure, page_url: str, standing: lifecycle.StandingOn) -> Citation:
    """``standing`` today, from tracker.measures.queries.measure_standings (as on every
    other surface)."""
    accessed = max((s.accessed for s in m.sources if s.accessed), default=None)
    notes = [f"Verification: {m.verification.label}."]
    if m.verification_note:
        notes.append(m.verification_note)
    if m.title_en and m.title_original and m.title_en != m.title_original:
        notes.append(f"Official title ({m.title_lang}): {m.title_original}")
    today = format_partial_date(lifecycle.today(), "day")
    notes.append(f"Standing on {today}: {standing.sentence}")
    notes.append(f"Cyber Norms Tracker: {page_url}")
    return Citation(
        key=citation_key(m),
        csl_type=csl_type(m),
        ris_type=ris_type(m),
        genre="Bill" if csl_type(m) == "bill" else m.type.label,
        title=m.title,
        authority=m.jurisdiction.name if m.jurisdiction else m.jurisdiction_code,
        issuing_body=m.issuing_body,
        issued=_issued(m),
        url=m.official_url,
        number=m.official_identifier,
        accessed=accessed,
        language=m.title_lang if not m.title_en else "en",
        short_title=m.short_name,
        note=" ".join(notes),
        keywords=[t.name for t in m.topics],
    )


# --- CSL-JSON ---------------------------------------------------------------------------------


def author(c: Citation) -> str:
    """The corporate author: the issuing body, else the jurisdiction."""
    return c.issuing_body or c.authority


def genre_needed(c: Citation) -> bool:
    """Styles print the genre before the number ("Bill C-8"): an identifier that already
    starts with it is not given the genre again (no "Bill Bill C-8")."""
    return not (c.number and c.number.casefold().startswith(c.genre.casefold()))


def csl_item(c: Citation) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": c.key,
        "type": c.csl_type,
        "title": c.title,
        # A literal name: a body is never split into given and family names.
        "author": [{"literal": author(c)}],
        "authority": c.authority,
    }
    if c.issuing_body:
        item["publisher"] = c.issuing_body
    if c.csl_type == "report" and genre_needed(c):
        item["genre"] = c.genre
    if c.issued:
        item["issued"] = {"date-parts": [c.issued]}
    if c.url:
        item["URL"] = c.url
    if c.number:
        item["number"] = c.number
    if c.accessed:
        item["accessed"] = {"date-parts": [[c.accessed.year, c.accessed.month, c.accessed.day]]}
    if c.short_title:
        item["title-short"] = c.short_title
    if c.language:
        item["language"] = c.language
    if c.keywords:
        item["keyword"] = ", ".join(c.keywords)
    item["note"] = c.note
    return item


def to_csl_json(citations: list[Citation]) -> str:
    return json.dumps([csl_item(c) for c in citations], ensure_ascii=False, indent=2)


def chunks(fmt: str, batches: Iterable[list[Citation]]) -> Iterator[str]:
    """``to_bibtex``, ``to_ris`` or ``to_csl_json`` of every citation of ``batches``, a batch
    at a time, byte for byte what the whole list would give (a selection at 40,000 measures
    built whole took 1.2 GiB and 13 s)."""
    if fmt == "json":
        yield from _csl_chunks(batches)
        return
    write = to_bibtex if fmt == "bib" else to_ris
    #: what each writer puts between two entries beyond the end of the first
    between = "\n\n" if fmt == "bib" else "\n"
    first = True
    for batch in batches:
        if not batch:
            continue
        yield write(batch) if first else between + write(batch)
        first = False


def _csl_chunks(batches: Iterable[list[Citation]]) -> Iterator[str]:
    opened = False
    for batch in batches:
        for c in batch:
            item = json.dumps(csl_item(c), ensure_ascii=False, indent=2)
            yield ("[\n" if not opened else ",\n") + textwrap.indent(item, "  ")
            opened = True
    yield "\n]" if opened else "[]"


# --- BibTeX -----------------------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(k) for k in _BIBTEX_SPECIALS))


def bibtex_escape(text: str) -> str:
    """Escape LaTeX specials; line breaks become spaces. UTF-8 letters stay as they are
    (biblatex and Zotero read UTF-8)."""
    text = " ".join(str(text).split())
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIALS[m.group(0)], text)


def bibtex_url(url: str) -> str:
    """URLs are verbatim in biblatex: only characters that would break the braces are encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex_langid(code: str | None) -> str | None:
    """biblatex's langid takes babel/polyglossia names ("german"), never the ISO 639-1 code:
    the lower-cased English name from pycountry, when it is one plain word."""
    if not code:
        return None
    import pycountry

    found = pycountry.languages.get(alpha_2=code.lower())
    name = found.name.lower() if found is not None else ""
    return name if name.isalpha() and name.isascii() else None


def braced(text: str) -> str:
    """A corporate name for a biblatex name list: the inner braces keep it one name, so an
    " and " inside it ("National Institute of Standards and Technology") does not split it
    and no part of it is read as a given name."""
    return "{" + bibtex_escape(text) + "}"


def bibtex_entry_type(c: Citation) -> str:
    return "report" if c.csl_type == "report" else "misc"


def bibtex_fields(c: Citation) -> list[tuple[str, str]]:
    """biblatex fields valid for the entry type in biber's default data model
    (tests/contracts run ``biber --tool --validate-datamodel`` on them)."""
    fields: list[tuple[str, str]] = []
    if c.csl_type != "report":
        fields.append(("entrysubtype", c.csl_type))
    fields += [
        # Double braces keep the capitalisation of a title (styles would lower-case it).
        ("title", "{" + bibtex_escape(c.title) + "}"),
        ("author", braced(author(c))),
    ]
    if c.csl_type == "report":
        # @report requires institution and type.
        fields.append(("institution", braced(c.issuing_body or c.authority)))
        fields.append(("type", bibtex_escape(c.genre)))
        if c.number:
            fields.append(("number", bibtex_escape(c.number)))
    else:
        fields.append(("organization", braced(c.authority)))
        if genre_needed(c):
            fields.append(("type", bibtex_escape(c.genre)))
        if c.number:
            # @misc has no number field: the identifier is how the text was published.
            fields.append(("howpublished", bibtex_escape(c.number)))
    if c.issued:
        fields.append(
            ("date", "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(c.issued)))
        )
    if c.url:
        fields.append(("url", bibtex_url(c.url)))
    if c.accessed:
        fields.append(("urldate", c.accessed.isoformat()))
    if c.short_title:
        fields.append(("shorttitle", bibtex_escape(c.short_title)))
    langid = bibtex_langid(c.language)
    if langid:
        fields.append(("langid", langid))
    if c.keywords:
        fields.append(("keywords", bibtex_escape(", ".join(c.keywords))))
    fields.append(("note", bibtex_escape(c.note)))
    return fields


def to_bibtex(citations: list[Citation]) -> str:
    """biblatex through bibtexparser's writer (which encloses each value in braces);
    values are escaped here (bibtex_escape)."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    library = bibtexparser.Library()
    for c in citations:
        library.add(
            Entry(
                bibtex_entry_type(c),
                c.key,
                [Field(name, value) for name, value in bibtex_fields(c)],
            )
        )
    # the library is thrown away after writing: no deep copy of each entry (the default
    # stack copies, and warns about it, for every library of more than a few blocks)
    stack = bibtexparser.middlewares.default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(library, unparse_stack=stack)


# --- RIS --------------------------------------------------------------------------------------


def ris_entry(c: Citation) -> dict[str, Any]:
    """rispy keys: ``note`` is M1 and ``issn`` SN, where Zotero's RIS import looks for the
    number of a statute or bill (M1) and of a report or document (SN)."""
    entry: dict[str, Any] = {
        "type_of_reference": c.ris_type,
        "id": c.key,
        "title": c.title,
        "authors": [author(c)],
        "place_published": c.authority,
        "notes": [c.note],
    }
    if c.issuing_body:
        entry["publisher"] = c.issuing_body
    if c.issued:
        parts = [f"{c.issued[0]:04d}"] + [f"{p:02d}" for p in c.issued[1:]]
        parts += [""] * (3 - len(parts))
        entry["date"] = "/".join(parts) + "/"
        entry["year"] = f"{c.issued[0]:04d}"
    if c.url:
        entry["urls"] = [c.url]
    if c.number:
        entry[RIS_NUMBER_KEY[c.ris_type]] = c.number
    if c.csl_type == "report" and genre_needed(c):
        entry["type_of_work"] = c.genre
    if c.accessed:
        entry["access_date"] = c.accessed.strftime("%Y/%m/%d")
    if c.short_title:
        entry["short_title"] = c.short_title
    if c.language:
        entry["language"] = c.language
    if c.keywords:
        entry["keywords"] = list(c.keywords)
    return entry


class RisWriter(rispy.writer.RisWriter):
    """rispy's writer without the "1." line it puts before each record (not RIS: Zotero
    and EndNote read it as stray text)."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(citations: list[Citation]) -> str:
    entries = []
    for c in citations:
        entry = ris_entry(c)
        # RIS is line-based: a line break inside a value would start a bogus tag.
        entries.append({k: _one_line(v) for k, v in entry.items()})
    return rispy.dumps(entries, implementation=RisWriter)


def _one_line(value: Any) -> Any:
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    if isinstance(value, str):
        return " ".join(value.split())
    return value
