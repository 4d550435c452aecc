"""Importing pupils from a messy MIS export: a byte-order mark, extra columns, blank lines, bad
and British dates, duplicates and every way of writing yes and no. The dry run says what will be
added, changed and rejected (line by line, and why); applying does exactly that, all or nothing;
importing the same file again changes nothing."""
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Pupil
from server.schemas.admin_pupils import PupilRecordSchema
from server.services import pupil_import
from server.services.refusal import Refused
from tests.office_admin.conftest import page_text


def messy_export(demo):
    alfie = db.session.execute(sa.select(Pupil).where(Pupil.mis_id == "MIS00000")).scalar_one()
    born = alfie.date_of_birth.strftime("%d/%m/%Y")
    return ("\ufeffAdmission No,Legal Forename,Legal Surname,Date of Birth,NC Year,EHC Plan,LAC,FSM,Tutor Group,"
            "House\r\n"
            "\r\n"
            f"MIS00000,Alfie,Brennan,{born},Year 11,Yes,N,0,11B,Oak\r\n"       # line 3: year 10 → 11
            "N001,Zara,Okonkwo,03/04/2012,9,Y,No,1,9A,Ash,an extra cell\r\n"   # line 4: new
            "N002,Leo,Park,2011-09-15,10,no,TRUE,yes,10C,Elm\r\n"              # line 5: new, ISO date
            "N003,Ivy,Stone,31/02/2012,9,N,N,N,9A,Ash\r\n"                     # line 6: no 31 February
            "N004,Max,Reed,2012-13-01,9,N,N,N,9A,Ash\r\n"                      # line 7: no month 13
            "N005,Ola,Voss,14/05/12,9,N,N,N,9A,Ash\r\n"                        # line 8: two-digit year
            "N006,Pia,Wren,01/06/2012,9,maybe,N,N,9A,Ash\r\n"                  # line 9: not yes or no
            "N002,Leo,Park,2011-09-15,10,no,TRUE,yes,10C,Elm\r\n"              # line 10: repeats line 5
            "N007,Ana,Bell,01/01/2012,8,N,N,N,8A,Ash\r\n"                      # line 11: N007 twice,
            "N007,Ana,Bell,02/01/2012,8,N,N,N,8A,Ash\r\n"                      # line 12: different birthdays
            ",No,Id,01/01/2012,8,N,N,N,,\r\n"                                  # line 13: no MIS id
            "\r\n\r\n").encode("utf-8")


def upload(client, raw, name="export.csv"):
    response = client.post("/office/pupils/import", data={"file": (io.BytesIO(raw), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:500]
    return response.headers["Location"]


def guessed_mapping(client, step):
    html = client.get(step).get_data(as_text=True)
    mapping = {}
    for name, options in re.findall(r'name="(mapping-\w+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        if chosen:
            mapping[name] = chosen.group(1)
    return mapping


def preview(client, step, mapping):
    response = client.post(step, data={**mapping, "action": "preview"})
    assert response.status_code == 200, page_text(response)[:500]
    fingerprint = re.search(r'name="fingerprint" value="(\w+)"', response.get_data(as_text=True)).group(1)
    return page_text(response), fingerprint


def pupil_rows():
    db.session.expire_all()
    return {p.mis_id: (p.first_name, p.last_name, p.date_of_birth.isoformat(), p.year_group, p.ehcp,
                       p.looked_after, p.fsm_eligible, p.change_seq)
            for p in db.session.execute(sa.select(Pupil)).scalars()}


def test_a_messy_export_is_previewed_line_by_line_then_applied_and_a_second_import_changes_nothing(
        office_as, demo, unchanged):
    client = office_as("ap_leader")
    step = upload(client, messy_export(demo))
    mapping = guessed_mapping(client, step)
    assert mapping == {"mapping-mis_id": "Admission No", "mapping-first_name": "Legal Forename",
                       "mapping-last_name": "Legal Surname", "mapping-date_of_birth": "Date of Birth",
                       "mapping-year_group": "NC Year", "mapping-ehcp": "EHC Plan", "mapping-looked_after": "LAC",
                       "mapping-fsm_eligible": "FSM"}
    with unchanged():
        text, fingerprint = preview(client, step, mapping)
    assert "2 to add 1 to change 0 already up to date 8 rejected" in text
    for expected in ["6 N003 Ivy Stone Date of birth: 31/02/2012 is not a real date.",
                     "7 N004 Max Reed Date of birth: 2012-13-01 is not a real date.",
                     "8 N005 Ola Voss Date of birth “14/05/12”: Write the year in full: dd/mm/yyyy.",
                     "9 N006 Pia Wren EHCP “maybe”: Write Yes or No.",
                     "10 N002 Leo Park repeats line 5 exactly; line 5 is used",
                     "11 N007 Ana Bell MIS id N007 is on lines 11 and 12 with different details",
                     "12 N007 Ana Bell MIS id N007 is on lines 11 and 12 with different details",
                     "13 — No Id MIS id: This is required",
                     "3 Alfie Brennan MIS00000 Year group: 10 → 11"]:
        assert expected in text, expected

    response = client.post(step, data={**mapping, "action": "apply", "fingerprint": fingerprint})
    assert response.status_code == 302
    rows = pupil_rows()
    assert rows["N001"][:7] == ("Zara", "Okonkwo", "2012-04-03", 9, True, False, True)
    assert rows["N002"][:7] == ("Leo", "Park", "2011-09-15", 10, False, True, True)
    assert rows["MIS00000"][3] == 11 and rows["MIS00000"][4] is True
    assert not {"N003", "N004", "N005", "N006", "N007", None} & set(rows)
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "pupil_import.applied")
                              ).scalar_one().details == {"created": 2, "changed": 1, "unchanged": 0, "rejected": 8}

    with unchanged():
        again = upload(client, messy_export(demo))
        text, fingerprint = preview(client, again, guessed_mapping(client, again))
        assert "0 to add 0 to change 3 already up to date 8 rejected" in text
        assert "There is nothing to import" in text


def test_the_upload_belongs_to_the_session_that_made_it(office_as, demo):
    step = upload(office_as("ap_leader"), messy_export(demo))
    assert office_as("ap_leader").get(step).status_code == 404
    assert office_as("headteacher").post(step, data={"action": "preview"}).status_code == 404


def test_apply_reparses_the_kept_file_and_refuses_a_plan_that_moved(office_as, demo, unchanged):
    client = office_as("ap_leader")
    step = upload(client, messy_export(demo))
    mapping = guessed_mapping(client, step)
    _, fingerprint = preview(client, step, mapping)
    # The browser sends back only the mapping; changing it changes the plan, which is refused.
    tampered = dict(mapping, **{"mapping-first_name": "Legal Surname", "mapping-last_name": "Legal Forename"})
    with unchanged():
        response = client.post(step, data={**tampered, "action": "apply", "fingerprint": fingerprint})
        assert response.status_code == 409 and "Something changed since you checked" in page_text(response)
    # So is a plan overtaken by another change to the pupils.
    db.session.execute(sa.update(Pupil).where(Pupil.mis_id == "MIS00000").values(year_group=11))
    db.session.commit()
    with unchanged():
        response = client.post(step, data={**mapping, "action": "apply", "fingerprint": fingerprint})
        assert response.status_code == 409


def test_a_windows_export_with_semicolons_is_read(office_as, demo):
    client = office_as("ap_leader")
    raw = "UPN;Forename;Surname;DOB;Year\r\nW1;Zoë;Brontë;7/3/2013;R\r\n".encode("cp1252")
    step = upload(client, raw)
    text, fingerprint = preview(client, step, guessed_mapping(client, step))
    assert "1 to add" in text and "Zoë Brontë" in text
    client.post(step, data={**guessed_mapping(client, step), "action": "apply", "fingerprint": fingerprint})
    assert pupil_rows()["W1"][:4] == ("Zoë", "Brontë", "2013-03-07", 0)


def test_the_api_import_dry_runs_applies_and_refuses_a_stale_fingerprint(api_as, demo, unchanged):
    api = api_as("ap_leader")
    path = f"/api/admin/schools/{demo.school().uuid}/pupil-imports"
    body = {"csv_text": messy_export(demo).decode("utf-8"), "mapping": {
        "mis_id": "Admission No", "first_name": "Legal Forename", "last_name": "Legal Surname",
        "date_of_birth": "Date of Birth", "year_group": "NC Year"}}
    with unchanged():
        plan = api.post(path, json=body).get_json()
    assert plan["applied"] is False and [r["mis_id"] for r in plan["created"]] == ["N001", "N002", "N006"]
    assert plan["changed"][0]["changes"] == {"year_group": [10, 11]}
    assert {r["row"] for r in plan["rejected"]} == {6, 7, 8, 10, 11, 12, 13}
    with unchanged():
        stale = api.post(path, json=dict(body, apply=True, fingerprint="0" * 32))
        assert stale.status_code == 409 and stale.get_json()["details"]["fingerprint"] == plan["fingerprint"]
    applied = api.post(path, json=dict(body, apply=True, fingerprint=plan["fingerprint"])).get_json()
    assert applied["applied"] is True
    with unchanged():
        again = api.post(path, json=dict(body, apply=True)).get_json()
    assert (len(again["created"]), len(again["changed"]), len(again["unchanged"])) == (0, 0, 4)


def test_an_import_that_fails_part_way_writes_nothing(app, demo):
    school = demo.school()
    csv_file = pupil_import.read_csv(b"MIS id,First,Last,DOB,Year\nA1,Ann,One,01/01/2012,9\nA2,Bob,Two,01/01/2012,9\n")
    plan = pupil_import.plan_import(school, csv_file, {"mis_id": "MIS id", "first_name": "First", "last_name": "Last",
                                                       "date_of_birth": "DOB", "year_group": "Year"})
    plan.created[1]["values"]["year_group"] = 99  # past the schema: only the database can refuse it now
    before = pupil_rows()
    with pytest.raises(Exception):
        pupil_import.apply_import(school, plan, demo.user("ap_leader"))
        db.session.commit()
    db.session.rollback()
    assert pupil_rows() == before


def test_an_import_row_is_accepted_exactly_when_the_pupil_form_would_accept_it():
    schema = PupilRecordSchema(only=("first_name", "last_name", "date_of_birth", "year_group", "ehcp"))
    for ehcp in ("Yes", "yes", "Y", "y", "1", "TRUE", "true", "No", "N", "0", "FALSE", ""):
        schema.load({"first_name": "A", "last_name": "B", "date_of_birth": "01/02/2012", "year_group": "Y9",
                     "ehcp": ehcp})
    loaded = schema.load({"first_name": "A", "last_name": "B", "date_of_birth": "2012-02-01", "year_group": "9",
                          "ehcp": "Yes"})
    assert loaded["date_of_birth"].isoformat() == "2012-02-01" and loaded["ehcp"] is True


def test_the_kept_file_is_deleted_once_applied_or_replaced(office_as, app, demo):
    kept = lambda: sorted(p.name for p in (Path(app.config["DATA_DIR"]) / "pupil-imports").glob("*.csv"))  # noqa: E731
    client = office_as("ap_leader")
    first = upload(client, messy_export(demo))
    second = upload(client, messy_export(demo))
    assert kept() == [second.rsplit("/", 1)[1] + ".csv"], "a new upload replaces the session's last one"
    assert client.get(first).status_code == 404
    mapping = guessed_mapping(client, second)
    _, fingerprint = preview(client, second, mapping)
    client.post(second, data={**mapping, "action": "apply", "fingerprint": fingerprint})
    assert kept() == []


FIXTURES = Path(__file__).parent / "fixtures"
# What each MIS's export (invented pupils) is matched to, and what the pupils become:
# (mis id, first, last, year, ehcp, send support, looked after, has a social worker, fsm, social worker).
MIS_EXPORTS = {
    "sims.csv": (
        {"mis_id": "UPN", "first_name": "Legal Forename", "last_name": "Legal Surname", "date_of_birth": "DOB",
         "year_group": "Year", "sen_status": "SEN Status", "looked_after": "In Care",
         "child_protection_plan": "Child Protection Plan", "has_social_worker": "Social Worker",
         "fsm_eligible": "FSM Eligible"},
        [("A900000000001", "Tilly", "Ashdown", 9, True, False, False, True, True, None),
         ("A900000000002", "Kofi", "Birchall", 10, False, True, True, True, False, None),
         ("A900000000003", "Noor", "Corrigan", 10, False, False, False, True, False, None)]),
    "arbor.csv": (
        {"mis_id": "UPN", "first_name": "First Name", "last_name": "Last Name", "date_of_birth": "Date of Birth",
         "year_group": "Year Group", "sen_status": "SEN Status", "looked_after": "Looked After",
         "child_in_need": "Child in Need", "fsm_eligible": "Eligible for FSM",
         "social_worker_name": "Social Worker", "social_worker_phone": "Social Worker Phone"},
        [("B900000000001", "Aurelia", "Dunmore", 9, True, False, True, True, True, "Priya Halloran"),
         ("B900000000002", "Bram", "Ellery", 10, False, True, False, True, False, None),
         ("B900000000003", "Cass", "Fenwick", 10, False, False, False, False, False, None)]),
    "bromcom.csv": (
        {"mis_id": "Adm No", "first_name": "Legal Forename", "last_name": "Legal Surname",
         "date_of_birth": "Date Of Birth", "year_group": "NC Year", "sen_status": "SEN Status",
         "looked_after": "Child Looked After", "child_protection_plan": "CP Plan", "child_in_need": "CIN",
         "has_social_worker": "Social Worker", "fsm_eligible": "FSM"},
        [("C1001", "Delphine", "Garside", 7, False, False, False, True, True, None),
         ("C1002", "Ezra", "Holloway", 7, False, True, False, False, False, None),
         ("C1003", "Farah", "Ingram", 8, True, False, True, True, False, None)]),
}


def imported(mis_ids):
    db.session.expire_all()
    return [(p.mis_id, p.first_name, p.last_name, p.year_group, p.ehcp, p.send_support, p.looked_after,
             p.has_social_worker, p.fsm_eligible, p.social_worker_name)
            for p in db.session.execute(sa.select(Pupil).where(Pupil.mis_id.in_(mis_ids)).order_by(Pupil.mis_id))
            .scalars()]


@pytest.mark.parametrize("export", sorted(MIS_EXPORTS))
def test_sims_arbor_and_bromcom_exports_are_matched_by_heading_and_values_and_imported(office_as, demo, export):
    expected_mapping, expected_pupils = MIS_EXPORTS[export]
    client = office_as("ap_leader")
    step = upload(client, (FIXTURES / export).read_bytes(), export)
    mapping = guessed_mapping(client, step)
    assert mapping == {f"mapping-{name}": heading for name, heading in expected_mapping.items()}
    _, fingerprint = preview(client, step, mapping)
    assert client.post(step, data={**mapping, "action": "apply", "fingerprint": fingerprint}).status_code == 302
    assert imported([row[0] for row in expected_pupils]) == expected_pupils


def test_a_yes_no_social_worker_column_is_the_flag_never_the_name(office_as, demo):
    client = office_as("ap_leader")
    step = upload(client, (FIXTURES / "sims.csv").read_bytes())
    assert guessed_mapping(client, step)["mapping-has_social_worker"] == "Social Worker"
    # Matched to the name by hand, every "Yes" and "No" is refused with its reason.
    mapping = {**guessed_mapping(client, step), "mapping-has_social_worker": "",
               "mapping-social_worker_name": "Social Worker"}
    text, _ = preview(client, step, mapping)
    assert "0 to add 0 to change 0 already up to date 4 rejected" in text
    assert "2 A900000000001 Tilly Ashdown Social worker's name: “Yes” is a Yes/No answer, not a name." in text


def test_the_sen_status_codes_e_k_and_n_set_the_ehcp_and_sen_support_flags(office_as, demo):
    client = office_as("ap_leader")
    step = upload(client, (FIXTURES / "sims.csv").read_bytes())
    text, _ = preview(client, step, guessed_mapping(client, step))
    assert "5 A900000000004 Rex Dalby SEN status (E, K or N) “X”: Write E (EHC plan), K (SEN support) or N (none)." \
        in text
    assert "3 to add" in text
    response = client.post(step, data={**guessed_mapping(client, step), "mapping-ehcp": "In Care",
                                       "action": "preview"})
    assert response.status_code == 422 and "SEN status already gives EHCP and SEN support" in page_text(response)


def test_the_dry_run_shows_every_field_each_pupil_gets_and_every_change_old_to_new(office_as, demo, unchanged):
    client = office_as("ap_leader")
    alfie = db.session.execute(sa.select(Pupil).where(Pupil.mis_id == "MIS00000")).scalar_one()
    raw = ("UPN,Forename,Surname,DOB,Year,SEN Status,In Care,Social Worker\n"
           f"MIS00000,Alfie,Brennan,{alfie.date_of_birth:%d/%m/%Y},10,K,No,Yes\n"
           "A900000000009,Tilly,Ashdown,14/03/2012,9,E,Yes,No\n").encode()
    step = upload(client, raw)
    with unchanged():
        text, _ = preview(client, step, guessed_mapping(client, step))
    assert ("A900000000009 Date of birth: 2012-03-14 Year group: 9 EHCP: Yes Looked after: Yes "
            "Has a social worker: No SEN support: No") in text
    assert "MIS00000 EHCP: Yes → No Has a social worker: No → Yes" in text


def test_an_import_overtaken_part_way_by_another_change_writes_nothing_and_says_so(app, demo):
    school = demo.school()
    csv_file = pupil_import.read_csv(b"MIS id,First,Last,DOB,Year\nA1,Ann,One,01/01/2012,9\nA2,Bob,Two,01/01/2012,9\n")
    plan = pupil_import.plan_import(school, csv_file, {"mis_id": "MIS id", "first_name": "First", "last_name": "Last",
                                                       "date_of_birth": "DOB", "year_group": "Year"})
    # After the dry run, a colleague adds pupil A2 by hand: A1 would be written, then A2 clash.
    db.session.add(Pupil(school=school, mis_id="A2", first_name="Bob", last_name="Two",
                         date_of_birth=plan.created[1]["values"]["date_of_birth"], year_group=9))
    db.session.commit()
    before = pupil_rows()
    with pytest.raises(Refused) as refused:
        pupil_import.apply_import(school, plan, demo.user("ap_leader"))
    assert refused.value.code == "conflict"
    assert pupil_rows() == before, "nothing of the import is left, even before the caller rolls back"
    assert not db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "pupil_import.applied")).first()
