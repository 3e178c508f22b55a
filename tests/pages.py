"""Helpers for tests that read pages: the values of a rendered form, and a check that
nothing a user typed became live markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "srcset",
    "poster",
    "background",
}


class _Forms(HTMLParser):
    """Collects each <form>'s successful controls as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._textarea: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "id": a.get("id"), "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if "name" not in a or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append(
                (a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""))
            )
        elif tag == "textarea" and "name" in a:
            self._textarea = [a["name"], ""]
        elif tag == "select" and "name" in a:
            self._select = {
                "name": a["name"],
                "first": None,
                "selected": [],
                "multiple": "multiple" in a,
            }
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"].append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            # Browsers drop one leading newline (LF or CR LF) of a textarea's content.
            value = self._textarea[1]
            for newline in ("\r\n", "\n"):
                if value.startswith(newline):
                    value = value[len(newline) :]
                    break
            self._form["fields"].append((self._textarea[0], value))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            if s["multiple"]:
                # A multiple select sends every chosen option, in page order, or nothing.
                self._form["fields"].extend((s["name"], v) for v in s["selected"])
            else:
                value = s["selected"][-1] if s["selected"] else s["first"]
                if value is not None:
                    self._form["fields"].append((s["name"], value))
            self._select = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the form posting to ``action`` would submit."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action:
            return list(form["fields"])
    raise AssertionError(f"no form with action {action!r} on the page")


def replace(fields: list[tuple[str, str]], **values: str | list[str]) -> list[tuple[str, str]]:
    """``fields`` with the named controls set to new values (a list for multi-valued ones)."""
    out = [(k, v) for k, v in fields if k not in values]
    for name, value in values.items():
        out.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    return out


def as_data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for k, v in fields:
        data.setdefault(k, []).append(v)
    return data


class _Inert(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.visible: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script":
            src = a.get("src", "")
            if not src.startswith("/static/"):
                self.problems.append(f"<script> element {a}")
            self._in_script = True
        if tag in ("iframe", "object", "embed", "frame", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in a:
            self.problems.append("<meta http-equiv>")
        if tag == "img" and not a.get("src", "").startswith("/static/"):
            self.problems.append(f"<img> not from /static: {a}")
        for name, value in a.items():
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                if cleaned.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            self.visible.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")
        self.visible.append(data)


def assert_inert(html: str, *, shows: list[str] = ()) -> None:
    """No live markup on the page (no script, no event handlers, no javascript: URLs,
    no foreign images), and every string in ``shows`` appears as text or attribute value
    (so the page really showed what was typed, escaped)."""
    parser = _Inert()
    parser.feed(html)
    parser.close()
    assert not parser.problems, "live markup on the page:\n" + "\n".join(parser.problems)
    everything = "\n".join(parser.visible)
    missing = [s for s in shows if s not in everything]
    assert not missing, f"these were not shown on the page: {missing}"


def response_text(response: Any) -> str:
    """A response's text as a reader sees it: the extracted text of a PDF, else the body."""
    if response.mimetype == "application/pdf":
        from tests.pdf_helpers import pdf_text

        return pdf_text(response.data)
    return response.get_data(as_text=True)
