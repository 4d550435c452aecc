"""JSON API blueprints for the PWA. Views are thin: load → service → commit once → dump."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")

# Importing the modules registers their routes on the blueprint.
from server.api import admin, bootstrap, me, openapi, session, visits  # noqa: E402,F401
