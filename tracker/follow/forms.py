"""The alert form: an address and how often (the filters come from the page's query)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.follow.alerts import valid_address
from tracker.follow.models import Frequency


class SubscribeForm(FlaskForm):
    email = StringField(
        "E-mail address",
        validators=[DataRequired("Give the address the alerts go to."), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )
    frequency = RadioField(
        "How often",
        choices=[SelectChoice(f.value, f.label) for f in Frequency],
        default=Frequency.WEEKLY.value,
        validators=[DataRequired("Choose daily or weekly.")],
    )

    def validate_email(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        if not valid_address(field.data):
            raise ValidationError("This is not an e-mail address (it looks like name@example.org).")


class ButtonForm(FlaskForm):
    """A button-only form (confirm, unsubscribe): its CSRF token is all it carries."""
