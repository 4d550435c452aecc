"""Sign-in and the signed-in user."""
from marshmallow import fields, validate

from server.schemas.base import StrictSchema, non_empty_text


class SignInSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = non_empty_text(200, required=True, load_only=True)


class MembershipSchema(StrictSchema):
    school_id = fields.UUID(attribute="school.uuid", dump_only=True)
    school_name = fields.String(attribute="school.name", dump_only=True)
    role = fields.String(dump_only=True)


class MeSchema(StrictSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    email = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    memberships = fields.List(fields.Nested(MembershipSchema), dump_only=True)
    csrf_token = fields.String(dump_only=True, metadata={
        "description": "Send back in the X-CSRFToken header on every write."})
    offline_key = fields.String(dump_only=True, metadata={
        "description": "Hex AES-256 key that locks this person's unsent visits on a phone after sign-out."})


class SignedInSchema(MeSchema):
    recovery_codes = fields.List(fields.String(), dump_only=True, metadata={
        "description": "Only just after adding an authenticator app: one-use codes for signing in "
                       "without it. Shown once; keep them somewhere safe."})


class SecondStepSchema(StrictSchema):
    second_factor = fields.String(dump_only=True, metadata={
        "description": "`code`: send a code from the authenticator app (or a recovery code). "
                       "`enrol`: add the app first (scan `qr_svg` or type `secret`), then send its code."})
    pending_token = fields.String(dump_only=True, metadata={
        "description": "Send back with the code to /api/session/second-factor within five minutes. "
                       "It grants nothing by itself."})
    message = fields.String(dump_only=True)
    secret = fields.String(dump_only=True, metadata={"description": "Only for `enrol`: the base32 secret."})
    otpauth_uri = fields.String(dump_only=True, metadata={"description": "Only for `enrol`."})
    qr_svg = fields.String(dump_only=True, metadata={"description": "Only for `enrol`: the QR code, an SVG element."})
    passkey = fields.Boolean(dump_only=True, metadata={
        "description": "Only for `code`: the person has a passkey, so the phone may offer it instead of a code "
                       "(/api/session/passkey/options, then /api/session/passkey)."})


class PasskeyOptionsRequestSchema(StrictSchema):
    pending_token = non_empty_text(2000, required=True)


class PasskeyOptionsSchema(StrictSchema):
    public_key = fields.Dict(dump_only=True, metadata={
        "description": "PublicKeyCredentialRequestOptions as JSON (binary fields base64url) for "
                       "navigator.credentials.get(). Its challenge works once, for two minutes, for this pending sign-in."})


class PasskeySignInSchema(StrictSchema):
    pending_token = non_empty_text(2000, required=True)
    credential = fields.Dict(required=True, load_only=True, metadata={
        "description": "The PublicKeyCredential the browser returned, as JSON (binary fields base64url)."})


class SecondFactorSchema(StrictSchema):
    pending_token = non_empty_text(2000, required=True)
    code = non_empty_text(40, required=True, load_only=True)


class CsrfSchema(StrictSchema):
    csrf_token = fields.String(dump_only=True)


class AlertHealthSchema(StrictSchema):
    status = fields.String(dump_only=True, metadata={"description": "`ok`, or `late` when any alert is late or failed"})
    late = fields.Integer(dump_only=True, metadata={"description": "Alerts unsent more than ALERT_LATE_MINUTES after due"})
    failed = fields.Integer(dump_only=True, metadata={"description": "Alerts the worker gave up on, not yet retried"})


class HealthSchema(StrictSchema):
    status = fields.String(dump_only=True, metadata={"description": "Always `ok`: the process answers."})


CHECK_RESULT = {"description": "`ok` or `failed`"}


class ReadinessChecksSchema(StrictSchema):
    database = fields.String(dump_only=True, metadata=CHECK_RESULT)
    rate_limit_storage = fields.String(dump_only=True, metadata=CHECK_RESULT)
    photo_store = fields.String(dump_only=True, metadata=CHECK_RESULT)


class ReadinessSchema(StrictSchema):
    status = fields.String(dump_only=True, metadata={"description": "`ok` when every check is `ok`, else `failed`"})
    checks = fields.Nested(ReadinessChecksSchema, dump_only=True)
