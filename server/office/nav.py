"""The office navigation: (endpoint, label, permission). Each entry names the permission its
page asks (server/permissions.py), so a link is shown exactly to those its page serves; the
layout shows an entry only when its page exists and the user holds that permission in the
current school. tests/test_permissions.py holds each entry to its page."""
from flask import current_app, url_for

from server.office.access import may

NAV = [
    # The landing page serves everyone (office.open); it is a to-do list for those who have one.
    ("office.home", "To do", "placement.read_record"),
    ("office.review_queue", "Review queue", "visit.read_review"),
    ("office.dsl_queue", "Concerns", "concern.read"),
    ("office.placements", "Placements", "pupil.read"),
    ("office.pupils", "Pupils", "pupil.read"),
    ("office.attendance", "Attendance", "attendance.register"),
    ("office.providers", "Providers", "pupil.read"),
    ("office.staff", "Staff", "staff.read"),
    ("office.settings", "School settings", "school.read_settings"),
    ("office.alerts_failed", "Alerts", "alert.read_failed"),
    ("office.reports", "Reports", "report.read"),
]


def visible_nav():
    return [(endpoint, label) for endpoint, label, permission in NAV
            if endpoint in current_app.view_functions and may(permission)]


def url_if_allowed(endpoint, **values):
    """The URL of a page when the signed-in person may open it in this school, else None: a link
    inside a page, like the navigation, is shown only to those its page serves."""
    permission = getattr(current_app.view_functions[endpoint], "permission", None)
    return url_for(endpoint, **values) if permission is None or may(permission) else None
