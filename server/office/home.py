"""The office landing page. For the people who run AP it is the to-do list: everything overdue
and everything due in the next two weeks, counted at the top. Governors (aggregates only) and
staff whose work is on the phone or the registers get their links instead."""
from flask import g, render_template

from server.dates import school_today
from server.office import office
from server.office.access import may, office_page
from server.services.todo import HORIZON_DAYS, build_todo


@office.get("/")
@office_page("office.open")
def home():
    if not may("placement.read_record"):
        return render_template("office/home.html", todo=None)
    today = school_today()
    todo = build_todo(g.school.id, today, with_concerns=may("concern.read"))
    return render_template("office/home.html", todo=todo, today=today, horizon=HORIZON_DAYS,
                           may_review=may("visit.read_review"))
