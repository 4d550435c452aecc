"""Where photo files live, behind one small interface: `put(key, data)`, `read(key)`,
`exists(key)`, `delete(key)`, and `is_ready()` for the readiness check (server/health.py).

Two backends: a local folder (the default: one school, one server) and S3-compatible object
storage (a trust or a national service: several stateless app servers sharing one bucket).
Keys are made by the server, never by a client, so no upload can choose a path; both backends
refuse a key that is not of the server's shape. Neither ever makes a photo public: the office
streams photos through the app to people allowed to see them (server/office/photos.py).

`read()` of a missing key raises FileNotFoundError on both backends. A reader never sees half a
photo: the local store writes a temporary file and renames it; an S3 PUT is atomic by design.
A worker killed mid-write leaves its `.incoming-*` temporary behind; gunicorn's master removes
those older than an hour each time the server starts (`remove_abandoned_uploads`).

Settings (environment variables, documented in docs/deployment.md):
PHOTO_STORE=local|s3, PHOTO_DIR (local), S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_PREFIX (s3).
boto3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role) itself.
"""
import os
import re
import tempfile
import time
from pathlib import Path

from flask import current_app

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$")
SETTING_NAMES = ("PHOTO_STORE", "PHOTO_DIR", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PREFIX")
INCOMING_PREFIX = ".incoming-"
# A put writes its temporary in milliseconds; one an hour old belongs to no live request.
ABANDONED_AFTER_SECONDS = 3600


class PhotoStoreConfigError(RuntimeError):
    """The settings do not describe a photo store the server can use."""


def check_key(key):
    if not isinstance(key, str) or not KEY_PATTERN.match(key) or ".." in key:
        raise ValueError(f"bad photo key {key!r}")
    return key


class LocalPhotoStore:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        return self.root / check_key(key)

    def put(self, key, data):
        """Write atomically: a temporary file in the same folder, flushed, then renamed."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=INCOMING_PREFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def read(self, key):
        return self._path(key).read_bytes()

    def exists(self, key):
        return self._path(key).is_file()

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def remove_abandoned_uploads(self, older_than=ABANDONED_AFTER_SECONDS):
        """Delete the temporaries of puts that died mid-write, once older than `older_than`
        seconds (a younger one may be a put under way in a running worker). Returns their paths."""
        cutoff = time.time() - older_than
        removed = []
        for path in sorted(self.root.rglob(INCOMING_PREFIX + "*")):
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:
                continue   # another server sharing the folder removed it first
        return removed

    def is_ready(self):
        """The folder exists (or can be made) and this process may write in it. access() also
        answers no on a read-only mount, even for root."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.root, os.W_OK | os.X_OK)


class S3PhotoStore:
    """Objects in one bucket, under an optional prefix (several deployments may share a bucket).

    Objects are written private (no ACL is ever sent, so the bucket's own policy applies: keep
    Block Public Access on) and with a SHA-256 checksum the store verifies on arrival, so a
    photo damaged in transit is refused rather than kept.
    """

    def __init__(self, bucket, prefix="", client=None, endpoint_url=None, region=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or make_s3_client(endpoint_url=endpoint_url, region=region)

    def _name(self, key):
        return self.prefix + check_key(key)

    def put(self, key, data):
        # Photos and scanned evidence (PDFs too) share the store, and the app serves every file
        # with its own headers, so objects carry no claim about what they hold.
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                               ContentType="application/octet-stream", ChecksumAlgorithm="SHA256")

    def read(self, key):
        name = self._name(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(name) from None

    def exists(self, key):
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def is_ready(self):
        """The bucket answers and these credentials may list the prefix. Listing one key, not
        HeadBucket, so the least-privilege policy in docs/deployment.md (ListBucket only under
        the prefix) passes."""
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except (BotoCoreError, ClientError):
            return False
        return True


def make_s3_client(endpoint_url=None, region=None):
    """A boto3 S3 client with bounded timeouts and retries. Clients are thread-safe; each
    gunicorn worker makes its own (they must not cross a fork)."""
    import boto3
    from botocore.config import Config
    config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 5, "mode": "standard"},
                    s3={"addressing_style": "path" if endpoint_url else "auto"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url or None,
                                          region_name=region or None, config=config)


def store_from_settings(settings):
    """The store the settings name: {"PHOTO_STORE": "local", "PHOTO_DIR": ...} or
    {"PHOTO_STORE": "s3", "S3_BUCKET": ..., ...}."""
    kind = _kind(settings)
    if kind == "local":
        return LocalPhotoStore(settings["PHOTO_DIR"])
    if kind == "s3":
        if not settings.get("S3_BUCKET"):
            raise PhotoStoreConfigError("PHOTO_STORE=s3 needs S3_BUCKET.")
        return S3PhotoStore(settings["S3_BUCKET"], prefix=settings.get("S3_PREFIX") or "",
                            endpoint_url=settings.get("S3_ENDPOINT_URL"), region=settings.get("S3_REGION"))
    raise PhotoStoreConfigError(f"PHOTO_STORE must be 'local' or 's3', not {kind!r}.")


def _kind(settings):
    return (settings.get("PHOTO_STORE") or "local").strip().lower()


def remove_abandoned_uploads(settings):
    """Sweep the local photo folder the settings name (see LocalPhotoStore); S3 leaves no
    temporaries, so there is nothing to do there. Returns the paths removed."""
    if _kind(settings) != "local":
        return []
    return LocalPhotoStore(settings["PHOTO_DIR"]).remove_abandoned_uploads()


def settings_for(config):
    """The photo-store settings from the app's config (server/config.py reads them)."""
    return {name: config.get(name) for name in SETTING_NAMES}


def get_photo_store():
    """The app's photo store, made once per app (an S3 client is costly to build)."""
    app = current_app._get_current_object()
    store = app.extensions.get("photo_store")
    if store is None:
        store = app.extensions["photo_store"] = store_from_settings(settings_for(app.config))
    return store
