"""Writing pupil records: one at a time from the office form, or many from a CSV export of the
school's MIS.

An import is planned before it is applied. `read_csv()` copes with what MIS exports look like
(a byte-order mark, Windows-1252 text, semicolons, blank lines, extra columns); `guess_mapping()`
matches SIMS, Arbor and Bromcom column headings, checking each column's values too; `plan_import()`
reads every row through `PupilImportRowSchema` (the pupil form's schema, plus the MIS's SEN status,
child protection and child in need columns) and says, row by row, every field that will be set or
changed (old → new), what is left alone, and what is rejected and why. Rows are matched on the MIS id, so importing
the same file twice changes nothing. `apply_import()` writes a plan in the caller's one
transaction: all of it or, if anything fails, none. No Flask request globals; flush, never commit.
"""
import csv
import hashlib
import io
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from marshmallow import ValidationError

from server.extensions import db
from server.models import Placement, Pupil
from server.models.base import new_uuid
from server.schemas.admin_fields import is_yes_no
from server.schemas.admin_pupils import (IMPORT_FIELD_LABELS, IMPORT_FIELDS, SEN_STATUS_FIELDS, PupilImportRowSchema,
                                          sen_status_code)
from server.services import audit
from server.services.refusal import Refused
from server.services.school_settings import apply_changes, audit_value
from server.vocabulary import OPEN_PLACEMENT_STATUSES

MAX_IMPORT_BYTES = 2_000_000
# An uploaded file waits between the dry run and "apply" for at most this long, then is deleted.
UPLOAD_MAX_AGE_SECONDS = 6 * 3600
_UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_IMPORT_ROWS = 5000
# Column headings MIS exports use for each pupil field (compared lower-case, letters and digits
# only): SIMS, Arbor and Bromcom among others. A heading may suit two fields ("Social Worker"):
# the column's values decide (`_values_fit`).
HEADING_GUESSES = {
    "mis_id": ("misid", "upn", "uniquepupilnumber", "admissionnumber", "admissionno", "adno", "admno", "pupilid",
               "studentid", "id", "reference"),
    "first_name": ("firstname", "forename", "legalforename", "legalfirstname", "preferredforename",
                   "preferredfirstname", "givenname"),
    "last_name": ("lastname", "surname", "legalsurname", "legallastname", "preferredsurname", "preferredlastname",
                  "familyname"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate"),
    "year_group": ("yeargroup", "year", "ncyear", "ncyearactual", "curriculumyear", "yearofcurriculum",
                   "nationalcurriculumyear", "yr"),
    "sen_status": ("senstatus", "senprovision", "sendstatus", "senstage"),
    "ehcp": ("ehcp", "ehcplan", "ehc", "hasehcp"),
    "looked_after": ("lookedafter", "islookedafter", "lac", "cla", "incare", "inlacare", "childlookedafter",
                     "lookedafterchild"),
    "child_protection_plan": ("childprotectionplan", "cpplan", "childprotection", "onchildprotectionplan", "cp"),
    "child_in_need": ("childinneed", "cin", "cinplan", "childinneedplan"),
    "has_social_worker": ("hassocialworker", "socialworkerinvolved", "socialworker"),
    "send_support": ("sendsupport", "sensupport", "send", "sen"),
    "fsm_eligible": ("fsm", "fsmeligible", "freeschoolmeals", "eligibleforfsm", "eligibleforfreeschoolmeals",
                     "currentfsm"),
    "social_worker_name": ("socialworker", "socialworkername"),
    "social_worker_phone": ("socialworkerphone", "socialworkertelephone"),
    "parent_contact_name": ("parentname", "parentcontact", "parentcontactname", "primarycontact", "contactname"),
    "parent_contact_phone": ("parentphone", "parentcontactphone", "primarycontactphone", "contactphone",
                             "parenttelephone"),
}
FLAG_FIELDS = ("ehcp", "looked_after", "child_protection_plan", "child_in_need", "has_social_worker",
               "send_support", "fsm_eligible")
NAME_FIELDS = ("first_name", "last_name", "social_worker_name", "parent_contact_name")


def unreadable(message):
    """The file cannot be read, or has not the columns the mapping names: the message says why,
    for the person who uploaded it. The API sends the file as `csv_text`."""
    return Refused("validation_failed", message, field="csv_text")


# --- One pupil at a time ---------------------------------------------------------------------

def find_pupil(school, pupil_uuid):
    return db.session.execute(
        sa.select(Pupil).where(Pupil.uuid == pupil_uuid, Pupil.school_id == school.id)).scalar_one_or_none()


def list_pupils(school, search="", limit=None):
    """This school's pupils by surname; `search` matches part of a name or the MIS id."""
    return db.session.execute(
        pupils_query(school, search).order_by(Pupil.last_name, Pupil.first_name, Pupil.id).limit(limit)
    ).scalars().all()


def pupils_query(school, search="", year_group=None, flag=None):
    """This school's pupils, unordered: `search` matches part of a name or the MIS id,
    `year_group` one year, `flag` a pupil flag column (ehcp, looked_after...) that is set."""
    query = sa.select(Pupil).where(Pupil.school_id == school.id)
    if search:
        # A typed % or _ is a character to find, not a wildcard.
        typed = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{typed}%"
        query = query.where(sa.or_(sa.func.lower(Pupil.first_name + " " + Pupil.last_name).like(like, escape="\\"),
                                   sa.func.lower(Pupil.mis_id).like(like, escape="\\")))
    if year_group is not None:
        query = query.where(Pupil.year_group == year_group)
    if flag is not None:
        query = query.where(getattr(Pupil, flag).is_(True))
    return query


def open_placement_counts(school):
    """{pupil id: number of planned or active placements}."""
    return dict(db.session.execute(
        sa.select(Placement.pupil_id, sa.func.count()).where(
            Placement.school_id == school.id, Placement.status.in_(OPEN_PLACEMENT_STATUSES))
        .group_by(Placement.pupil_id)).all())


def _check_mis_id_free(school, mis_id, pupil=None):
    if mis_id and db.session.execute(sa.select(Pupil.id).where(
            Pupil.school_id == school.id, Pupil.mis_id == mis_id,
            Pupil.id != (pupil.id if pupil else -1))).first():
        raise Refused("validation_failed", "Another pupil has this MIS id.", field="mis_id")


def create_pupil(school, data, actor, via="form"):
    _check_mis_id_free(school, data.get("mis_id"))
    pupil = Pupil(uuid=new_uuid(), school=school, **data)
    db.session.add(pupil)
    audit.record("pupil.created", pupil, actor=actor, via=via,
                 changes={name: [None, audit_value(value)] for name, value in data.items()})
    return pupil


def update_pupil(pupil, data, actor, via="form"):
    _check_mis_id_free(pupil.school, data.get("mis_id"), pupil)
    changes = apply_changes(pupil, data)
    if changes:
        audit.record("pupil.changed", pupil, actor=actor, via=via, changes=changes)
    return changes


# --- Keeping the uploaded file between the dry run and "apply" -------------------------------
# The office keeps the bytes on the server under a random name, so "apply" re-reads exactly the
# file that was previewed and trusts nothing the browser sends back but the column mapping.

def _upload_dir(data_dir):
    path = Path(data_dir) / "pupil-imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store_upload(data_dir, raw):
    """Keep an uploaded file; returns its random token. Old uploads are deleted on the way."""
    directory = _upload_dir(data_dir)
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for old in directory.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    path = directory / f"{token}.csv"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(raw)
    return token


def load_upload(data_dir, token):
    """The bytes of a kept upload, or None when the token is malformed, unknown or too old."""
    if not isinstance(token, str) or not _UPLOAD_TOKEN.match(token):
        return None
    path = _upload_dir(data_dir) / f"{token}.csv"
    if not path.exists() or path.stat().st_mtime < time.time() - UPLOAD_MAX_AGE_SECONDS:
        return None
    return path.read_bytes()


def discard_upload(data_dir, token):
    if isinstance(token, str) and _UPLOAD_TOKEN.match(token):
        (_upload_dir(data_dir) / f"{token}.csv").unlink(missing_ok=True)


# --- Reading the file --------------------------------------------------------------------------

@dataclass
class CsvFile:
    headings: list
    rows: list  # [(line number, {heading: text})]


def read_csv(raw):
    """Headings and non-blank rows of an MIS export, or Refused (unreadable)."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise unreadable(f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB: export fewer columns.")
    if b"\x00" in raw[:4096]:
        raise unreadable("This is not a CSV file. In your MIS, export the report as CSV.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headings, rows = None, []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if headings is None:
                headings = _unique_headings(cells)
                continue
            rows.append((reader.line_num, {h: (cells[i].strip() if i < len(cells) else "")
                                           for i, h in enumerate(headings)}))
            if len(rows) > MAX_IMPORT_ROWS:
                raise unreadable(f"The file has more than {MAX_IMPORT_ROWS} pupils.")
    except csv.Error as error:
        raise unreadable(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    if not headings or not rows:
        raise unreadable("The file has no pupils in it: it needs a row of column headings, then a row per pupil.")
    return CsvFile(headings=headings, rows=rows)


def _unique_headings(cells):
    headings, seen = [], {}
    for number, cell in enumerate(cells, start=1):
        heading = cell.strip() or f"Column {number}"
        seen[heading] = seen.get(heading, 0) + 1
        headings.append(heading if seen[heading] == 1 else f"{heading} ({seen[heading]})")
    return headings


def _squash(text):
    return "".join(ch for ch in text.lower() if ch.isalnum())


def guess_mapping(csv_file):
    """{pupil field: heading} for the columns that look like a pupil field, by heading and by
    values: a column of Yes/No answers is only ever a flag, never a name."""
    mapping, used = {}, set()
    for name in IMPORT_FIELDS:
        for heading in csv_file.headings:
            if (heading not in used and _squash(heading) in HEADING_GUESSES[name]
                    and _values_fit(name, [cells[heading] for _, cells in csv_file.rows])):
                mapping[name] = heading
                used.add(heading)
                break
    if "sen_status" in mapping:
        for name in SEN_STATUS_FIELDS:
            used.discard(mapping.pop(name, None))
    return mapping


def _values_fit(name, values):
    """Whether most of a column's filled cells look like this field's values. Most, not all: a
    stray "maybe" in a Yes/No column should be rejected on its own line, not unmatch the column."""
    filled = [value for value in values if value]
    if name in FLAG_FIELDS:
        return _mostly(is_yes_no, filled)
    if name in NAME_FIELDS:
        return not _mostly(is_yes_no, filled)
    if name == "sen_status":
        return not filled or _mostly(sen_status_code, filled)
    return True


def _mostly(test, values):
    return sum(1 for value in values if test(value)) * 2 > len(values)


# --- Planning and applying ---------------------------------------------------------------------

@dataclass
class ImportPlan:
    created: list = field(default_factory=list)    # {row, mis_id, name, values, changes}
    changed: list = field(default_factory=list)    # {row, mis_id, name, pupil, values, changes}
    unchanged: list = field(default_factory=list)  # {row, mis_id, name}
    rejected: list = field(default_factory=list)   # {row, mis_id, name, reason}
    applied: bool = False

    @property
    def fingerprint(self):
        """Names exactly what applying would write, so "apply" can refuse a plan that moved."""
        summary = {"created": [(r["row"], audit_value(r["values"])) for r in self.created],
                   "changed": [(r["row"], str(r["pupil"].uuid), r["changes"]) for r in self.changed],
                   "rejected": [(r["row"], r["reason"]) for r in self.rejected]}
        return hashlib.sha256(json.dumps(summary, sort_keys=True, default=str).encode()).hexdigest()[:32]


def plan_import(school, csv_file, mapping):
    """What importing `csv_file` with `mapping` ({pupil field: heading}) would do. Changes nothing."""
    fields = [name for name in IMPORT_FIELDS if mapping.get(name)]
    unknown = sorted({mapping[name] for name in fields} - set(csv_file.headings))
    if unknown:
        raise unreadable("The file has no column called " + ", ".join(unknown) + ".")
    schema = PupilImportRowSchema(only=fields)
    parsed = []
    for line, cells in csv_file.rows:
        raw = {name: cells[mapping[name]] for name in fields}
        name = " ".join(part for part in (raw.get("first_name"), raw.get("last_name")) if part) or None
        entry = {"row": line, "mis_id": raw.get("mis_id") or None, "name": name, "raw": raw}
        try:
            entry["values"] = schema.load(raw)
        except ValidationError as error:
            entry["reason"] = _reason(error.messages, raw)
        else:
            if not entry["values"]["mis_id"]:
                entry["reason"] = "MIS id: This is required: rows are matched to pupils by it."
        parsed.append(entry)
    plan = ImportPlan()
    rows_by_id = {}
    for entry in parsed:
        if entry["mis_id"]:
            rows_by_id.setdefault(entry["mis_id"], []).append(entry)
    existing = {p.mis_id: p for p in db.session.execute(
        sa.select(Pupil).where(Pupil.school_id == school.id, Pupil.mis_id.in_(list(rows_by_id)))).scalars()}
    for entry in parsed:
        reason = entry.get("reason") or _duplicate_reason(entry, rows_by_id.get(entry["mis_id"], [entry]))
        summary = {"row": entry["row"], "mis_id": entry["mis_id"], "name": entry["name"]}
        if reason:
            plan.rejected.append({**summary, "reason": reason})
            continue
        pupil = existing.get(entry["values"]["mis_id"])
        if pupil is None:
            plan.created.append({**summary, "values": entry["values"],
                                 "changes": {name: [None, audit_value(value)] for name, value in entry["values"].items()}})
            continue
        changes = {name: [audit_value(getattr(pupil, name)), audit_value(value)]
                   for name, value in entry["values"].items() if getattr(pupil, name) != value}
        if changes:
            plan.changed.append({**summary, "pupil": pupil, "values": entry["values"], "changes": changes})
        else:
            plan.unchanged.append(summary)
    return plan


def _reason(messages, raw):
    """"EHCP "maybe": Write Yes or No." for each field the row got wrong."""
    parts = []
    for name, texts in messages.items():
        text = " ".join(texts) if isinstance(texts, list) else str(texts)
        value = raw.get(name, "")
        shown = f" “{value}”" if value and value not in text else ""
        parts.append(f"{IMPORT_FIELD_LABELS.get(name, name)}{shown}: {text}")
    return "; ".join(parts)


def _duplicate_reason(entry, same_id):
    """Rows sharing an MIS id: exact repeats count once; different details reject them all."""
    if len(same_id) == 1:
        return None
    lines = [other["row"] for other in same_id]
    if all(other["raw"] == same_id[0]["raw"] for other in same_id):
        first = same_id[0]
        return None if entry is first else f"repeats line {first['row']} exactly; line {first['row']} is used"
    listed = ", ".join(str(line) for line in lines[:-1]) + f" and {lines[-1]}"
    return f"MIS id {entry['mis_id']} is on lines {listed} with different details: correct the file"


def apply_import(school, plan, actor):
    """Write `plan`: create and change pupils, one audit entry each and one for the import. A plan
    with nothing to write writes nothing, not even to the audit log.

    All or nothing, inside a savepoint: if another change to the pupils overtook the plan (a
    colleague added one of its MIS ids meanwhile), every row written so far is undone here and
    Refused("conflict") says so, whatever the caller does next."""
    if not plan.created and not plan.changed:
        plan.applied = True
        return plan
    try:
        with db.session.begin_nested():
            for row in plan.created:
                create_pupil(school, row["values"], actor, via="import")
            for row in plan.changed:
                update_pupil(row["pupil"], row["values"], actor, via="import")
            audit.record("pupil_import.applied", school, school_id=school.id, actor=actor,
                         created=len(plan.created), changed=len(plan.changed), unchanged=len(plan.unchanged),
                         rejected=len(plan.rejected))
    except (Refused, sa.exc.IntegrityError):
        raise Refused("conflict", "Another change to the pupils overtook this import, so nothing was imported. "
                           "Check the import again.") from None
    plan.applied = True
    return plan
