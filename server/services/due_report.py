"""What a school owes as seen on a given day, for `flask due`: every item the to-do and the
placement records would show as due or overdue on that day, however far ahead, one row each,
in the stable shape docs/rollup.md ("Due on a date") documents. Nothing is worked out here: the
items are todo.school_due_entries', by the rules of deadlines.py."""
from server.services.deadlines import POLICY_SECTIONS
from server.services.todo import school_due_entries


def due_rows(school_id, as_of):
    """[{placement_id, provider_id, subject, kind, label, due_date, overdue, policy_section}],
    overdue first, then by date. Exactly one of the two ids is set (public UUIDs, as strings)."""
    entries, _ = school_due_entries(school_id, as_of)
    return [{
        "placement_id": str(entry.placement_uuid) if entry.placement_uuid else None,
        "provider_id": str(entry.provider_uuid) if entry.provider_uuid else None,
        "subject": entry.subject,
        "kind": entry.due.kind,
        "label": entry.due.label,
        "due_date": entry.due.due_on.isoformat(),
        "overdue": entry.due.overdue,
        "policy_section": POLICY_SECTIONS[entry.due.kind],
    } for entry in entries]
