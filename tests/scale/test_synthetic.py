"""The synthetic data generator: the sizes asked for, visits whose answers pass their forms, and
data the real app then works with (sign-in, bootstrap, a phone's next visit)."""
import uuid
from collections import Counter

import sqlalchemy as sa

from server.dev.synthetic import PASSWORD, Size, synthesize
from server.extensions import db
from server.models import (FollowUpAction, Membership, Placement, Photo, SafeguardingConcern, School, User, Visit,
                           VisitVersion)
from server.services.forms import check_answers, get_form
from server.services.photo_store import get_photo_store
from tests import payloads


def _count(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_the_generator_makes_the_size_asked_for(app):
    counts = synthesize(Size(schools=3, placements_per_school=4, visits_per_placement=5))
    db.session.commit()
    assert _count(School) == 3 and _count(Placement) == 12
    provider_checks = db.session.execute(
        sa.select(sa.func.count()).where(Visit.kind == "provider_check")).scalar()
    assert _count(Visit) - provider_checks == 12 * 5
    assert counts["visit"] == _count(Visit) and counts["visit_version"] == _count(VisitVersion)


def test_every_synthetic_visit_passes_its_form(app):
    synthesize(Size(schools=4, placements_per_school=5, visits_per_placement=12, photos=True),
               photo_store=get_photo_store())
    db.session.commit()
    concerns = {row.visit_id: row.text for row in db.session.execute(sa.select(SafeguardingConcern)).scalars()}
    actions = Counter(db.session.execute(sa.select(FollowUpAction.visit_id)).scalars())
    versions = db.session.execute(sa.select(VisitVersion)).scalars().all()
    assert len(versions) > 200
    for version in versions:
        payload = {"form_id": version.form_id, "form_version": version.form_version, "mode": version.mode,
                   "answers": version.answers, "photos": version.photo_manifest, "actions": [],
                   "concern": {"text": concerns[version.visit_id]} if version.visit_id in concerns else None}
        errors = check_answers(get_form(version.form_id, version.form_version), payload)
        # Actions are stored without the item they answer; every item that asks for one must
        # have an action row of its own, and nothing else may be wrong.
        assert all(codes == ["action_required"] for codes in errors.values()), errors
        assert len(errors) <= actions[version.visit_id]
    kinds = Counter(version.form_id for version in versions)
    assert set(kinds) == {"provider_check", "qa_visit", "welfare_check", "review_meeting", "part_time_review",
                          "flexi_review"}
    assert concerns and actions, "the data should include concerns and follow-up actions"


def test_synthetic_photos_are_stored_and_their_visits_complete(app):
    synthesize(Size(schools=2, placements_per_school=3, visits_per_placement=10, photos=True),
               photo_store=get_photo_store())
    db.session.commit()
    photos = db.session.execute(sa.select(Photo)).scalars().all()
    assert photos
    store = get_photo_store()
    for photo in photos:
        assert payloads.sha256(store.read(photo.storage_key)) == photo.declared_sha256
    assert db.session.execute(sa.select(sa.func.count()).where(Visit.complete.is_(False))).scalar() == 0


def test_the_app_works_on_synthetic_data_added_beside_existing_data(app, demo, api):
    synthesize(Size(schools=2, placements_per_school=3, visits_per_placement=2))
    db.session.commit()
    synthesize(Size(schools=1, placements_per_school=2, visits_per_placement=2), seed=7)
    db.session.commit()
    staff = db.session.execute(
        sa.select(User).join(Membership).join(School)
        .where(Membership.role == "visiting_staff", School.name.like("Synthetic School %"))
        .order_by(User.id)).scalars().first()
    assert api.sign_in(staff.email, PASSWORD).status_code == 200
    snapshot = api.get("/api/bootstrap").get_json()
    assert snapshot["my_visits"], "the person's synthetic visits are on their phone"
    placement = next(p["id"] for p in snapshot["placements"] if p["kind"] in ("off_site_ap", "on_site_ap",
                                                                                "off_site_direction"))
    # A new visit gets ids after the synthetic rows (PostgreSQL's sequences were moved on), and a
    # change number after theirs, so the phone's cursor moves.
    sent = api.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(placement))
    assert sent.status_code == 201, sent.get_json()
    again = api.get("/api/bootstrap", query_string={"since": snapshot["cursor"]}).get_json()
    assert again["unchanged"] is False and again["cursor"] > snapshot["cursor"]
