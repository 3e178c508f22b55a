"""The review workflow's rules, in one place: ``transition(record, action, user, **details)``.

It works for every kind of record (measures, papers, attributions). It checks the
user's role and relation to the record, looks the next state up in
``TRANSITIONS``, checks what the step needs (approvals, a comment, the kind's own
publication checks), and only then writes: the state, a revision named after the
action, an audit event and the notifications. A refused step raises a
``TransitionError`` whose message a user can read, and changes nothing.

Roles: editors submit, publish, withdraw and take records back to draft; reviewers
(members of the working group the record is submitted to, and administrators)
request changes and approve. Commenting is not a state change (see ``comments``).

Edits: any edit of the working copy writes a new content revision, so earlier
approvals stop counting. ``state_after_edit`` says where an edit leaves the
record: a published record gets a new draft; an approved one goes back to
"in review" (its approvals are void, its reviewers are told); a record in review
or with changes requested stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.accounts import audit
from tracker.accounts.models import AuditAction
from tracker.accounts.permissions import Permission, has_permission
from tracker.db import LabelledEnum, utcnow
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.records import services as records
from tracker.records.diff import summarise
from tracker.records.models import Record, RecordKind, Revision, WorkflowState
from tracker.review import access, comments, notify
from tracker.review.models import Approval
from tracker.review.status import ReviewStatus, review_status
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember


class Action(LabelledEnum):
    #: an editor sends the working copy to a working group for review
    SUBMIT = ("submit", "Submit for review")
    #: a reviewer sends it back to the editors, saying what should change
    REQUEST_CHANGES = ("request_changes", "Request changes")
    #: a reviewer approves the revision under review
    APPROVE = ("approve", "Approve")
    #: an editor makes the approved working copy the live copy
    PUBLISH = ("publish", "Publish")
    #: an editor takes the record off the public site
    WITHDRAW = ("withdraw", "Withdraw from the public site")
    #: an editor takes a submitted record back to draft (out of the reviewers' queue)
    REOPEN = ("reopen", "Back to draft")


S = WorkflowState

#: (state, action) -> the next state. Anything not listed is refused.
TRANSITIONS: dict[tuple[WorkflowState, Action], WorkflowState] = {
    (S.DRAFT, Action.SUBMIT): S.IN_REVIEW,
    (S.CHANGES_REQUESTED, Action.SUBMIT): S.IN_REVIEW,
    (S.WITHDRAWN, Action.SUBMIT): S.IN_REVIEW,
    (S.IN_REVIEW, Action.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.APPROVED, Action.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    # "approved" once enough reviewers approved the revision; until then it stays in review
    (S.IN_REVIEW, Action.APPROVE): S.APPROVED,
    (S.APPROVED, Action.APPROVE): S.APPROVED,
    (S.APPROVED, Action.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, Action.WITHDRAW): S.WITHDRAWN,
    # A published record whose next version is being written is still on the public site.
    (S.DRAFT, Action.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, Action.WITHDRAW): S.WITHDRAWN,
    (S.CHANGES_REQUESTED, Action.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, Action.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, Action.REOPEN): S.DRAFT,
    (S.CHANGES_REQUESTED, Action.REOPEN): S.DRAFT,
    (S.APPROVED, Action.REOPEN): S.DRAFT,
}

#: the permission each action needs (tracker.accounts.permissions decides who holds it)
ACTION_PERMISSIONS: dict[Action, Permission] = {
    Action.SUBMIT: Permission.PUBLISH,
    Action.PUBLISH: Permission.PUBLISH,
    Action.WITHDRAW: Permission.PUBLISH,
    Action.REOPEN: Permission.PUBLISH,
    Action.REQUEST_CHANGES: Permission.REVIEW,
    Action.APPROVE: Permission.REVIEW,
}

#: actions taken by reviewers, on records of their working group
REVIEW_ACTIONS = frozenset({Action.REQUEST_CHANGES, Action.APPROVE})

AUDIT_ACTIONS: dict[Action, AuditAction] = {
    Action.SUBMIT: AuditAction.RECORD_SUBMITTED,
    Action.REQUEST_CHANGES: AuditAction.CHANGES_REQUESTED,
    Action.APPROVE: AuditAction.RECORD_APPROVED,
    Action.PUBLISH: AuditAction.RECORD_PUBLISHED,
    Action.WITHDRAW: AuditAction.RECORD_WITHDRAWN,
    Action.REOPEN: AuditAction.RECORD_REOPENED,
}

#: how a refusal names the step ("You cannot approve it now")
VERBS = {
    Action.SUBMIT: "submit it for review",
    Action.REQUEST_CHANGES: "request changes",
    Action.APPROVE: "approve it",
    Action.PUBLISH: "publish it",
    Action.WITHDRAW: "withdraw it",
    Action.REOPEN: "take it back to draft",
}

#: why a state allows so little, said to whoever tried something else
STATE_HINTS = {
    S.DRAFT: "It is a draft: an editor submits it for review first.",
    S.IN_REVIEW: "It is in review: reviewers approve it or request changes.",
    S.CHANGES_REQUESTED: "Changes were requested: an editor revises it and submits it again.",
    S.APPROVED: "It is approved: an editor may publish it.",
    S.PUBLISHED: "It is published as it stands: edit it to start a new version.",
    S.WITHDRAWN: "It is withdrawn from the public site: submit it for review to bring it back.",
}

#: the details ``transition`` accepts
DETAILS = frozenset({"revision", "working_group_id", "message", "field", "summary"})
MAX_SUMMARY = 300

#: which working group a kind goes to when the editor does not choose (words of its topic)
TOPIC_WORDS = {
    RecordKind.ATTRIBUTION: "attribution",
    RecordKind.MEASURE: "supply chain",
    RecordKind.PAPER: "supply chain",
}


class TransitionError(Exception):
    """A workflow step was refused; ``message`` says why, for the user."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(TransitionError):
    """The user's role or relation to the record does not allow the step."""

    status = 403


class InvalidInput(TransitionError):
    """Something the step needs is missing or malformed (a comment, a working group)."""

    status = 422


@dataclass
class Outcome:
    state: WorkflowState
    revision: Revision
    #: what to tell the user who took the step
    message: str


def parse_action(value: Action | str) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise TransitionError(f"There is no workflow step called {value!r}.") from None


def noun(record: Record) -> str:
    return {
        RecordKind.MEASURE: "measure",
        RecordKind.PAPER: "paper",
        RecordKind.ATTRIBUTION: "statement",
    }[record.kind]


def _group_name(group_id: int | None) -> str:
    group = db.session.get(WorkingGroup, group_id) if group_id else None
    return group.name if group else "its working group"


def _jurisdiction_names(codes: frozenset[str]) -> str:
    names = db.session.scalars(
        sa.select(Jurisdiction.name).where(Jurisdiction.code.in_(codes)).order_by(Jurisdiction.name)
    )
    return ", ".join(names) or ", ".join(sorted(codes))


def suggested_group(record: Record) -> WorkingGroup | None:
    """The group that reviewed it before; else the paper's own group; else the group whose
    topic fits the kind of record; else none (the editor must choose)."""
    if record.working_group_id:
        return db.session.get(WorkingGroup, record.working_group_id)
    content = records.working_copy(record)
    own = getattr(content, "working_group_id", None)
    if own:
        return db.session.get(WorkingGroup, own)
    words = TOPIC_WORDS.get(record.kind)
    if words:
        return db.session.scalar(
            sa.select(WorkingGroup)
            .where(sa.func.lower(WorkingGroup.topic).contains(words))
            .order_by(WorkingGroup.period_start.desc(), WorkingGroup.id)
            .limit(1)
        )
    return None


# --- Checks (nothing here writes) --------------------------------------------------------


@dataclass
class Copies:
    """The record's working and live copies, looked up once per check."""

    draft: Any
    live: Any

    @classmethod
    def of(cls, record: Record) -> Copies:
        return cls(records.working_copy(record), records.live_copy(record))


def _refusal(
    record: Record,
    action: Action,
    user: Any,
    status: ReviewStatus,
    relation: access.Relation,
    details: dict[str, Any] | None,
    copies: Copies | None = None,
) -> TransitionError | None:
    """Why ``user`` may not take ``action`` now (None: they may).

    With ``details`` None only the standing rules are checked (for showing buttons);
    otherwise the step's input is checked too.
    """
    permission = ACTION_PERMISSIONS[action]
    if not has_permission(user, permission):
        who = "editors" if permission is Permission.PUBLISH else "reviewers"
        return NotPermitted(f"Only {who} can {VERBS[action]}.")
    if record.deleted_at is not None:
        return TransitionError(f"This {noun(record)} is deleted. Restore it before anything else.")
    if action in REVIEW_ACTIONS and not has_permission(user, Permission.VIEW_ALL_DRAFTS):
        # Reviewers act on records of their own working group, and not where they speak
        # for the government concerned.
        if relation.contact:
            return NotPermitted(
                f"As government contact for {_jurisdiction_names(relation.contact_for)} you may comment on this "
                f"{noun(record)} (the right of reply), but not approve it or request changes."
            )
        if not relation.member:
            return NotPermitted(
                f"Only members of the working group reviewing this {noun(record)} "
                f"({_group_name(record.working_group_id)}) can {VERBS[action]}."
            )
    if (record.state, action) not in TRANSITIONS:
        return TransitionError(f"You cannot {VERBS[action]} now. {STATE_HINTS[record.state]}")

    copies = copies or Copies.of(record)
    draft = copies.draft
    if action is Action.SUBMIT:
        if draft is None or (record.state is not S.WITHDRAWN and draft.is_live):
            return TransitionError("There are no unpublished changes to review.")
    elif action is Action.APPROVE:
        if user.id in status.authors:
            return NotPermitted(
                "You wrote part of this change, so you cannot approve it: another reviewer must."
            )
        if any(
            a.user_id == user.id and a.revision_number == status.revision for a in status.approvals
        ):
            return TransitionError(f"You have approved revision {status.revision} already.")
    elif action is Action.PUBLISH:
        if draft is None or draft.is_live:
            return TransitionError("This version is published already.")
        if not status.enough:
            approvals = "approval" if status.required == 1 else "approvals"
            return TransitionError(
                f"Publishing needs {status.required} {approvals} of revision {status.revision} from reviewers "
                f"who did not write the change; it has {len(status.valid)}."
            )
        problems = records.publication_problems(record, draft)
        if problems:
            return TransitionError("Not published yet: " + " ".join(problems))
    elif action is Action.WITHDRAW:
        if copies.live is None:
            return TransitionError(
                f"This {noun(record)} is not on the public site: there is nothing to withdraw."
            )

    if details is None:
        return None
    seen = details.get("revision")
    if seen is not None and seen != status.revision:
        return TransitionError(
            f"This {noun(record)} changed after you opened the page: it is now at revision {status.revision} "
            f"(you saw revision {seen}). Look at the changes, then try again."
        )
    if action is Action.SUBMIT:
        group_id = details.get("working_group_id")
        if group_id is None:
            suggestion = suggested_group(record)
            group_id = suggestion.id if suggestion else None
        if group_id is None:
            return InvalidInput("Choose the working group that will review it.")
        if db.session.get(WorkingGroup, group_id) is None:
            return InvalidInput("There is no such working group. Choose one from the list.")
    elif action is Action.REQUEST_CHANGES:
        try:
            comments.clean_body(details.get("message"))
            comments.check_field(record, details.get("field"))
        except comments.CommentError as exc:
            if not (details.get("message") or "").strip():
                return InvalidInput(
                    "Say what should change: a comment is required to request changes."
                )
            return InvalidInput(str(exc))
    elif action is Action.APPROVE and (details.get("message") or "").strip():
        try:
            comments.clean_body(details["message"])
        except comments.CommentError as exc:
            return InvalidInput(str(exc))
    elif action is Action.PUBLISH and len(details.get("summary") or "") > MAX_SUMMARY:
        return InvalidInput(f"The public summary may have at most {MAX_SUMMARY} characters.")
    return None


def check(record: Record, action: Action | str, user: Any, **details: Any) -> None:
    """Raise the TransitionError that ``transition`` would raise, without changing anything."""
    action = parse_action(action)
    error = _refusal(
        record, action, user, review_status(record.id), access.relation(user, record), details
    )
    if error is not None:
        raise error


#: the order in which the review page offers the steps (the usual one first)
DISPLAY_ORDER = [
    Action.SUBMIT,
    Action.APPROVE,
    Action.REQUEST_CHANGES,
    Action.PUBLISH,
    Action.REOPEN,
    Action.WITHDRAW,
]


@dataclass
class Option:
    action: Action
    #: None when the user may take the step now
    refusal: TransitionError | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def order(self) -> int:
        return DISPLAY_ORDER.index(self.action)


def options(
    record: Record,
    user: Any,
    status: ReviewStatus | None = None,
    relation: access.Relation | None = None,
    copies: Copies | None = None,
) -> list[Option]:
    """Each step the user's role could take from the record's state, and whether it is
    allowed now (and if not, why) — the buttons of the review page."""
    status = status or review_status(record.id)
    relation = relation or access.relation(user, record)
    copies = copies or Copies.of(record)
    out = []
    for action in Action:
        if (record.state, action) not in TRANSITIONS or not has_permission(
            user, ACTION_PERMISSIONS[action]
        ):
            continue
        out.append(Option(action, _refusal(record, action, user, status, relation, None, copies)))
    return out


# --- The one function that changes state -------------------------------------------------


def transition(record: Record, action: Action | str, user: Any, **details: Any) -> Outcome:
    """Take one workflow step on ``record`` as ``user``, in the caller's transaction.

    Details: ``revision`` (the content revision the user saw: refused if it moved on),
    ``working_group_id`` (submit), ``message`` (request_changes: required; approve:
    optional), ``field`` (request_changes: the field the comment is about), ``summary``
    (publish: the public note on the change). Raises TransitionError and writes
    nothing when the step is not allowed; the caller commits on success.
    """
    unknown = set(details) - DETAILS
    if unknown:
        raise TypeError(f"unknown transition details: {', '.join(sorted(unknown))}")
    action = parse_action(action)
    status = review_status(record.id)
    relation = access.relation(user, record)
    error = _refusal(record, action, user, status, relation, details)
    if error is not None:
        raise error

    # Every check passed: from here on, write.
    before = record.state
    label = records.label(records.working_copy(record) or records.live_copy(record))
    record.updated_at = utcnow()
    record.updated_by_id = user.id
    revision_summary = action.label
    message = ""
    approval = None
    if action is Action.SUBMIT:
        group_id = details.get("working_group_id") or getattr(suggested_group(record), "id", None)
        record.working_group_id = group_id
        record.state = TRANSITIONS[(before, action)]
        # Who submitted it, and to which group (not "by <group>", which reads as the submitter).
        group = _group_name(group_id)
        revision_summary = f"Submitted by {user.display_name} for review by {group}"
        message = f"Submitted to {group} for review. Its members have been told."
    elif action is Action.REQUEST_CHANGES:
        record.state = TRANSITIONS[(before, action)]
        revision_summary = f"Changes requested to revision {status.revision}"
        message = "Changes requested. The editors have been told."
    elif action is Action.APPROVE:
        approval = Approval(
            record_id=record.id,
            revision_number=status.revision or 0,
            user_id=user.id,
            step_revision=0,
        )
        count = len(status.valid) + 1
        record.state = TRANSITIONS[(before, action)] if count >= status.required else S.IN_REVIEW
        revision_summary = f"Approved revision {status.revision} ({count} of {status.required})"
        message = (
            "Approved. It is ready to publish."
            if record.state is S.APPROVED
            else f"Approved. It needs {status.required - count} more approval{'s' if status.required - count != 1 else ''}."
        )
    elif action is Action.PUBLISH:
        draft = records.working_copy(record)
        live = records.live_copy(record)
        previous = records.ops_for(record).snapshot(live) if live is not None else None
        summary = (details.get("summary") or "").strip() or default_public_summary(
            record, previous, draft
        )
        records.publish(record, summary=summary[:MAX_SUMMARY])
        revision_summary = "Published"
        message = "Published: the public now sees this version."
    elif action is Action.WITHDRAW:
        records.withdraw(record)
        revision_summary = "Withdrawn from the public site"
        message = (
            "Withdrawn: it is gone from every public page. It can be submitted for review again."
        )
    elif action is Action.REOPEN:
        record.state = TRANSITIONS[(before, action)]
        revision_summary = "Taken back to draft"
        message = "Back to draft: it has left the reviewers' queue until it is submitted again."
    db.session.flush()  # the record row first: a concurrent step on it fails here (version check)

    content = records.working_copy(record) or records.live_copy(record)
    revision = records.write_revision(
        record, content, action=action.value, summary=revision_summary, author_id=user.id
    )
    db.session.flush()
    if approval is not None:
        approval.step_revision = revision.number
        db.session.add(approval)
    if action is Action.REQUEST_CHANGES:
        comments.add(
            record,
            user,
            details.get("message"),
            field=details.get("field"),
            action=action.value,
            notify_people=False,
        )
    elif action is Action.APPROVE and (details.get("message") or "").strip():
        comments.add(record, user, details.get("message"), action=action.value, notify_people=False)
    audit.record_event(
        AUDIT_ACTIONS[action],
        subject=f"record:{record.id}",
        actor_id=user.id,
        kind=record.kind.value,
        title=label[:200],
        from_state=before.value,
        to_state=record.state.value,
        revision=status.revision,
        working_group_id=record.working_group_id if action is Action.SUBMIT else None,
    )
    _notify(record, action, user, status, label, details)
    return Outcome(record.state, revision, message)


def default_public_summary(record: Record, previous: dict[str, Any] | None, draft: Any) -> str:
    """ "First publication", or what changed since the published version."""
    if previous is None:
        return "First publication"
    return summarise(records.compare(record, previous, records.ops_for(record).snapshot(draft)))[
        :MAX_SUMMARY
    ]


def _notify(
    record: Record,
    action: Action,
    user: Any,
    status: ReviewStatus,
    label: str,
    details: dict[str, Any],
) -> None:
    who = user.display_name
    editors = status.authors | status.submitters
    if action is Action.SUBMIT:
        members = set(
            db.session.scalars(
                sa.select(WorkingGroupMember.user_id).where(
                    WorkingGroupMember.group_id == record.working_group_id
                )
            )
        )
        notify.notify(
            members,
            record,
            "submitted",
            f"{who} submitted “{label}” for review by {_group_name(record.working_group_id)}.",
            actor_id=user.id,
            subject=f"Review requested: {label}",
        )
        codes = access.record_jurisdictions(record)
        if codes:
            contacts = (
                set(
                    db.session.scalars(
                        sa.select(WorkingGroupMember.user_id).where(
                            WorkingGroupMember.is_government_contact,
                            WorkingGroupMember.contact_jurisdiction_code.in_(codes),
                        )
                    )
                )
                - members
            )
            notify.notify(
                contacts,
                record,
                "right_of_reply",
                f"“{label}” concerns {_jurisdiction_names(frozenset(codes))} and is in review: "
                "as government contact you may comment before it is published.",
                actor_id=user.id,
                subject=f"Right of reply: {label}",
            )
    elif action is Action.REQUEST_CHANGES:
        text = (details.get("message") or "").strip()
        excerpt = text if len(text) <= 160 else text[:157] + "…"
        notify.notify(
            editors,
            record,
            "changes_requested",
            f"{who} requested changes to “{label}”: {excerpt}",
            actor_id=user.id,
            subject=f"Changes requested: {label}",
        )
    elif action is Action.APPROVE:
        if record.state is S.APPROVED:
            notify.notify(
                editors,
                record,
                "approved",
                f"{who} approved “{label}”: it is ready to publish.",
                actor_id=user.id,
                subject=f"Ready to publish: {label}",
            )
        else:
            notify.notify(
                editors,
                record,
                "approved",
                f"{who} approved “{label}”; it needs more approvals.",
                actor_id=user.id,
                subject=f"Approved: {label}",
            )
    elif action is Action.PUBLISH:
        approvers = {a.user_id for a in status.valid}
        notify.notify(
            editors | approvers,
            record,
            "published",
            f"{who} published “{label}”.",
            actor_id=user.id,
            subject=f"Published: {label}",
        )
    elif action is Action.WITHDRAW:
        notify.notify(
            editors,
            record,
            "withdrawn",
            f"{who} withdrew “{label}” from the public site.",
            actor_id=user.id,
            subject=f"Withdrawn: {label}",
        )
    elif action is Action.REOPEN:
        approvers = {a.user_id for a in status.approvals}
        notify.notify(
            approvers | editors,
            record,
            "reopened",
            f"{who} took “{label}” back to draft.",
            actor_id=user.id,
            subject=f"Back to draft: {label}",
        )


# --- Edits ---------------------------------------------------------------------------------


def state_after_edit(state: WorkflowState) -> WorkflowState:
    """Where an edit of the working copy leaves the record (see the module docstring)."""
    if state is S.PUBLISHED:
        return S.DRAFT
    if state is S.APPROVED:
        return S.IN_REVIEW
    return state


def approvers(record: Record) -> set[int]:
    """Who approved the revision now under review (call before an edit, for ``after_edit``)."""
    return {a.user_id for a in review_status(record.id).valid}


def after_edit(record: Record, revision: Revision, user: Any, approved_before: set[int]) -> None:
    """Tell the reviewers whose approvals the edit made void (call after writing the revision)."""
    void = set(approved_before)
    if void:
        label = records.label(records.working_copy(record))
        notify.notify(
            void,
            record,
            "approvals_reset",
            f"{getattr(user, 'display_name', 'An editor')} changed “{label}” after you approved it "
            f"(now revision {revision.number}): your approval no longer counts. Please review the changes.",
            actor_id=getattr(user, "id", None),
            subject=f"Changed after your approval: {label}",
        )
