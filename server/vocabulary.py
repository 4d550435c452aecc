"""The fixed vocabularies from `shared_schemas/vocabulary.json`, as Python tuples of codes, and
the visit text limits from the same file.

The same file gives the PWA its labels, so a code is defined once for both sides. Office pages
write a code's label with the `label` filter: `{{ visit.mode|label("visit_modes") }}`.
"""
import json
from pathlib import Path

SHARED_SCHEMAS = Path(__file__).resolve().parent.parent / "shared_schemas"
_VOCABULARY = json.loads((SHARED_SCHEMAS / "vocabulary.json").read_text(encoding="utf-8"))


def labels(name):
    return {code: text for code, text in _VOCABULARY[name].items() if code != "$comment"}


def codes(name):
    return tuple(labels(name))


def label(code, name):
    """The label of `code` in vocabulary `name`, or the code made readable (the phone's rule too)."""
    return labels(name).get(code) or str(code if code is not None else "").replace("_", " ")


ROLES = codes("roles")
REGISTRATION_STATUSES = codes("registration_statuses")
EVIDENCE_KINDS = codes("evidence_kinds")
PLACEMENT_KINDS = codes("placement_kinds")
PLACEMENT_STATUSES = codes("placement_statuses")
# A pupil is still placed, or about to be.
OPEN_PLACEMENT_STATUSES = codes("open_placement_statuses")
VISIT_KINDS = codes("visit_kinds")
VISIT_MODES = codes("visit_modes")
REVIEW_STATUSES = codes("review_statuses")
RISK_RATINGS = codes("risk_ratings")
CONTACT_ROLES = codes("contact_roles")
SESSIONS = codes("sessions")
ATTENDANCE_CODES = codes("attendance_codes")
TERMS = codes("terms")
PROGRESS_METHODS = codes("progress_methods")
NOTICE_GIVERS = codes("notice_givers")
# The most characters each text box of a visit takes (and people per answer): the phone counts
# against the same numbers, so it never completes a visit the server would refuse.
LIMITS = labels("limits")
# Yes / No / N/A: the fixed answers of yes_no and yes_no_na items.
ANSWER_LABELS = labels("answer_options")

