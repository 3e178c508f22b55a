"""Cross-cutting web concerns: error pages, template helpers and response headers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, RequestEntityTooLarge

from tracker.queryargs import InvalidArgument

ERROR_TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def wants_json() -> bool:
    # HTML wins a tie, so "Accept: */*" (curl, many tools) gets the page a browser would.
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


CSRF_MESSAGE = (
    "This form could not be accepted: its security token is missing or has expired "
    "(forms expire after some hours, and after you sign in or out). Nothing was saved. "
    "Go back, reload the page, and submit the form again."
)


TOO_LARGE = (
    "What was sent is larger than this site accepts ({limit}), so nothing was saved. "
    "Go back to the form (browsers keep what was typed), shorten the longest field (a "
    "description holds at most 20,000 characters), then save again."
)


def handle_too_large(error: RequestEntityTooLarge) -> Any:
    """A readable 413 for a request body over MAX_CONTENT_LENGTH or a field over
    MAX_FORM_MEMORY_SIZE (Werkzeug refuses it before any view runs)."""
    total, field = (
        current_app.config.get("MAX_CONTENT_LENGTH"),
        current_app.config.get("MAX_FORM_MEMORY_SIZE"),
    )
    parts = [
        f"{field / 2**20:g} MB in one field" if field else "",
        f"{total / 2**20:g} MB in all" if total else "",
    ]
    text = "at most " + " and ".join(p for p in parts if p) if any(parts) else "its size limit"
    current_app.logger.info("request too large on %s %s", request.method, request.path)
    return handle_http_error(RequestEntityTooLarge(TOO_LARGE.format(limit=text)))


def handle_csrf_error(error: CSRFError) -> Any:
    """A readable 400 for a missing or stale CSRF token (nothing was changed)."""
    current_app.logger.info(
        "CSRF check failed on %s %s: %s", request.method, request.path, error.description
    )
    return handle_http_error(BadRequest(CSRF_MESSAGE))


def with_suggestion(
    error: HTTPException, url: str | None, label: str | None, intro: str | None = None
) -> HTTPException:
    """Attach a link the error page offers ("Did you mean United Kingdom (GB)?")."""
    error.suggestion_url = url  # type: ignore[attr-defined]
    error.suggestion_label = label  # type: ignore[attr-defined]
    error.suggestion_intro = intro  # type: ignore[attr-defined]
    return error


def not_found(
    message: str, suggestion_url: str | None = None, suggestion_label: str | None = None
) -> NotFound:
    """A 404 with a message that says what was not found (and, if known, what was meant)."""
    return with_suggestion(NotFound(message), suggestion_url, suggestion_label)  # type: ignore[return-value]


def bad_request(
    message: str, suggestion_url: str | None = None, suggestion_label: str | None = None
) -> BadRequest:
    return with_suggestion(BadRequest(message), suggestion_url, suggestion_label)  # type: ignore[return-value]


def handle_http_error(error: HTTPException) -> Any:
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    message = error.description or ""
    suggestion_url = getattr(error, "suggestion_url", None)
    suggestion_label = getattr(error, "suggestion_label", None)
    if wants_json():
        body: dict[str, Any] = {"status": code, "title": title, "message": message}
        if suggestion_url:
            body["suggestion"] = {"url": suggestion_url, "label": suggestion_label}
        return {"error": body}, code, _extra_headers(error)
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message,
            suggestion_url=suggestion_url,
            suggestion_label=suggestion_label,
            suggestion_intro=getattr(error, "suggestion_intro", None),
        ),
        code,
        _extra_headers(error),
    )


def handle_invalid_argument(error: InvalidArgument) -> Any:
    """A malformed query argument found by the query layer: a 400 with its message."""
    return handle_http_error(BadRequest(str(error)))


def _extra_headers(error: HTTPException) -> dict[str, str]:
    headers: dict[str, str] = {}
    retry_after = getattr(error, "retry_after", None)
    if error.code == 429 and retry_after:
        headers["Retry-After"] = str(retry_after)
    valid_methods = getattr(error, "valid_methods", None)
    if error.code == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    return headers


#: C0 and C1 control characters other than tab, line feed and carriage return
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters_in_api_requests() -> None:
    """An API query argument with a control character (NUL, escape, ...) is a 400 before any
    view runs: PostgreSQL refuses NUL in text (a 500 otherwise) and no parameter takes one; an
    API path with one names nothing (404). Only /api/: the HTML pages have their own contracts
    for such input (search shows its page, sign-in drops a bad ``next``)."""
    if not request.path.startswith("/api/"):
        return
    if CONTROL_CHARACTERS.search(request.path):
        raise NotFound("No API address has a control character in it.")
    for name, value in request.args.items(multi=True):
        found = CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value)
        if found:
            raise BadRequest(
                f"The query argument {name[:40]!r} contains the control character "
                f"U+{ord(found.group(0)):04X}, which no parameter accepts."
            )


def set_security_headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if _signed_in() or getattr(g, "shows_drafts", False):
        # Staff pages may hold drafts: never let a browser or proxy keep them.
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))


#: Main navigation; entries appear once their blueprint is registered. The third item:
#: False for everyone, True for signed-in staff, or a permission value the viewer must hold.
NAV_ITEMS: list[tuple[str, str, bool | str]] = [
    ("norms.index", "Norms", False),
    ("jurisdictions.index", "Jurisdictions", False),
    ("measures.index", "Measures", False),
    ("reports.compare", "Compare", False),
    ("papers.index", "Papers", False),
    ("attribution.index", "Attributions", False),
    ("search.index", "Search", False),
    ("review.queue", "Review", True),
    ("measures.new", "New measure", "edit"),
    ("imports.index", "Import", "edit"),
    ("accounts.audit_log", "Audit log", "admin"),
]


def nav_items() -> list[tuple[str, str]]:
    from tracker.accounts.permissions import can
    from tracker.records.queries import viewer_is_staff

    staff = viewer_is_staff(current_user)

    def shown(audience: bool | str) -> bool:
        if isinstance(audience, str):
            return can(audience)
        return staff or not audience

    return [
        (endpoint, label)
        for endpoint, label, audience in NAV_ITEMS
        if endpoint in current_app.view_functions and shown(audience)
    ]


def current_url(**changes: Any) -> str:
    """This page's URL with some query arguments changed (a value of None removes one)."""
    from flask import url_for

    args: dict[str, Any] = dict(request.view_args or {})
    args.update(request.args.to_dict(flat=False))
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint or "site.index", **args)


def url_endpoints() -> set[str]:
    return set(current_app.view_functions)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InvalidArgument, handle_invalid_argument)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.after_request(set_security_headers)
    app.before_request(refuse_control_characters_in_api_requests)
    app.jinja_env.globals["now_year"] = lambda: dt.date.today().year
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["url_endpoints"] = url_endpoints
    app.jinja_env.globals["standing_today"] = _standing_today
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["current_url"] = current_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _standing_today(measure: Any) -> Any:
    """A measure's standing today, for list badges (tracker.measures.lifecycle; the events
    must be loaded; successors are not named in a badge)."""
    from tracker.measures import lifecycle

    today = lifecycle.today()
    return lifecycle.standing_of(measure, today, today)
