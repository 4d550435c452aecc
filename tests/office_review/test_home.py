"""The AP leader's home: overdue and due-soon work across every placement, grouped, with
counts at the top, each item linking to its record; governors see no pupil-level detail."""
from datetime import date, timedelta

from office_review.scenario import qa_visit_with_concern
from rollup.factories import make_action


def section(page, heading_id):
    start = page.index(f'id="{heading_id}"')
    end = page.find('<section', start)
    return page[start:end if end != -1 else None]


def test_the_home_page_lists_what_is_overdue_and_due_soon_with_counts(demo, phone, office_as):
    placements = demo.placements()
    qa_visit_with_concern(phone, placements[0])
    make_action(demo.school(), date.today() + timedelta(days=5), placement=placements[1],
                description="Send the new timetable to the farm")
    page = office_as("ap_leader").get("/office/").get_data(as_text=True)
    assert "To do" in page
    reviews = section(page, "group-reviews")
    # The demo placements started 60 days ago with no review since: overdue, linked to the record.
    assert "Formal review overdue" in reviews
    assert f"/office/placements/{placements[0].uuid}/record" in reviews
    actions = section(page, "group-actions")
    assert "Send the new timetable to the farm" in actions
    evidence = section(page, "group-evidence")
    assert "Written confirmation of staff checks expires" in evidence  # in 10 days
    assert "Insurance expires" not in evidence                          # in 65 days: not yet
    assert '<span class="number">1</span> visit to review' in page
    assert '<span class="number">1</span> open concern' in page


def test_provider_deadlines_are_listed_once_per_provider(demo, office_as):
    page = office_as("ap_leader").get("/office/").get_data(as_text=True)
    evidence = section(page, "group-evidence")
    oakfield = demo.placements()[0].provider  # two Riverside placements use it
    assert evidence.count(f"/office/providers/{oakfield.uuid}/record") == 1


def test_the_concern_count_is_only_for_those_who_read_concerns(demo, phone, office_as):
    qa_visit_with_concern(phone, demo.placements()[0])
    assert "open concern" in office_as("dsl").get("/office/").get_data(as_text=True)
    assert "open concern" not in office_as("headteacher").get("/office/").get_data(as_text=True)


def test_governors_see_no_pupil_level_detail_on_the_home_page(demo, office_as):
    page = office_as("governor").get("/office/").get_data(as_text=True)
    assert "To do" not in page
    for placement in demo.placements():
        assert placement.pupil.last_name not in page
