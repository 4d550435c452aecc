"""Passkeys (WebAuthn, through the `webauthn` package) as a second factor, beside the
authenticator app. No Flask request globals: views pass the relying party (`relying_party()`)
and the token the ceremony is bound to.

Each ceremony (adding a passkey, or signing in with one) starts with a random challenge that is
stored, lasts `CHALLENGE_SECONDS`, is bound to what asked for it (the pending sign-in's token, or
the signed-in session's token, by SHA-256) and is used up by the first answer that names it,
right or wrong. Only public keys are held. The authenticator's signature counter must rise with
each use when it keeps one; a counter that does not is refused and logged (a cloned key).
"""
import hashlib
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
import webauthn
from webauthn.helpers import parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, AuthenticatorTransport,
                                      PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from server.extensions import db
from server.models import Passkey, PasskeyChallenge
from server.models.base import utcnow
from server.services import audit
from server.services.refusal import Refused

RP_NAME = "AP visits"
CHALLENGE_SECONDS = 120
NAME_MAX = 60
MAX_PASSKEYS = 10
SIGN_IN, REGISTER = "sign_in", "register"
_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


class RelyingParty:
    """The site as passkeys know it: `rp_id` (a domain) and `origin` (scheme, host and port)."""

    def __init__(self, rp_id, origin):
        self.rp_id = rp_id
        self.origin = origin


def relying_party(config, host_url):
    """WEBAUTHN_RP_ID and WEBAUTHN_ORIGIN when set; otherwise the host the request came to in
    development, and PUBLIC_BASE_URL elsewhere."""
    source = host_url if config["APP_ENV"] == "development" else config["PUBLIC_BASE_URL"]
    parts = urlsplit(source)
    return RelyingParty(config["WEBAUTHN_RP_ID"] or parts.hostname,
                        config["WEBAUTHN_ORIGIN"] or f"{parts.scheme}://{parts.netloc}")


def passkeys_of(user):
    return db.session.execute(
        sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at, Passkey.id)).scalars().all()


# --- Adding a passkey (signed in) ------------------------------------------------------------

def registration_options(user, bound_token, rp):
    """The options for navigator.credentials.create(), as JSON-ready data."""
    existing = passkeys_of(user)
    if len(existing) >= MAX_PASSKEYS:
        raise Refused("validation_failed", f"You have {MAX_PASSKEYS} passkeys. Remove one you no longer use first.",
                      field="name")
    options = webauthn.generate_registration_options(
        rp_id=rp.rp_id, rp_name=RP_NAME, user_name=user.email, user_display_name=user.full_name,
        user_id=user.uuid.bytes,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(key.credential_id))
                             for key in existing],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED))
    _store_challenge(user, REGISTER, options.challenge, bound_token)
    return json.loads(webauthn.options_to_json(options))


def register(user, bound_token, name, credential, rp):
    """Check the browser's answer to `registration_options()` and keep the new passkey's public
    key under `name`. Raises Refused; the challenge is used up either way (commit)."""
    name = " ".join((name or "").split())
    if not name:
        raise Refused("validation_failed", "Give the passkey a name you will recognise, like “Work laptop”.",
                      field="name")
    if len(name) > NAME_MAX:
        raise Refused("validation_failed", f"Keep the name to {NAME_MAX} characters.", field="name")
    credential = _as_dict(credential)
    challenge = _claim_challenge(user, REGISTER, credential, bound_token)
    if challenge is None:
        raise Refused("validation_failed", "That passkey request has expired or was already used. Try adding it again.",
                      field="credential")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.rp_id, expected_origin=rp.origin)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise Refused("validation_failed", "The passkey could not be checked. Try adding it again.",
                      field="credential") from None
    credential_id = webauthn.helpers.bytes_to_base64url(verified.credential_id)
    if db.session.execute(sa.select(Passkey.id).where(Passkey.credential_id == credential_id)).first():
        raise Refused("validation_failed", "That passkey is already added.", field="credential")
    sent = credential["response"].get("transports")
    transports = [t for t in sent if isinstance(t, str) and t in _TRANSPORTS] if isinstance(sent, list) else []
    passkey = Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, name=name, transports=",".join(transports)[:120] or None)
    db.session.add(passkey)
    db.session.flush()
    audit.record("passkey.enrolled", user, actor=user, passkey_id=passkey.id, passkey_name=name)
    return passkey


# --- Signing in with a passkey (the second step) ---------------------------------------------

def sign_in_options(user, pending_token, rp):
    """The options for navigator.credentials.get() at the pending sign-in `pending_token`;
    None when the person has no passkey."""
    keys = passkeys_of(user)
    if not keys:
        return None
    options = webauthn.generate_authentication_options(
        rp_id=rp.rp_id, user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[PublicKeyCredentialDescriptor(
            id=webauthn.base64url_to_bytes(key.credential_id),
            transports=[AuthenticatorTransport(t) for t in (key.transports or "").split(",")
                        if t in _TRANSPORTS] or None)
            for key in keys])
    _store_challenge(user, SIGN_IN, options.challenge, pending_token)
    return json.loads(webauthn.options_to_json(options))


def check_sign_in(user, pending_token, credential, rp):
    """Whether `credential` is a valid answer, by one of the person's passkeys, to a challenge
    issued for this pending sign-in. The challenge is used up, and the passkey's counter and
    last use updated, in the caller's transaction."""
    credential = _as_dict(credential, refuse=False)
    if credential is None:
        return False
    challenge = _claim_challenge(user, SIGN_IN, credential, pending_token)
    if challenge is None:
        return False
    passkey = db.session.execute(
        sa.select(Passkey).where(Passkey.user_id == user.id, Passkey.credential_id == str(credential.get("id"))
                                 )).scalar_one_or_none()
    if passkey is None:
        return False
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.rp_id, expected_origin=rp.origin,
            credential_public_key=passkey.public_key, credential_current_sign_count=passkey.sign_count)
    except WebAuthnException as error:
        if "sign count" in str(error).lower():
            audit.record("passkey.sign_count_refused", user, actor=user, passkey_id=passkey.id,
                         passkey_name=passkey.name, stored_count=passkey.sign_count)
        return False
    except (ValueError, KeyError, TypeError):
        return False
    # The counter moves on only from the value just checked: two answers racing with the same
    # counter cannot both pass.
    moved = db.session.execute(
        sa.update(Passkey).where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
        .values(sign_count=verified.new_sign_count, last_used_at=utcnow()).returning(Passkey.id)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if moved is None:
        return False
    audit.record("passkey.used", user, actor=user, passkey_id=passkey.id, passkey_name=passkey.name)
    return True


# --- Removing one ----------------------------------------------------------------------------

def revoke(user, passkey_id, actor, school_id=None):
    """Remove one passkey of `user` (by themselves, or by a senior already checked by the
    caller). False when there is no such passkey."""
    passkey = db.session.execute(
        sa.select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)).scalar_one_or_none()
    if passkey is None:
        return False
    db.session.delete(passkey)
    audit.record("passkey.revoked", user, school_id=school_id, actor=actor, passkey_id=passkey.id,
                 passkey_name=passkey.name)
    return True


# --- Challenges ------------------------------------------------------------------------------

def sha256_of_token(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def _store_challenge(user, purpose, challenge, bound_token):
    now = utcnow()
    db.session.execute(sa.delete(PasskeyChallenge).where(
        PasskeyChallenge.user_id == user.id, sa.or_(PasskeyChallenge.expires_at <= now,
                                                    PasskeyChallenge.used_at.is_not(None))))
    db.session.add(PasskeyChallenge(
        user_id=user.id, purpose=purpose, challenge=webauthn.helpers.bytes_to_base64url(challenge),
        bound_to=sha256_of_token(bound_token), expires_at=now + timedelta(seconds=CHALLENGE_SECONDS)))


def _claim_challenge(user, purpose, credential, bound_token):
    """The challenge `credential` answers, used up now, when it was issued to this person for
    this purpose and this pending sign-in or session, and is neither used nor expired."""
    try:
        client_data = parse_client_data_json(
            webauthn.base64url_to_bytes(credential["response"]["clientDataJSON"]))
        challenge = webauthn.helpers.bytes_to_base64url(client_data.challenge)
    except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,100}", challenge):
        return None
    claimed = db.session.execute(
        sa.update(PasskeyChallenge)
        .where(PasskeyChallenge.challenge == challenge, PasskeyChallenge.user_id == user.id,
               PasskeyChallenge.purpose == purpose, PasskeyChallenge.bound_to == sha256_of_token(bound_token),
               PasskeyChallenge.used_at.is_(None), PasskeyChallenge.expires_at > utcnow())
        .values(used_at=utcnow()).returning(PasskeyChallenge.id)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    return None if claimed is None else client_data.challenge


def _as_dict(credential, refuse=True):
    if isinstance(credential, str):
        try:
            credential = json.loads(credential)
        except ValueError:
            credential = None
    if isinstance(credential, dict) and isinstance(credential.get("response"), dict):
        return credential
    if refuse:
        raise Refused("validation_failed", "The passkey could not be checked. Try adding it again.", field="credential")
    return None
