"""What a pre-placement check must show before its risk assessment lets a placement start (§7.8).

Two rules, kept here so the risk assessment, the start rules and the deadlines read them alike:
- findings that gate the start: a "High" rating, a missing safeguarding policy or no written
  confirmation of staff checks. The assessment is recorded but counts only once mitigations are
  written and the headteacher approves them (who, when, what);
- how the check was done: a provider with premises needs an in-person check; a phone or online
  check counts only for an online-only provider. No approval lifts this: a new check is needed.
Plain functions of values, no database.
"""

POLICY_SECTION = "§7.8"
# Only the headteacher approves mitigations for a check whose findings gate the start.
MITIGATIONS_MAX_LENGTH = 5000
# Checks not done in person; they count only where there are no premises to see.
REMOTE_MODES = ("phone", "online")
ONLINE_ONLY_STATUS = "online_only"


def findings(rating, answers=None):
    """The findings of a check that gate the start, as short phrases; empty when none do.
    `answers` are the provider_check form's answers (a paper check has only its rating)."""
    answers = answers or {}
    found = []
    if rating == "high":
        found.append("rated high risk")
    if (answers.get("policy_safeguarding") or {}).get("value") == "missing":
        found.append("safeguarding policy missing")
    if (answers.get("staff_checks_confirmed") or {}).get("value") == "no":
        found.append("no written confirmation of staff checks")
    return found


def mode_refusal(provider, mode):
    """Why a check done this way cannot be this provider's risk assessment, or None."""
    if mode in REMOTE_MODES and provider.registration_status != ONLINE_ONLY_STATUS:
        how = "by phone" if mode == "phone" else "online"
        return (f"This check was done {how}, but {provider.name} has premises: only an in-person check "
                f"counts; a phone or online check is only for an online-only provider ({POLICY_SECTION}).")
    return None


def awaiting_mitigation(assessment):
    return bool(assessment.gate_findings) and assessment.mitigations_approved_at is None


def blockers(assessment, provider_name):
    """Sentences saying why this assessment does not yet let a placement start; empty if it does."""
    found = []
    if assessment.not_valid_reason:
        found.append(f"The risk assessment for {provider_name} does not count: {assessment.not_valid_reason} "
                     "A new in-person pre-placement check is needed.")
    if awaiting_mitigation(assessment):
        found.append(f"The check of {provider_name} found: {assessment.gate_findings}. Mitigations must be "
                     f"recorded and approved by the headteacher before a placement starts ({POLICY_SECTION}).")
    return found
