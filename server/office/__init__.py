"""Server-rendered pages for office staff: desktop first, usable on a tablet. Jinja
autoescapes everything; every form carries the session's CSRF token."""
import importlib
import pkgutil

from flask import Blueprint

office = Blueprint("office", __name__, url_prefix="/office", template_folder="templates",
                   static_folder="static", static_url_path="/static")

# Each page module registers its routes on the blueprint when imported; importing them all here
# means a new page is one new module, with no list to keep in step.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
