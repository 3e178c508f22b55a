"""Forms of the review workflow: one button form per step, comments, notifications."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.review.comments import MAX_BODY
from tracker.review.workflow import MAX_SUMMARY


class EmptyForm(FlaskForm):
    """A button-only form (its CSRF token is all it carries)."""


class StepForm(EmptyForm):
    """A workflow step: carries the revision the user saw, so that a step taken on a page
    that is out of date is refused instead of applied to content nobody looked at."""

    revision = HiddenField()

    def seen_revision(self) -> int | None:
        try:
            return int(self.revision.data)
        except (TypeError, ValueError):
            return None


class SubmitForm(StepForm):
    working_group = SelectField("Working group that reviews it", coerce=int, validate_choice=False)


class RequestChangesForm(StepForm):
    message = TextAreaField(
        "What should change",
        validators=[
            DataRequired("Say what should change: a comment is required."),
            Length(max=MAX_BODY),
        ],
    )
    field = SelectField("About the field", validators=[Optional()], validate_choice=False)


class ApproveForm(StepForm):
    message = TextAreaField(
        "Note with your approval (optional)", validators=[Optional(), Length(max=MAX_BODY)]
    )


class PublishForm(StepForm):
    summary = StringField(
        "Public note on this change",
        validators=[Length(max=MAX_SUMMARY)],
        description="Shown in the public list of changes, e.g. “Status changed to in force”.",
    )


class CommentForm(EmptyForm):
    body = TextAreaField(
        "Comment",
        validators=[DataRequired("Write a comment first: it is empty."), Length(max=MAX_BODY)],
    )
    field = SelectField("About the field", validators=[Optional()], validate_choice=False)
    parent_id = HiddenField()


class ResolveForm(EmptyForm):
    resolved = HiddenField()


class MarkReadForm(EmptyForm):
    notification = HiddenField()
