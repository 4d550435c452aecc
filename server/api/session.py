"""Sign in and sign out."""
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from server.api import api
from server.api.docs import documented
from server.api.me import who_is
from server.api.wire import load_json, respond
from server.errors import ApiError
from server.extensions import db
from server.schemas.accounts import CsrfSchema, MeSchema, SignInSchema
from server.security import end_current_session, sign_in_limit, sign_in_with_password
from server.services import audit
from server.services.accounts import SignInRefused


@api.get("/csrf")
@documented("A CSRF token for the sign-in form (the session cookie it belongs to comes with it)",
            responses={200: CsrfSchema}, tags=["session"])
def csrf_token():
    return respond(CsrfSchema(), {"csrf_token": generate_csrf()})


@api.post("/session")
@sign_in_limit
@documented("Sign in with email and password", body=SignInSchema, responses={200: MeSchema}, tags=["session"])
def sign_in():
    credentials = load_json(SignInSchema())
    try:
        user = sign_in_with_password(credentials["email"], credentials["password"])
    except SignInRefused as refused:
        raise ApiError(refused.code) from None
    return respond(MeSchema(), who_is(user))


@api.delete("/session")
@documented("Sign out: ends this session on the server", responses={204: None}, tags=["session"])
def sign_out():
    if current_user.is_authenticated:
        audit.record("session.ended", current_user._get_current_object())
        end_current_session()
        db.session.commit()
    return "", 204

