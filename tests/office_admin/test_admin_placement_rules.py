"""The policy's start rules: approvals per kind, the provider's risk assessment, and §7.2 registration."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from rollup.factories import RECORDED_BEFORE_START
from server.extensions import db
from server.models import Placement, Provider, Pupil, RiskAssessment
from server.services.agreement import TERMS
from server.services.placement_rules import activation_blockers, registration_warning

TODAY = date.today()


def provider(demo, name):
    return db.session.execute(sa.select(Provider).where(
        Provider.school_id == demo.school().id, Provider.name == name)).scalar_one()


# A complete service-level agreement (§7.11) and QA frequency (§8.1), so each test is about its own rule.
# The pupil's needs analysis and risk assessment, the parents' views and what the provider was told
# are recorded too (§4.3, §7.4, §7.10).
AGREED = {**{name: "Agreed." for name in TERMS}, "cost_pence": 9500, "cost_basis": "per day",
          "qa_visit_every_weeks": 4, **RECORDED_BEFORE_START}


def planned(demo, kind, provider_obj=None, sessions=("mon_am",), pupil_index=5, **fields):
    pupils = db.session.execute(sa.select(Pupil).where(Pupil.school_id == demo.school().id)
                                .order_by(Pupil.id)).scalars().all()
    placement = Placement(school=demo.school(), pupil=pupils[pupil_index], kind=kind, provider=provider_obj,
                          start_date=TODAY + timedelta(days=7), sessions=list(sessions), status="planned",
                          **(AGREED | fields))
    db.session.add(placement)
    db.session.flush()
    return placement


@pytest.mark.parametrize("kind, fields, missing_words", [
    ("part_time_timetable", {}, ["headteacher or AP leader", "approved", "parent agreed", "set the date it ends",
                                 "Record why", "not a behaviour sanction"]),
    ("off_site_direction", {}, ["governing body", "told in writing", "reviewed", "set the date it ends"]),
    ("flexi_schooling", {}, ["written decision", "parents' written request", "educates the child at home",
                             "welfare on home days"]),
])
def test_each_kind_says_which_approvals_are_missing(demo, kind, fields, missing_words):
    oakfield = provider(demo, "Oakfield Independent School") if kind == "off_site_direction" else None
    blockers = activation_blockers(planned(demo, kind, oakfield, **fields), TODAY)
    assert len(blockers) == len(missing_words)
    for words, blocker in zip(missing_words, blockers):
        assert words in blocker


def test_a_part_time_approval_by_someone_who_is_not_head_or_ap_leader_does_not_count(demo):
    placement = planned(demo, "part_time_timetable", approved_on=TODAY, parent_agreed_on=TODAY,
                        planned_end_date=TODAY + timedelta(days=60), part_time_reason="Medical")
    placement.approved_by_id = demo.user("admin").id
    assert [b for b in activation_blockers(placement, TODAY) if "headteacher or AP leader" in b]
    placement.approved_by_id = placement.not_a_sanction_affirmed_by_id = demo.user("headteacher").id
    assert activation_blockers(placement, TODAY) == []
    placement.approved_by_id = demo.user("headteacher", "hillcrest").id
    assert activation_blockers(placement, TODAY), "a head of another school cannot approve"


def test_a_fully_approved_placement_with_a_checked_provider_may_start(demo):
    oakfield = provider(demo, "Oakfield Independent School")
    placement = planned(demo, "off_site_direction", oakfield, governors_approved_on=TODAY,
                        parents_told_in_writing_on=TODAY, direction_review_on=TODAY + timedelta(days=90),
                        planned_end_date=TODAY + timedelta(days=120))
    assert activation_blockers(placement, TODAY) == []


def test_a_provider_without_a_risk_assessment_blocks_the_start(demo):
    sparks = provider(demo, "Bright Sparks Mechanics")
    blockers = activation_blockers(planned(demo, "off_site_ap", sparks), TODAY)
    assert blockers == ["No pre-placement check and risk assessment for Bright Sparks Mechanics (§7.8)."]


def test_an_expired_or_questioned_risk_assessment_blocks_the_start(demo):
    oakfield = provider(demo, "Oakfield Independent School")
    placement = planned(demo, "off_site_ap", oakfield)
    latest = oakfield.risk_assessments[0]
    latest.valid_until = placement.start_date - timedelta(days=1)
    assert "ran out on" in activation_blockers(placement, TODAY)[0]
    latest.valid_until = placement.start_date + timedelta(days=100)
    latest.review_requested_at = datetime.now(timezone.utc)
    latest.review_reason = "New site"
    assert "review of the risk assessment" in activation_blockers(placement, TODAY)[0]
    assert "New site" in activation_blockers(placement, TODAY)[0]


def test_the_latest_risk_assessment_is_the_one_that_counts(demo):
    oakfield = provider(demo, "Oakfield Independent School")
    placement = planned(demo, "off_site_ap", oakfield)
    db.session.add(RiskAssessment(provider=oakfield, rating="high", assessed_on=TODAY - timedelta(days=2),
                                  valid_until=TODAY - timedelta(days=1)))
    db.session.flush()
    db.session.refresh(oakfield)
    assert "ran out" in activation_blockers(placement, TODAY)[0]


def test_registered_and_on_site_providers_never_warn(demo):
    for name in ("Oakfield Independent School", "Greenway Farm Learning", "The Learning Centre"):
        prov = provider(demo, name)
        prov.full_time_pupils = 50
        assert registration_warning(prov) is None


def test_an_unregistered_provider_with_five_full_time_pupils_must_be_registered(demo):
    sparks = provider(demo, "Bright Sparks Mechanics")
    assert registration_warning(sparks) is None
    sparks.full_time_pupils = 5
    assert "5 pupils full time" in registration_warning(sparks)


def test_one_full_time_looked_after_pupil_is_enough_to_need_registration(demo):
    sparks = provider(demo, "Bright Sparks Mechanics")
    all_week = ["mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm", "thu_am", "thu_pm"]
    part_week = planned(demo, "off_site_ap", sparks, sessions=all_week[:4], pupil_index=1)
    assert part_week.pupil.looked_after and registration_warning(sparks) is None
    part_week.sessions = all_week
    db.session.flush()
    warning = registration_warning(sparks)
    assert "looked after" in warning and "Maya Chowdhury" in warning
    blockers = activation_blockers(part_week, TODAY)
    assert warning in blockers
