"""Statutory partners through the API (§7.6, §8.8): a looked-after pupil's placement starts only
once the Virtual School Head and the social worker are recorded as consulted, who and when."""
from datetime import date, timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import Pupil
from tests.office_admin.admin_routes import BEFORE_START

START = (date.today() + timedelta(days=14)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()


def test_a_looked_after_pupils_placement_waits_for_the_virtual_school_and_social_worker(api_as, demo, unchanged):
    api = api_as("ap_leader")
    maya = db.session.execute(sa.select(Pupil).where(Pupil.school_id == demo.school().id,
                                                     Pupil.first_name == "Maya")).scalar_one()
    body = {"pupil_id": str(maya.uuid), "kind": "flexi_schooling", "start_date": START, "sessions": ["mon_am"],
            "head_decision_in_writing_on": PAST, "virtual_school_consulted_name": "Colin Reyes",
            "flexi_request_received_on": PAST, "flexi_home_educator": "Foster carer", "flexi_home_welfare": "Foster carer",
            **BEFORE_START}
    placement = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body).get_json()
    expected = ["Consult the Virtual School Head and record who and when (§7.6, §8.8).",
                "Consult the pupil's social worker and record who and when (§7.6)."]
    assert placement["activation_blockers"] == expected
    with unchanged():
        refused = api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"})
        assert refused.status_code == 422 and refused.get_json()["details"]["missing"] == expected
    change = {k: v for k, v in body.items() if k != "pupil_id"} | {
        "virtual_school_consulted_on": PAST, "social_worker_consulted_name": "Jordan Pryce",
        "social_worker_consulted_on": PAST}
    changed = api.put(f"/api/admin/placements/{placement['id']}", json=change).get_json()
    assert changed["activation_blockers"] == [] and changed["social_worker_consulted_name"] == "Jordan Pryce"
    assert api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"}).status_code == 200
