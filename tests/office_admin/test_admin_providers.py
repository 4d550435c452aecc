"""Providers: created and edited with their reports and expiring evidence, every change audited
with what it was and what it became, and the §7.2 warning when one must be registered and is not."""
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Provider
from tests.office_admin.admin_routes import provider
from tests.office_admin.conftest import page_text

FORM = {"name": "Riverbank Forest School", "registration_status": "registered_other", "urn": "2034567",
        "on_la_approved_list": "y", "full_time_pupils": "3", "website": "https://riverbank.example",
        "contact_name": "Jess Moor", "contact_phone": "01632 960777", "contact_email": "jess@riverbank.example",
        "reports-0-source": "ofsted", "reports-0-report_date": "2025-06-12", "reports-0-judgement": "Good",
        "reports-0-url": "https://reports.example/2034567",
        "evidence-0-kind": "insurance", "evidence-0-received_on": "2026-09-01", "evidence-0-expires_on": "2027-08-31",
        "evidence-1-kind": "staff_checks_confirmation", "evidence-1-description": "Letter from the head",
        "evidence-1-expires_on": "2026-12-01",
        "evidence-2-kind": "", "evidence-2-description": "", "evidence-2-expires_on": ""}


def saved(name):
    db.session.expire_all()
    return db.session.execute(sa.select(Provider).where(Provider.name == name)).scalar_one()


def test_a_provider_is_saved_with_its_reports_and_evidence(office_as, demo):
    response = office_as("ap_leader").post("/office/providers/new", data=FORM)
    assert response.status_code == 302
    riverbank = saved("Riverbank Forest School")
    assert (riverbank.registration_status, riverbank.urn, riverbank.on_la_approved_list,
            riverbank.full_time_pupils) == ("registered_other", "2034567", True, 3)
    assert [(r.source, r.judgement, r.report_date.isoformat()) for r in riverbank.reports] == [
        ("ofsted", "Good", "2025-06-12")]
    assert sorted((e.kind, e.expires_on.isoformat()) for e in riverbank.evidence) == [
        ("insurance", "2027-08-31"), ("staff_checks_confirmation", "2026-12-01")]
    assert riverbank.school_id == demo.school().id


def test_editing_evidence_keeps_what_is_unchanged_and_audits_old_and_new(office_as, demo):
    client = office_as("ap_leader")
    client.post("/office/providers/new", data=FORM)
    riverbank = saved("Riverbank Forest School")
    insurance_id = next(e.id for e in riverbank.evidence if e.kind == "insurance")
    edit = dict(FORM, **{"evidence-1-kind": "staff_checks_confirmation", "evidence-1-expires_on": "2027-12-01",
                         "full_time_pupils": "4", "on_la_approved_list": ""})
    del edit["on_la_approved_list"]  # an unticked box is not sent
    assert client.post(f"/office/providers/{riverbank.uuid}/edit", data=edit).status_code == 302
    riverbank = saved("Riverbank Forest School")
    assert next(e.id for e in riverbank.evidence if e.kind == "insurance") == insurance_id
    assert {e.kind: e.expires_on.isoformat() for e in riverbank.evidence}["staff_checks_confirmation"] == "2027-12-01"
    assert riverbank.on_la_approved_list is False
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "provider.changed")).scalar_one()
    changes = event.details["changes"]
    assert changes["full_time_pupils"] == [3, 4] and changes["on_la_approved_list"] == [True, False]
    before, after = changes["evidence"]
    assert {"kind": "staff_checks_confirmation", "description": "Letter from the head", "received_on": None,
            "expires_on": "2026-12-01", "file_uuid": None} in before
    assert event.actor_id == demo.user("ap_leader").id


def test_an_unregistered_provider_teaching_five_full_time_is_flagged_everywhere(office_as, api_as, demo):
    sparks = provider(demo, name="Bright Sparks Mechanics")
    client = office_as("ap_leader")
    assert "Must be registered" not in page_text(client.get("/office/providers"))
    form = {"name": sparks.name, "registration_status": "unregistered", "full_time_pupils": "5"}
    client.post(f"/office/providers/{sparks.uuid}/edit", data=form)
    listing = page_text(client.get("/office/providers"))
    assert "Must be registered: Bright Sparks Mechanics is not registered but teaches 5 pupils full time" in listing
    assert "do not use it and report it to the local authority" in page_text(
        client.get(f"/office/providers/{sparks.uuid}/edit"))
    body = api_as("trust_lead").get(f"/api/admin/providers/{sparks.uuid}").get_json()
    assert "5 pupils full time" in body["registration_warning"]


def test_the_list_shows_what_needs_attention(office_as, demo):
    listing = page_text(office_as("dsl").get("/office/providers"))
    assert "Bright Sparks Mechanics Unregistered None yet" in listing  # no risk assessment
    assert "Written confirmation of staff checks expires" in listing
    assert "Add a provider" not in listing, "the DSL reads providers; the AP leader changes them"


def test_clearing_a_report_row_removes_the_report(api_as, demo):
    oakfield = provider(demo)
    api = api_as("ap_leader")
    body = api.get(f"/api/admin/providers/{oakfield.uuid}").get_json()
    for name in ("id", "school_id", "registration_warning"):
        body.pop(name)
    body["reports"] = []
    response = api.put(f"/api/admin/providers/{oakfield.uuid}", json=body)
    assert response.status_code == 200 and response.get_json()["reports"] == []
    again = api.put(f"/api/admin/providers/{oakfield.uuid}", json=body)
    assert again.status_code == 200
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "provider.changed")).scalar() == 1, "saving the same record twice changes it once"
