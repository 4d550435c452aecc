"""Small factories for the roll-up tests: a school with real 2026/27 term dates, and placements,
visits, concerns, actions and provider records made directly with the models (visits through
the real API are in tests/office_review)."""
import hashlib
import uuid
from datetime import date, datetime, time, timedelta, timezone

from server.demo import seed_term_dates
from server.extensions import db
from server.models import (FollowUpAction, Photo, Placement, Provider, ProviderEvidence, Pupil, RiskAssessment,
                           SafeguardingConcern, School, Visit, VisitVersion)
from server.services.accounts import create_user
from server.services.forms import all_forms

# The demo calendar for 2026/27: Autumn 1 is Thu 3 Sep – Fri 23 Oct 2026, Autumn 2 is
# Mon 2 Nov – Fri 18 Dec, Spring 1 is Tue 5 Jan – Fri 12 Feb 2027, Spring 2 is Mon 22 Feb –
# Fri 26 Mar, Summer 1 is Mon 12 Apr – Fri 28 May, Summer 2 is Mon 7 Jun – Wed 21 Jul.
ACADEMIC_YEARS = (2025, 2026, 2027)
_counter = iter(range(1, 10_000_000))


def at(day, hour=12, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.utc)


def make_school(name=None, years=ACADEMIC_YEARS):
    school = School(name=name or f"Test School {next(_counter)}")
    db.session.add(school)
    seed_term_dates(school, years)
    db.session.flush()
    return school


def make_user(school, role="visiting_staff", name="Sam Visitor"):
    user = create_user(f"user{next(_counter)}@test.example", name, None, [(school, role)], password_hash="x")
    db.session.flush()
    return user


def make_provider(school, name=None, status="registered_other"):
    provider = Provider(school=school, name=name or f"Provider {next(_counter)}", registration_status=status)
    db.session.add(provider)
    db.session.flush()
    return provider


def make_pupil(school, first="Ada", last=None):
    pupil = Pupil(school=school, first_name=first, last_name=last or f"Pupil{next(_counter)}",
                  date_of_birth=date(2012, 5, 1), year_group=9)
    db.session.add(pupil)
    db.session.flush()
    return pupil


# What the school records about the pupil before the start (§4.3, §7.4, §7.10): a placement made
# here has it unless a test says otherwise (pass the field as None).
RECORDED_BEFORE_START = {
    "needs_analysis_by": "Priya Shah", "needs_analysis_on": date(2026, 8, 20), "needs_analysis": "Needs found.",
    "pupil_risk_assessed_by": "Priya Shah", "pupil_risk_assessed_on": date(2026, 8, 20),
    "pupil_risks": "Leaves the site when upset.", "pupil_risk_mitigations": "Key worker at arrival.",
    "parents_consulted_name": "Ada's mother", "parents_consulted_on": date(2026, 8, 24),
    "parents_view": "Supports it.", "information_shared": "Needs and risks.",
    "information_shared_on": date(2026, 8, 25), "information_shared_by": "AP leader",
    "information_shared_with": "Provider's DSL",
}


def make_placement(school, kind="off_site_ap", start=date(2026, 9, 7), provider=None, pupil=None,
                   sessions=("mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm", "thu_am", "thu_pm",
                             "fri_am", "fri_pm"), status="active", **fields):
    if provider is None and kind not in ("part_time_timetable", "flexi_schooling"):
        provider = make_provider(school)
    fields = {**RECORDED_BEFORE_START, **fields}
    placement = Placement(school=school, pupil=pupil or make_pupil(school), provider=provider, kind=kind,
                          start_date=start, sessions=list(sessions), status=status, **fields)
    db.session.add(placement)
    db.session.flush()
    return placement


def make_visit(author, kind="review_meeting", on=date(2026, 10, 1), placement=None, provider=None,
               answers=None, mode="in_person", received_at=None, device_at=None, photos=(),
               review_status="awaiting_review", form_version=1):
    """A visit with one version, as the ingest would store it. `photos`: list of dicts with
    item_key, caption and stored (bool)."""
    subject = placement if placement is not None else provider
    received_at = received_at or at(on, 16)
    manifest = []
    visit = Visit(uuid=uuid.uuid4(), school_id=subject.school_id, kind=kind, placement=placement,
                  provider=provider if provider is not None else (placement.provider if placement else None),
                  author_id=author.id, visit_date=on, received_at=received_at, review_status=review_status,
                  complete=not any(not p.get("stored", True) for p in photos))
    db.session.add(visit)
    db.session.flush()
    for spec in photos:
        photo_uuid = uuid.uuid4()
        digest = hashlib.sha256(photo_uuid.bytes).hexdigest()
        manifest.append({"uuid": str(photo_uuid), "item_key": spec.get("item_key"), "caption": spec.get("caption"),
                         "sha256": digest, "size": 1000, "type": "image/jpeg"})
        stored = spec.get("stored", True)
        db.session.add(Photo(uuid=photo_uuid, visit=visit, item_key=spec.get("item_key"), caption=spec.get("caption"),
                             declared_sha256=digest, declared_size=1000, media_type="image/jpeg",
                             stored_at=received_at + timedelta(minutes=1) if stored else None,
                             storage_key=spec.get("storage_key", f"test/{photo_uuid}.jpg") if stored else None,
                             thumbnail_key=(spec.get("thumbnail_key", f"test/{photo_uuid}.thumb.jpg")
                                            if stored else None)))
    device_at = device_at or at(on, 11)
    db.session.add(VisitVersion(
        visit=visit, version=1, form_id=kind, form_version=form_version, mode=mode, visit_date=on,
        answers=answers if answers is not None else {}, photo_manifest=manifest, author_id=author.id,
        device_started_at=device_at - timedelta(minutes=40), device_completed_at=device_at,
        received_at=received_at, content_sha256=uuid.uuid4().hex + uuid.uuid4().hex))
    db.session.flush()
    db.session.refresh(visit)
    return visit


# A formal review that counts (§8.2): signed off, with the pupil and parents there.
HELD_WITH_FAMILY = {"pupil_present": {"value": "yes"}, "parents_present": {"value": "yes"}}


def make_review(author, kind="review_meeting", on=date(2026, 10, 1), placement=None, answers=None,
                review_status="signed_off", **fields):
    """A formal review on the latest version of its form, signed off and held with the pupil and
    parents unless told otherwise."""
    version = max(form["version"] for form in all_forms() if form["form_id"] == kind)
    return make_visit(author, kind, on, placement=placement, answers=HELD_WITH_FAMILY if answers is None else answers,
                      review_status=review_status, form_version=version, **fields)


def make_concern(visit, text="Said an older boy takes his lunch money.", received_at=None, device_at=None):
    concern = SafeguardingConcern(
        uuid=uuid.uuid4(), school_id=visit.school_id, visit=visit, placement=visit.placement,
        pupil_id=visit.placement.pupil_id if visit.placement else None, raised_by_id=visit.author_id,
        raised_at_device=device_at or visit.received_at - timedelta(hours=2),
        received_at=received_at or visit.received_at, text=text, immediate_action="Told the provider's DSL.")
    db.session.add(concern)
    db.session.flush()
    return concern


def make_action(school, due_on, placement=None, provider=None, visit=None, description="Send the timetable home",
                owner="AP leader"):
    action = FollowUpAction(school_id=school.id, placement=placement, provider_id=provider.id if provider else None,
                            visit=visit, description=description, owner_name=owner, due_on=due_on)
    db.session.add(action)
    db.session.flush()
    return action


def make_risk_assessment(provider, assessed_on, valid_until=None, rating="low", signer=None):
    assessment = RiskAssessment(provider=provider, rating=rating, assessed_on=assessed_on,
                                valid_until=valid_until or assessed_on.replace(year=assessed_on.year + 1),
                                signed_off_by=signer, signed_off_at=at(assessed_on) if signer else None)
    db.session.add(assessment)
    db.session.flush()
    return assessment


def make_evidence(provider, kind, expires_on, description=None):
    row = ProviderEvidence(provider=provider, kind=kind, expires_on=expires_on, description=description,
                           received_on=expires_on - timedelta(days=365))
    db.session.add(row)
    db.session.flush()
    return row
