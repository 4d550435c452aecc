"""Providers a school uses: creating and editing them with their published reports and the
evidence that expires, each piece with its scanned file when the school has one. No Flask
request globals; flush, never commit."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import Provider, ProviderEvidence, ProviderReport
from server.services import audit, evidence_files
from server.services.refusal import Refused
from server.services.school_settings import apply_changes, audit_value, touch

# Evidence expiring within this many days is shown as "expires soon".
EXPIRY_WARNING_DAYS = 30
_CHILD_LISTS = {"reports": (ProviderReport, ("source", "report_date", "judgement", "url")),
                "evidence": (ProviderEvidence, ("kind", "description", "received_on", "expires_on", "file_uuid"))}


def list_providers(school):
    return db.session.execute(providers_query(school).order_by(Provider.name)).scalars().all()


def providers_query(school, registration_status=None):
    """This school's providers with their evidence and risk assessments, unordered; one
    registration status when given."""
    query = (sa.select(Provider).where(Provider.school_id == school.id)
             .options(selectinload(Provider.evidence), selectinload(Provider.risk_assessments),
                      selectinload(Provider.school)))
    if registration_status is not None:
        query = query.where(Provider.registration_status == registration_status)
    return query


def _check_name_free(school, name, provider=None):
    clash = db.session.execute(
        sa.select(Provider.id).where(Provider.school_id == school.id, sa.func.lower(Provider.name) == name.lower(),
                                     Provider.id != (provider.id if provider else -1))).first()
    if clash:
        raise Refused("validation_failed", "This school already has a provider with this name.", field="name")


def create_provider(school, data, actor):
    _check_name_free(school, data["name"])
    fields, lists = _split(data)
    provider = Provider(school=school, **fields)
    db.session.add(provider)
    for name, items in lists.items():
        _replace_children(provider, name, items)
    db.session.flush()
    audit.record("provider.created", provider, actor=actor,
                 changes={name: [None, audit_value(value)] for name, value in data.items()})
    return provider


def update_provider(provider, data, actor):
    _check_name_free(provider.school, data["name"], provider)
    fields, lists = _split(data)
    changes = apply_changes(provider, fields)
    for name, items in lists.items():
        changes.update(_replace_children(provider, name, items))
    if changes:
        touch(provider)
        audit.record("provider.changed", provider, actor=actor, changes=changes)
    return changes


def _split(data):
    lists = {name: data[name] for name in _CHILD_LISTS if name in data}
    return {k: v for k, v in data.items() if k not in lists}, lists


def _replace_children(provider, name, items):
    """Make `provider.<name>` hold exactly `items`: rows equal to an item stay as they are, the
    rest are removed and the new ones added. Returns the change for the audit log."""
    model, columns = _CHILD_LISTS[name]
    rows = getattr(provider, name)
    key = lambda values: tuple(audit_value(values[c]) for c in columns)  # noqa: E731
    current = [(key({c: getattr(row, c) for c in columns}), row) for row in rows]
    wanted = [key(item) for item in items]
    if sorted(k for k, _ in current) == sorted(wanted):
        return {}
    keep = list(wanted)
    for row_key, row in current:
        if row_key in keep:
            keep.remove(row_key)
        else:
            rows.remove(row)
    for item in items:
        if key(item) in keep:
            keep.remove(key(item))
            rows.append(model(**_row_values(provider, columns, item)))
    before = [dict(zip(columns, k)) for k, _ in current]
    after = [dict(zip(columns, k)) for k in wanted]
    return {name: [before, after]}


def _row_values(provider, columns, item):
    """A new row's columns; an evidence row's file must be one of this provider's own."""
    values = {c: item[c] for c in columns if c != "file_uuid"}
    if item.get("file_uuid") is not None:
        values["file"] = evidence_files.provider_file(provider, item["file_uuid"])
        if values["file"] is None:
            raise Refused("validation_failed",
                          "A file named in the evidence is not one of this provider's.", field="evidence")
    return values


def evidence_state(evidence, today):
    """"expired", "expires_soon" or "ok" for one piece of evidence."""
    return expiry_state(evidence.expires_on, today)


def expiry_state(expires_on, today):
    if expires_on is None:
        return "ok"
    if expires_on < today:
        return "expired"
    if expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return "expires_soon"
    return "ok"


def latest_risk_assessment(provider):
    assessments = sorted(provider.risk_assessments, key=lambda r: (r.assessed_on, r.id or 0))
    return assessments[-1] if assessments else None
