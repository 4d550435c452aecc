"""Sign in and sign out."""
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from server.api import api
from server.api.docs import documented
from server.api.me import who_is
from server.api.wire import load_json, respond
from server.extensions import db
from server.schemas.accounts import (CsrfSchema, MeSchema, PasskeyOptionsRequestSchema, PasskeyOptionsSchema,
                                     PasskeySignInSchema, SecondFactorSchema, SecondStepSchema, SignedInSchema,
                                     SignInSchema)
from server.security import (SecondStep, current_relying_party, end_current_session, passkey_offered,
                             passkey_sign_in_options, sign_in_limit, sign_in_with_passkey, sign_in_with_password,
                             sign_in_with_second_factor)
from server.services import audit, second_factor
from server.services.refusal import Refused

TAGS = ["session"]


def _sign_in_step(path, summary, *, body, responses):
    """A POST that is a step of signing in: each one spends the same per-address budget."""
    def decorator(view):
        return api.post(path)(sign_in_limit(documented(summary, body=body, responses=responses, tags=TAGS)(view)))
    return decorator


@api.get("/csrf")
@documented("A CSRF token for the sign-in form (the session cookie it belongs to comes with it)",
            responses={200: CsrfSchema}, tags=TAGS)
def csrf_token():
    return respond(CsrfSchema(), {"csrf_token": generate_csrf()})


@_sign_in_step("/session", "Sign in with email and password. Anyone with a second factor, or a role that needs "
               "one, gets 202 and finishes at /api/session/second-factor",
               body=SignInSchema, responses={200: MeSchema, 202: SecondStepSchema})
def sign_in():
    credentials = load_json(SignInSchema())
    outcome = sign_in_with_password(credentials["email"], credentials["password"])
    if isinstance(outcome, SecondStep):
        return respond(SecondStepSchema(), second_step(outcome), status=202)
    return respond(MeSchema(), who_is(outcome))


def second_step(step):
    if step.enrol_secret is None:
        return {"second_factor": "code", "pending_token": step.token, "passkey": passkey_offered(step),
                "message": "Enter the 6-digit code from your authenticator app."}
    uri = second_factor.provisioning_uri(step.user, step.enrol_secret)
    return {"second_factor": "enrol", "pending_token": step.token, "secret": step.enrol_secret,
            "otpauth_uri": uri, "qr_svg": second_factor.qr_svg(uri),
            "message": "Your role needs two-step sign-in. Add this account to an authenticator app "
                       "(scan the code or type the key), then enter the 6-digit code it shows."}


@_sign_in_step("/session/second-factor",
               "Finish signing in with a code from the authenticator app or a recovery code",
               body=SecondFactorSchema, responses={200: SignedInSchema})
def sign_in_second_factor():
    answer = load_json(SecondFactorSchema())
    user, recovery_codes = sign_in_with_second_factor(answer["pending_token"], answer["code"])
    return respond(SignedInSchema(), dict(who_is(user), recovery_codes=recovery_codes))


@_sign_in_step("/session/passkey/options",
               "Start signing in with a passkey instead of a code: the options for navigator.credentials.get()",
               body=PasskeyOptionsRequestSchema, responses={200: PasskeyOptionsSchema})
def passkey_options():
    answer = load_json(PasskeyOptionsRequestSchema())
    options = passkey_sign_in_options(answer["pending_token"], current_relying_party())
    if options is None:
        raise Refused("no_passkey")
    return respond(PasskeyOptionsSchema(), {"public_key": options})


@_sign_in_step("/session/passkey",
               "Finish signing in with a passkey: the credential navigator.credentials.get() returned",
               body=PasskeySignInSchema, responses={200: SignedInSchema})
def sign_in_passkey():
    answer = load_json(PasskeySignInSchema())
    user = sign_in_with_passkey(answer["pending_token"], answer["credential"], current_relying_party())
    return respond(SignedInSchema(), dict(who_is(user), recovery_codes=[]))


@api.delete("/session")
@documented("Sign out: ends this session on the server", responses={204: None}, tags=TAGS)
def sign_out():
    if current_user.is_authenticated:
        audit.record("session.ended", current_user._get_current_object())
        end_current_session()
        db.session.commit()
    return "", 204

