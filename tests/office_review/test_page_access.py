"""Who may open each page and send each form, for every role in both demo schools, generated from
the permission table: each page and form names the permission it asks (and the test checks the
view asks exactly that), and the roles that hold it in server/permissions.py are the ones it
serves. Riverside's records answer 404 to Hillcrest's staff (exactly like a record that does not
exist), a role without the permission answers 403, and a refused form changes nothing."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rollup.factories import make_action, make_concern, make_visit
from server.extensions import db
from server.permissions import roles_with
from server.models import ConcernNote, FollowUpAction, RiskAssessment, SafeguardingConcern, Visit
from server.models.base import utcnow
from server.services import evidence_files
from server.services.photo_store import get_photo_store
from server.vocabulary import ROLES
from tests import payloads
from tests.conftest import answer_by_role_and_school, sent_to_sign_in


def asked_by(app, method, url):
    """The permission the view behind `url` asks (office_page / require_permission)."""
    endpoint, _ = app.url_map.bind("localhost").match(url.split("?")[0], method=method)
    return app.view_functions[endpoint].permission


@pytest.fixture
def riverside(app, demo):
    """Riverside records of every kind the pages show."""
    placement = demo.placements()[0]
    visitor = demo.user("visiting_staff")
    visit = make_visit(visitor, "qa_visit", date.today(), placement=placement,
                       photos=[{"item_key": "work_photos", "caption": "Folder"}])
    other = make_visit(visitor, "qa_visit", date.today(), placement=placement)
    concern = make_concern(visit)
    action = make_action(demo.school(), date.today() + timedelta(days=3), placement=placement)
    photo = visit.photos[0]
    image = payloads.jpeg_bytes()
    get_photo_store().put(photo.storage_key, image)
    get_photo_store().put(photo.thumbnail_key, image)
    scan = evidence_files.store(placement.provider, image, "insurance.jpg", demo.user("admin"), utcnow(),
                                {"max_bytes": 10**7, "max_pixels": 10**7})
    db.session.commit()
    return {"placement": placement, "provider": placement.provider, "visit": visit, "other_visit": other,
            "concern": concern, "action": action, "photo": photo, "scan": scan}


def pages(r):
    """(url, the permission it asks, is it one school's object?)"""
    return [
        ("/office/", "office.open", False),
        ("/office/review", "visit.read_review", False),
        (f"/office/review/{r['visit'].uuid}", "visit.read_review", True),
        (f"/office/placements/{r['placement'].uuid}/record", "placement.read_record", True),
        (f"/office/providers/{r['provider'].uuid}/record", "placement.read_record", True),
        ("/office/concerns", "concern.read", False),
        (f"/office/concerns/{r['concern'].uuid}", "concern.read", True),
        (f"/office/photos/{r['photo'].uuid}/thumb", "placement.read_record", True),
        (f"/office/photos/{r['photo'].uuid}/full", "placement.read_record", True),
        (f"/office/evidence/{r['scan'].uuid}", "placement.read_record", True),
        (f"/office/placements/{r['placement'].uuid}/record.pdf", "document.pupil", True),
        (f"/office/visits/{r['visit'].uuid}/visit.pdf", "document.pupil", True),
        ("/office/attendance", "attendance.register", False),
        ("/office/reports", "report.read", False),
        ("/office/reports/governors", "report.read", False),
        ("/office/reports/la-notifications", "document.pupil", False),
    ]


def test_each_page_and_form_here_names_the_permission_its_view_asks(app, riverside):
    for url, permission, _ in pages(riverside):
        assert asked_by(app, "GET", url) == permission, url
    for url, _, permission, _ in forms(riverside):
        assert asked_by(app, "POST", url) == permission, url


@pytest.mark.parametrize("school", ["riverside", "hillcrest"])
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_by_role_and_school(riverside, office_as, role, school):
    client = office_as(role, school)
    for url, permission, is_object in pages(riverside):
        response = client.get(url)
        expected = answer_by_role_and_school(role, roles_with(permission), is_object, school)
        assert response.status_code == expected, (url, role, school)
        if expected == 200 and school == "hillcrest":
            # Hillcrest's lists never show Riverside's records.
            body = response.get_data(as_text=True)
            for record in ("visit", "concern", "placement"):
                assert str(riverside[record].uuid) not in body, (url, record)


def test_signed_out_visitors_are_sent_to_sign_in(riverside, office):
    for url, _, _ in pages(riverside):
        assert sent_to_sign_in(office.get(url)), url


def forms(r):
    """(url, data, the permission it asks, did it change anything?)"""
    def visit_status(key):
        return lambda: db.session.get(Visit, r[key].id).review_status != "awaiting_review"

    return [
        (f"/office/review/{r['visit'].uuid}/sign-off", {"version": "1"}, "visit.review", visit_status("visit")),
        (f"/office/review/{r['other_visit'].uuid}/send-back", {"version": "1", "comment": "Add the lesson."},
         "visit.review", visit_status("other_visit")),
        (f"/office/providers/{r['provider'].uuid}/material-change", {"reason": "New owner."}, "visit.review",
         lambda: db.session.execute(sa.select(sa.func.count()).select_from(RiskAssessment).where(
             RiskAssessment.provider_id == r["provider"].id,
             RiskAssessment.review_requested_at.is_not(None))).scalar() > 0),
        (f"/office/providers/{r['provider'].uuid}/existing-check",
         {"assessed_on": "2026-09-01", "assessed_by": "Former AP lead", "rating": "low",
          "file": (io.BytesIO(payloads.jpeg_bytes()), "check.jpg")}, "visit.review",
         lambda: db.session.execute(sa.select(sa.func.count()).select_from(RiskAssessment).where(
             RiskAssessment.assessed_by.is_not(None))).scalar() > 0),
        (f"/office/actions/{r['action'].uuid}/done", {"note": "Done."}, "action.write",
         lambda: db.session.get(FollowUpAction, r["action"].id).done_at is not None),
        (f"/office/concerns/{r['concern'].uuid}/notes", {"kind": "note", "text": "Spoke to the family."}, "concern.act",
         lambda: db.session.execute(sa.select(sa.func.count()).select_from(ConcernNote)).scalar() > 0),
        (f"/office/concerns/{r['concern'].uuid}/close", {"outcome": "Monitored."}, "concern.act",
         lambda: db.session.get(SafeguardingConcern, r["concern"].id).closed_at is not None),
    ]


@pytest.mark.parametrize("school", ["riverside", "hillcrest"])
@pytest.mark.parametrize("role", ROLES)
def test_each_form_is_refused_to_other_roles_and_schools_and_changes_nothing(riverside, office_as, role, school):
    client = office_as(role, school)
    for url, data, permission, changed in forms(riverside):
        allowed = roles_with(permission)
        response = client.post(url, data=data)
        db.session.expire_all()
        if role in allowed and school == "riverside":
            assert response.status_code == 302, (url, response.get_data(as_text=True)[:500])
            assert changed(), url
        else:
            assert response.status_code == (403 if role not in allowed else 404), (url, role, school)
            assert not changed(), url


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(riverside, office_as):
    client = office_as("dsl")
    for url, data, _, changed in forms(riverside):
        response = client.post(url, data={**data, "csrf_token": ""})
        db.session.expire_all()
        assert response.status_code in (400, 403), url
        assert not changed(), url
