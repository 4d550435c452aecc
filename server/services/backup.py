"""Backups that move between SQLite and PostgreSQL, and between a photo folder and S3.

A backup is a folder, or a `.tar` / `.tar.gz` archive of the same folder:

    manifest.json            format, when, database, schema revision, and for every table its
                             row count and the SHA-256 of its file; for every photo its size and SHA-256
    tables/NNN-<table>.jsonl one JSON object per row, tables in foreign-key order, rows by id
    photos/<key>             every photo and thumbnail the database refers to

A photo file the database names but the store does not have is listed in the manifest's
`missing_photos` and left out; everything else is still backed up, and the command says so.
Everything a backup writes is readable by its owner only (files 0600, folders 0700), created
that way rather than changed afterwards, so no other account can open it even for a moment.

The database is read in one snapshot (REPEATABLE READ on PostgreSQL, one read transaction on
SQLite), and only the photos its rows name are copied, so a backup is consistent even while
phones sync. Signed-in sessions are not kept: after a restore everyone signs in again.

`restore()` loads a backup into an empty, migrated database: rows are only inserted (the audit
log refuses anything else), in bulk, then PostgreSQL's id sequences are moved past the restored
ids. Every table's count and every photo's SHA-256 is checked against the manifest; any
difference stops the restore before it commits. Nothing here commits; the command does.
"""
import gzip
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import zlib
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from server.extensions import db
from server.models.base import UTCDateTime
from server.models.tracking import move_change_seq_past_rows

FORMAT = "ap-visits-backup"
FORMAT_VERSION = 1
SKIPPED_TABLES = ("user_session",)  # sessions are not records; restoring them would revive old cookies
READ_BATCH = 5_000
WRITE_BATCH = 20_000


class BackupError(RuntimeError):
    """The backup cannot be made or restored; the message says why. Nothing was changed."""


def backed_up_tables():
    """The tables a backup holds, parents before children."""
    return [table for table in db.metadata.sorted_tables if table.name not in SKIPPED_TABLES]


# --- Making a backup --------------------------------------------------------------------------

def create_backup(target, photo_store):
    """Write a backup of the database and its photos to `target` (a new folder, or a path ending
    in .tar or .tar.gz). Returns the manifest. A failed backup leaves nothing behind that could
    be mistaken for a good one. Photo files the store does not have are listed in the
    manifest's `missing_photos`, not fatal: one lost file must not cost the school its backup."""
    target = Path(target)
    archive = _archive_mode(target)
    if target.exists() and (archive or not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists; a backup never overwrites one.")
    if archive:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = _new_private_file(target)   # claims the name at once: a backup started beside us fails here
        except FileExistsError:
            raise BackupError(f"{target} already exists; a backup never overwrites one.") from None
    try:
        if not archive:
            target.mkdir(mode=0o700, parents=True, exist_ok=True)
            return _dump(target, photo_store)
        with handle, tempfile.TemporaryDirectory(prefix=".ap-visits-backup-", dir=target.parent) as scratch:
            manifest = _dump(Path(scratch), photo_store)
            with tarfile.open(fileobj=handle, mode=archive) as tar:
                tar.add(scratch, arcname=".")
        return manifest
    except BaseException:
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
        raise


def _new_private_file(path):
    """A new file only this account may read or write. O_EXCL: never someone else's file."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _archive_mode(path):
    name = path.name
    if name.endswith((".tar.gz", ".tgz")):
        return "w:gz"
    if name.endswith(".tar"):
        return "w"
    return None


def _dump(folder, photo_store):
    (folder / "tables").mkdir(mode=0o700)
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "created_at": datetime.now(timezone.utc).isoformat(),
                "database": db.engine.dialect.name, "schema_revision": None, "tables": {}, "photos": {},
                "missing_photos": []}
    photo_keys = []
    with _snapshot() as connection:
        manifest["schema_revision"] = schema_revision(connection)
        for number, table in enumerate(backed_up_tables()):
            path = folder / "tables" / f"{number:03d}-{table.name}.jsonl"
            digest, rows = hashlib.sha256(), 0
            with _new_private_file(path) as handle:
                for row in _rows(connection, table):
                    line = (json.dumps(row, default=_encode, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                    handle.write(line)
                    digest.update(line)
                    rows += 1
                    if table.name == "photo":
                        photo_keys.extend(key for key in (row["storage_key"], row["thumbnail_key"]) if key)
                    elif table.name == "evidence_file":  # scanned paper evidence, in the same store
                        photo_keys.append(row["storage_key"])
            manifest["tables"][table.name] = {"file": path.name, "rows": rows, "sha256": digest.hexdigest()}
    for key in sorted(set(photo_keys)):
        try:
            data = photo_store.read(key)
        except FileNotFoundError:
            manifest["missing_photos"].append(key)
            continue
        destination = folder / "photos" / key
        _private_folders(folder, destination.parent)
        with _new_private_file(destination) as handle:
            handle.write(data)
        manifest["photos"][key] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with _new_private_file(folder / "manifest.json") as handle:
        handle.write(json.dumps(manifest, indent=1, sort_keys=True).encode())
    return manifest


def _private_folders(root, folder):
    """Make `folder` and the folders between it and `root`, each 0700."""
    if folder == root or folder.is_dir():
        return
    _private_folders(root, folder.parent)
    folder.mkdir(mode=0o700, exist_ok=True)


@contextmanager
def _snapshot():
    """A connection that sees the database as of one moment, for every table."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def _rows(connection, table):
    order = [column for column in table.primary_key.columns]
    result = connection.execution_options(stream_results=True, yield_per=READ_BATCH).execute(
        sa.select(table).order_by(*order))
    for row in result.mappings():
        yield dict(row)


def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot back up a {type(value).__name__}")


def schema_revision(connection):
    """The Alembic revision the database is at, or None for a schema built without Alembic."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


# --- Restoring a backup -----------------------------------------------------------------------

def restore_backup(source, photo_store):
    """Load the backup at `source` (a folder or an archive) into this empty database and
    `photo_store`. Returns the manifest. Raises BackupError, having changed nothing in the
    database, if the backup is damaged, of another schema, or the database is not empty."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    with _unpacked(source) as folder:
        manifest = _read_manifest(folder)
        connection = db.session.connection()
        _check_target(connection, manifest)
        _check_files(folder, manifest)
        writer = BulkWriter(connection)
        for table in backed_up_tables():
            entry = manifest["tables"].get(table.name)
            if entry is None:
                raise BackupError(f"the backup has no table {table.name}.")
            decode = _decoders(table)
            with (folder / "tables" / entry["file"]).open("rb") as handle:
                for line in handle:
                    writer.add(table.name, {name: decode[name](value) for name, value in json.loads(line).items()})
            writer.flush()
            if writer.counts.get(table.name, 0) != entry["rows"]:
                raise BackupError(f"{table.name}: restored {writer.counts.get(table.name, 0)} rows, "
                                  f"the manifest says {entry['rows']}.")
        reset_id_sequences(connection, writer.tables_written)
        move_change_seq_past_rows(connection)
        for key in manifest["photos"]:
            photo_store.put(key, (folder / "photos" / key).read_bytes())
    return manifest


@contextmanager
def _unpacked(source):
    if source.is_dir():
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="ap-visits-restore-") as scratch:
        try:
            with tarfile.open(source, "r:*") as tar:
                tar.extractall(scratch, filter="data")  # refuses absolute paths, links out and devices
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise BackupError(f"the archive is truncated or damaged ({error}); nothing was restored.") from None
        yield Path(scratch)


def _read_manifest(folder):
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"the backup is truncated or damaged: no readable manifest.json ({error}).") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("this is not a backup of this product, or of a format this version cannot read.")
    return manifest


def _check_target(connection, manifest):
    here = schema_revision(connection)
    if here is not None and manifest["schema_revision"] is not None and here != manifest["schema_revision"]:
        raise BackupError(f"the backup is of schema revision {manifest['schema_revision']} and this database is "
                          f"at {here}: check out the matching version of the server, or migrate first.")
    for table in db.metadata.sorted_tables:
        if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise BackupError(f"the database is not empty ({table.name} has rows); restore into a new, "
                              "migrated database.")


def _check_files(folder, manifest):
    """Every file hashes as the manifest says, before a single row or photo is written."""
    for name, entry in manifest["tables"].items():
        path = folder / "tables" / entry["file"]
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            raise BackupError(f"the backup is truncated or damaged: {path.name} is missing.") from None
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{path.name} does not match its SHA-256 in the manifest: the backup is damaged.")
    for key, expected in manifest["photos"].items():
        try:
            data = (folder / "photos" / key).read_bytes()
        except OSError:
            raise BackupError(f"the backup is truncated or damaged: photo {key} is missing.") from None
        if hashlib.sha256(data).hexdigest() != expected["sha256"]:
            raise BackupError(f"photo {key} does not match its SHA-256 in the manifest: the backup is damaged.")


def _decoders(table):
    decoders = {}
    for column in table.columns:
        if isinstance(column.type, UTCDateTime):
            decoders[column.name] = _optional(datetime.fromisoformat)
        elif isinstance(column.type, sa.Date):
            decoders[column.name] = _optional(date.fromisoformat)
        elif isinstance(column.type, sa.Uuid):
            decoders[column.name] = _optional(uuid.UUID)
        else:
            decoders[column.name] = _same
    return decoders


def _optional(parse):
    return lambda value: None if value is None else parse(value)


def _same(value):
    return value


# --- Writing rows in bulk (restores and the synthetic data generator) --------------------------

class BulkWriter:
    """Buffers rows per table and writes them in foreign-key order: COPY on PostgreSQL,
    executemany elsewhere. Rows are dicts of the values the models take (aware datetimes,
    dicts and lists for JSON); every row of a table names the same columns."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.order = [table.name for table in db.metadata.sorted_tables]
        self.buffers = {}
        self.columns = {}
        self.counts = {}
        self.pending = 0

    @property
    def tables_written(self):
        return [name for name in self.order if name in self.counts]

    def add(self, table, row):
        columns = self.columns.setdefault(table, tuple(row))
        self.buffers.setdefault(table, []).append(tuple(row[name] for name in columns))
        self.pending += 1
        if self.pending >= WRITE_BATCH:
            self.flush()

    def flush(self):
        for name in self.order:
            rows = self.buffers.pop(name, None)
            if rows:
                self._write(name, self.columns[name], rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)
        self.pending = 0

    def _write(self, name, columns, rows):
        if self.postgres:
            _copy_rows(self.connection, name, columns, rows)
        else:
            self.connection.execute(db.metadata.tables[name].insert(), [dict(zip(columns, row)) for row in rows])


def _copy_rows(connection, name, columns, rows):
    """COPY into a PostgreSQL table on the connection's own transaction, with values as the
    models store them: naive UTC timestamps, JSON as text."""
    quoted = ", ".join(f'"{column}"' for column in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_copy_value(value) for value in row])


def _copy_value(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def reset_id_sequences(connection, table_names):
    """After rows were inserted with explicit ids, move PostgreSQL's id sequences past them so
    the next row the app adds does not collide. SQLite needs nothing: it takes max(id) + 1."""
    if connection.dialect.name != "postgresql":
        return
    for name in table_names:
        table = db.metadata.tables[name]
        if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
            continue
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            f"FROM \"{name}\""))

