"""Making a school, and the trust it belongs to: the first record of a real installation
(`flask create-school`) and of the demo trust. Idempotent on the URN: asking again for the same
school changes nothing; the same URN with other details is refused, never overwritten.
Input arrives already checked by schemas/admin_school.NewSchoolSchema. Flush, never commit.
"""
import sqlalchemy as sa

from server.extensions import db
from server.models import School, Trust
from server.services import audit
from server.services.refusal import Refused

# What makes "the same school": asking again with these unchanged is not an error.
IDENTITY_FIELDS = ("name", "local_authority", "trust")


def find_or_create_trust(name, may_create):
    """The trust called `name` (ignoring case), or a new one when `may_create`; a name that
    matches no trust is otherwise refused, so a misspelt trust never becomes a second one.
    Returns (trust, created)."""
    trust = db.session.execute(
        sa.select(Trust).where(sa.func.lower(Trust.name) == name.lower())).scalar_one_or_none()
    if trust is not None:
        return trust, False
    if not may_create:
        raise Refused("unknown_trust", details={"trust": name})
    trust = Trust(name=name)
    db.session.add(trust)
    return trust, True


def create_school(data):
    """`data`: a loaded NewSchoolSchema. Returns (school, created, trust_created)."""
    existing = db.session.execute(sa.select(School).where(School.urn == data["urn"])).scalar_one_or_none()
    if existing is not None:
        differences = _differences(existing, data)
        if differences:
            raise Refused("school_exists", details={"urn": data["urn"], "differences": differences})
        return existing, False, False
    trust, trust_created = (find_or_create_trust(data["trust"], data.get("new_trust", False)) if data["trust"]
                            else (None, False))
    school = School(urn=data["urn"], name=data["name"], local_authority=data["local_authority"],
                    la_notifications_email=data["la_notifications_email"], trust=trust)
    db.session.add(school)
    db.session.flush()
    audit.record("school.created", school, school_id=school.id, urn=school.urn, name=school.name,
                 trust=trust.name if trust else None)
    return school, True, trust_created


def _differences(school, data):
    """{field: [on record, asked for]} for each identity field that differs (ignoring case, as
    trust names are matched)."""
    on_record = {"name": school.name, "local_authority": school.local_authority,
                 "trust": school.trust.name if school.trust else None}
    return {name: [on_record[name], data[name]] for name in IDENTITY_FIELDS
            if (on_record[name] or "").casefold() != (data[name] or "").casefold()}
