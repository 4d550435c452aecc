"""School settings: the local authority, the key contacts every phone shows, and term dates with
the school's INSET days.

One page with three forms; each posts to its own address and comes back to the page, with its
messages beside the boxes when something needs correcting.
"""

from flask import g, render_template, request, url_for
from flask_login import current_user

from server.dates import academic_year_of, school_today
from server.office import office
from server.office.access import office_page
from server.office.form_input import can_manage, submit
from server.schemas.admin_school import KeyContactsSchema, SchoolSettingsSchema, TermYearSchema
from server.schemas.base import CALENDAR_YEARS
from server.services import school_settings
from server.vocabulary import CONTACT_ROLES, labels

# Schools have five INSET days a year, sometimes six: the form offers at least this many boxes.
INSET_BOXES = 6


@office.get("/settings")
@office_page("school.read_settings")
def settings():
    return _render(request.args.get("year", type=int))


@office.post("/settings/school")
@office_page("school.administer")
def settings_school():
    return submit(SchoolSettingsSchema(), lambda data: school_settings.update_school(g.school, data, current_user),
                  lambda refusal: (_render(None, school_errors=refusal.errors, school_values=request.form),
                                   refusal.status),
                  url_for("office.settings"), "Local authority details saved.", admin=True)


@office.post("/settings/contacts")
@office_page("school.administer")
def settings_contacts():
    return submit(KeyContactsSchema(),
                  lambda data: school_settings.save_key_contacts(g.school, data["contacts"], current_user),
                  lambda refusal: (_render(None, contact_errors=refusal.errors, contact_values=_posted_contacts()),
                                   refusal.status),
                  url_for("office.settings") + "#contacts",
                  "Key contacts saved. Phones show them from their next sync.", admin=True)


@office.post("/settings/terms")
@office_page("school.administer")
def settings_terms():
    def save(data):
        school_settings.save_term_year(g.school, data["academic_year"], data["halves"], current_user)
        school_settings.save_inset_days(g.school, data["academic_year"], data["inset_days"] or [], current_user)
        return data["academic_year"]

    def refuse(refusal):
        return _render(request.form.get("academic_year", type=int), term_errors=refusal.errors,
                       term_values=_posted_halves(), inset_values=request.form.getlist("inset_days")), refusal.status

    return submit(TermYearSchema(), save, refuse, lambda year: url_for("office.settings", year=year) + "#terms",
                  lambda year: f"Term dates and INSET days for {_year_label(year)} saved.", admin=True)


def _posted_contacts():
    return {role: {name: request.form.get(f"contacts-{index}-{name}", "") for name in ("name", "phone", "email")}
            for index, role in enumerate(CONTACT_ROLES)}


def _posted_halves():
    return [{name: request.form.get(f"halves-{index}-{name}", "") for name in ("starts_on", "ends_on")}
            for index in range(6)]


def _year_label(year):
    return f"{year}/{(year + 1) % 100:02d}"


def _render(year, school_errors=None, school_values=None, contact_errors=None, contact_values=None,
            term_errors=None, term_values=None, inset_values=None):
    school = g.school
    this_year = academic_year_of(school_today())
    year = year if year in CALENDAR_YEARS else this_year
    years = sorted({this_year - 1, this_year, this_year + 1, this_year + 2, year})
    saved = school_settings.term_year(school, year)
    if term_values is None:
        halves = saved if len(saved) == 6 else school_settings.usual_term_dates(year)
        term_values = [{"starts_on": h["starts_on"] if isinstance(h, dict) else h.starts_on,
                        "ends_on": h["ends_on"] if isinstance(h, dict) else h.ends_on} for h in halves]
    if inset_values is None:
        inset_values = [day.isoformat() for day in school_settings.inset_days_of(school, year)]
    inset_values = [value for value in inset_values if value]
    inset_values += [""] * max(1, INSET_BOXES - len(inset_values))
    if contact_values is None:
        contact_values = {c.role: {"name": c.name, "phone": c.phone, "email": c.email} for c in school.key_contacts}
    return render_template(
        "office/admin/settings.html", can_manage=can_manage(),
        school_values=school_values or SchoolSettingsSchema().dump(school), school_errors=school_errors or {},
        contact_roles=[(role, labels("contact_roles")[role]) for role in CONTACT_ROLES],
        contact_values=contact_values, contact_errors=contact_errors or {},
        year=year, year_label=_year_label(year), years=[(y, _year_label(y)) for y in years],
        term_saved=len(saved) == 6, half_terms=school_settings.HALF_TERMS, term_values=term_values,
        term_errors=term_errors or {}, inset_values=inset_values)
