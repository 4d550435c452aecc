"""Property-based fuzzing of every office form (hypothesis): POST routes under /office get random
fields and values (NUL, broken UTF-8 surrogates, huge strings, odd dates and numbers, valid
forms with one field spoiled), posted as every role of the demo data and signed out, with a
valid CSRF token so the request reaches the view. None may answer a 5xx. Deterministic and
bounded: derandomized, a fixed number of examples per route."""
import inspect
import uuid
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema

import server.office
import server.schemas
from server.extensions import db
from server.models import FollowUpAction, Placement, Provider, Pupil, SafeguardingConcern, User, Visit
from server.vocabulary import ROLES
from tests import payloads
from tests.office_admin.admin_routes import OFFICE_FORMS
from tests.conftest import isolated_request, start_session

pytestmark = pytest.mark.fuzz

EXAMPLES_PER_ROUTE = 8
# Routes that end the caller's session or account go last, so the others run signed in.
LAST = ("deactivate", "sign-out")

NASTY = ["", "\x00", "a\x00b", "\ud800", "caf\udfffe", "x" * 100_000, "9999-12-31", "0001-01-01", "2026-02-30",
         "-1", "0", "1e309", "NaN", "10" * 40, "on", "<script>", "../../etc/passwd", "=1+1", " ", "2026-11-30"]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))


def _schema_field_names():
    """Every field name any schema loads: the vocabulary the forms are read with."""
    names = set()
    for module in list(vars(server.schemas).values()) + list(vars(server.office).values()):
        for _name, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, Schema):
                names.update(member._declared_fields)
    return sorted(names)


def _object_uuids(demo):
    """A real record of the demo school for each kind of id a form's path names."""
    school_id = demo.school().id
    first = {
        "action_id": sa.select(FollowUpAction.uuid).join(Visit).where(Visit.school_id == school_id),
        "concern_id": sa.select(SafeguardingConcern.uuid).join(Visit).where(Visit.school_id == school_id),
        "visit_id": sa.select(Visit.uuid).where(Visit.school_id == school_id),
        "placement_id": sa.select(Placement.uuid).where(Placement.school_id == school_id),
        "provider_id": sa.select(Provider.uuid).where(Provider.school_id == school_id),
        "pupil_id": sa.select(Pupil.uuid).where(Pupil.school_id == school_id),
        "user_id": sa.select(User.uuid).where(User.email == demo.email("visiting_staff")),
    }
    return {name: db.session.execute(query.limit(1)).scalar() for name, query in first.items()}


def _office_form_routes(app, demo):
    """(path, valid form or {}) for every office POST route, those that end sessions last."""
    uuids = _object_uuids(demo)
    valid_by_path = {}
    for build in OFFICE_FORMS.values():
        path, form = build(demo, "ap_leader", "riverside")
        if not any(hasattr(value, "read") or isinstance(value, tuple) for value in form.values()):
            valid_by_path[path.split("?")[0]] = form
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/office/") or "POST" not in rule.methods:
            continue
        path = rule.rule
        for argument in rule.arguments:
            value = uuids.get(argument) or "no-such-token"
            path = path.replace(f"<uuid:{argument}>", str(value)).replace(f"<{argument}>", str(value))
        routes.append((path, valid_by_path.get(path, {})))
    return sorted(routes, key=lambda route: (any(word in route[0] for word in LAST), route[0]))


def _callers(app, demo):
    """(who, test client, csrf token) for every role, and for no one signed in."""
    callers = []
    for role in (None, *ROLES):
        client = app.test_client()
        if role:
            start_session(client, demo.user(role))
        csrf = isolated_request(lambda: client.get("/api/me" if role else "/api/csrf")).get_json()["csrf_token"]
        callers.append((role or "signed out", client, csrf))
    return callers


def _forms(valid, field_names):
    extra = st.dictionaries(st.sampled_from(field_names), VALUES, max_size=6)
    if not valid:
        return extra
    spoiled = st.tuples(st.sampled_from(sorted(valid)), VALUES).map(lambda pair: {**valid, pair[0]: pair[1]})
    return st.one_of(spoiled, st.builds(lambda more: {**valid, **more}, extra), extra)


def test_no_office_form_answers_a_server_error_for_any_role(app, demo, make_api):
    # A synced visit with a follow-up action and a concern, so the review and concern forms
    # have something to act on.
    phone = make_api()
    phone.sign_in(demo.email("visiting_staff"))
    visit = payloads.qa_visit(demo.placements()[0].uuid, actions=[payloads.action()], concern=payloads.concern())
    assert phone.put(f"/api/visits/{uuid.uuid4()}", json=visit).status_code == 201
    field_names = _schema_field_names()
    callers = _callers(app, demo)
    routes = _office_form_routes(app, demo)
    assert len(routes) > 20

    for path, valid in routes:
        @settings(max_examples=EXAMPLES_PER_ROUTE, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(form=_forms(valid, field_names))
        def no_server_error(form):
            for who, client, csrf in callers:
                # Encoded by hand: a lone surrogate goes on the wire as the bytes a broken
                # client would send, which the test client's own encoder refuses to make.
                body = urlencode({**form, "csrf_token": csrf}, encoding="utf-8", errors="surrogatepass")
                response = isolated_request(lambda: client.post(
                    path, data=body, content_type="application/x-www-form-urlencoded"))
                assert response.status_code < 500, (path, who, {k: v[:80] for k, v in form.items()},
                                                    response.get_data()[:300])

        no_server_error()


SWEEP_VALUES = ["a\x00b", "caf\ud800e", "x" * 100_000, "9999-12-31", "1e309"]


def test_every_field_of_every_office_form_spoiled_in_turn_is_no_server_error(app, demo):
    """The systematic half: each field of each valid form (and the sign-in form) replaced in
    turn by each value no school would type, posted as the AP leader, who may use every form."""
    _, client, csrf = _callers(app, demo)[ROLES.index("ap_leader") + 1]
    signed_out = _callers(app, demo)[0]
    routes = [route for route in _office_form_routes(app, demo) if route[1]]
    cases = [(client, csrf, path, valid) for path, valid in routes]
    cases.append((signed_out[1], signed_out[2], "/office/sign-in", {"email": demo.email("dsl"), "password": "x"}))
    for who, token, path, valid in cases:
        for field in valid:
            for value in SWEEP_VALUES:
                body = urlencode({**valid, field: value, "csrf_token": token}, encoding="utf-8",
                                 errors="surrogatepass")
                response = isolated_request(lambda: who.post(
                    path, data=body, content_type="application/x-www-form-urlencoded"))
                assert response.status_code < 500, (path, field, value[:20], response.get_data()[:300])
