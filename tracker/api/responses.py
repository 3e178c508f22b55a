"""How every /api/v1 view answers: ``responds`` ties a view to its response model, and
``paginate`` builds the one paging envelope (``Page``) of every list.

The model a view declares with ``responds`` is the one the OpenAPI document names for its
path (tests/test_openapi.py checks both against each other), and the view must return an
instance of exactly that model: the JSON is that instance dumped, nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, url_for

from tracker.api.schemas import Page, Schema
from tracker.extensions import db
from tracker.queryargs import int_arg, page_arg
from tracker.records import kept
from tracker.web import not_found

M = TypeVar("M", bound=Schema)
P = TypeVar("P", bound=Page[Any])


def responds(model: type[Schema]) -> Callable[[Callable[..., Schema]], Callable[..., Any]]:
    """Declare ``model`` as the view's response and answer with the instance it returns."""

    def decorate(view: Callable[..., Schema]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
            result = view(*args, **kwargs)
            if type(result) is not model:
                raise TypeError(
                    f"{view.__qualname__} answered {type(result).__name__}, "
                    f"not its declared {model.__name__}"
                )
            return result.model_dump(mode="json")

        wrapper.response_model = model  # type: ignore[attr-defined]
        return wrapper

    return decorate


def response_model(view: Callable[..., Any]) -> type[Schema] | None:
    """The model a view declared with ``responds`` (None for a view that declared none)."""
    return getattr(view, "response_model", None)


def paginate(
    stmt: sa.Select[Any],
    page_model: type[P],
    endpoint: str,
    serialise: Callable[[Sequence[Any]], Sequence[Any]],
    *,
    kept_total: tuple[str, Hashable] | None = None,
    **args: Any,
) -> P:
    """One page of ``stmt`` as ``page_model``: ``page`` and ``per_page`` from the query string
    (per_page at most API_MAX_PAGE_SIZE), the rows serialised by ``serialise``, and ``next`` /
    ``prev`` links to ``endpoint`` with ``args`` (the list's filters). A page past the last
    one is a 404; page 1 of an empty list is an empty page. With ``kept_total`` (kind, key),
    the list's total is kept per data version (tracker.records.kept; public data only, as
    every answer of the API)."""
    page = page_arg()
    maximum = current_app.config["API_MAX_PAGE_SIZE"]
    per_page = int_arg("per_page", min(current_app.config["API_PAGE_SIZE"], maximum), maximum)
    if kept_total is None:
        pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    else:
        kind, key = kept_total
        pagination = kept.paginate(
            stmt, page=page, per_page=per_page, drafts=False, kind=kind, key=key
        )
    if page > 1 and not pagination.items:
        raise not_found(
            f"There is no page {page}: this list has {max(pagination.pages, 1)} page(s)."
        )

    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=per_page, _external=True, **args)

    return page_model(
        items=list(serialise(pagination.items)),
        page=page,
        per_page=per_page,
        total=pagination.total or 0,
        pages=pagination.pages,
        next=link(page + 1) if pagination.has_next else None,
        prev=link(page - 1) if pagination.has_prev else None,
    )
