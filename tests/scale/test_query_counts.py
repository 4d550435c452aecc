"""The pages office staff open most, and the phone's bootstrap, read with the same number of SQL
queries however much a school holds: a page that loads one row at a time is fine with the demo
data and falls over with a real school's. Each page is measured with one of everything (a
visit with a photo, a follow-up action and a safeguarding concern), then again with six.

Reads are counted (SELECT statements). Writes are not: a page that shows six concerns writes six
audit rows, one per concern read, by design; PostgreSQL gets them in one batched INSERT, SQLite
one by one."""
import uuid

import pytest

from tests import payloads
from tests.conftest import reads, statements_sent

PAGES = [
    # (whose page, path); "{placement}" is the placement the visits are about.
    pytest.param("ap_leader", "/office/", id="home"),
    pytest.param("ap_leader", "/office/placements/{placement}/record", id="placement-record"),
    pytest.param("dsl", "/office/concerns", id="concern-queue"),
    pytest.param("ap_leader", "/office/review", id="review-queue"),
    pytest.param("visiting_staff", "/api/bootstrap", id="bootstrap"),
]


def _send_visits(api, demo, placement, count):
    for _ in range(count):
        image = payloads.jpeg_bytes(64, 48, colour=(90, 90, 200))
        entry = payloads.manifest_entry(image)
        visit_id = str(uuid.uuid4())
        visit = payloads.qa_visit(placement.uuid, photos=[entry], concern=payloads.concern(),
                                  actions=[payloads.action()])
        assert api.put(f"/api/visits/{visit_id}", json=visit).status_code == 201
        assert api.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}", data=image, headers={
            "Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]}).status_code == 201


def _queries(app, client, path):
    with statements_sent() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(reads(statements))


@pytest.mark.parametrize("role, path", PAGES)
def test_a_page_reads_with_the_same_number_of_queries_with_more_data(app, demo, staff, office_as, role, path):
    placement = demo.placements()[0]
    _send_visits(staff, demo, placement, 1)
    reader = office_as(role)
    path = path.format(placement=placement.uuid)
    reader.get(path)  # the first request fills per-process caches (forms, templates)
    with_one = _queries(app, reader, path)
    _send_visits(staff, demo, placement, 5)
    with_six = _queries(app, reader, path)
    assert with_six == with_one, f"{path}: {with_one} reads with one visit, {with_six} with six"
