"""A check's findings gate the start (§7.8): a provider check rated high, with the safeguarding
policy missing or no written confirmation of staff checks, becomes a risk assessment that does
not count until the headteacher approves its mitigations; a phone or online check of a provider
with premises is recorded but never counts. Checks are synced through the real API and signed
off in the office; the placement start is refused through the admin API."""
import io

import pytest
import sqlalchemy as sa

from office_review.conftest import audit_actions
from office_review.scenario import online_provider, provider_check_answers, send_visit
from server.dates import school_today
from server.extensions import db
from server.models import Provider, RiskAssessment
from server.services import start_gates
from tests import payloads
from tests.office_admin.admin_routes import ready_but_for_the_provider
from tests.office_admin.test_paper_evidence import pdf_bytes

PREMISES_PROVIDER = "Oakfield Independent School"
PREMISES_ITEMS = ("site_security", "fire_safety", "toilets_washing", "protective_equipment", "catering",
                  "general_condition")


def premises_provider(demo):
    return db.session.execute(sa.select(Provider).where(
        Provider.school_id == demo.school().id, Provider.name == PREMISES_PROVIDER)).scalar_one()


def check(phone, provider, mode="online", **answers):
    """A provider check as the phone sends it, with `answers` replacing the scenario's values."""
    given = provider_check_answers() | {key: {"value": value} for key, value in answers.items()}
    if mode == "in_person":
        del given["online_only_provider"]  # the form shows that question only for a remote check
        # The premises questions are asked in person; "not needed here" needs no photo.
        given |= {key: {"value": "na"} for key in PREMISES_ITEMS}
    if given["risk_rating"]["value"] in ("medium", "high"):
        actions = [payloads.action("Agree what must change", due=payloads.days_from_today(10)) | {"item_key": "risk_rating"}]
    else:
        actions = []
    for key in ("online_only_provider", "policy_safeguarding", "staff_checks_confirmed", "policy_anti_bullying"):
        if key in given and given[key]["value"] in ("missing", "weak", "no"):
            given[key]["note"] = "Not seen on the day."
            actions.append(payloads.action(f"Follow up {key}", due=payloads.days_from_today(10)) | {"item_key": key})
    visit_uuid, _ = send_visit(phone, payloads.provider_check(provider.uuid, given, actions, mode=mode))
    return visit_uuid


def signed_off(phone, office_as, provider, mode="online", **answers):
    visit_uuid = check(phone, provider, mode, **answers)
    response = office_as("ap_leader").post(f"/office/review/{visit_uuid}/sign-off",
                                           data={"version": "1", "accept_incomplete": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    return db.session.execute(sa.select(RiskAssessment).where(RiskAssessment.provider_id == provider.id)
                              .order_by(RiskAssessment.id.desc())).scalars().first()


@pytest.fixture
def leader_api(api_as):
    return api_as("ap_leader")


def start(api, placement):
    return api.post(f"/api/admin/placements/{placement.uuid}/status", json={"status": "active"})


def record_page(office_as, role, provider):
    return office_as(role).get(f"/office/providers/{provider.uuid}/record").get_data(as_text=True)


# ---- the rule on its own --------------------------------------------------------------------

@pytest.mark.parametrize("rating, answers, expected", [
    ("low", {}, []),
    ("medium", {"policy_safeguarding": {"value": "weak"}, "staff_checks_confirmed": {"value": "yes"}}, []),
    ("high", {}, ["rated high risk"]),
    ("low", {"policy_safeguarding": {"value": "missing"}}, ["safeguarding policy missing"]),
    ("low", {"staff_checks_confirmed": {"value": "no"}}, ["no written confirmation of staff checks"]),
    ("high", {"policy_safeguarding": {"value": "missing"}, "staff_checks_confirmed": {"value": "no"}},
     ["rated high risk", "safeguarding policy missing", "no written confirmation of staff checks"]),
])
def test_the_findings_that_gate_the_start(rating, answers, expected):
    assert start_gates.findings(rating, answers) == expected


@pytest.mark.parametrize("status, mode, counts", [
    ("registered_independent_school", "in_person", True),
    ("registered_independent_school", "phone", False),
    ("unregistered", "online", False),
    ("on_site_unit", "phone", False),
    ("online_only", "online", True),
    ("online_only", "phone", True),
    ("online_only", "in_person", True),
])
def test_only_an_online_only_provider_may_be_checked_by_phone_or_online(status, mode, counts):
    provider = Provider(name="Brook Farm", registration_status=status)
    refusal = start_gates.mode_refusal(provider, mode)
    assert (refusal is None) == counts
    if not counts:
        assert "Brook Farm has premises" in refusal and "§7.8" in refusal


# ---- findings that need the headteacher's approval ------------------------------------------

@pytest.mark.parametrize("answers, finding", [
    ({"risk_rating": "high"}, "rated high risk"),
    ({"policy_safeguarding": "missing"}, "safeguarding policy missing"),
    ({"staff_checks_confirmed": "no"}, "no written confirmation of staff checks"),
])
def test_a_gating_finding_stops_the_start_until_the_headteacher_approves_mitigations(
        demo, phone, office_as, leader_api, answers, finding):
    provider = online_provider(demo.school())
    assessment = signed_off(phone, office_as, provider, **answers)
    assert finding in assessment.gate_findings and assessment.mitigations_approved_at is None
    placement = ready_but_for_the_provider(demo, provider)

    refused = start(leader_api, placement)
    assert refused.status_code == 422 and refused.get_json()["code"] == "placement_not_ready"
    (blocker,) = refused.get_json()["details"]["missing"]
    assert finding in blocker and "headteacher" in blocker and "§7.8" in blocker
    page = record_page(office_as, "ap_leader", provider)
    assert "Not valid yet" in page and "Approve the mitigations" not in page

    approved = office_as("headteacher").post(f"/office/providers/{provider.uuid}/mitigations",
                                             data={"mitigations": "Policy received and read by the DSL."})
    assert approved.status_code == 302
    db.session.expire_all()
    assessment = db.session.get(RiskAssessment, assessment.id)
    assert assessment.mitigations == "Policy received and read by the DSL."
    assert assessment.mitigations_approved_by_id == demo.user("headteacher").id
    assert assessment.mitigations_approved_at is not None
    (event,) = audit_actions("risk_assessment.mitigations_approved", assessment.uuid)
    assert event.actor_id == demo.user("headteacher").id
    assert "Policy received and read by the DSL." in record_page(office_as, "ap_leader", provider)
    assert start(leader_api, placement).status_code == 200


@pytest.mark.parametrize("role", ["ap_leader", "admin", "dsl", "trust_lead"])
def test_only_the_headteacher_approves_mitigations(demo, phone, office_as, role):
    provider = online_provider(demo.school())
    assessment = signed_off(phone, office_as, provider, risk_rating="high")
    response = office_as(role).post(f"/office/providers/{provider.uuid}/mitigations",
                                    data={"mitigations": "All sorted."})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(RiskAssessment, assessment.id).mitigations_approved_at is None
    assert not audit_actions("risk_assessment.mitigations_approved")


def test_a_headteacher_of_another_school_cannot_approve(demo, phone, office_as):
    provider = online_provider(demo.school())
    signed_off(phone, office_as, provider, risk_rating="high")
    response = office_as("headteacher", "hillcrest").post(f"/office/providers/{provider.uuid}/mitigations",
                                                          data={"mitigations": "All sorted."})
    assert response.status_code == 404
    assert not audit_actions("risk_assessment.mitigations_approved")


def test_approving_without_mitigations_or_without_findings_is_refused_and_changes_nothing(demo, phone, office_as):
    provider = online_provider(demo.school())
    head = office_as("headteacher")
    assert "Approve the mitigations" not in record_page(office_as, "headteacher", provider)
    refused = head.post(f"/office/providers/{provider.uuid}/mitigations", data={"mitigations": "Fine."})
    assert refused.status_code == 422 and "no findings awaiting mitigation" in refused.get_data(as_text=True)
    assessment = signed_off(phone, office_as, provider, risk_rating="high")
    assert "Approve the mitigations" in record_page(office_as, "headteacher", provider)
    refused = head.post(f"/office/providers/{provider.uuid}/mitigations", data={"mitigations": "   "})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(RiskAssessment, assessment.id).mitigations is None
    assert not audit_actions("risk_assessment.mitigations_approved")


def test_a_paper_check_rated_high_needs_mitigations_too(demo, office_as):
    provider = online_provider(demo.school())
    response = office_as("ap_leader").post(f"/office/providers/{provider.uuid}/existing-check", data={
        "assessed_on": school_today().isoformat(), "assessed_by": "Former AP lead", "rating": "high",
        "file": (io.BytesIO(pdf_bytes()), "check.pdf")})
    assert response.status_code == 302
    db.session.expire_all()
    assessment = db.session.execute(sa.select(RiskAssessment).where(
        RiskAssessment.provider_id == provider.id, RiskAssessment.assessed_by.is_not(None))).scalar_one()
    assert assessment.gate_findings == "rated high risk"
    assert "Not valid yet" in record_page(office_as, "ap_leader", provider)


# ---- how the check was done ------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["phone", "online"])
def test_a_remote_check_of_a_provider_with_premises_is_recorded_but_does_not_count(
        demo, phone, office_as, leader_api, mode):
    provider = premises_provider(demo)
    assessment = signed_off(phone, office_as, provider, mode=mode, online_only_provider="no")
    assert "has premises" in assessment.not_valid_reason
    placement = ready_but_for_the_provider(demo, provider)
    refused = start(leader_api, placement)
    assert refused.status_code == 422 and refused.get_json()["code"] == "placement_not_ready"
    (blocker,) = refused.get_json()["details"]["missing"]
    assert "does not count" in blocker and "in-person" in blocker and "§7.8" in blocker
    assert "Does not count" in record_page(office_as, "ap_leader", provider)
    # No approval lifts it: only a new in-person check does.
    refused = office_as("headteacher").post(f"/office/providers/{provider.uuid}/mitigations",
                                            data={"mitigations": "We trust them."})
    assert refused.status_code == 422
    signed_off(phone, office_as, provider, mode="in_person")
    assert start(leader_api, placement).status_code == 200


def test_an_online_only_provider_may_be_checked_online(demo, phone, office_as, leader_api):
    provider = online_provider(demo.school())
    assessment = signed_off(phone, office_as, provider, mode="online")
    assert assessment.not_valid_reason is None and assessment.gate_findings is None
    assert start(leader_api, ready_but_for_the_provider(demo, provider)).status_code == 200


def test_the_phone_due_list_and_the_to_do_show_the_gate(demo, phone, office_as, leader_api):
    provider = online_provider(demo.school())
    signed_off(phone, office_as, provider, risk_rating="high")
    placement = ready_but_for_the_provider(demo, provider)
    home = office_as("ap_leader").get("/office/").get_data(as_text=True)
    assert "approved by the headteacher before a placement starts (§7.8)" in home
    snapshot = leader_api.get("/api/bootstrap").get_json()
    (held,) = [p for p in snapshot["placements"] if p["id"] == str(placement.uuid)]
    assert any(item["kind"] == "risk_assessment" and "rated high risk" in item["label"] for item in held["due"])
