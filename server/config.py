"""Settings, read only from environment variables.

Every variable is listed in `.env.example` and the README. `load_config()` is the only place
configuration is decided; `create_app(test_config)` may override it for tests.
"""
import os
from datetime import time, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "secret", "development"}
MIN_SECRET_KEY_LENGTH = 32
# A random key of 32+ characters has far more; a repeated or patterned placeholder has fewer.
MIN_SECRET_KEY_DISTINCT_CHARACTERS = 10


class ConfigError(RuntimeError):
    """The environment does not describe a safe, working server."""


def _flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def load_config():
    env = os.environ.get("APP_ENV", "development")
    data_dir = Path(os.environ.get("DATA_DIR", DEFAULT_DATA_DIR))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'ap-visits.sqlite3'}"
    # Heroku-style URLs name the old driver; SQLAlchemy wants psycopg 3 spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            database_url = "postgresql+psycopg://" + database_url[len(prefix):]
    secret_key = os.environ.get("SECRET_KEY", "")
    ratelimit_storage_uri = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    local_dev = env == "development"

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key or "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No liveness ping per request (server/database.py pings only a connection that sat idle);
        # connections are replaced after half an hour, before proxies and firewalls drop them.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        # Seconds to open a PostgreSQL connection before the request answers 503 (server/database.py).
        "DATABASE_CONNECT_TIMEOUT": _int("DATABASE_CONNECT_TIMEOUT", 5),
        "DATA_DIR": str(data_dir),
        "PHOTO_DIR": os.environ.get("PHOTO_DIR", str(data_dir / "photos")),
        # Photos in a local folder (one server) or S3-compatible object storage (several).
        # boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself.
        "PHOTO_STORE": os.environ.get("PHOTO_STORE", "local"),
        "S3_BUCKET": os.environ.get("S3_BUCKET"),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL"),
        "S3_REGION": os.environ.get("S3_REGION"),
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        # Sessions: a signed cookie naming a server-side session row, so sign-out and
        # deactivating a leaver end it at once, on every worker.
        "SESSION_COOKIE_NAME": "apv_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", not local_dev),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_LIFETIME_HOURS": _int("SESSION_LIFETIME_HOURS", 168),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_LIFETIME_HOURS", 168)),
        "REMEMBER_COOKIE_DURATION": 0,
        # CSRF: a token per session, sent by the PWA in X-CSRFToken and by office forms in a
        # hidden field. It lives as long as the session, so a phone that was offline for days
        # can still sync.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "WTF_CSRF_SSL_STRICT": _flag("WTF_CSRF_SSL_STRICT", not local_dev),
        "RATELIMIT_STORAGE_URI": ratelimit_storage_uri,
        "RATELIMIT_STORAGE_OPTIONS": _ratelimit_storage_options(ratelimit_storage_uri),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "LOGIN_LOCKOUT_THRESHOLD": _int("LOGIN_LOCKOUT_THRESHOLD", 8),
        "LOGIN_LOCKOUT_MINUTES": _int("LOGIN_LOCKOUT_MINUTES", 15),
        # How many proxies in front of the app append to X-Forwarded-For (0: none, the header
        # is ignored). Sign-in limits are kept per address, so this must match the deployment.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_BYTES", 15 * 1024 * 1024),
        "MAX_JSON_BYTES": _int("MAX_JSON_BYTES", 512 * 1024),
        "PHOTO_MAX_PIXELS": _int("PHOTO_MAX_PIXELS", 40_000_000),
        "PHOTO_LONG_EDGE": _int("PHOTO_LONG_EDGE", 2048),
        # Bytes of unfinished photo uploads one person may leave on the server (resumable uploads,
        # docs/sync-protocol.md §2): starting another drops their oldest. Two full-size photos.
        "PHOTO_UPLOAD_ALLOWANCE_BYTES": _int("PHOTO_UPLOAD_ALLOWANCE_BYTES", 32 * 1024 * 1024),
        # Scanned paper evidence (PDF, JPEG, PNG): the largest file kept. Below MAX_UPLOAD_BYTES,
        # so a file just over it gets the evidence page's own message rather than a bare 413.
        "EVIDENCE_MAX_BYTES": _int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024),
        # The phone app's folder; its service worker's version is a hash of these files.
        "PWA_DIR": os.environ.get("PWA_DIR") or str(PROJECT_ROOT / "pwa"),
        # Alerts (server/alerts/): links in messages point here; the worker sends them by SMTP, or
        # in development writes each one as an .eml file under MAIL_DIR for the office to show.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "file" if local_dev else "smtp"),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(data_dir / "mail")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "AP visits <alerts@ap-visits.localhost>"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 587),
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "starttls"),  # starttls | tls | none
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_TIMEOUT_SECONDS": _int("SMTP_TIMEOUT_SECONDS", 20),
        "ALERT_POLL_SECONDS": float(os.environ.get("ALERT_POLL_SECONDS", "2")),
        "ALERT_BATCH_SIZE": _int("ALERT_BATCH_SIZE", 20),
        "ALERT_MAX_ATTEMPTS": _int("ALERT_MAX_ATTEMPTS", 8),
        "ALERT_RETRY_SECONDS": float(os.environ.get("ALERT_RETRY_SECONDS", "30")),
        # How long a worker holds a claimed alert before another may take it (a worker that died).
        "ALERT_CLAIM_SECONDS": _int("ALERT_CLAIM_SECONDS", 120),
        # An alert still unsent this long after it was due means no worker is sending (/healthz/alerts).
        "ALERT_LATE_MINUTES": _int("ALERT_LATE_MINUTES", 10),
        # Escalation of a concern no DSL has opened: after this much school time (England's
        # clock, school days only); and the morning digest, from this time each school day.
        "ESCALATE_AFTER_MINUTES": _int("ESCALATE_AFTER_MINUTES", 120),
        "SCHOOL_DAY_STARTS": os.environ.get("SCHOOL_DAY_STARTS", "08:30"),
        "SCHOOL_DAY_ENDS": os.environ.get("SCHOOL_DAY_ENDS", "16:30"),
        "DIGEST_AT": os.environ.get("DIGEST_AT", "07:00"),
        # The scheduler's queue (Huey): a SQLite file by default, or redis:// / postgresql://.
        "HUEY_URL": os.environ.get("HUEY_URL", ""),
        # Authenticator-app secrets are sealed at rest with this Fernet key (server/services/
        # sealed_secrets.py); development derives one from SECRET_KEY. Old keys, comma-separated,
        # still open secrets sealed before a rotation.
        "MFA_ENCRYPTION_KEY": os.environ.get("MFA_ENCRYPTION_KEY", ""),
        "MFA_ENCRYPTION_OLD_KEYS": tuple(key.strip() for key in os.environ.get("MFA_ENCRYPTION_OLD_KEYS", "").split(",")
                                         if key.strip()),
        # Passkeys (WebAuthn): the site's domain and the exact origin browsers report. In
        # development both default to the host each request came to, elsewhere to PUBLIC_BASE_URL.
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID", ""),
        "WEBAUTHN_ORIGIN": os.environ.get("WEBAUTHN_ORIGIN", ""),
        # argon2id's production profile; the test suite sets a cheap one (server/services/accounts.py).
        "PASSWORD_HASHING": os.environ.get("PASSWORD_HASHING", "argon2id"),
    }
    if config["MAIL_BACKEND"] not in ("file", "smtp"):
        raise ConfigError("MAIL_BACKEND is file (development) or smtp.")
    for name in ("SCHOOL_DAY_STARTS", "SCHOOL_DAY_ENDS", "DIGEST_AT"):
        try:
            time.fromisoformat(config[name])
        except ValueError:
            raise ConfigError(f"{name} is a time of day in England, such as 08:30.") from None
    if config["SMTP_SECURITY"] not in ("starttls", "tls", "none"):
        raise ConfigError("SMTP_SECURITY is starttls, tls or none.")
    if config["TRUSTED_PROXIES"] < 0:
        raise ConfigError("TRUSTED_PROXIES is the number of proxies in front of the app: 0 or more.")
    _check_mfa_keys(config)
    if not local_dev:
        _refuse_unsafe_production(config, secret_key)
    return config


def _ratelimit_storage_options(uri):
    """Storage errors are raised as one kind (limits' StorageError), which sign-in answers with
    a 503. Redis gets short timeouts: an unreachable Redis must not hold a sign-in for minutes."""
    options = {"wrap_exceptions": True}
    if uri.startswith(("redis://", "rediss://", "redis+unix://", "valkey://", "valkeys://")):
        options.update(socket_connect_timeout=2, socket_timeout=2)
    return options


def _check_mfa_keys(config):
    from cryptography.fernet import Fernet
    for key in filter(None, (config["MFA_ENCRYPTION_KEY"], *config["MFA_ENCRYPTION_OLD_KEYS"])):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError("MFA_ENCRYPTION_KEY and MFA_ENCRYPTION_OLD_KEYS are Fernet keys (python -c "
                              "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').") from None


def _refuse_unsafe_production(config, secret_key):
    if (secret_key.strip().lower() in INSECURE_SECRET_KEYS or len(secret_key) < MIN_SECRET_KEY_LENGTH
            or len(set(secret_key)) < MIN_SECRET_KEY_DISTINCT_CHARACTERS):
        raise ConfigError(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
            "outside development, not a repeated or patterned one "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if config["PHOTO_STORE"] == "s3" and not config["S3_BUCKET"]:
        raise ConfigError("PHOTO_STORE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a non-AWS store).")
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI must name shared storage (e.g. redis://host:6379/0) outside "
            "development, so sign-in limits hold across every worker and server.")
    if not config["MFA_ENCRYPTION_KEY"]:
        raise ConfigError("MFA_ENCRYPTION_KEY must be set outside development: it seals authenticator-app "
                          "secrets at rest (python -c 'from cryptography.fernet import Fernet; "
                          "print(Fernet.generate_key().decode())'). Keep it apart from the database backups.")
    if config["PASSWORD_HASHING"] != "argon2id":
        raise ConfigError("PASSWORD_HASHING is for the test suite only: unset it outside development.")
