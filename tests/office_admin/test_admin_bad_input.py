"""Bad input to every school-administration form and API route: a clear 4xx (the JSON error
shape, or the form again with the message beside the box) and nothing changed. Never a 500,
never half a record."""
import json
import uuid

import pytest

from tests.conftest import bad_json_bodies
from tests.office_admin.admin_routes import API_ROUTES, pupil, staff_target
from tests.office_admin.conftest import page_text

WRITE_ROUTES = sorted(route for route in API_ROUTES if route[0] != "GET")
# Fields no route takes, some of which try to choose a school, an id or a role.
UNKNOWN_FIELDS = ("school_id", "id", "role", "is_admin", "status_override")


def wrong_values(field, value):
    """Values of the wrong type for a field whose valid value is `value`."""
    if isinstance(value, bool):
        return [5, "maybe", [], {}, None]
    if isinstance(value, int):
        return ["many", 1.5, True, [], {}, None]
    if isinstance(value, str):
        return [5, 1.5, True, [], {}]
    if isinstance(value, list):
        return ["text", 5, {}, [5], [{"unknown": 1}], None]
    if isinstance(value, dict):
        return ["text", 5, [], {"nonsense": 5}, None]
    return ["text", 5]


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_bad_json_to_each_admin_write_route_is_refused_and_changes_nothing(api_as, demo, unchanged, route):
    build = API_ROUTES[route][0]
    client = api_as("ap_leader")
    request = build(demo, "ap_leader", "riverside")
    path, body = request["path"], request.get("json", {})
    if body:
        cases = list(bad_json_bodies(body, UNKNOWN_FIELDS, wrong_values))
    else:
        cases = [("unknown field", b'{"anything": 1}')]
    for name, raw in cases:
        with unchanged():
            response = client.open(route[0], path, data=raw, content_type="application/json")
            assert 400 <= response.status_code < 500, f"{name}: {response.status_code}"
            assert set(response.get_json()) == {"code", "message", "details"}, name
    if body:
        with unchanged():
            response = client.open(route[0], path, data=json.dumps(body), content_type="text/plain")
            assert response.status_code == 415
        with unchanged():
            huge = json.dumps(dict(body, padding="x" * 600_000))
            response = client.open(route[0], path, data=huge, content_type="application/json")
            assert response.status_code == 413


def test_references_to_another_schools_rows_are_refused(api_as, demo, unchanged):
    client = api_as("ap_leader")
    school = demo.school()
    other_pupil, other_head = pupil(demo, "hillcrest"), demo.user("headteacher", "hillcrest")
    cases = [
        {"pupil_id": str(other_pupil.uuid), "kind": "part_time_timetable", "start_date": "2027-01-11"},
        {"pupil_id": str(pupil(demo).uuid), "kind": "part_time_timetable", "start_date": "2027-01-11",
         "approved_by_id": str(other_head.uuid)},
        {"pupil_id": str(pupil(demo).uuid), "kind": "part_time_timetable", "start_date": "2027-01-11",
         "approved_by_id": str(demo.user("admin").uuid)},
        {"pupil_id": str(pupil(demo).uuid), "kind": "flexi_schooling", "start_date": "2027-01-11",
         "staff": [str(staff_target(demo, "hillcrest").uuid)]},
        {"pupil_id": str(pupil(demo).uuid), "kind": "off_site_ap", "start_date": "2027-01-11",
         "provider_id": str(uuid.uuid4())},
        {"pupil_id": str(pupil(demo).uuid), "kind": "flexi_schooling", "start_date": "2027-01-11",
         "staff": [str(demo.user("governor").uuid)]},
    ]
    for body in cases:
        with unchanged():
            response = client.post(f"/api/admin/schools/{school.uuid}/placements", json=body)
            assert response.status_code == 422, body
            assert response.get_json()["code"] == "validation_failed"


# Office forms: (path builder, bad form data, words the page must show) per form.
def _provider_path(demo):
    from tests.office_admin.admin_routes import provider
    return f"/office/providers/{provider(demo).uuid}/edit"


def _placement_path(demo):
    return f"/office/placements/{demo.placements()[-1].uuid}/edit"


OFFICE_BAD_FORMS = [
    ("local authority email", lambda d: "/office/settings/school", {"la_notifications_email": "not an email"},
     "Enter an email address"),
    ("contacts without a DSL", lambda d: "/office/settings/contacts",
     {"contacts-0-role": "deputy_dsl", "contacts-0-name": "Amira", "contacts-0-phone": "01632 960002"},
     "how to call the DSL"),
    ("contact phone", lambda d: "/office/settings/contacts",
     {"contacts-0-role": "dsl", "contacts-0-name": "Tom", "contacts-0-phone": "call the office"},
     "Enter a phone number"),
    ("terms out of order", lambda d: "/office/settings/terms",
     {"academic_year": "2030", **{f"halves-{i}-{k}": v for i, (t, h) in enumerate(
         [("autumn", 1), ("autumn", 2), ("spring", 1), ("spring", 2), ("summer", 1), ("summer", 2)])
         for k, v in (("term", t), ("half", str(h)), ("starts_on", "2030-09-03"), ("ends_on", "2030-10-20"))}},
     "starts before the one before it ends"),
    ("terms ending before they start", lambda d: "/office/settings/terms",
     {"academic_year": "2030", "halves-0-term": "autumn", "halves-0-half": "1", "halves-0-starts_on": "2030-10-01",
      "halves-0-ends_on": "2030-09-01"}, "Give all six half terms"),
    ("staff without roles", lambda d: "/office/staff", {"full_name": "A Person", "email": "a@b.example"},
     "Give at least one role"),
    ("staff with a bad email", lambda d: "/office/staff",
     {"full_name": "A Person", "email": "nope", "roles": ["visiting_staff"]}, "Enter an email address"),
    ("staff already here", lambda d: "/office/staff",
     {"full_name": "Sam", "email": "visiting.staff@riverside.example", "roles": ["visiting_staff"]},
     "already on the staff list"),
    ("an admin making a headteacher", lambda d: "/office/staff",
     {"full_name": "A Person", "email": "a@b.example", "roles": ["headteacher"]}, "You cannot give"),
    ("provider without a name", lambda d: "/office/providers/new", {"registration_status": "unregistered"},
     "This is required"),
    ("registered provider without a URN", lambda d: "/office/providers/new",
     {"name": "New Place", "registration_status": "registered_independent_school"}, "A registered provider has a URN"),
    ("provider name taken", lambda d: "/office/providers/new",
     {"name": "greenway farm learning", "registration_status": "registered_other", "urn": "1"},
     "already has a provider with this name"),
    ("provider report with a bad date and link", _provider_path,
     {"name": "Oakfield Independent School", "registration_status": "registered_independent_school", "urn": "1",
      "reports-0-source": "ofsted", "reports-0-report_date": "31/02/2026", "reports-0-url": "not a link"},
     "31/02/2026 is not a real date"),
    ("evidence expiring before it arrived", _provider_path,
     {"name": "Oakfield Independent School", "registration_status": "registered_independent_school", "urn": "1",
      "evidence-0-kind": "insurance", "evidence-0-received_on": "2026-05-01", "evidence-0-expires_on": "2026-04-01"},
     "expires before it was received"),
    ("fractional full-time pupils", _provider_path,
     {"name": "Oakfield Independent School", "registration_status": "registered_independent_school", "urn": "1",
      "full_time_pupils": "1.5"}, "whole number of pupils"),
    ("pupil with an impossible birthday", lambda d: "/office/pupils/new",
     {"first_name": "A", "last_name": "B", "date_of_birth": "2012-02-30", "year_group": "9"},
     "2012-02-30 is not a real date"),
    ("pupil too young", lambda d: "/office/pupils/new",
     {"first_name": "A", "last_name": "B", "date_of_birth": "2026-01-01", "year_group": "9"},
     "check the date of birth"),
    ("pupil with a taken MIS id", lambda d: "/office/pupils/new",
     {"first_name": "A", "last_name": "B", "date_of_birth": "2012-01-01", "year_group": "9", "mis_id": "MIS00000"},
     "Another pupil has this MIS id"),
    ("placement without a kind", lambda d: "/office/placements/new",
     {"pupil_id": "", "start_date": "not a date"}, "Choose the pupil"),
    ("off-site placement without a provider", lambda d: f"/office/placements/new?pupil={pupil(d).uuid}",
     lambda d: {"pupil_id": str(pupil(d).uuid), "kind": "off_site_ap", "start_date": "2027-01-11"},
     "Choose the provider"),
    ("placement ending before it starts", lambda d: f"/office/placements/new?pupil={pupil(d).uuid}",
     lambda d: {"pupil_id": str(pupil(d).uuid), "kind": "flexi_schooling", "start_date": "2027-01-11",
                "planned_end_date": "2027-01-01"}, "The planned end is before the start"),
    ("placement cost, frequency and sessions", lambda d: f"/office/placements/new?pupil={pupil(d).uuid}",
     lambda d: {"pupil_id": str(pupil(d).uuid), "kind": "flexi_schooling", "start_date": "2027-01-11",
                "cost": "-4", "qa_visit_every_weeks": "0", "sessions": ["sat_am"]}, "Enter pounds from 0"),
    ("approval dated in the future", lambda d: f"/office/placements/new?pupil={pupil(d).uuid}",
     lambda d: {"pupil_id": str(pupil(d).uuid), "kind": "flexi_schooling", "start_date": "2027-01-11",
                "head_decision_in_writing_on": "2099-01-01"}, "in the future"),
    ("ending without an outcome", lambda d: f"/office/placements/{d.placements()[0].uuid}/status",
     {"status": "ended", "end_date": "2026-11-01"}, "required to end a placement"),
    ("a planned placement cannot end", lambda d: f"/office/placements/{d.placements()[-1].uuid}/status",
     {"status": "ended", "end_date": "2026-11-01", "outcome": "x", "destination": "y"}, "cannot become ended"),
]


@pytest.mark.parametrize("name, path, data, words", OFFICE_BAD_FORMS, ids=[case[0] for case in OFFICE_BAD_FORMS])
def test_a_bad_form_comes_back_with_the_message_and_changes_nothing(office_as, demo, unchanged, name, path, data,
                                                                     words):
    client = office_as("admin" if name == "an admin making a headteacher" else "ap_leader")
    url = path(demo)
    data = data(demo) if callable(data) else data
    with unchanged():
        response = client.post(url, data=data)
        assert response.status_code == 422, page_text(response)[:400]
        text = page_text(response)
        assert "Nothing was saved" in text or "cannot" in text
        assert words in text, text[:1500]


def test_the_upload_step_refuses_what_is_not_a_pupil_csv(office_as, demo, unchanged):
    import io
    client = office_as("ap_leader")
    for content, words in [(b"", "no pupils"), (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a CSV file"),
                           (b"MIS id,Name\n", "no pupils"), (b"a" * 2_100_000, "larger than")]:
        with unchanged():
            response = client.post("/office/pupils/import", data={"file": (io.BytesIO(content), "x.csv")},
                                   content_type="multipart/form-data")
            assert response.status_code == 422
            assert words in page_text(response)


@pytest.mark.parametrize("search", ["%", "_", "\\"])
def test_a_wildcard_in_the_pupil_search_is_a_plain_character(office_as, demo, search):
    # "%" matched every pupil and "_" any one letter: a search finds what was typed.
    everyone = page_text(office_as("ap_leader").get("/office/pupils"))
    found = page_text(office_as("ap_leader").get("/office/pupils", query_string={"q": search}))
    assert "Brennan" in everyone
    assert "Brennan" not in found
