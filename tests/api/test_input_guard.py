"""Input no database or parser can hold is refused at the door with a clear 4xx and changes
nothing: JSON nested too deep, strings with a lone surrogate or a NUL character (in JSON bodies,
query strings and form fields), numbers too large for their column, dates and years outside any
school's calendar, and a chunked body over the limit. A phone retries a 5xx forever; a 4xx it
parks for a person to see."""
import json
import uuid

import pytest
import requests

from tests import payloads
from tests.api.test_bad_input import JSON_WRITE_ROUTES, table_counts, visit_body
from tests.office_admin.admin_routes import term_json

DEEP = 50_000
# Raw JSON text: a lone high surrogate and a NUL, as a phone's JSON.stringify would escape them.
LONE_SURROGATE = '"caf\\ud800e"'
NUL = '"before\\u0000after"'


def _json_routes(demo):
    """(method, path, valid body) for every JSON write route, sign-in included."""
    for (method, _rule), (path_of, body_of) in sorted(JSON_WRITE_ROUTES.items()):
        yield method, path_of(), body_of(demo)
    school = demo.school()
    yield "PUT", f"/api/admin/schools/{school.uuid}/term-dates", term_json(2030)


def _first_string_replaced(value, marker):
    """A copy of `value` with its first string (depth first) replaced by `marker`; None if it has none."""
    if isinstance(value, str):
        return marker
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        replaced = _first_string_replaced(item, marker)
        if replaced is not None:
            copy = dict(value) if isinstance(value, dict) else list(value)
            copy[key] = replaced
            return copy
    return None


def _with_raw_string(body, raw):
    """`body` as JSON text with its first string replaced by the raw JSON string `raw`."""
    marker = "\u2603marker\u2603"
    return json.dumps(_first_string_replaced(body, marker)).replace(json.dumps(marker), raw).encode()


def _refused(response, status, code):
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    assert response.get_json()["code"] == code


def _signed_in(make_api, demo, role="ap_leader"):
    api = make_api()
    assert api.sign_in(demo.email(role)).status_code == 200
    return api


@pytest.mark.parametrize("shape", ["list", "object"])
def test_json_nested_too_deep_is_refused_on_every_json_route(make_api, demo, shape):
    api = _signed_in(make_api, demo)
    raw = ("[" * DEEP + "]" * DEEP) if shape == "list" else ('{"a":' * DEEP + "1" + "}" * DEEP)
    before = table_counts()
    for method, path, _body in _json_routes(demo):
        response = api.open(method, path, data=raw.encode(), headers={"Content-Type": "application/json"})
        _refused(response, 400, "json_too_deep")
    moderately_deep = json.dumps({"answers": json.loads("[" * 40 + "]" * 40)})
    response = api.open("PUT", f"/api/visits/{uuid.uuid4()}", data=moderately_deep,
                        headers={"Content-Type": "application/json"})
    _refused(response, 400, "json_too_deep")
    assert table_counts() == before


@pytest.mark.parametrize("raw", [LONE_SURROGATE, NUL], ids=["lone surrogate", "NUL"])
def test_strings_no_database_can_hold_are_refused_on_every_json_route(make_api, demo, raw):
    api = _signed_in(make_api, demo)
    before = table_counts()
    for method, path, body in _json_routes(demo):
        response = api.open(method, path, data=_with_raw_string(body, raw),
                            headers={"Content-Type": "application/json"})
        _refused(response, 400, "invalid_characters")
    # In a key, and deep inside a visit's answers.
    body = visit_body(demo)
    nested = json.dumps(dict(body, answers={"findings": {"value": "marker"}})).replace('"marker"', raw)
    response = api.put(f"/api/visits/{uuid.uuid4()}", data=nested, headers={"Content-Type": "application/json"})
    _refused(response, 400, "invalid_characters")
    keyed = json.dumps(dict(body, answers={"marker": 1})).replace('"marker"', raw)
    response = api.put(f"/api/visits/{uuid.uuid4()}", data=keyed, headers={"Content-Type": "application/json"})
    _refused(response, 400, "invalid_characters")
    assert table_counts() == before


def test_a_signed_out_phone_signing_in_with_a_lone_surrogate_is_refused(make_api, demo):
    api = make_api()
    api.csrf = api.get("/api/csrf").get_json()["csrf_token"]
    body = {"email": "marker", "password": "x"}
    raw = json.dumps(body).replace('"marker"', LONE_SURROGATE)
    _refused(api.post("/api/session", data=raw, headers={"Content-Type": "application/json"}),
             400, "invalid_characters")


def test_nul_in_a_query_string_or_a_path_is_refused(make_api, demo):
    api = _signed_in(make_api, demo)
    _refused(api.get("/api/bootstrap?since=%00"), 400, "invalid_characters")
    _refused(api.get("/api/me?x%00=1"), 400, "invalid_characters")
    _refused(api.get("/api/visits/%00"), 400, "invalid_characters")


def test_nul_in_office_query_strings_and_forms_is_refused(office, demo):
    before = table_counts()
    assert office.post("/office/sign-in", data={"email": "ap.leader@riverside.example\x00",
                                                "password": "demo-password-2026"}).status_code == 400
    assert office.sign_in(demo.email("ap_leader")).status_code == 302
    assert office.get("/office/pupils?q=%00").status_code == 400
    assert office.get("/office/pupils?q=Ad%00am").status_code == 400
    assert office.post("/office/providers/new", data={"name": "Nul\x00Place",
                                                      "registration_status": "unregistered"}).status_code == 400
    assert table_counts() == before


def test_a_photo_size_too_large_for_any_column_is_refused(make_api, demo):
    api = _signed_in(make_api, demo, "visiting_staff")
    before = table_counts()
    body = visit_body(demo)
    for size in (10**30, 2**31, 2**63):
        response = api.put(f"/api/visits/{uuid.uuid4()}", json=dict(body, photos=[dict(body["photos"][0], size=size)]))
        _refused(response, 422, "validation_failed")
    for field in ("form_version", "base_version"):
        response = api.put(f"/api/visits/{uuid.uuid4()}", json=dict(body, **{field: 10**30}))
        _refused(response, 422, "validation_failed")
    assert table_counts() == before


def test_an_academic_year_outside_any_calendar_is_not_found(make_api, demo):
    api = _signed_in(make_api, demo)
    school = demo.school()
    for year in (0, 1, 1999, 2101, 9999, 10**30):
        _refused(api.get(f"/api/admin/schools/{school.uuid}/term-dates/{year}"), 404, "not_found")
    assert api.get(f"/api/admin/schools/{school.uuid}/term-dates/2030").status_code == 200


def test_an_attendance_day_outside_any_calendar_is_not_found(office, demo):
    office.sign_in(demo.email("attendance_officer"))
    for day in ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"):
        assert office.get(f"/office/attendance?date={day}").status_code == 404, day
    assert office.get("/office/attendance?date=2026-11-30").status_code == 200
    before = table_counts()
    assert office.post("/office/attendance", data={"on_date": "9999-12-31"}).status_code == 422
    assert table_counts() == before


def test_a_chunked_photo_over_the_limit_is_too_large_not_unprocessable(live_server, demo):
    """gunicorn hands the app a chunked body without a length; the app must still know it was
    cut off at the limit rather than judge a truncated photo."""
    session = requests.Session()
    csrf = session.get(live_server.url + "/api/csrf").json()["csrf_token"]
    signed_in = session.post(live_server.url + "/api/session", headers={"X-CSRFToken": csrf},
                             json={"email": demo.email("visiting_staff"), "password": demo.password})
    csrf = signed_in.json()["csrf_token"]
    jpeg = payloads.jpeg_bytes()
    body = payloads.qa_visit(demo.placements()[0].uuid, photos=[payloads.manifest_entry(jpeg)])
    visit_id, photo_id = uuid.uuid4(), body["photos"][0]["uuid"]
    assert session.put(f"{live_server.url}/api/visits/{visit_id}", json=body,
                       headers={"X-CSRFToken": csrf}).status_code == 201

    def chunks():
        for _ in range(20):
            yield b"\xff" * (1024 * 1024)

    response = session.put(f"{live_server.url}/api/visits/{visit_id}/photos/{photo_id}", data=chunks(),
                           headers={"X-CSRFToken": csrf, "Content-Type": "image/jpeg",
                                    "X-Content-SHA256": body["photos"][0]["sha256"]})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    chunked_json = session.put(f"{live_server.url}/api/visits/{uuid.uuid4()}",
                               data=iter([json.dumps(dict(body, padding="x" * 600_000)).encode()]),
                               headers={"X-CSRFToken": csrf, "Content-Type": "application/json"})
    assert chunked_json.status_code == 413 and chunked_json.json()["code"] == "body_too_large"
    whole_chunked = session.put(f"{live_server.url}/api/visits/{visit_id}/photos/{photo_id}", data=iter([jpeg]),
                                headers={"X-CSRFToken": csrf, "Content-Type": "image/jpeg",
                                         "X-Content-SHA256": body["photos"][0]["sha256"]})
    assert whole_chunked.status_code == 201, whole_chunked.text


def test_a_visit_body_is_parsed_once_for_the_guard_and_the_view(api_as, demo, monkeypatch):
    """The guard's parse is the one the view reads: a visit PUT decodes its body once."""
    body = visit_body(demo)
    sent = json.dumps(body).encode()
    parsed = []
    real_loads = json.loads

    def counting_loads(text, *args, **kwargs):
        if text in (sent, sent.decode()):
            parsed.append(text)
        return real_loads(text, *args, **kwargs)

    api = api_as("ap_leader")
    monkeypatch.setattr(json, "loads", counting_loads)
    response = api.put(f"/api/visits/{uuid.uuid4()}", data=sent, content_type="application/json")
    assert response.status_code == 201, response.get_json()
    assert len(parsed) == 1
