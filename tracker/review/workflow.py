"""The review workflow, in one place: a table and one guard-and-apply pair per action.

It works for every kind of record (measures, papers, attributions). ``TRANSITIONS`` says
which action leads from which state to which; ``STEPS`` holds, per action, everything
that names it (button label, the verb of a refusal, the history label, the audit event)
and its two functions: ``guard`` raises a ``TransitionError`` a user can read when the
step may not be taken now, ``apply`` writes the state and what goes with it (approval,
comment, publication) and says what to tell the user and whom to notify.
``transition(record, action, user, **details)`` runs them and writes the revision and the
audit event; a refused step changes nothing.

Roles: editors submit, publish, withdraw and take records back to draft; reviewers
(members of the working group the record is submitted to, and administrators)
request changes and approve. Commenting is not a state change (see ``comments``).

Nothing else writes a record's state: edits go through ``begin_edit`` (a published
record gets a new draft; an approved one goes back to "in review" and its approvals
stop counting), and the demo loaders publish through ``publish_unreviewed``.

Publishing preconditions (``preconditions``) are one list of checks, run at submission
and again at publication, so reviewers only ever see drafts that could be published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.accounts import audit
from tracker.accounts.models import AuditAction
from tracker.accounts.permissions import Permission, has_permission
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.modelbase import LabelledEnum, utcnow
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

#: where an edit of the working copy leaves the record (states not listed stay as they are)
AFTER_EDIT: dict[WorkflowState, WorkflowState] = {
    S.PUBLISHED: S.DRAFT,
    S.APPROVED: S.IN_REVIEW,
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


# --- Publishing preconditions --------------------------------------------------------------


def preconditions(record: Record, content: Any = None) -> list[records.Check]:
    """The one list of publishing checks for the working copy (or ``content``): run at
    submission and at publication, and shown as a checklist on the review page."""
    content = content if content is not None else records.working_copy(record)
    return records.publication_checks(record, content)


def _failing(checks: list[records.Check]) -> str:
    return " ".join(problem for check in checks for problem in check.problems)


# --- One attempt at a step: what the guards and the apply functions read --------------------


@dataclass
class Copies:
    """The record's working and live copies, looked up once per check."""

    draft: Any
    live: Any

    @classmethod
    def of(cls, record: Record) -> Copies:
        return cls(records.working_copy(record), records.live_copy(record))


@dataclass
class Attempt:
    record: Record
    user: Any
    status: ReviewStatus
    relation: access.Relation
    copies: Copies
    #: the step's input (None: only the standing rules are checked, for showing buttons)
    details: dict[str, Any] | None = None

    @property
    def noun(self) -> str:
        return noun(self.record)

    @property
    def message(self) -> str:
        return ((self.details or {}).get("message") or "").strip()


@dataclass
class Applied:
    """What an apply function did: the revision's summary, the user's message, whom to
    notify (and the words the step's notice needs), and what to do once the revision
    exists (record an approval or a comment)."""

    summary: str
    message: str
    notify: set[int | None]
    words: dict[str, str] = field(default_factory=dict)
    then: Callable[[Revision], object] = field(default=lambda _revision: None)


@dataclass(frozen=True)
class Step:
    """Everything about one action: its words and its two functions."""

    action: Action
    #: the permission it needs (tracker.accounts.permissions decides who holds it)
    permission: Permission
    #: how a refusal names it ("You cannot approve it now")
    verb: str
    #: how the history names a revision it wrote
    history: str
    audit: AuditAction
    #: the notification: its event, text and e-mail subject ({who}, {label} and the
    #: ``words`` of ``Applied`` are filled in)
    event: str
    notice: str
    subject: str
    #: raises TransitionError when the step may not be taken now (what the buttons show)
    guard: Callable[[Attempt], None]
    #: writes the state and what goes with it
    apply: Callable[[Attempt], Applied]
    #: raises InvalidInput when the step's input (``Attempt.details``) will not do
    check_input: Callable[[Attempt], None] = lambda _a: None
    #: what the step does, said under the buttons ("": nothing to add to the label)
    hint: str = ""

    @property
    def by_reviewers(self) -> bool:
        return self.permission is Permission.REVIEW


def _editors(a: Attempt) -> set[int | None]:
    return set(a.status.authors | a.status.submitters)


def _move(a: Attempt, action: Action) -> None:
    a.record.state = TRANSITIONS[(a.record.state, action)]


def _group_members(group_id: int | None) -> set[int | None]:
    return set(
        db.session.scalars(
            sa.select(WorkingGroupMember.user_id).where(WorkingGroupMember.group_id == group_id)
        )
    )


def _tell_contacts(a: Attempt, members: set[int | None]) -> None:
    """The right of reply: government contacts for the jurisdictions concerned are told."""
    codes = access.record_jurisdictions(a.record)
    if not codes:
        return
    contacts = db.session.scalars(
        sa.select(WorkingGroupMember.user_id).where(
            WorkingGroupMember.is_government_contact,
            WorkingGroupMember.contact_jurisdiction_code.in_(codes),
        )
    )
    label = records.label(a.copies.draft)
    notify.notify(
        set(contacts) - members,
        a.record,
        "right_of_reply",
        f"“{label}” concerns {_jurisdiction_names(frozenset(codes))} and is in review: "
        "as government contact you may comment before it is published.",
        actor_id=a.user.id,
        subject=f"Right of reply: {label}",
    )


# --- Submit ----------------------------------------------------------------------------------


def _guard_submit(a: Attempt) -> None:
    draft = a.copies.draft
    if draft is None or (a.record.state is not S.WITHDRAWN and draft.is_live):
        raise TransitionError("There are no unpublished changes to review.")
    failing = _failing([c for c in preconditions(a.record, draft) if not c.ok])
    if failing:
        raise TransitionError("Not ready for review: " + failing)


def _check_group(a: Attempt) -> None:
    group_id = (a.details or {}).get("working_group_id")
    if group_id is None:
        group_id = getattr(suggested_group(a.record), "id", None)
    if group_id is None:
        raise InvalidInput("Choose the working group that will review it.")
    if db.session.get(WorkingGroup, group_id) is None:
        raise InvalidInput("There is no such working group. Choose one from the list.")


def _apply_submit(a: Attempt) -> Applied:
    details = a.details or {}
    group_id = details.get("working_group_id") or getattr(suggested_group(a.record), "id", None)
    a.record.working_group_id = group_id
    _move(a, Action.SUBMIT)
    group = _group_name(group_id)
    members = _group_members(group_id)
    # Who submitted it, and to which group (not "by <group>", which reads as the submitter).
    return Applied(
        f"Submitted by {a.user.display_name} for review by {group}",
        f"Submitted to {group} for review. Its members have been told.",
        members,
        {"group": group},
        lambda _revision: _tell_contacts(a, members),
    )


# --- Request changes -----------------------------------------------------------------------


def _check_comment(a: Attempt) -> None:
    details = a.details or {}
    try:
        comments.clean_body(details.get("message"))
        comments.check_field(a.record, details.get("field"))
    except comments.CommentError as exc:
        if not a.message:
            raise InvalidInput(
                "Say what should change: a comment is required to request changes."
            ) from None
        raise InvalidInput(str(exc)) from None


def _apply_request_changes(a: Attempt) -> Applied:
    _move(a, Action.REQUEST_CHANGES)
    details = a.details or {}
    text = a.message
    return Applied(
        f"Changes requested to revision {a.status.revision}",
        "Changes requested. The editors have been told.",
        _editors(a),
        {"excerpt": text if len(text) <= 160 else text[:157] + "…"},
        lambda _revision: comments.add(
            a.record,
            a.user,
            details.get("message"),
            field=details.get("field"),
            action=Action.REQUEST_CHANGES.value,
            notify_people=False,
        ),
    )


# --- Approve -------------------------------------------------------------------------------


def _guard_approve(a: Attempt) -> None:
    status = a.status
    if a.user.id in status.authors:
        raise NotPermitted(
            "You wrote part of this change, so you cannot approve it: another reviewer must."
        )
    if any(
        a.user.id == x.user_id and x.revision_number == status.revision for x in status.approvals
    ):
        raise TransitionError(f"You have approved revision {status.revision} already.")


def _check_approval_comment(a: Attempt) -> None:
    if a.message:
        try:
            comments.clean_body(a.message)
        except comments.CommentError as exc:
            raise InvalidInput(str(exc)) from None


def _apply_approve(a: Attempt) -> Applied:
    status = a.status
    count = len(status.valid) + 1
    enough = count >= status.required
    # until enough reviewers approved the revision, the record stays in review
    a.record.state = TRANSITIONS[(a.record.state, Action.APPROVE)] if enough else S.IN_REVIEW
    missing = status.required - count

    def then(revision: Revision) -> None:
        db.session.add(
            Approval(
                record_id=a.record.id,
                revision_number=status.revision or 0,
                user_id=a.user.id,
                step_revision=revision.number,
            )
        )
        if a.message:
            comments.add(
                a.record, a.user, a.message, action=Action.APPROVE.value, notify_people=False
            )

    return Applied(
        f"Approved revision {status.revision} ({count} of {status.required})",
        "Approved. It is ready to publish."
        if enough
        else f"Approved. It needs {missing} more approval{'s' if missing != 1 else ''}.",
        _editors(a),
        {"outcome": ": it is ready to publish." if enough else "; it needs more approvals."}
        | {"headline": "Ready to publish" if enough else "Approved"},
        then,
    )


# --- Publish -------------------------------------------------------------------------------


def _guard_publish(a: Attempt) -> None:
    draft, status = a.copies.draft, a.status
    if draft is None or draft.is_live:
        raise TransitionError("This version is published already.")
    if not status.enough:
        approvals = "approval" if status.required == 1 else "approvals"
        raise TransitionError(
            f"Publishing needs {status.required} {approvals} of revision {status.revision} "
            f"from reviewers who did not write the change; it has {len(status.valid)}."
        )
    failing = _failing([c for c in preconditions(a.record, draft) if not c.ok])
    if failing:
        raise TransitionError("Not published yet: " + failing)


def _check_summary(a: Attempt) -> None:
    if len((a.details or {}).get("summary") or "") > MAX_SUMMARY:
        raise InvalidInput(f"The public summary may have at most {MAX_SUMMARY} characters.")


def _apply_publish(a: Attempt) -> Applied:
    record, draft, live = a.record, a.copies.draft, a.copies.live
    previous = records.ops_for(record).snapshot(live) if live is not None else None
    summary = ((a.details or {}).get("summary") or "").strip()
    summary = summary or default_public_summary(record, previous, draft)
    records.publish(record, summary=summary[:MAX_SUMMARY])
    _move(a, Action.PUBLISH)
    approvers = {x.user_id for x in a.status.valid}
    return Applied(
        "Published", "Published: the public now sees this version.", _editors(a) | approvers
    )


# --- Withdraw and reopen -------------------------------------------------------------------


def _guard_withdraw(a: Attempt) -> None:
    if a.copies.live is None:
        raise TransitionError(
            f"This {a.noun} is not on the public site: there is nothing to withdraw."
        )


def _apply_withdraw(a: Attempt) -> Applied:
    records.withdraw(a.record)
    _move(a, Action.WITHDRAW)
    return Applied(
        "Withdrawn from the public site",
        "Withdrawn: it is gone from every public page. It can be submitted for review again.",
        _editors(a),
    )


def _no_guard(_a: Attempt) -> None:
    return None


def _apply_reopen(a: Attempt) -> Applied:
    _move(a, Action.REOPEN)
    approvers = {x.user_id for x in a.status.approvals}
    return Applied(
        "Taken back to draft",
        "Back to draft: it has left the reviewers' queue until it is submitted again.",
        _editors(a) | approvers,
    )


#: every action, in the order the review page offers them (the usual one first)
STEPS: dict[Action, Step] = {
    step.action: step
    for step in (
        Step(
            Action.SUBMIT,
            Permission.PUBLISH,
            verb="submit it for review",
            history="Submitted for review",
            audit=AuditAction.RECORD_SUBMITTED,
            event="submitted",
            notice="{who} submitted “{label}” for review by {group}.",
            subject="Review requested: {label}",
            guard=_guard_submit,
            apply=_apply_submit,
            check_input=_check_group,
        ),
        Step(
            Action.APPROVE,
            Permission.REVIEW,
            verb="approve it",
            history="Approved",
            audit=AuditAction.RECORD_APPROVED,
            event="approved",
            notice="{who} approved “{label}”{outcome}",
            subject="{headline}: {label}",
            guard=_guard_approve,
            apply=_apply_approve,
            check_input=_check_approval_comment,
        ),
        Step(
            Action.REQUEST_CHANGES,
            Permission.REVIEW,
            verb="request changes",
            history="Changes requested",
            audit=AuditAction.CHANGES_REQUESTED,
            event="changes_requested",
            notice="{who} requested changes to “{label}”: {excerpt}",
            subject="Changes requested: {label}",
            guard=_no_guard,
            apply=_apply_request_changes,
            check_input=_check_comment,
        ),
        Step(
            Action.PUBLISH,
            Permission.PUBLISH,
            verb="publish it",
            history="Published",
            audit=AuditAction.RECORD_PUBLISHED,
            event="published",
            notice="{who} published “{label}”.",
            subject="Published: {label}",
            guard=_guard_publish,
            apply=_apply_publish,
            check_input=_check_summary,
        ),
        Step(
            Action.REOPEN,
            Permission.PUBLISH,
            verb="take it back to draft",
            history="Back to draft",
            audit=AuditAction.RECORD_REOPENED,
            event="reopened",
            notice="{who} took “{label}” back to draft.",
            subject="Back to draft: {label}",
            guard=_no_guard,
            apply=_apply_reopen,
            hint="takes it out of the reviewers' queue until it is submitted again.",
        ),
        Step(
            Action.WITHDRAW,
            Permission.PUBLISH,
            verb="withdraw it",
            history="Withdrawn",
            audit=AuditAction.RECORD_WITHDRAWN,
            event="withdrawn",
            notice="{who} withdrew “{label}” from the public site.",
            subject="Withdrawn: {label}",
            guard=_guard_withdraw,
            apply=_apply_withdraw,
            hint="takes the published version off every public page at once.",
        ),
    )
}

AUDIT_ACTIONS: dict[Action, AuditAction] = {a: s.audit for a, s in STEPS.items()}
#: how the history names the revisions the workflow writes (tracker.filters adds the editor's)
HISTORY_LABELS: dict[str, str] = {a.value: s.history for a, s in STEPS.items()}
DISPLAY_ORDER = list(STEPS)


# --- Checks (nothing here writes) --------------------------------------------------------


def _guard_standing(a: Attempt, step: Step) -> None:
    """The rules every step shares: role, deletion, the reviewer's group, the table."""
    record, user = a.record, a.user
    if not has_permission(user, step.permission):
        who = "reviewers" if step.by_reviewers else "editors"
        raise NotPermitted(f"Only {who} can {step.verb}.")
    if record.deleted_at is not None:
        raise TransitionError(f"This {a.noun} is deleted. Restore it before anything else.")
    if step.by_reviewers and not has_permission(user, Permission.VIEW_ALL_DRAFTS):
        # Reviewers act on records of their own working group, and not where they speak
        # for the government concerned.
        if a.relation.contact:
            raise NotPermitted(
                "As government contact for "
                f"{_jurisdiction_names(a.relation.contact_for)} you may comment on this "
                f"{a.noun} (the right of reply), but not approve it or request changes."
            )
        if not a.relation.member:
            raise NotPermitted(
                f"Only members of the working group reviewing this {a.noun} "
                f"({_group_name(record.working_group_id)}) can {step.verb}."
            )
    if (record.state, step.action) not in TRANSITIONS:
        raise TransitionError(f"You cannot {step.verb} now. {STATE_HINTS[record.state]}")


def _guard_revision(a: Attempt) -> None:
    seen = (a.details or {}).get("revision")
    if seen is not None and seen != a.status.revision:
        raise TransitionError(
            f"This {a.noun} changed after you opened the page: it is now at revision "
            f"{a.status.revision} (you saw revision {seen}). Look at the changes, then try again."
        )


def _run_guards(a: Attempt, step: Step) -> None:
    _guard_standing(a, step)
    step.guard(a)
    if a.details is not None:
        _guard_revision(a)
        step.check_input(a)


def _refusal(a: Attempt, step: Step) -> TransitionError | None:
    try:
        _run_guards(a, step)
    except TransitionError as exc:
        return exc
    return None


def _attempt(record: Record, user: Any, details: dict[str, Any] | None) -> Attempt:
    status, relation = review_status(record.id), access.relation(user, record)
    return Attempt(record, user, status, relation, Copies.of(record), details)


def check(record: Record, action: Action | str, user: Any, **details: Any) -> None:
    """Raise the TransitionError that ``transition`` would raise, without changing anything."""
    _run_guards(_attempt(record, user, details), STEPS[parse_action(action)])


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

    @property
    def hint(self) -> str:
        return STEPS[self.action].hint


def options(
    record: Record,
    user: Any,
    status: ReviewStatus | None = None,
    relation: access.Relation | None = None,
    copies: Copies | None = None,
) -> list[Option]:
    """Each step the user's role could take from the record's state, and whether it is
    allowed now (and if not, why) — the buttons of the review page."""
    a = Attempt(
        record,
        user,
        status or review_status(record.id),
        relation or access.relation(user, record),
        copies or Copies.of(record),
    )
    return [
        Option(action, _refusal(a, step))
        for action, step in sorted(STEPS.items(), key=lambda item: list(Action).index(item[0]))
        if (record.state, action) in TRANSITIONS and has_permission(user, step.permission)
    ]


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
    step = STEPS[parse_action(action)]
    a = _attempt(record, user, details)
    _run_guards(a, step)

    # Every check passed: from here on, write.
    before = record.state
    label = records.label(a.copies.draft or a.copies.live)
    record.updated_at = utcnow()
    record.updated_by_id = user.id
    applied = step.apply(a)
    db.session.flush()  # the record row first: a concurrent step on it fails here (version check)

    content = records.working_copy(record) or records.live_copy(record)
    revision = records.write_revision(
        record, content, action=step.action.value, summary=applied.summary, author_id=user.id
    )
    db.session.flush()
    audit.record_event(
        step.audit,
        subject=f"record:{record.id}",
        actor_id=user.id,
        kind=record.kind.value,
        title=label[:200],
        from_state=before.value,
        to_state=record.state.value,
        revision=a.status.revision,
        working_group_id=record.working_group_id if step.action is Action.SUBMIT else None,
    )
    applied.then(revision)
    words = {"who": user.display_name, "label": label, **applied.words}
    notify.notify(
        applied.notify,
        record,
        step.event,
        step.notice.format(**words),
        actor_id=user.id,
        subject=step.subject.format(**words),
    )
    return Outcome(record.state, revision, applied.message)


def default_public_summary(record: Record, previous: dict[str, Any] | None, draft: Any) -> str:
    """ "First publication", or what changed since the published version."""
    if previous is None:
        return "First publication"
    return summarise(records.compare(record, previous, records.ops_for(record).snapshot(draft)))[
        :MAX_SUMMARY
    ]


# --- Writes outside the review steps ---------------------------------------------------------


def begin_edit(record: Record) -> set[int]:
    """Move the record to where an edit of its working copy leaves it (call before the
    edit): a published record gets a new draft; an approved one goes back to review.
    Returns who had approved the revision the edit replaces, for ``after_edit``."""
    approved = {a.user_id for a in review_status(record.id).valid}
    record.state = AFTER_EDIT.get(record.state, record.state)
    return approved


def after_edit(record: Record, revision: Revision, user: Any, approved_before: set[int]) -> None:
    """Tell the reviewers whose approvals the edit made void (call after writing the revision)."""
    void = set(approved_before)
    if void:
        label = records.label(records.working_copy(record))
        notify.notify(
            void,
            record,
            "approvals_reset",
            f"{getattr(user, 'display_name', 'An editor')} changed “{label}” after you approved "
            f"it (now revision {revision.number}): your approval no longer counts. "
            "Please review the changes.",
            actor_id=getattr(user, "id", None),
            subject=f"Changed after your approval: {label}",
        )


def publish_unreviewed(record: Record, summary: str = "") -> Any:
    """Publish without a review round: for the demo loaders and imports of records that
    were published elsewhere (and test fixtures). Returns the live copy."""
    live = records.publish(record, summary=summary)
    record.state = S.PUBLISHED
    return live


def withdraw_unreviewed(record: Record) -> None:
    """Take a record off the public site without a review step (loaders and fixtures)."""
    records.withdraw(record)
    record.state = S.WITHDRAWN
