"""The commissioning agreement (§7.11) and QA visits (§8.1): what a placement with a provider
must have agreed before it starts, not only be reminded of.

- The service-level agreement is complete: every term of the agreement is written, the cost and
  its basis are set. Free school meals are a term only for a pupil who is eligible. Part-time
  timetables and flexi-schooling commission no provider, so they have no agreement to complete.
- Every off-site placement says how often it has QA visits: none owed is never silent. An
  active one without (from before this rule) owes an item on the to-do until it is set.
Plain functions of values, no database.
"""
COMMISSIONED_KINDS = ("off_site_ap", "on_site_ap", "off_site_direction")
OFF_SITE_KINDS = ("off_site_ap", "off_site_direction")
# The agreement's written terms, in the order the form shows them, as a sentence names them.
TERMS = {
    "aims": "aims",
    "planned_outcomes": "planned outcomes",
    "curriculum": "curriculum",
    "qualifications": "qualifications",
    "induction": "induction",
    "pastoral_arrangements": "pastoral arrangements",
    "attendance_arrangements": "attendance",
    "safeguarding_arrangements": "safeguarding",
    "free_school_meals": "free school meals",
    "exam_arrangements": "exams",
    "communication": "communication",
    "review_arrangements": "reviews",
}
QA_FREQUENCY_MISSING = "Set how often QA visits happen: every off-site placement has them (§8.1)."


def missing_terms(placement):
    """The agreement's terms not yet written, in words."""
    missing = []
    for name, words in TERMS.items():
        if name == "free_school_meals" and not (placement.pupil and placement.pupil.fsm_eligible):
            continue
        if not (getattr(placement, name) or "").strip():
            missing.append(words)
    if placement.cost_pence is None:
        missing.append("cost")
    if not (placement.cost_basis or "").strip():
        missing.append("what the cost is per")
    return missing


def start_blockers(placement):
    found = []
    if placement.kind in COMMISSIONED_KINDS:
        missing = missing_terms(placement)
        if missing:
            found.append("The service-level agreement is not complete: it says nothing yet about "
                         + ", ".join(missing) + " (§7.11).")
    if placement.kind in OFF_SITE_KINDS and not placement.qa_visit_every_weeks:
        found.append(QA_FREQUENCY_MISSING)
    return found
