"""School settings: term dates (a whole year in one form, pre-filled), the key contacts every
phone shows, and the local authority. Each change is audited and reaches phones on their next pull."""
from datetime import date, timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, TermPeriod
from server.services.school_settings import usual_term_dates
from tests.office_admin.admin_routes import term_form, term_json
from tests.office_admin.conftest import page_text


def audit_events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def test_a_year_without_term_dates_is_offered_the_usual_pattern_and_saved_in_one_form(office_as, demo):
    client = office_as("ap_leader")
    page = client.get("/office/settings?year=2030")
    assert "Not saved yet" in page_text(page)
    assert 'value="2030-09-02"' in page.get_data(as_text=True)  # the first weekday from 2 September
    response = client.post("/office/settings/terms", data=term_form(2030))
    assert response.status_code == 302
    saved = db.session.execute(sa.select(TermPeriod).where(
        TermPeriod.school_id == demo.school().id, TermPeriod.academic_year == 2030)
        .order_by(TermPeriod.starts_on)).scalars().all()
    assert [(p.term, p.half, p.starts_on, p.ends_on) for p in saved] == [
        (h["term"], h["half"], h["starts_on"], h["ends_on"]) for h in usual_term_dates(2030)]
    assert "Not saved yet" not in page_text(client.get("/office/settings?year=2030"))
    event = audit_events("school.term_dates_changed")[-1]
    assert event.details["academic_year"] == 2030 and event.details["changes"]["autumn_1"]["starts_on"][0] is None


def test_the_usual_pattern_follows_easter_and_the_bank_holidays():
    halves = {(h["term"], h["half"]): h for h in usual_term_dates(2025)}
    assert halves[("spring", 2)]["ends_on"].isoformat() == "2026-03-27"  # Easter Sunday is 5 April 2026
    assert halves[("summer", 1)]["starts_on"].isoformat() == "2026-04-13"
    assert halves[("summer", 1)]["ends_on"].isoformat() == "2026-05-22"  # spring bank holiday 25 May
    assert halves[("autumn", 1)]["ends_on"].isoformat() == "2025-10-24"
    assert all(h["starts_on"].weekday() < 5 and h["ends_on"].weekday() < 5 for h in halves.values())


def test_changing_one_half_term_changes_only_that_one_and_reaches_the_phone(office_as, api_as, demo):
    phone = api_as("visiting_staff")
    form = term_form(2030)
    office_as("ap_leader").post("/office/settings/terms", data=form)
    first = phone.get("/api/bootstrap").get_json()
    held = f"since={first['cursor']}&due_as_of={first['due_as_of']}"
    before = len(audit_events("school.term_dates_changed"))
    office_as("ap_leader").post("/office/settings/terms", data=form)
    assert len(audit_events("school.term_dates_changed")) == before, "saving the same dates changes nothing"
    assert phone.get(f"/api/bootstrap?{held}").get_json()["unchanged"] is True
    office_as("ap_leader").post("/office/settings/terms", data=dict(form, **{"halves-1-ends_on": "2030-12-17"}))
    change = audit_events("school.term_dates_changed")[-1].details["changes"]
    assert change == {"autumn_2": {"ends_on": [form["halves-1-ends_on"], "2030-12-17"]}}
    snapshot = phone.get(f"/api/bootstrap?{held}").get_json()
    assert not snapshot["unchanged"]
    assert {"academic_year": 2030, "term": "autumn", "half": 2, "starts_on": form["halves-1-starts_on"],
            "ends_on": "2030-12-17"} in snapshot["schools"][0]["term_periods"]


def test_key_contacts_reach_phones_and_a_removed_one_disappears_from_them(office_as, api_as, demo):
    phone = api_as("visiting_staff")
    first = phone.get("/api/bootstrap").get_json()
    response = office_as("ap_leader").post("/office/settings/contacts", data={
        "contacts-0-role": "dsl", "contacts-0-name": "Tom Ellery", "contacts-0-phone": "01632 960999",
        "contacts-1-role": "deputy_dsl", "contacts-1-name": "", "contacts-1-phone": "",
        "contacts-2-role": "virtual_school_head", "contacts-2-name": "Colin Reyes",
        "contacts-2-phone": "01632 960004", "contacts-2-email": "vsh@la.example"})
    assert response.status_code == 302
    snapshot = phone.get(f"/api/bootstrap?since={first['cursor']}&due_as_of={first['due_as_of']}").get_json()
    contacts = {c["role"]: c for c in snapshot["schools"][0]["key_contacts"]}
    assert set(contacts) == {"dsl", "virtual_school_head"}, "the deputy's row was left empty: removed"
    assert contacts["dsl"]["phone"] == "01632 960999" and contacts["virtual_school_head"]["email"] == "vsh@la.example"
    changes = audit_events("school.key_contacts_changed")[-1].details["changes"]
    assert changes["deputy_dsl"][1] is None and changes["dsl"][1]["phone"] == "01632 960999"
    assert "attendance_officer" in changes


def test_the_local_authority_settings_are_saved_and_audited_with_old_and_new(office_as, api_as, demo):
    office_as("headteacher").post("/office/settings/school", data={
        "local_authority": "Northshire Council", "la_notifications_email": "AP@northshire.example"})
    school = demo.school()
    db.session.refresh(school)
    assert school.local_authority == "Northshire Council"
    changes = audit_events("school.settings_changed")[-1].details["changes"]
    assert changes["local_authority"] == ["Northshire County Council", "Northshire Council"]
    api = api_as("trust_lead")
    assert api.get(f"/api/admin/schools/{school.uuid}").get_json()["local_authority"] == "Northshire Council"


def test_a_trust_lead_reads_the_settings_without_a_way_to_change_them(office_as, demo):
    page = office_as("trust_lead").get("/office/settings")
    assert page.status_code == 200
    assert "You can read these settings" in page_text(page)
    assert "Save key contacts" not in page_text(page)


def test_inset_days_are_saved_with_the_term_dates_and_a_day_outside_them_is_refused(office_as, api_as, demo,
                                                                                     unchanged):
    api = api_as("ap_leader")
    path = f"/api/admin/schools/{demo.school().uuid}/term-dates"
    body = term_json(2030)
    autumn_start = date.fromisoformat(body["halves"][0]["starts_on"])
    days = [autumn_start.isoformat(), (autumn_start + timedelta(days=1)).isoformat()]
    saved = api.put(path, json=dict(body, inset_days=days))
    assert saved.status_code == 200 and saved.get_json()["inset_days"] == days
    assert api.get(f"{path}/2030").get_json()["inset_days"] == days
    assert audit_events("school.inset_days_changed")[-1].details["changes"] == {"added": days, "removed": []}
    with unchanged():
        for wrong in ("2030-08-10",                      # in the summer holiday
                      next_saturday(autumn_start)):      # a weekend
            refused = api.put(path, json=dict(body, inset_days=[wrong]))
            assert refused.status_code == 422 and refused.get_json()["code"] == "validation_failed"
            assert "inset_days" in refused.get_json()["details"]
    # Leaving them out of the payload keeps them; the office form replaces them.
    assert api.put(path, json=body).get_json()["inset_days"] == days
    form = term_form(2030)
    client = office_as("ap_leader")
    assert client.get("/office/settings?year=2030").status_code == 200
    assert days[0] in client.get("/office/settings?year=2030").get_data(as_text=True)
    response = client.post("/office/settings/terms", data={**form, "inset_days": [days[1], ""]})
    assert response.status_code == 302
    assert api.get(f"{path}/2030").get_json()["inset_days"] == days[1:]


def test_a_half_term_starting_on_a_saturday_or_sunday_is_refused(office_as, api_as, demo, unchanged):
    api = api_as("ap_leader")
    body = term_json(2030)
    saturday = next_saturday(date.fromisoformat(body["halves"][2]["starts_on"]))
    body["halves"][2]["starts_on"] = saturday
    with unchanged():
        refused = api.put(f"/api/admin/schools/{demo.school().uuid}/term-dates", json=body)
        assert refused.status_code == 422 and refused.get_json()["code"] == "validation_failed"
        assert "starts_on" in refused.get_json()["details"]["halves"]["2"]
        form = dict(term_form(2030), **{"halves-2-starts_on": (date.fromisoformat(saturday) + timedelta(days=1))
                                         .isoformat()})
        response = office_as("ap_leader").post("/office/settings/terms", data=form)
        assert response.status_code == 422 and "Sunday" in page_text(response)


def next_saturday(day):
    return (day + timedelta(days=(5 - day.weekday()) % 7)).isoformat()
