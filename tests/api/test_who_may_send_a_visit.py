"""Which visits a member of staff may send (services/bootstrap.py, refusal_to_send): any placement
their phone carries, and one it carried that has since ended when the visit is dated on or before
the end, however late it arrives. A refusal is a 422 the phone parks with its message (the visit
stays on the phone); another school's placement is not found."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Placement, PlacementStaff, Visit
from server.services.bootstrap import build_snapshot, refusal_to_send
from server.dates import school_today
from server.vocabulary import ROLES
from tests import payloads


def _visits():
    return db.session.execute(sa.select(sa.func.count()).select_from(Visit)).scalar()


def _unassign(placement):
    db.session.execute(sa.delete(PlacementStaff).where(PlacementStaff.placement_id == placement.id))
    db.session.commit()


def _send(api, placement, visit_id=None, **changes):
    body = dict(payloads.qa_visit(placement.uuid), **changes)
    return api.put(f"/api/visits/{visit_id or uuid.uuid4()}", json=body), body


def _assert_refused_and_not_kept(api, placement, code):
    """The phone's visit is refused with `code` (a 422 it parks) and the server keeps nothing."""
    before = _visits()
    response, _ = _send(api, placement)
    assert response.status_code == 422
    assert response.get_json()["code"] == code
    assert _visits() == before


def test_visiting_staff_may_not_send_a_visit_for_a_placement_they_are_not_assigned_to(api_as, demo):
    placement = demo.placements()[0]
    _unassign(placement)
    _assert_refused_and_not_kept(api_as("visiting_staff"), placement, "placement_not_assigned")


def test_a_whole_school_role_may_send_for_any_placement_of_the_school(api_as, demo):
    placement = demo.placements()[0]
    _unassign(placement)
    response, _ = _send(api_as("dsl"), placement)
    assert response.status_code == 201


def test_a_visit_captured_before_the_placement_ended_still_arrives(api_as, demo):
    placement = demo.placements()[0]
    today = school_today()
    placement.status, placement.end_date = "ended", today - timedelta(days=40)
    db.session.commit()
    api = api_as("visiting_staff")
    captured = (today - timedelta(days=41)).isoformat()
    response, _ = _send(api, placement, visit_date=captured)
    assert response.status_code == 201, response.get_json()
    on_the_day = placement.end_date.isoformat()
    assert _send(api, placement, visit_date=on_the_day)[0].status_code == 201


def test_a_visit_dated_after_the_placement_ended_is_refused(api_as, demo):
    placement = demo.placements()[0]
    today = school_today()
    placement.status, placement.end_date = "ended", today - timedelta(days=2)
    db.session.commit()
    _assert_refused_and_not_kept(api_as("ap_leader"), placement, "placement_ended_before_visit")


def test_a_correction_of_ones_own_visit_arrives_after_being_unassigned(api_as, demo):
    placement = demo.placements()[0]
    api = api_as("visiting_staff")
    visit_id = uuid.uuid4()
    first, body = _send(api, placement, visit_id)
    assert first.status_code == 201
    _unassign(placement)
    corrected = dict(body, base_version=1)
    corrected["answers"] = dict(body["answers"], findings={"value": "Settled; corrected the workshop name."})
    assert api.put(f"/api/visits/{visit_id}", json=corrected).status_code == 201


def test_another_schools_placement_is_not_found(api_as, demo):
    response, _ = _send(api_as("visiting_staff"), demo.placements("hillcrest")[0])
    assert response.status_code == 404


@pytest.mark.parametrize("role", [role for role in ROLES if role != "governor"])
def test_every_open_placement_the_phone_carries_may_be_sent_and_no_other(app, demo, role):
    """The rule and the bootstrap agree: a phone offers exactly the open placements it may send for."""
    user = demo.user(role)
    _unassign(demo.placements()[0])
    carried = {p.id for p in build_snapshot(user)["placements"]}
    today = school_today()
    for placement in db.session.execute(sa.select(Placement).where(
            Placement.school_id == demo.school().id, Placement.status.in_(("planned", "active")))).scalars():
        assert (refusal_to_send(user, placement, today) is None) == (placement.id in carried), placement.id
