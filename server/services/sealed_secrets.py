"""Authenticator-app (TOTP) secrets sealed at rest. Whoever holds a TOTP secret can make a
person's codes, so the database, its backups and anyone reading them with SQL see only a Fernet
token (AES-128-CBC with an HMAC-SHA256, from `cryptography`), never the secret itself.

The key is `MFA_ENCRYPTION_KEY` (a Fernet key; production refuses to start without one), and in
development a key derived from SECRET_KEY. Rotation: put the new key in MFA_ENCRYPTION_KEY and
the old one in MFA_ENCRYPTION_OLD_KEYS; secrets sealed with either open, new ones are sealed with
the new key, and `flask --app server rotate-mfa-key` reseals every stored secret with it
(docs/security.md). No Flask request globals.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# A Fernet token always starts with its version byte 0x80, "gAAAAA" in base64; a base32 TOTP
# secret is upper case letters and digits only, so the two are never confused.
SEALED_PREFIX = "gAAAAA"


class SealError(RuntimeError):
    """A stored secret that no configured key opens (a lost or wrong MFA_ENCRYPTION_KEY)."""


def development_key(secret_key):
    """The key used when MFA_ENCRYPTION_KEY is unset (development and the test suite only)."""
    digest = hashlib.sha256(b"ap-visits mfa-encryption-key\0" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def valid_key(key):
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True


def _keys(config=None):
    config = config or current_app.config
    primary = config.get("MFA_ENCRYPTION_KEY") or development_key(config["SECRET_KEY"])
    return MultiFernet([Fernet(key) for key in (primary, *config.get("MFA_ENCRYPTION_OLD_KEYS", ()))])


def is_sealed(value):
    return bool(value) and value.startswith(SEALED_PREFIX)


def seal(secret, config=None):
    return None if secret is None else _keys(config).encrypt(secret.encode()).decode()


def unseal(value, config=None):
    """The secret in `value`. Raises SealError when no configured key opens it."""
    if value is None:
        return None
    if not is_sealed(value):
        raise SealError("A stored TOTP secret is not sealed.")
    try:
        return _keys(config).decrypt(value.encode()).decode()
    except InvalidToken:
        raise SealError("No key in MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS opens a stored TOTP secret.") from None


def reseal(value, config=None):
    """`value` sealed again with the current key (key rotation)."""
    try:
        return _keys(config).rotate(value.encode()).decode()
    except InvalidToken:
        raise SealError("No key in MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS opens a stored TOTP secret.") from None
