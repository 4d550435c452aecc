"""Synthetic data of any size, for load tests, benchmarks and trying a national deployment.

`synthesize(size)` adds schools (in trusts) with term dates, key contacts and staff, providers
with reports, evidence and risk assessments, pupils, placements with a visiting member of staff,
and visits whose answers pass the visit form checker, with their follow-up actions, safeguarding
concerns, review decisions (and their audit entries) and, if asked, stored photos. Every name is
invented; phone numbers are from Ofcom's drama ranges.

It is fast at scale because it never builds ORM objects: rows are plain dicts written in bulk,
with COPY on PostgreSQL and executemany elsewhere, in the caller's transaction (the caller
commits once). Ids are assigned here, after the highest already in use, so the generator can
add to a database that has data; PostgreSQL's id sequences are moved past them at the end.
"""
import hashlib
import io
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from server import permissions
from server.dates import school_today
from server.extensions import db
from server.models.tracking import reserve_change_seqs
from server.services.backup import BulkWriter, reset_id_sequences
from server.services.forms import DEFAULT_MAX_LENGTH, check_answers, current_forms, form_items, option_values
from server.services import sealed_secrets
from server.services.second_factor import DEMO_TOTP_SECRET

PASSWORD = "synthetic-password-2026"
STAFF_MIX = ("ap_leader", "dsl", "headteacher", "governor", "visiting_staff", "visiting_staff", "visiting_staff")
SCHOOLS_PER_TRUST = 10
PROVIDERS_PER_SCHOOL = 5
CALM_SHARE = 0.85  # most visits need nothing more; the rest bring notes, actions and some concerns
REGISTRATION_STATUSES = ("registered_independent_school", "registered_other", "unregistered", "online_only",
                         "on_site_unit")
# The visits each kind of placement gets, most common first.
VISIT_KINDS_FOR = {
    "off_site_ap": ("qa_visit", "qa_visit", "review_meeting", "welfare_check"),
    "on_site_ap": ("qa_visit", "review_meeting"),
    "off_site_direction": ("qa_visit", "review_meeting", "welfare_check"),
    "part_time_timetable": ("welfare_check", "welfare_check", "part_time_review", "review_meeting"),
    "flexi_schooling": ("flexi_review", "welfare_check"),
}
# Placements take kinds in this order, so even a small school has every kind; half are off-site AP.
PLACEMENT_KINDS = ("off_site_ap", "part_time_timetable", "on_site_ap", "flexi_schooling", "off_site_direction",
                   "off_site_ap", "on_site_ap", "off_site_ap", "off_site_ap", "off_site_ap")
FIRST_NAMES = ("Alfie", "Maya", "Kai", "Lily", "Noah", "Isla", "Leo", "Amara", "Finn", "Zara", "Ollie", "Ruby",
               "Jay", "Esme", "Reuben", "Nia", "Theo", "Hana", "Ezra", "Poppy")
LAST_NAMES = ("Brennan", "Chowdhury", "Doyle", "Evans", "Fairweather", "Grant", "Hughes", "Iqbal", "Jones",
              "Kowalski", "Lewis", "Mensah", "Nowak", "O'Neill", "Patel", "Quinn", "Reid", "Shah", "Turner", "Walsh")
SENTENCES = (
    "Settled and engaged in the practical session.",
    "Attendance has improved since the last visit; the key worker is positive.",
    "Found the morning difficult but re-engaged after break.",
    "Working towards the Level 1 certificate; two units signed off.",
    "Says the staff listen and the work is useful.",
    "Needs more support with written English; the provider will add a session.",
)
HALF_TERMS = (  # (term, half, start (month, day), end (month, day)) in an academic year from September
    ("autumn", 1, (9, 3), (10, 23)), ("autumn", 2, (11, 2), (12, 18)),
    ("spring", 1, (1, 5), (2, 12)), ("spring", 2, (2, 22), (3, 26)),
    ("summer", 1, (4, 12), (5, 28)), ("summer", 2, (6, 7), (7, 21)),
)


@dataclass(frozen=True)
class Size:
    schools: int
    placements_per_school: float  # schools get the whole numbers either side, so totals come out exact
    visits_per_placement: int
    photos: bool = False

    def placements_at(self, number):
        """How many placements the school numbered `number` (from 0) gets."""
        def before(n):
            return int(n * self.placements_per_school + 1e-9)  # 1e-9: 3500 * (50000 / 3500) is 49999.99...
        return before(number + 1) - before(number)


@dataclass
class Template:
    """One valid way to fill in a form: the answers (serialised once) and what they call for."""

    form: dict
    mode: str
    answers: dict
    photo_items: list = field(default_factory=list)
    action_items: list = field(default_factory=list)
    concern: bool = False


def synthesize(size, seed=2026, today=None, photo_store=None, progress=None):
    """Add synthetic data of `size`; returns {table: rows added}. `photo_store` is required
    when size.photos is true. Nothing is committed here."""
    rng = random.Random(seed)
    today = today or school_today()
    connection = db.session.connection()
    writer = BulkWriter(connection)
    ids = IdAllocator(connection)
    base_seq = reserve_change_seqs(connection, size.schools)
    generator = _Generator(rng, today, writer, ids, templates_by_form(rng, size.photos), size, photo_store)
    password_hash = _password_hash()
    for number in range(size.schools):
        generator.school(number, seq=base_seq + number, password_hash=password_hash)
        if progress and (number + 1) % max(1, size.schools // 20) == 0:
            progress(f"{number + 1}/{size.schools} schools")
    writer.flush()
    reset_id_sequences(connection, writer.tables_written)
    return dict(writer.counts)


def templates_by_form(rng, with_photos, variants=6):
    """For each current form, a few valid ways to fill it in, each checked by the form checker:
    {form_id: (calm templates, eventful templates)}."""
    return {form["form_id"]: tuple([_template(form, rng, with_photos, calm) for _ in range(variants)]
                                   for calm in (True, False))
            for form in current_forms()}


def _template(form, rng, with_photos, calm):
    mode = rng.choice(form["modes"])
    template = Template(form=form, mode=mode, answers={})
    for item in form_items(form):
        if not _shown(item, template):
            continue
        if item["type"] == "photo":
            if with_photos and rng.random() < 0.5:
                template.photo_items.append(item["key"])
            continue
        template.answers[item["key"]] = _answer(item, template, rng, with_photos, calm)
    payload = {"form_id": form["form_id"], "form_version": form["version"], "mode": mode,
               "answers": template.answers, "photos": [{"item_key": key} for key in template.photo_items],
               "actions": [{"item_key": key} for key in template.action_items],
               "concern": {"text": "concern"} if template.concern else None}
    errors = check_answers(form, payload)
    if errors:
        raise AssertionError(f"synthetic answers for {form['form_id']} fail the form: {errors}")
    return template


def _shown(item, template):
    show_if = item.get("show_if")
    if show_if is None:
        return True
    if show_if["item"] == "@mode":
        return template.mode in show_if["in"]
    answer = template.answers.get(show_if["item"])
    return answer is not None and answer.get("value") in show_if["in"]


def _answer(item, template, rng, with_photos, calm):
    type_ = item["type"]
    if type_ in ("yes_no", "yes_no_na", "rating", "choice"):
        return _option_answer(item, template, rng, with_photos, calm)
    if type_ == "text":
        return {"value": rng.choice(SENTENCES)[:item.get("max_length", DEFAULT_MAX_LENGTH)]}
    if type_ == "date":
        return {"value": (date(2027, 1, 4) + timedelta(days=rng.randrange(120))).isoformat()}
    if type_ == "number":
        low, high = item.get("min", 0), item.get("max", 100)
        return {"value": rng.randint(int(low), int(high))}
    return {"value": [{"name": rng.choice(FIRST_NAMES) + " " + rng.choice(LAST_NAMES), "role": "Provider staff"}]}


def _option_answer(item, template, rng, with_photos, calm):
    """A calm template answers what needs nothing more; the others sometimes answer what calls
    for a note, an action, a photo or a safeguarding concern, and supply it."""
    requires = item.get("requires", {})
    values = list(option_values(item))
    needs = {value: {kind for kind, listed in requires.items() if value in listed} for value in values}
    if not with_photos:
        values = [value for value in values if "photo" not in needs[value]]
    plain = [value for value in values if not needs[value]]
    concern_values = [value for value in values if "concern" in needs[value]]
    if item["key"] == "concern_raised" and not calm and concern_values and rng.random() < 0.25:
        value = concern_values[0]
    elif plain and (calm or rng.random() < 0.8):
        value = plain[0]
    else:
        value = rng.choice(values)
    answer = {"value": value}
    if "note" in needs[value]:
        answer["note"] = rng.choice(SENTENCES)
    if "photo" in needs[value]:
        template.photo_items.append(item["key"])
    if "action" in needs[value]:
        template.action_items.append(item["key"])
    if "concern" in needs[value]:
        template.concern = True
    return answer


class IdAllocator:
    """Hands out ids after the highest already in each table."""

    def __init__(self, connection):
        self.connection = connection
        self.next = {}

    def __call__(self, table):
        if table not in self.next:
            column = db.metadata.tables[table].c.id
            self.next[table] = (self.connection.execute(sa.select(sa.func.max(column))).scalar() or 0) + 1
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _second_factor(role, at):
    """Roles that need a second factor share the demo's development-only TOTP secret."""
    needed = role in permissions.roles_with("sign_in.requires_second_factor")
    return {"totp_secret": sealed_secrets.seal(DEMO_TOTP_SECRET) if needed else None, "totp_enrolled_at": at if needed else None,
            "totp_last_step": None}


def _password_hash():
    from server.services.accounts import hash_password
    return hash_password(PASSWORD)


def _at(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.utc)


def _tracked(at, seq):
    return {"created_at": at, "updated_at": at, "change_seq": seq}


class _Generator:
    """Writes one school at a time; the methods mirror the data model's aggregates."""

    def __init__(self, rng, today, writer, ids, templates, size, photo_store):
        self.rng, self.today, self.writer, self.ids = rng, today, writer, ids
        self.templates, self.size, self.photo_store = templates, size, photo_store
        self.trust_id = None
        self.created = _at(today - timedelta(days=800))

    def school(self, number, seq, password_hash):
        add, ids = self.writer.add, self.ids
        if number % SCHOOLS_PER_TRUST == 0:
            self.trust_id = ids("trust")
            add("trust", {"id": self.trust_id, "name": f"Synthetic Learning Trust {self.trust_id}",
                          **_tracked(self.created, seq)})
        school_id = ids("school")
        add("school", {"id": school_id, "uuid": uuid.uuid4(), "trust_id": self.trust_id,
                       "name": f"Synthetic School {school_id}", "urn": f"SYN{school_id:07d}",
                       "local_authority": f"Synthetic Council {school_id % 150}",
                       "la_notifications_email": f"ap-notifications@la{school_id % 150}.example",
                       **_tracked(self.created, seq)})
        self._term_dates(school_id, seq)
        staff = self._staff(school_id, seq, password_hash)
        providers = [self._provider(school_id, index, staff, seq) for index in range(PROVIDERS_PER_SCHOOL)]
        for index in range(self.size.placements_at(number)):
            self._placement(school_id, index, providers, staff, seq)

    def _term_dates(self, school_id, seq):
        this_year = self.today.year if self.today.month >= 8 else self.today.year - 1
        for year in range(this_year - 2, this_year + 1):
            for term, half, (sm, sd), (em, ed) in HALF_TERMS:
                self.writer.add("term_period", {
                    "id": self.ids("term_period"), "school_id": school_id, "academic_year": year, "term": term,
                    "half": half, "starts_on": date(year if sm >= 8 else year + 1, sm, sd),
                    "ends_on": date(year if em >= 8 else year + 1, em, ed), **_tracked(self.created, seq)})
        for role, phone in (("dsl", "01632 960001"), ("deputy_dsl", "01632 960002")):
            self.writer.add("key_contact", {
                "id": self.ids("key_contact"), "school_id": school_id, "role": role,
                "name": f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}", "phone": phone,
                "email": None, **_tracked(self.created, seq)})

    def _staff(self, school_id, seq, password_hash):
        staff = {"visiting_staff": []}
        for index, role in enumerate(STAFF_MIX):
            user_id = self.ids("user_account")
            self.writer.add("user_account", {
                "id": user_id, "uuid": uuid.uuid4(), "email": f"{role.replace('_', '.')}.{index}@school{school_id}.example",
                "full_name": f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}", "phone": "07700 900123",
                "password_hash": password_hash, "active": True, "deactivated_at": None, "failed_logins": 0,
                "locked_until": None, "last_login_at": None, "offline_key": secrets.token_hex(32),
                **_second_factor(role, self.created), **_tracked(self.created, seq)})
            self.writer.add("membership", {"id": self.ids("membership"), "user_id": user_id, "school_id": school_id,
                                           "role": role, **_tracked(self.created, seq)})
            if role == "visiting_staff":
                staff[role].append(user_id)
            else:
                staff[role] = user_id
        return staff

    def _provider(self, school_id, index, staff, seq):
        add, ids, rng, today = self.writer.add, self.ids, self.rng, self.today
        status = REGISTRATION_STATUSES[index % len(REGISTRATION_STATUSES)]
        provider_id = ids("provider")
        urn = f"SP{provider_id:07d}" if status.startswith("registered") else None
        add("provider", {
            "id": provider_id, "uuid": uuid.uuid4(), "school_id": school_id,
            "name": f"{rng.choice(LAST_NAMES)} Learning {provider_id}", "registration_status": status, "urn": urn,
            "on_la_approved_list": status != "unregistered", "full_time_pupils": rng.randrange(0, 4),
            "website": f"https://provider{provider_id}.example", "address": "1 Example Lane",
            "contact_name": "Office manager", "contact_phone": "01632 960500",
            "contact_email": f"office@provider{provider_id}.example", "notes": None, **_tracked(self.created, seq)})
        if urn:
            add("provider_report", {"id": ids("provider_report"), "provider_id": provider_id, "source": "ofsted",
                                    "report_date": today - timedelta(days=rng.randrange(100, 900)),
                                    "judgement": rng.choice(("Good", "Outstanding", "Requires improvement")),
                                    "url": f"https://reports.example/{urn}", **_tracked(self.created, seq)})
        add("provider_evidence", {"id": ids("provider_evidence"), "provider_id": provider_id, "kind": "insurance",
                                  "description": "Public liability insurance",
                                  "received_on": today - timedelta(days=rng.randrange(30, 300)),
                                  "expires_on": today + timedelta(days=rng.randrange(-20, 300)),
                                  **_tracked(self.created, seq)})
        # The pre-placement check that produced the provider's risk assessment (§7.8, §7.9).
        assessed = today - timedelta(days=rng.randrange(10, 360))
        check_id = self._visit("provider_check", assessed, {
            "school_id": school_id, "placement_id": None, "provider_id": provider_id, "pupil_id": None,
            "author": staff["visiting_staff"][0], "reviewer": staff["ap_leader"], "dsl": staff["dsl"]}, seq)
        add("risk_assessment", {
            "id": ids("risk_assessment"), "uuid": uuid.uuid4(), "provider_id": provider_id, "visit_id": check_id,
            "rating": rng.choice(("low", "low", "medium")), "weaknesses": None, "assessed_on": assessed,
            "valid_until": assessed + timedelta(days=365), "signed_off_by_id": staff["ap_leader"],
            "signed_off_at": _at(assessed, 16), "review_requested_at": None, "review_reason": None,
            **_tracked(self.created, seq)})
        return provider_id

    def _placement(self, school_id, index, providers, staff, seq):
        add, ids, rng, today = self.writer.add, self.ids, self.rng, self.today
        kind = PLACEMENT_KINDS[index % len(PLACEMENT_KINDS)]
        visits = self.size.visits_per_placement
        # Roughly a visit a week, back from today or from the placement's end.
        ended = rng.random() < 0.3
        end_date = today - timedelta(days=rng.randrange(1, 200)) if ended else None
        span = max(visits * 7, 30) + rng.randrange(0, 60)
        start = (end_date or today) - timedelta(days=span)
        provider_id = None if kind in ("part_time_timetable", "flexi_schooling") else rng.choice(providers)
        pupil_id = ids("pupil")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        year_group = rng.randrange(7, 12)
        add("pupil", {
            "id": pupil_id, "uuid": uuid.uuid4(), "school_id": school_id, "mis_id": f"SYN{pupil_id}",
            "first_name": first, "last_name": last, "year_group": year_group,
            "date_of_birth": date(today.year - year_group - 5, 1 + rng.randrange(12), 1 + rng.randrange(28)),
            "ehcp": rng.random() < 0.2, "looked_after": rng.random() < 0.1, "has_social_worker": rng.random() < 0.2,
            "send_support": rng.random() < 0.4, "fsm_eligible": rng.random() < 0.4, "social_worker_name": None,
            "social_worker_phone": None, "parent_contact_name": f"Parent of {first}",
            "parent_contact_phone": "07700 900456", **_tracked(self.created, seq)})
        placement_id = ids("placement")
        placed = _at(start - timedelta(days=14))
        add("placement", {
            "id": placement_id, "uuid": uuid.uuid4(), "school_id": school_id, "pupil_id": pupil_id,
            "provider_id": provider_id, "kind": kind, "status": "ended" if ended else "active", "start_date": start,
            "planned_end_date": start + timedelta(days=365), "sessions": ["mon_am", "mon_pm", "wed_am"],
            "aims": "Re-engage with learning.", "planned_outcomes": "Attendance above 90%.",
            "curriculum": "English, maths, vocational practical sessions.", "qualifications": "Level 1",
            "induction": "Half-day visit.", "pastoral_arrangements": "Named key worker.",
            "attendance_arrangements": "Provider confirms AM and PM attendance by 10:00 and 14:00.",
            "safeguarding_arrangements": "Provider DSL reports to the school DSL the same day.",
            "free_school_meals": None, "exam_arrangements": None, "communication": "Weekly email.",
            "cost_pence": 9500, "cost_basis": "per day", "review_arrangements": "Half-termly.",
            "qa_visit_every_weeks": 4, "la_informed_on": start - timedelta(days=2),
            "governors_approved_on": start - timedelta(days=7) if kind == "off_site_direction" else None,
            "parents_told_in_writing_on": start - timedelta(days=5) if kind == "off_site_direction" else None,
            "direction_review_on": start + timedelta(days=90) if kind == "off_site_direction" else None,
            "approved_by_id": staff["headteacher"] if kind == "part_time_timetable" else None,
            "approved_on": start - timedelta(days=3) if kind == "part_time_timetable" else None,
            "parent_agreed_on": start - timedelta(days=4) if kind == "part_time_timetable" else None,
            "head_decision_in_writing_on": start - timedelta(days=10) if kind == "flexi_schooling" else None,
            "end_date": end_date, "outcome": "Returned to school full time." if ended else None,
            "destination": "Mainstream school" if ended else None, "pupil_assessment": None,
            **_tracked(placed, seq)})
        author = staff["visiting_staff"][index % len(staff["visiting_staff"])]
        add("placement_staff", {"id": ids("placement_staff"), "placement_id": placement_id, "user_id": author,
                                **_tracked(placed, seq)})
        subject = {"school_id": school_id, "placement_id": placement_id, "provider_id": provider_id,
                   "pupil_id": pupil_id, "author": author, "reviewer": staff["ap_leader"], "dsl": staff["dsl"]}
        step = span / max(visits, 1)
        for number in range(visits):
            visit_date = start + timedelta(days=int(number * step) + 1)
            self._visit(rng.choice(VISIT_KINDS_FOR[kind]), visit_date, subject, seq)

    def _visit(self, kind, visit_date, subject, seq):
        add, ids, rng = self.writer.add, self.ids, self.rng
        calm, eventful = self.templates[kind]
        template = rng.choice(calm if rng.random() < CALM_SHARE else eventful)
        received = _at(visit_date, 11 + rng.randrange(6), rng.randrange(60))
        age = (self.today - visit_date).days
        review_status = "awaiting_review" if age < 14 else ("sent_back" if rng.random() < 0.03 else "signed_off")
        reviewed_at = received + timedelta(days=2) if review_status != "awaiting_review" else None
        visit_id, visit_uuid = ids("visit"), uuid.uuid4()
        photos = [self._photo_entry(subject["school_id"], visit_uuid, item_key) for item_key in template.photo_items]
        add("visit", {
            "id": visit_id, "uuid": visit_uuid, "school_id": subject["school_id"], "kind": kind,
            "placement_id": subject["placement_id"], "provider_id": subject["provider_id"],
            "author_id": subject["author"], "visit_date": visit_date, "current_version": 1, "received_at": received,
            "complete": True, "completed_at": received, "review_status": review_status,
            "reviewed_by_id": subject["reviewer"] if reviewed_at else None, "reviewed_at": reviewed_at,
            "review_comment": "Please add the pupil's own words." if review_status == "sent_back" else None,
            **_tracked(received, seq)})
        manifest = [{"uuid": str(photo["uuid"]), "item_key": photo["item_key"], "caption": photo["caption"],
                     "sha256": photo["declared_sha256"], "size": photo["declared_size"], "type": "image/jpeg"}
                    for photo in photos]
        add("visit_version", {
            "id": ids("visit_version"), "visit_id": visit_id, "version": 1, "replaces_id": None,
            "form_id": template.form["form_id"], "form_version": template.form["version"], "mode": template.mode,
            "visit_date": visit_date, "answers": template.answers, "photo_manifest": manifest,
            "author_id": subject["author"], "device_started_at": received - timedelta(minutes=50),
            "device_completed_at": received - timedelta(minutes=5), "received_at": received,
            "content_sha256": hashlib.sha256(visit_uuid.bytes).hexdigest()})
        for photo in photos:
            add("photo", {"id": ids("photo"), "visit_id": visit_id, **photo, **_tracked(received, seq)})
        for item_key in template.action_items:
            done = age > 30 and rng.random() < 0.8
            add("follow_up_action", {
                "id": ids("follow_up_action"), "uuid": uuid.uuid4(), "school_id": subject["school_id"],
                "placement_id": subject["placement_id"], "provider_id": subject["provider_id"], "visit_id": visit_id,
                "description": f"Follow up: {item_key.replace('_', ' ')}.", "owner_name": "AP leader",
                "owner_user_id": subject["reviewer"], "due_on": visit_date + timedelta(days=14),
                "done_at": received + timedelta(days=10) if done else None,
                "done_by_id": subject["reviewer"] if done else None, "done_note": "Done." if done else None,
                **_tracked(received, seq)})
        if template.concern:
            closed = age > 7
            add("safeguarding_concern", {
                "id": ids("safeguarding_concern"), "uuid": uuid.uuid4(), "school_id": subject["school_id"],
                "visit_id": visit_id, "placement_id": subject["placement_id"], "pupil_id": subject["pupil_id"],
                "raised_by_id": subject["author"], "raised_at_device": received - timedelta(minutes=20),
                "received_at": received, "text": "The pupil said an older boy at the bus stop takes his money.",
                "immediate_action": "Told the provider's DSL.",
                "closed_at": received + timedelta(days=1) if closed else None,
                "closed_by_id": subject["dsl"] if closed else None,
                "outcome": "Referred to early help; family informed." if closed else None, **_tracked(received, seq)})
        if reviewed_at is not None:
            add("audit_event", {
                "id": ids("audit_event"), "at": reviewed_at, "actor_id": subject["reviewer"],
                "school_id": subject["school_id"], "action": f"visit.{review_status}", "object_type": "visit",
                "object_id": str(visit_uuid), "details": {"version": 1, "synthetic": True}, "ip_address": None})
        return visit_id

    def _photo_entry(self, school_id, visit_uuid, item_key):
        """A small real JPEG stored in the photo store, as the server keeps it after re-encoding."""
        from PIL import Image
        photo_uuid = uuid.uuid4()
        buffer = io.BytesIO()
        colour = tuple(self.rng.randrange(256) for _ in range(3))
        Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG", quality=80)
        data = buffer.getvalue()
        base = f"{school_id}/{visit_uuid}/{photo_uuid}"
        self.photo_store.put(f"{base}.jpg", data)
        self.photo_store.put(f"{base}.thumb.jpg", data)
        return {"uuid": photo_uuid, "item_key": item_key, "caption": item_key.replace("_", " ").capitalize(),
                "declared_sha256": hashlib.sha256(data).hexdigest(), "declared_size": len(data),
                "media_type": "image/jpeg", "stored_at": _at(self.today, 0), "storage_key": f"{base}.jpg",
                "thumbnail_key": f"{base}.thumb.jpg", "width": 320, "height": 240, "stored_bytes": len(data)}
