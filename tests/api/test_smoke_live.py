"""The real app starts under gunicorn with demo data, and a browser can reach it."""
import requests


def test_the_live_server_answers_health_and_sign_in(live_server):
    session = requests.Session()
    token = session.get(live_server.url + "/api/csrf").json()["csrf_token"]
    response = session.post(live_server.url + "/api/session", headers={"X-CSRFToken": token},
                            json={"email": "ap.leader@riverside.example", "password": "demo-password-2026"})
    assert response.status_code == 200
    assert session.get(live_server.url + "/api/me").json()["email"] == "ap.leader@riverside.example"


def test_a_browser_opens_the_office_sign_in_page(live_server, desktop_context):
    page = desktop_context.new_page()
    page.goto(live_server.url + "/office/sign-in")
    assert page.get_by_role("heading", name="Sign in to the office").is_visible()
