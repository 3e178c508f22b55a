"""Views of the measures domain."""

from flask import Blueprint

bp = Blueprint("measures", __name__)

# Editor routes (create, edit, history, delete, publish) register on this blueprint.
from tracker.measures import editing  # noqa: E402,F401
