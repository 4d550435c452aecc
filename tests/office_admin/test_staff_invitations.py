"""Adding someone whose account another school runs: the adding school gets an invitation that
shows nothing of the account and changes nothing of it, until its owner signs in and accepts."""
import re

import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, User
from tests.office_admin.conftest import page_text


def add_colleague(api, demo, **extra):
    colleague = demo.user("visiting_staff", "hillcrest")
    colleague.phone, colleague.full_name = "07700 900777", "Real Name Of Colleague"
    db.session.commit()
    payload = {"full_name": "Name Typed Here", "email": colleague.email, "roles": ["visiting_staff"], **extra}
    return colleague, api.post(f"/api/admin/schools/{demo.school().uuid}/staff", json=payload)


def account(user):
    db.session.expire_all()
    user = db.session.get(User, user.id)
    return user.password_hash, user.active, sorted((m.school_id, m.role) for m in user.memberships)


def link_path(url):
    return url.split("localhost", 1)[1]


def test_adding_another_schools_account_shows_nothing_of_it_and_changes_nothing(api_as, demo):
    api = api_as("ap_leader")
    colleague = demo.user("visiting_staff", "hillcrest")
    before = account(colleague)
    colleague, response = add_colleague(api, demo)
    assert response.status_code == 201
    body = response.get_json()
    text = response.get_data(as_text=True)
    assert body["member"] is None and body["password_link"] is None
    assert body["invitation"]["invitation"]["full_name"] == "Name Typed Here"
    assert "Real Name" not in text and "900777" not in text and "last_login" not in text
    assert account(colleague) == before, "the account holds no role here until its owner accepts"
    listed = api.get(f"/api/admin/schools/{demo.school().uuid}/staff").get_data(as_text=True)
    assert colleague.email not in listed
    home = api_as("ap_leader", "hillcrest")
    assert home.post(f"/api/admin/schools/{demo.school('hillcrest').uuid}/staff/{colleague.uuid}/password-link"
                     ).status_code == 200, "their own school still runs the account"


def test_the_office_shows_the_invitation_with_only_what_was_typed(office_as, demo):
    colleague = demo.user("visiting_staff", "hillcrest")
    colleague.full_name = "Real Name Of Colleague"
    db.session.commit()
    office = office_as("ap_leader")
    page = office.post("/office/staff", data={"full_name": "Name Typed Here", "email": colleague.email,
                                              "roles": ["visiting_staff"]})
    assert page.status_code == 200
    assert "Invitation for Name Typed Here" in page_text(page) and "Real Name" not in page_text(page)
    staff_list = page_text(office.get("/office/staff"))
    assert "Invitations waiting" in staff_list and "Real Name" not in staff_list


def test_the_owner_accepts_signed_in_as_themselves_and_nobody_else_can(api_as, office_as, demo):
    colleague, response = add_colleague(api_as("ap_leader"), demo)
    path = link_path(response.get_json()["invitation"]["link"]["url"])
    before = account(colleague)
    for someone in (office_as("ap_leader"), office_as("admin"), office_as("visiting_staff")):
        assert someone.get(path).status_code == 410
        assert someone.post(path).status_code == 410
    assert account(colleague) == before
    owner = office_as("visiting_staff", "hillcrest")
    assert "Join Riverside Academy" in page_text(owner.get(path))
    assert owner.post(path).status_code == 200
    assert user_roles(colleague, demo.school()) == {"visiting_staff"}
    assert owner.get(path).status_code == 410, "a link works once"
    actions = {e.action for e in db.session.execute(sa.select(AuditEvent)).scalars()}
    assert {"staff.invited", "staff.invitation_accepted"} <= actions


def test_a_withdrawn_invitation_cannot_be_accepted(api_as, office_as, demo):
    api = api_as("ap_leader")
    colleague, response = add_colleague(api, demo)
    invitation = response.get_json()["invitation"]
    listed = api.get(f"/api/admin/schools/{demo.school().uuid}/staff/invitations").get_json()
    assert [i["id"] for i in listed] == [invitation["invitation"]["id"]]
    assert api.post(f"/api/admin/schools/{demo.school().uuid}/staff/invitations/"
                    f"{invitation['invitation']['id']}/withdraw").status_code == 204
    owner = office_as("visiting_staff", "hillcrest")
    assert owner.post(link_path(invitation["link"]["url"])).status_code == 410
    assert user_roles(colleague, demo.school()) == set()


def test_another_school_cannot_withdraw_or_list_this_schools_invitations(api_as, demo):
    _, response = add_colleague(api_as("ap_leader"), demo)
    invitation_id = response.get_json()["invitation"]["invitation"]["id"]
    other = api_as("ap_leader", "hillcrest")
    assert other.get(f"/api/admin/schools/{demo.school().uuid}/staff/invitations").status_code == 404
    assert other.post(f"/api/admin/schools/{demo.school('hillcrest').uuid}/staff/invitations/"
                      f"{invitation_id}/withdraw").status_code == 404


def user_roles(user, school):
    db.session.expire_all()
    return db.session.get(User, user.id).roles_in(school.id)


def test_a_link_that_is_not_an_invitation_is_refused(office_as, demo):
    office = office_as("visiting_staff")
    for token in ("not-a-token", "A" * 80, re.sub(r"\W", "", "x.y.z")):
        assert office.get(f"/office/join/{token}").status_code == 410
