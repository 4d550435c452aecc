"""A date or time already in the database at either end of the calendar (year 1, year 9999)
never stops a page from showing the record: the concern, the placement record, the review page,
the queues and the to-do list all answer 200 and show the value."""
import pytest
import sqlalchemy as sa

from office_review.scenario import ABSURD, absurd_dates_stored, qa_visit_with_concern
from server.extensions import db
from server.models import SafeguardingConcern

# How the phone's clock time is written: year 1 cannot be moved into UK time, so it is shown as
# the ISO text stored; 31 December 9999 is in GMT, so it is written as usual.
PHONE_TIME_SHOWN = {"year 1": "0001-01-01T00:00:00+00:00", "year 9999": "31 Dec 9999, 23:59"}


@pytest.fixture(params=sorted(ABSURD))
def absurd_visit(request, demo, phone):
    """(placement, visit uuid, concern uuid, the phone time as shown): a QA visit with a concern
    and an action, synced from the phone, whose dates were then moved to one end of the calendar."""
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(phone, placement)
    absurd_dates_stored(visit_uuid, request.param)
    concern_uuid = db.session.execute(sa.select(SafeguardingConcern.uuid)).scalar_one()
    return placement, visit_uuid, concern_uuid, PHONE_TIME_SHOWN[request.param]


def shown(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_concern_page_shows_an_absurd_phone_time(absurd_visit, office_as):
    _, _, concern_uuid, phone_time = absurd_visit
    assert phone_time in shown(office_as("dsl"), f"/office/concerns/{concern_uuid}")


def test_the_review_page_shows_absurd_dates(absurd_visit, office_as):
    _, visit_uuid, _, phone_time = absurd_visit
    assert phone_time in shown(office_as("ap_leader"), f"/office/review/{visit_uuid}")


def test_the_placement_record_shows_absurd_dates(absurd_visit, office_as):
    placement, _, _, phone_time = absurd_visit
    assert phone_time in shown(office_as("ap_leader"), f"/office/placements/{placement.uuid}/record")


@pytest.mark.parametrize("role, path", [("ap_leader", "/office/"), ("ap_leader", "/office/review"),
                                        ("dsl", "/office/"), ("dsl", "/office/concerns")])
def test_the_queues_and_the_to_do_list_still_open(absurd_visit, office_as, role, path):
    shown(office_as(role), path)
