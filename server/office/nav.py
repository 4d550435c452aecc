"""The office navigation: (endpoint, label, roles that see it). The layout shows an entry only
when its page exists and the user holds one of its roles in the current school."""
from flask import current_app, g, url_for

ALL_STAFF = ("ap_leader", "dsl", "headteacher", "admin", "trust_lead", "attendance_officer", "visiting_staff")

NAV = [
    ("office.home", "To do", ("ap_leader", "dsl", "headteacher", "admin", "trust_lead")),
    ("office.review_queue", "Review queue", ("ap_leader", "headteacher", "trust_lead")),
    ("office.dsl_queue", "Concerns", ("dsl", "ap_leader", "trust_lead")),
    ("office.placements", "Placements", ("ap_leader", "dsl", "headteacher", "admin", "trust_lead")),
    ("office.pupils", "Pupils", ("ap_leader", "dsl", "headteacher", "admin", "trust_lead")),
    ("office.attendance", "Attendance", ("attendance_officer", "ap_leader", "headteacher", "admin")),
    ("office.providers", "Providers", ("ap_leader", "dsl", "headteacher", "admin", "trust_lead")),
    ("office.staff", "Staff", ("ap_leader", "headteacher", "admin")),
    ("office.settings", "School settings", ("ap_leader", "headteacher", "admin")),
    ("office.alerts_failed", "Alerts", ("ap_leader", "headteacher", "admin")),
    ("office.reports", "Reports", ("ap_leader", "headteacher", "admin", "trust_lead", "governor")),
]


def visible_nav():
    roles = g.get("roles", set())
    return [(endpoint, label) for endpoint, label, allowed in NAV
            if endpoint in current_app.view_functions and roles.intersection(allowed)]


def url_if(endpoint, **values):
    """The URL of a page, or None when that page does not exist in this build."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None
