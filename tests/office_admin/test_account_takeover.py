"""Nobody takes over an account with more power than their own: an account that holds a role
the actor may not give cannot be given a set-password link, deactivated, reactivated or re-roled
by them, through the office or the API, for every pair of roles. A link made while it was
allowed stops working once the account holds such a role, and the log names who made it."""
import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Membership, User
from server.services.accounts import hash_password
from server.services.staff import GIVEN_BY
from server.vocabulary import ROLES
from tests.conftest import OfficeClient
from tests.office_admin.conftest import page_text


def may_give(actor_role, target_role):
    return actor_role in GIVEN_BY[target_role]


def test_the_table_gives_the_senior_roles_only_to_the_senior_leaders():
    assert not may_give("admin", "headteacher") and not may_give("admin", "dsl") and not may_give("admin", "ap_leader")
    assert not may_give("ap_leader", "headteacher") and may_give("headteacher", "headteacher")
    assert not any(may_give(role, "trust_lead") for role in ROLES)
    assert may_give("admin", "visiting_staff") and may_give("ap_leader", "dsl")


def colleague(demo, role):
    """A fresh account holding only `role` at Riverside, so each pair is tested on its own."""
    user = User(email=f"target.{role}@riverside.example", full_name=f"Target {role}", password_hash=hash_password("x" * 16))
    user.memberships.append(Membership(school=demo.school(), role=role))
    db.session.add(user)
    db.session.commit()
    return user


def fingerprint(user):
    db.session.expire_all()
    user = db.session.get(User, user.id)
    return user.password_hash, user.active, sorted(user.roles_in(user.memberships[0].school_id))


@pytest.mark.parametrize("actor_role", ROLES)
def test_an_account_holding_a_role_the_actor_cannot_give_is_out_of_their_reach(office_as, api_as, demo, actor_role):
    office, api = office_as(actor_role), api_as(actor_role)
    school = demo.school().uuid
    wrong = []
    for target_role in ROLES:
        target = colleague(demo, target_role)
        before = fingerprint(target)
        allowed = may_give(actor_role, target_role)
        answers = {
            "office link": office.post(f"/office/staff/{target.uuid}/password-link").status_code,
            "api link": api.post(f"/api/admin/schools/{school}/staff/{target.uuid}/password-link").status_code,
            "roles": office.post(f"/office/staff/{target.uuid}/roles",
                                 data={"roles": [target_role, "governor"]}).status_code,
            "api deactivate": api.post(f"/api/admin/schools/{school}/staff/{target.uuid}/deactivate").status_code,
            "api reactivate": api.post(f"/api/admin/schools/{school}/staff/{target.uuid}/reactivate").status_code,
            "office deactivate": office.post(f"/office/staff/{target.uuid}/deactivate").status_code,
        }
        expected = ({"office link": 200, "api link": 200, "roles": 302, "api deactivate": 200,
                     "api reactivate": 200, "office deactivate": 302} if allowed else
                    {"office link": 403, "api link": 403, "roles": 422 if actor_role in GIVEN_BY["admin"] else 403,
                     "api deactivate": 403, "api reactivate": 403, "office deactivate": 403})
        if answers != expected:
            wrong.append((target_role, answers))
        if not allowed and fingerprint(target) != before:
            wrong.append((target_role, "changed"))
    assert not wrong, f"{actor_role} reached: {wrong}"


def test_the_administrator_cannot_take_over_the_head_or_the_dsl(office_as, demo):
    office = office_as("admin")
    for role in ("headteacher", "dsl"):
        target = demo.user(role)
        page = office.get(f"/office/staff/{target.uuid}")
        assert "Make a set-password link" not in page_text(page)
        assert "holds a role you cannot give" in page_text(page)
        assert office.post(f"/office/staff/{target.uuid}/password-link").status_code == 403
        assert office.post(f"/office/staff/{target.uuid}/roles",
                           data={"roles": [role, "ap_leader"]}).status_code == 422
    assert not db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "user.password_link_made")).scalars().all()


def link_path(response):
    url = re.search(r'id="password-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    return url.split("localhost", 1)[1]


def test_a_link_stops_working_once_the_person_holds_a_role_its_maker_cannot_give(office_as, demo, app):
    target = colleague(demo, "visiting_staff")
    path = link_path(office_as("admin").post(f"/office/staff/{target.uuid}/password-link"))
    assert office_as("headteacher").post(f"/office/staff/{target.uuid}/roles",
                                         data={"roles": ["visiting_staff", "dsl"]}).status_code == 302
    anonymous = OfficeClient(app.test_client())
    assert anonymous.get(path).status_code == 410
    new_password = {"password": "correct horse battery", "password_again": "correct horse battery"}
    assert anonymous.post(path, data=new_password).status_code == 410


def test_the_log_names_who_made_the_link_not_the_account_holder(office_as, demo, app):
    target = colleague(demo, "visiting_staff")
    admin = demo.user("admin")
    path = link_path(office_as("admin").post(f"/office/staff/{target.uuid}/password-link"))
    new_password = {"password": "correct horse battery", "password_again": "correct horse battery"}
    assert OfficeClient(app.test_client()).post(path, data=new_password).status_code == 200
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.password_set")).scalar_one()
    assert event.actor_id is None and event.details["link_made_by"] == str(admin.uuid)
