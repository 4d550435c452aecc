"""A provider's risk assessment (§7.8, §7.9): made from a pre-placement check when the AP
leader signs the check off, or recorded from a check the school did on paper before it used
this product; valid for 12 months, and reviewed early on any material change. A check whose
findings gate the start is recorded but counts only once the headteacher approves its
mitigations; a phone or online check of a provider with premises is recorded but never counts
(start_gates.py, §7.8).

No Flask request globals; callers pass the person and the time. Nothing here commits.
"""
from calendar import monthrange
from datetime import timedelta

import sqlalchemy as sa

from server.dates import england_day, medium_date
from server.extensions import db
from server.models import RiskAssessment
from server.services import audit, evidence_files, start_gates
from server.services.deadlines import MATERIAL_CHANGE_REVIEW_DAYS
from server.services.forms import form_items, get_form, visible_item_keys
from server.services.refusal import Refused
from server.vocabulary import ANSWER_LABELS, RISK_RATINGS

VALID_FOR_MONTHS = 12
# Shown as "expiring" this many days before it runs out.
EXPIRING_SOON_DAYS = 30
REASON_MAX_LENGTH = 2000


def add_months(day, months):
    """The same day `months` later; the 31st becomes the month's last day (29 Feb → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def from_provider_check(visit, version, signer, now):
    """The risk assessment a signed-off provider check produces: its rating, what the check
    found missing or weak, who signed it off, the findings that gate the start and, for a phone
    or online check of a provider with premises, why it does not count. Assessed on the day of
    the check."""
    answers = version.answers or {}
    rating = (answers.get("risk_rating") or {}).get("value")
    if rating not in RISK_RATINGS:
        raise Refused("check_not_rated",
                      "This check has no overall risk rating, so it cannot become a risk assessment. "
                      "Send it back for the rating to be added.")
    assessment = RiskAssessment(
        provider_id=visit.provider_id, visit_id=visit.id, rating=rating,
        weaknesses=weaknesses_text(version), assessed_on=version.visit_date,
        valid_until=add_months(version.visit_date, VALID_FOR_MONTHS),
        signed_off_by_id=signer.id, signed_off_at=now,
        gate_findings=_joined(start_gates.findings(rating, answers)),
        not_valid_reason=start_gates.mode_refusal(visit.provider, version.mode))
    db.session.add(assessment)
    db.session.flush()
    audit.record("risk_assessment.created", assessment, school_id=visit.school_id,
                 visit=str(visit.uuid), rating=rating, mode=version.mode,
                 gate_findings=assessment.gate_findings, not_valid_reason=assessment.not_valid_reason)
    return assessment


def from_existing_check(provider, data, upload, recorder, now, limits):
    """The risk assessment of a check done before the school used this product, recorded from
    its paper with the scan attached: valid until the day the paper says, at most 12 months
    after the check (a blank date means the full 12 months). Signed off by whoever records it.
    `upload` is (bytes, file name), kept only once the dates are right (evidence_files.store)."""
    assessed_on = data["assessed_on"]
    longest = add_months(assessed_on, VALID_FOR_MONTHS)
    valid_until = data.get("valid_until") or longest
    if valid_until <= assessed_on:
        raise Refused("validation_failed", "It must be valid until a day after the check.", field="valid_until")
    if valid_until > longest:
        raise Refused("validation_failed",
                      f"A risk assessment is reviewed at least every {VALID_FOR_MONTHS} months (§7.9): "
                      f"valid until {medium_date(longest)} at the latest.", field="valid_until")
    evidence_file = evidence_files.store(provider, *upload, recorder, now, limits)
    assessment = RiskAssessment(
        provider_id=provider.id, rating=data["rating"], weaknesses=data.get("weaknesses"),
        assessed_on=assessed_on, valid_until=valid_until, assessed_by=data["assessed_by"],
        evidence_file_id=evidence_file.id, signed_off_by_id=recorder.id, signed_off_at=now,
        gate_findings=_joined(start_gates.findings(data["rating"])))
    db.session.add(assessment)
    db.session.flush()
    audit.record("risk_assessment.created", assessment, school_id=provider.school_id, actor=recorder,
                 source="existing_check", rating=assessment.rating, assessed_by=assessment.assessed_by,
                 evidence_file=str(evidence_file.uuid), gate_findings=assessment.gate_findings)
    return assessment


def _joined(findings):
    return "; ".join(findings) or None


def approve_mitigations(provider, approver, mitigations, now):
    """The headteacher approves what has been done about the current assessment's findings that
    gate the start (§7.8): who, when and what are kept and audited. The caller checks the role
    ("placement.approve_mitigations" in server/permissions.py)."""
    mitigations = (mitigations or "").strip()
    if not mitigations:
        raise Refused("validation_failed",
                      "Write the mitigations: what has been put in place for each finding.", field="mitigations")
    if len(mitigations) > start_gates.MITIGATIONS_MAX_LENGTH:
        raise Refused("validation_failed",
                      f"Keep the mitigations under {start_gates.MITIGATIONS_MAX_LENGTH} characters.",
                      field="mitigations")
    current = _current_for_update(provider)
    if current is None or not start_gates.awaiting_mitigation(current):
        raise Refused("nothing_to_mitigate",
                      "The current risk assessment has no findings awaiting mitigation.", field="mitigations")
    if current.not_valid_reason:
        raise Refused("assessment_not_valid",
                      f"{current.not_valid_reason} Mitigations cannot make it count: a new in-person check is needed.",
                      field="mitigations")
    current.mitigations = mitigations
    current.mitigations_approved_by_id = approver.id
    current.mitigations_approved_at = now
    audit.record("risk_assessment.mitigations_approved", current, school_id=provider.school_id, actor=approver,
                 findings=current.gate_findings, mitigations=mitigations)
    return current


def _current_for_update(provider):
    return db.session.execute(
        sa.select(RiskAssessment).where(RiskAssessment.provider_id == provider.id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()).limit(1).with_for_update()
    ).scalar_one_or_none()


def weaknesses_text(version):
    """The checker's own summary, then every answer the form treats as needing an action
    (weak, missing, not good enough...), with its note."""
    form = get_form(version.form_id, version.form_version)
    answers = version.answers or {}
    summary = ((answers.get("missing_or_weak") or {}).get("value") or "").strip()
    flagged = []
    if form is not None:
        shown = visible_item_keys(form, {"mode": version.mode, "answers": answers})
        for item in form_items(form):
            answer = answers.get(item["key"]) or {}
            value = answer.get("value")
            if item["key"] == "risk_rating" or item["key"] not in shown:
                continue
            if isinstance(value, str) and value in item.get("requires", {}).get("action", ()):
                option = _option_label(item, value)
                note = f" — {answer['note'].strip()}" if (answer.get("note") or "").strip() else ""
                flagged.append(f"- {item['label']}: {option}{note}")
    parts = [summary] if summary else []
    if flagged:
        parts.append("Answers needing action:\n" + "\n".join(flagged))
    return "\n\n".join(parts) or None


def _option_label(item, value):
    for option in item.get("options", ()):
        if option["value"] == value:
            return option["label"]
    return ANSWER_LABELS.get(value, value)


def request_review(provider, user, reason, now):
    """Record a material change (new site, staff, ownership, an incident): the current risk
    assessment is due for review within MATERIAL_CHANGE_REVIEW_DAYS."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("validation_failed", "Say what changed, so the review knows what to look at.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise Refused("validation_failed", f"Keep the reason under {REASON_MAX_LENGTH} characters.", field="reason")
    current = _current_for_update(provider)
    if current is None:
        raise Refused("no_risk_assessment",
                      "There is no risk assessment to review yet: a pre-placement check is needed first.")
    current.review_requested_at = now
    current.review_reason = reason
    audit.record("risk_assessment.review_requested", current, school_id=provider.school_id, reason=reason)
    return current


def status(assessment, today):
    """(code, words) for showing a risk assessment: not_valid, needs_mitigation, review_requested,
    expired, expiring, valid."""
    if assessment.not_valid_reason:
        return "not_valid", f"Does not count: {assessment.not_valid_reason}"
    if start_gates.awaiting_mitigation(assessment):
        return ("needs_mitigation", f"Not valid yet: {assessment.gate_findings}. Mitigations need the "
                f"headteacher's approval before a placement starts ({start_gates.POLICY_SECTION})")
    if assessment.review_requested_at is not None:
        requested = england_day(assessment.review_requested_at)
        due = requested + timedelta(days=MATERIAL_CHANGE_REVIEW_DAYS)
        return "review_requested", f"Review requested on {medium_date(requested)}; due by {medium_date(due)}"
    if today > assessment.valid_until:
        return "expired", f"Expired on {medium_date(assessment.valid_until)}"
    if (assessment.valid_until - today).days <= EXPIRING_SOON_DAYS:
        return "expiring", f"Expires on {medium_date(assessment.valid_until)}"
    return "valid", f"Valid until {medium_date(assessment.valid_until)}"

