"""The office landing page."""
from flask import render_template

from server.office import office
from server.office.access import office_page
from server.office.nav import ALL_STAFF


@office.get("/")
@office_page(*ALL_STAFF, "governor")
def home():
    return render_template("office/home.html")
