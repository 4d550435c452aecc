"""Server-rendered pages for office staff: desktop first, usable on a tablet. Jinja
autoescapes everything; every form carries the session's CSRF token."""
from flask import Blueprint

office = Blueprint("office", __name__, url_prefix="/office", template_folder="templates",
                   static_folder="static", static_url_path="/static")

# Importing the modules registers their routes on the blueprint.
from server.office import auth, home  # noqa: E402,F401
