"""Sending visits from the phone: nothing duplicated when an answer is lost, nothing taken as
sent when a portal page answers, and a visit shown incomplete until every photo arrived."""
import json

import pytest

from server.models import Photo, Visit
from tests.conftest import screenshot
from tests.e2e.conftest import (answer_qa_visit, complete_visit, jpeg_bytes, server_rows, start_qa_visit,
                                sync_now, wait_for_state)

pytestmark = pytest.mark.e2e

VISIT_URL = "**/api/visits/*"
PHOTO_URL = "**/api/visits/*/photos/**"


def test_a_lost_acknowledgement_is_retried_without_duplicating_the_visit_or_its_photo(phone):
    page = phone.open().sign_in().page
    lost = {"visit": 0, "photo": 0}

    def commit_then_drop(kind):
        def handler(route):
            if route.request.method == "PUT" and lost[kind] == 0:
                lost[kind] += 1
                route.fetch()   # the server receives and commits it...
                route.abort()   # ...but the phone never hears back
            else:
                route.continue_()
        return handler

    page.route(VISIT_URL, commit_then_drop("visit"))
    page.route(PHOTO_URL, commit_then_drop("photo"))
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes()])
    complete_visit(phone)

    for _ in range(3):  # each lost answer stops that sync; the next one resends
        if page.locator(".state[data-state='complete']").count():
            break
        page.wait_for_function("() => !document.querySelector('.state[data-state=sending]')")
        sync_now(phone)
    wait_for_state(phone, "complete")

    assert lost == {"visit": 1, "photo": 1}
    visits = server_rows(Visit)
    assert len(visits) == 1 and visits[0].complete and visits[0].current_version == 1
    assert len(server_rows(Photo)) == 1
    assert phone.errors == []


def test_an_html_page_answering_200_is_not_taken_as_success(phone):
    page = phone.open().sign_in().page
    page.route(VISIT_URL, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<html><body>Sign in to CafeWiFi</body></html>"))
    start_qa_visit(phone)
    answer_qa_visit(phone)
    complete_visit(phone)
    page.get_by_text("The network answered with a web page").wait_for()

    assert page.locator(".visit-card .state").first.get_attribute("data-state") == "ready"
    assert [v["state"] for v in phone.visits()] == ["ready"]
    assert server_rows(Visit) == []

    page.unroute(VISIT_URL)
    sync_now(phone)
    wait_for_state(phone, "complete")
    assert len(server_rows(Visit)) == 1


def test_a_visit_missing_photos_shows_incomplete_until_they_arrive(phone):
    page = phone.open().sign_in().page
    sent = []

    def second_photo_fails(route):
        if route.request.method == "PUT" and len(sent) >= 1:
            route.abort()
            return
        sent.append(route.request.url)
        route.continue_()

    page.route(PHOTO_URL, second_photo_fails)
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes(colour=(10, 200, 10)), jpeg_bytes(colour=(200, 200, 10))])
    complete_visit(phone)
    wait_for_state(phone, "incomplete")
    page.locator(".visit-card .state", has_text="On server (incomplete, 1 photo missing)").wait_for()
    screenshot(page, "outbox-incomplete")

    [visit] = server_rows(Visit)
    assert not visit.complete
    assert sum(photo.stored_at is not None for photo in server_rows(Photo)) == 1

    page.unroute(PHOTO_URL)
    sync_now(phone)
    wait_for_state(phone, "complete")
    page.locator(".visit-card .state", has_text="On server (complete)").wait_for()
    [visit] = server_rows(Visit)
    assert visit.complete
    assert all(photo.stored_at is not None for photo in server_rows(Photo))
    screenshot(page, "outbox-complete")


def test_a_refused_visit_is_parked_with_the_servers_message_and_the_next_one_still_goes(phone):
    page = phone.open().sign_in().page
    def offline(route):
        route.abort()

    page.route(VISIT_URL, offline)
    start_qa_visit(phone)
    answer_qa_visit(phone)
    complete_visit(phone)
    start_qa_visit(phone, pupil="Maya Chowdhury")
    answer_qa_visit(phone)
    complete_visit(phone)
    first, second = sorted(phone.visits(), key=lambda v: v["queued_at"])

    def refuse_the_first(route):
        if first["id"] in route.request.url:
            route.fulfill(status=422, content_type="application/json", body=json.dumps({
                "code": "form_answers_invalid", "message": "The visit's answers do not satisfy its form; see details.",
                "details": {"errors": {"findings": ["required"]}}}))
        else:
            route.continue_()

    # The refusal is in place before the phone is let online: the app's own retry timer may fire
    # at any moment, and must not send the first visit through in between.
    page.route(VISIT_URL, refuse_the_first)
    page.unroute(VISIT_URL, offline)
    sync_now(phone)
    wait_for_state(phone, "complete")
    wait_for_state(phone, "attention")
    page.get_by_text("The visit's answers do not satisfy its form").wait_for()
    screenshot(page, "outbox-needs-attention")
    assert [str(v.uuid) for v in server_rows(Visit)] == [second["id"]]
    states = {v["id"]: v["state"] for v in phone.visits()}
    assert states == {first["id"]: "attention", second["id"]: "complete"}


def send_a_visit_the_office_sends_back(phone):
    """Sign in, complete a QA visit and sync it; the office then sends it back with a comment."""
    from server.extensions import db
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    answer_qa_visit(phone)
    complete_visit(phone)
    wait_for_state(phone, "complete")
    [visit] = server_rows(Visit)
    visit.review_status = "sent_back"
    visit.review_comment = "Say which lesson you watched."
    db.session.commit()
    return page


def test_a_visit_sent_back_by_the_office_shows_the_comment_and_is_resent_as_a_new_version(phone, app):
    page = send_a_visit_the_office_sends_back(phone)
    sync_now(phone)
    page.get_by_text("Say which lesson you watched.").wait_for()
    screenshot(page, "outbox-sent-back")

    page.get_by_role("button", name="Correct and resend").click()
    page.get_by_text("Sent back by the office").wait_for()
    phone.fill("findings", "Watched a Year 10 maths lesson on fractions.")
    complete_visit(phone)
    wait_for_state(phone, "complete")
    [visit] = server_rows(Visit)
    assert visit.current_version == 2
    assert visit.versions[-1].answers["findings"]["value"].startswith("Watched a Year 10 maths")


def test_a_visit_sent_back_by_the_office_is_listed_first_in_the_outbox(phone, app):
    page = send_a_visit_the_office_sends_back(phone)
    start_qa_visit(phone, pupil="Maya Chowdhury")  # a draft, which would otherwise come before a sent visit
    page.get_by_role("link", name="Outbox").click()
    sync_now(phone)
    page.get_by_text("Say which lesson you watched.").wait_for()

    cards = page.locator(".visit-card")
    assert cards.count() == 2
    assert "Sent back by the office" in cards.first.inner_text()
    assert cards.nth(1).locator(".state").get_attribute("data-state") == "draft"
    assert phone.errors == []
