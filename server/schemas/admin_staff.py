"""Staff accounts in a school: adding someone, their roles here, and setting a password."""
from marshmallow import ValidationError, fields, validate, validates_schema

from server.schemas.admin_fields import AdminSchema, optional_phone, required_text
from server.services.accounts import MIN_PASSWORD_LENGTH
from server.vocabulary import ROLES, labels

ROLE_LABELS = labels("roles")
TOO_SHORT = f"Use at least {MIN_PASSWORD_LENGTH} characters: three or four random words work well."


def _role_list(**kwargs):
    return fields.List(fields.String(validate=validate.OneOf(
        ROLES, error="Choose roles from: " + ", ".join(ROLE_LABELS.values()) + ".")), **kwargs)


class StaffDetailsSchema(AdminSchema):
    full_name = required_text(200)
    email = fields.Email(required=True, validate=validate.Length(max=254), error_messages={
        "invalid": "Enter an email address like name@school.example.", "required": "This is required.",
        "null": "This is required."}, pre_load=[lambda value: value.strip() if isinstance(value, str) else value])
    phone = optional_phone()


class StaffCreateSchema(StaffDetailsSchema):
    roles = _role_list(required=True, validate=validate.Length(min=1, error="Give at least one role."),
                       error_messages={"required": "Give at least one role."})


class StaffRolesSchema(AdminSchema):
    roles = _role_list(required=True, metadata={
        "description": "Every role this person holds in this school; an empty list removes them from it."})


class SetPasswordSchema(AdminSchema):
    password = fields.String(required=True, load_only=True, error_messages={"required": "This is required."},
                             validate=[validate.Length(min=MIN_PASSWORD_LENGTH, error=TOO_SHORT),
                                       validate.Length(max=200, error="Use at most {max} characters.")])
    password_again = fields.String(required=True, load_only=True, error_messages={"required": "This is required."})

    @validates_schema
    def both_the_same(self, data, **kwargs):
        if data["password"] != data["password_again"]:
            raise ValidationError("The two passwords are different.", "password_again")


class StaffMemberSchema(AdminSchema):
    id = fields.UUID(attribute="user.uuid", dump_only=True)
    full_name = fields.String(attribute="user.full_name", dump_only=True)
    email = fields.String(attribute="user.email", dump_only=True)
    phone = fields.String(attribute="user.phone", dump_only=True, allow_none=True)
    active = fields.Boolean(attribute="user.active", dump_only=True)
    deactivated_at = fields.DateTime(attribute="user.deactivated_at", dump_only=True, allow_none=True)
    last_login_at = fields.DateTime(attribute="user.last_login_at", dump_only=True, allow_none=True)
    roles = fields.List(fields.String(), dump_only=True, metadata={"description": "Roles in this school."})
    account_managed_here = fields.Boolean(dump_only=True, metadata={
        "description": "You run every school this person belongs to and may give every role they hold: "
                       "you may deactivate them and make a set-password link."})
    roles_changeable = fields.Boolean(dump_only=True, metadata={
        "description": "You may give every role this person holds here, so you may change their roles here."})


class PasswordLinkSchema(AdminSchema):
    url = fields.String(dump_only=True, metadata={
        "description": "Give it to the person (in person, by text or the school's own email). It sets "
                       "their password once and stops working after that or when it expires."})
    expires_at = fields.DateTime(dump_only=True)


class InvitationSchema(AdminSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    full_name = fields.String(dump_only=True, metadata={"description": "As you typed it."})
    email = fields.String(dump_only=True)
    roles = fields.List(fields.String(), dump_only=True, metadata={"description": "Roles offered in this school."})
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)


class NewInvitationSchema(AdminSchema):
    invitation = fields.Nested(InvitationSchema, dump_only=True)
    link = fields.Nested(PasswordLinkSchema, dump_only=True, metadata={
        "description": "Give it to the person: they sign in with their own account and accept."})


class NewStaffSchema(AdminSchema):
    member = fields.Nested(StaffMemberSchema, dump_only=True, allow_none=True, metadata={
        "description": "The new or joined member; null when the address has an account another school runs."})
    password_link = fields.Nested(PasswordLinkSchema, dump_only=True, allow_none=True)
    invitation = fields.Nested(NewInvitationSchema, dump_only=True, allow_none=True, metadata={
        "description": "When the address has an account another school runs: an invitation its owner accepts. "
                       "Nothing of that account is shown or changed until then."})
