"""Who may open each school-administration page, post each form and call each API route:
every role of the school, another school's objects (404, like objects that do not exist), and
forms posted without their CSRF token. A refused request changes nothing."""
import pytest

from server.vocabulary import ROLES
from tests.office_admin.admin_routes import (ADMINISTRATORS, API_ROUTES, OBJECT_FORMS, OBJECT_PAGES, OFFICE_FORMS,
                                             OFFICE_FORMS_TESTED_ELSEWHERE, OFFICE_PAGES, admin_api_routes,
                                             admin_office_endpoints)


def test_every_admin_route_is_in_the_tables(app):
    assert admin_office_endpoints(app, "GET") - set(OFFICE_PAGES) - OFFICE_FORMS_TESTED_ELSEWHERE == set()
    assert admin_office_endpoints(app, "POST") - set(OFFICE_FORMS) - OFFICE_FORMS_TESTED_ELSEWHERE == set()
    assert admin_api_routes(app) == set(API_ROUTES)


@pytest.mark.parametrize("page", sorted(OFFICE_PAGES))
def test_each_page_opens_for_its_roles_only(office_as, demo, page):
    build, allowed = OFFICE_PAGES[page]
    path = build(demo, "riverside")
    for role in ROLES:
        status = office_as(role).get(path).status_code
        assert status == (200 if role in allowed else 403), f"{role} opening {page}: {status}"


@pytest.mark.parametrize("page", OBJECT_PAGES)
def test_another_schools_object_is_not_found(office_as, demo, page):
    build, allowed = OFFICE_PAGES[page]
    path = build(demo, "hillcrest")
    for role in allowed:
        assert office_as(role).get(path).status_code == 404, role


@pytest.mark.parametrize("form", sorted(OFFICE_FORMS))
def test_each_form_is_refused_to_roles_that_do_not_run_the_schools_ap(office_as, demo, unchanged, form):
    for role in (role for role in ROLES if role not in ADMINISTRATORS):
        path, data = OFFICE_FORMS[form](demo, role, "riverside")
        with unchanged():
            response = office_as(role).post(path, data=data, content_type="multipart/form-data")
            assert response.status_code == 403, f"{role} posting {form}: {response.status_code}"
    for role in ADMINISTRATORS:
        path, data = OFFICE_FORMS[form](demo, role, "riverside")
        response = office_as(role).post(path, data=data, content_type="multipart/form-data")
        assert response.status_code in (200, 302), f"{role} posting {form}: {response.get_data(as_text=True)[:400]}"


@pytest.mark.parametrize("form", OBJECT_FORMS)
def test_a_form_about_another_schools_object_is_not_found(office_as, demo, unchanged, form):
    path, data = OFFICE_FORMS[form](demo, "ap_leader", "hillcrest")
    with unchanged():
        assert office_as("ap_leader").post(path, data=data).status_code == 404


@pytest.mark.parametrize("form", sorted(OFFICE_FORMS))
def test_a_form_posted_without_its_csrf_token_is_refused(office_as, demo, unchanged, form):
    path, data = OFFICE_FORMS[form](demo, "ap_leader", "riverside")
    client = office_as("ap_leader")
    with unchanged():
        response = client.client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 403
        assert "security token" in response.get_data(as_text=True)
    path, data = OFFICE_FORMS[form](demo, "ap_leader", "riverside")
    with unchanged():
        response = client.client.post(path, data=dict(data, csrf_token="not-the-token"),
                                      content_type="multipart/form-data")
        assert response.status_code == 403


API_CASES = sorted(API_ROUTES)


@pytest.mark.parametrize("route", API_CASES, ids=[f"{m} {p}" for m, p in API_CASES])
def test_each_api_route_answers_its_roles_and_no_other_school(api_as, make_api, demo, unchanged, route):
    build, allowed, ok_status = API_ROUTES[route]
    method = route[0]
    for role in ROLES:
        # The other school's object is not found; a role allowed nowhere is refused before any
        # look-up, so neither answer says whether the object exists.
        request = build(demo, role, "hillcrest")
        with unchanged():
            response = api_as(role).open(method, request.pop("path"), **request)
            expected = 404 if role in allowed else 403
            assert response.status_code == expected, f"{role} reaching the other school: {response.status_code}"
            assert set(response.get_json()) == {"code", "message", "details"}
    for role in (role for role in ROLES if role not in allowed):
        request = build(demo, role, "riverside")
        with unchanged():
            response = api_as(role).open(method, request.pop("path"), **request)
            assert response.status_code == 403, f"{role}: {response.status_code}"
            assert response.get_json()["code"] == "forbidden"
    for role in allowed:
        request = build(demo, role, "riverside")
        response = api_as(role).open(method, request.pop("path"), **request)
        assert response.status_code == ok_status, f"{role}: {response.get_data(as_text=True)[:400]}"
    signed_out = make_api()
    signed_out.csrf = signed_out.get("/api/csrf").get_json()["csrf_token"]
    request = build(demo, "ap_leader", "riverside")
    with unchanged():
        assert signed_out.open(method, request.pop("path"), **request).status_code == 401


@pytest.mark.parametrize("route", [r for r in API_CASES if r[0] != "GET"], ids=lambda r: f"{r[0]} {r[1]}")
def test_an_api_write_without_the_csrf_header_is_refused(api_as, demo, unchanged, route):
    build = API_ROUTES[route][0]
    client = api_as("ap_leader")
    client.csrf = None
    request = build(demo, "ap_leader", "riverside")
    with unchanged():
        response = client.open(route[0], request.pop("path"), **request)
        assert response.status_code == 403 and response.get_json()["code"] == "csrf_failed"
