"""The benchmarks sign in as each door's people do, the code step of a second factor included:
a benchmark that stops at the code step measures nothing."""
from bench.common import get_ok, signed_in_client


def test_the_benchmarks_sign_in_through_the_office_form_and_its_code_step(app, demo):
    client = signed_in_client(app, demo.email("ap_leader"), "demo-password-2026", office_form=True)
    assert "To do" in get_ok(client, "/office/").get_data(as_text=True)


def test_the_benchmarks_sign_in_through_the_phones_api_and_its_code_step(app, demo):
    client = signed_in_client(app, demo.email("dsl"), "demo-password-2026")
    assert get_ok(client, "/api/me").get_json()["email"] == demo.email("dsl")
