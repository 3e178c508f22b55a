"""Views of the jurisdictions domain."""

from flask import Blueprint

bp = Blueprint("jurisdictions", __name__)
