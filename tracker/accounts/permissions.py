"""Authorisation, decided in one place and denied by default.

Every view declares who may reach it, with ``@public`` or ``@requires(...)``.
A before-request hook enforces the declaration; a view that declares nothing is
refused (403), so a forgotten decorator fails closed, and a test walks every
route to prove each one declares a policy.

The hook answers, in this order:

* a route (public or not) naming a record (``<record_id>``) that is not public (a
  draft, a deleted record, or no record at all) and that the reader may not see:
  404, so that nobody learns that an unpublished record exists. Editors and
  administrators see every draft (``VIEW_ALL_DRAFTS``); a reviewer sees a draft
  only once it is submitted to a working group they belong to, or, as the
  government contact of a jurisdiction, when it concerns that jurisdiction
  (``tracker.review.access``);
* a reviewer asking for a staff page (one requiring ``VIEW_DRAFTS``) of a published
  record that is not assigned to them: 403;
* a public view: allowed (it must still show published content only);
* signed out: a sign-in redirect for GET, 401 otherwise;
* signed in without every required permission: 403.

CSRF is checked before this hook (Flask-WTF's CSRFProtect): a POST without a
valid token is a 400 whoever sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from tracker.accounts.models import Role
from tracker.modelbase import LabelledEnum

F = TypeVar("F", bound=Callable[..., Any])


class Permission(LabelledEnum):
    #: see unpublished (draft) records assigned to the reader (reviewers: see tracker.review.access)
    VIEW_DRAFTS = ("view_drafts", "See drafts")
    #: see every unpublished record and ask for drafts in lists and briefs (``?drafts=1``)
    VIEW_ALL_DRAFTS = ("view_all_drafts", "See every draft")
    #: create and edit records
    EDIT = ("edit", "Edit records")
    #: soft-delete and restore records
    DELETE = ("delete", "Delete and restore records")
    #: submit for review and publish approved records
    PUBLISH = ("publish", "Publish")
    #: comment, request changes, approve
    REVIEW = ("review", "Review")
    #: manage accounts and read the audit log
    ADMIN = ("admin", "Administer")


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: frozenset(
        {
            Permission.VIEW_DRAFTS,
            Permission.VIEW_ALL_DRAFTS,
            Permission.EDIT,
            Permission.DELETE,
            Permission.PUBLISH,
        }
    ),
    Role.REVIEWER: frozenset({Permission.VIEW_DRAFTS, Permission.REVIEW}),
}

PUBLIC = "public"


def has_permission(user: Any, permission: Permission) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def can(permission: Permission | str) -> bool:
    """Whether the current user holds ``permission`` (also a template global: ``can('edit')``)."""
    return has_permission(current_user, Permission(permission))


#: view arguments that name a record, and how to tell whether anyone may know of it
RECORD_ARGS = ("record_id",)
#: how a route's blueprint names its records in the 404 message
RECORD_LABELS = {
    "measures": "measure",
    "attribution": "attribution statement",
    "papers": "policy paper",
}


def may_see_unpublished(user: Any, record_id: int) -> bool:
    """Whether ``user`` may see this record's working copy, history and review page.

    Editors and administrators: always. Reviewers: when the record is assigned to
    one of their working groups, or (right of reply) when they are the government
    contact of a jurisdiction the record concerns. Everyone else: never.
    """
    if has_permission(user, Permission.VIEW_ALL_DRAFTS):
        return True
    if not has_permission(user, Permission.VIEW_DRAFTS):
        return False
    from tracker.review.access import reviewer_may_see

    return reviewer_may_see(user, record_id)


def can_see_unpublished(record_id: int) -> bool:
    """``may_see_unpublished`` for the current user (also a template global)."""
    return may_see_unpublished(current_user, record_id)


def _record_ids(view_args: dict[str, Any] | None) -> list[int]:
    return [int(v) for name in RECORD_ARGS if (v := (view_args or {}).get(name)) is not None]


def _check_record_access(policy: Any) -> None:
    """404 for a record that is not public and that the reader may not see; 403 for a
    reviewer asking for the staff pages of a published record not assigned to them."""
    from tracker.records.queries import record_is_public

    if has_permission(current_user, Permission.VIEW_ALL_DRAFTS):
        return
    for record_id in _record_ids(request.view_args):
        if not record_is_public(record_id):
            if not may_see_unpublished(current_user, record_id):
                # Worded from the route, not the record, so drafts and gaps read the same.
                blueprint = (request.endpoint or "").split(".")[0]
                label = RECORD_LABELS.get(blueprint, "record")
                abort(404, f"There is no published {label} number {record_id}.")
        elif (
            policy != PUBLIC
            and Permission.VIEW_DRAFTS in policy
            and has_permission(current_user, Permission.VIEW_DRAFTS)
            and not may_see_unpublished(current_user, record_id)
        ):
            abort(403, "This record is not assigned to a working group you belong to.")


def public(view: F) -> F:
    """Anyone may call this view (it must still show published content only)."""
    view._access = PUBLIC  # type: ignore[attr-defined]
    return view


def requires(*permissions: Permission) -> Callable[[F], F]:
    """Only signed-in users holding every one of ``permissions`` may call this view."""

    def decorate(view: F) -> F:
        view._access = frozenset(permissions)  # type: ignore[attr-defined]
        return view

    return decorate


def policy_of(endpoint: str | None) -> Any:
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    # Unwrap decorators that used functools.wraps.
    while view is not None and not hasattr(view, "_access") and hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return getattr(view, "_access", None)


def enforce() -> Any:
    """Before every request: allow only what the view's declared policy allows."""
    if request.endpoint is None:  # 404 / 405 are handled by routing
        return None
    policy = policy_of(request.endpoint)
    if policy is None:
        current_app.logger.error("view %s declares no access policy: refused", request.endpoint)
        abort(403)
    # Before anything else, public views included: an unpublished record does not exist
    # for someone who may not see it.
    _check_record_access(policy)
    if policy == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if request.method == "GET" and "accounts.login" in current_app.view_functions:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        abort(401, "Please sign in first.")
    if not all(has_permission(current_user, p) for p in policy):
        abort(403, "Your account does not have permission for this page.")
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce)
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["can_see_unpublished"] = can_see_unpublished
    app.jinja_env.globals["Permission"] = Permission
