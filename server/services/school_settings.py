"""A school's own settings: its local authority, the key contacts every phone shows (the DSL
first), and the term dates and INSET days deadlines are counted in.

Also the one way the school-administration services edit a record, `apply_changes()`: set the
fields and return what changed as {field: [old, new]}, which is what the audit log keeps.
No Flask request globals; flush, never commit.
"""
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from dateutil.easter import easter

from server.dates import academic_year_of
from server.models import InsetDay, KeyContact, TermPeriod
from server.models.base import utcnow
from server.services import audit
from server.vocabulary import TERMS

HALF_TERMS = [(term, half) for term in TERMS for half in (1, 2)]


def audit_value(value):
    """A value as the audit log's JSON keeps it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [audit_value(item) for item in value]
    if isinstance(value, dict):
        return {key: audit_value(item) for key, item in value.items()}
    return value


def apply_changes(obj, data):
    """Set each field of `data` on `obj`; return {field: [old, new]} for those that changed."""
    changes = {}
    for name, new in data.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [audit_value(old), audit_value(new)]
            setattr(obj, name, new)
    return changes


def touch(obj):
    """Mark a row changed so phones pulling by change number see it: a DELETE of one of its
    children stamps nothing by itself."""
    obj.updated_at = utcnow()


def update_school(school, data, actor):
    changes = apply_changes(school, data)
    if changes:
        audit.record("school.settings_changed", school, school_id=school.id, actor=actor, changes=changes)
    return changes


def save_key_contacts(school, contacts, actor):
    """Replace the school's key contacts with `contacts` (one per role)."""
    existing = {contact.role: contact for contact in school.key_contacts}
    changes = {}
    for data in contacts:
        contact = existing.pop(data["role"], None)
        if contact is None:
            school.key_contacts.append(KeyContact(**data))
            changes[data["role"]] = [None, _contact_summary(data)]
        else:
            before = _contact_summary(vars(contact))
            if apply_changes(contact, data):
                changes[data["role"]] = [before, _contact_summary(data)]
    for role, contact in existing.items():
        school.key_contacts.remove(contact)
        changes[role] = [_contact_summary(vars(contact)), None]
    if changes:
        touch(school)
        audit.record("school.key_contacts_changed", school, school_id=school.id, actor=actor, changes=changes)
    return changes


def _contact_summary(data):
    return {name: data.get(name) for name in ("name", "phone", "email")}


def term_year(school, academic_year):
    """The school's six half terms of one academic year, in order (fewer if not all are set)."""
    return sorted((p for p in school.term_periods if p.academic_year == academic_year),
                  key=lambda p: HALF_TERMS.index((p.term, p.half)))


def save_term_year(school, academic_year, halves, actor):
    """Set the six half terms of one academic year; returns what changed."""
    existing = {(p.term, p.half): p for p in term_year(school, academic_year)}
    changes = {}
    for half in halves:
        key = (half["term"], half["half"])
        dates = {"starts_on": half["starts_on"], "ends_on": half["ends_on"]}
        period = existing.get(key)
        if period is None:
            school.term_periods.append(TermPeriod(academic_year=academic_year, term=key[0], half=key[1], **dates))
            changed = {name: [None, audit_value(value)] for name, value in dates.items()}
        else:
            changed = apply_changes(period, dates)
        if changed:
            changes[f"{key[0]}_{key[1]}"] = changed
    if changes:
        audit.record("school.term_dates_changed", school, school_id=school.id, actor=actor,
                     academic_year=academic_year, changes=changes)
    return changes


def inset_days_of(school, academic_year):
    """The school's INSET days in one academic year, in order."""
    return [inset.on_date for inset in school.inset_days if academic_year_of(inset.on_date) == academic_year]


def save_inset_days(school, academic_year, days, actor):
    """Make `days` the school's INSET days of that academic year; returns {added, removed}."""
    wanted = set(days)
    existing = [inset for inset in school.inset_days if academic_year_of(inset.on_date) == academic_year]
    removed = sorted(inset.on_date for inset in existing if inset.on_date not in wanted)
    added = sorted(wanted - {inset.on_date for inset in existing})
    for inset in existing:
        if inset.on_date in removed:
            school.inset_days.remove(inset)
    school.inset_days.extend(InsetDay(on_date=day) for day in added)
    if not added and not removed:
        return {}
    if removed:
        touch(school)
    changes = {"added": audit_value(added), "removed": audit_value(removed)}
    audit.record("school.inset_days_changed", school, school_id=school.id, actor=actor,
                 academic_year=academic_year, changes=changes)
    return changes


def usual_term_dates(academic_year):
    """A sensible first guess at a year's half terms in England, for the AP leader to correct
    against the local authority's published dates: October and February half terms in the last
    week of October and the week of the third Monday in February, two weeks at Easter, the spring
    bank holiday week, Christmas from about 20 December, summer from about 22 July. Easter
    Sunday comes from dateutil."""
    year, next_year = academic_year, academic_year + 1
    october_break = _last_weekday_of_month(year, 10, 0)
    february_break = _nth_weekday(next_year, 2, 0, 3)
    easter_sunday = easter(next_year)
    may_break = _last_weekday_of_month(next_year, 5, 0)
    days = [
        (_weekday_on_or_after(date(year, 9, 2)), october_break - timedelta(days=3)),
        (october_break + timedelta(days=7), _weekday_on_or_before(date(year, 12, 19))),
        (_weekday_on_or_after(date(next_year, 1, 5)), february_break - timedelta(days=3)),
        (february_break + timedelta(days=7), easter_sunday - timedelta(days=9)),
        (easter_sunday + timedelta(days=8), may_break - timedelta(days=3)),
        (may_break + timedelta(days=7), _weekday_on_or_before(date(next_year, 7, 22))),
    ]
    return [{"term": term, "half": half, "starts_on": start, "ends_on": end}
            for (term, half), (start, end) in zip(HALF_TERMS, days)]


def _weekday_on_or_after(day):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _weekday_on_or_before(day):
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _last_weekday_of_month(year, month, weekday):
    day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _nth_weekday(year, month, weekday, n):
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

