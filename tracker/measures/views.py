"""Views of the measures domain."""

from flask import Blueprint

bp = Blueprint("measures", __name__)
