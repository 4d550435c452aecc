"""The real app starts under gunicorn with demo data, and a browser can reach it."""
import requests

from tests.conftest import sign_in_over_http


def test_the_live_server_answers_health_and_sign_in(live_server):
    session = requests.Session()
    response = sign_in_over_http(session, live_server.url, "ap.leader@riverside.example")
    assert response.status_code == 200
    assert session.get(live_server.url + "/api/me").json()["email"] == "ap.leader@riverside.example"


def test_a_browser_opens_the_office_sign_in_page(live_server, desktop_context):
    page = desktop_context.new_page()
    page.goto(live_server.url + "/office/sign-in")
    assert page.get_by_role("heading", name="Sign in to the office").is_visible()
