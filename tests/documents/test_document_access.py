"""Who may have each document, for every role in both demo schools. Pupil-level documents go only
to the people who read placement records (never governors: 403); another school's placement or
visit answers 404 exactly like one that does not exist; the governors' report goes to governors
too. Every document handed out leaves an audit row naming who had it."""
import pytest

from server.vocabulary import ROLES
from tests.conftest import answer_by_role_and_school, sent_to_sign_in
from tests.documents.conftest import audit_rows

RECORD_READERS = {"ap_leader", "dsl", "headteacher", "admin", "trust_lead"}
REPORT_READERS = RECORD_READERS | {"governor"}


def documents(r):
    """(url, roles that may have it, is it one school's object?, audit action)"""
    placement, visit = r["placement"], r["visits"][0]
    return [
        (f"/office/placements/{placement.uuid}/record.pdf", RECORD_READERS, True, "placement_record.pdf"),
        (f"/office/placements/{placement.uuid}/record/print", RECORD_READERS, True, "placement_record.print"),
        (f"/office/visits/{visit.uuid}/visit.pdf", RECORD_READERS, True, "visit.pdf"),
        ("/office/reports/exports/visits.csv", RECORD_READERS, False, "export.csv"),
        ("/office/reports/exports/actions.csv", RECORD_READERS, False, "export.csv"),
        ("/office/reports/exports/placements.csv", RECORD_READERS, False, "export.csv"),
        ("/office/reports/exports/provider-checks.csv", RECORD_READERS, False, "export.csv"),
        ("/office/reports/la-notifications", RECORD_READERS, False, "la_notifications.read"),
        ("/office/reports/la-notifications.csv", RECORD_READERS, False, "la_notifications.csv"),
        ("/office/reports", REPORT_READERS, False, None),
        ("/office/reports/governors", REPORT_READERS, False, "governors_report.read"),
        ("/office/reports/governors.pdf", REPORT_READERS, False, "governors_report.pdf"),
        ("/office/reports/governors.csv", REPORT_READERS, False, "governors_report.csv"),
    ]


@pytest.mark.parametrize("school", ["riverside", "hillcrest"])
@pytest.mark.parametrize("role", ROLES)
def test_each_document_answers_by_role_and_school(riverside_record, office_as, demo, role, school):
    client = office_as(role, school)
    me = demo.user(role, school)
    for url, allowed, is_object, action in documents(riverside_record):
        before = len(audit_rows(action)) if action else 0
        # buffered: read a streamed CSV inside the request, as a browser reads it while it is served
        response = client.get(url, buffered=True)
        body = response.get_data()
        expected = answer_by_role_and_school(role, allowed, is_object, school)
        assert response.status_code == expected, (url, role, school)
        if action is None:
            continue
        rows = audit_rows(action)
        if expected == 200:
            assert len(rows) == before + 1, (url, role)
            assert rows[-1].actor_id == me.id and rows[-1].school_id == demo.school(school).id
        else:
            assert len(rows) == before, (url, role)
        if expected == 200 and school == "hillcrest":
            # Hillcrest's documents never carry Riverside's records (the demo schools share pupil names,
            # so the ids tell them apart).
            for record in [riverside_record["placement"], *riverside_record["visits"]]:
                assert str(record.uuid).encode() not in body, url


def test_signed_out_visitors_are_sent_to_sign_in(riverside_record, office):
    for url, _, _, _ in documents(riverside_record):
        assert sent_to_sign_in(office.get(url)), url


def test_a_trust_lead_gets_the_school_they_are_working_on(riverside_record, app, demo, office_as):
    """A trust lead with both schools reaches Riverside's record only while working on Riverside."""
    from server.extensions import db
    from server.models import Membership
    lead = demo.user("trust_lead", "hillcrest")
    lead.memberships.append(Membership(school=demo.school("riverside"), role="trust_lead"))
    db.session.commit()
    client = office_as("trust_lead", "hillcrest")
    url = f"/office/placements/{riverside_record['placement'].uuid}/record.pdf"
    hillcrest_id, riverside_id = demo.school("hillcrest").id, demo.school("riverside").id
    assert client.post("/office/school", data={"school_id": hillcrest_id}).status_code in (302, 303)
    assert client.get(url).status_code == 404
    assert client.post("/office/school", data={"school_id": riverside_id}).status_code in (302, 303)
    assert client.get(url).status_code == 200
