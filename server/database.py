"""Connection settings per database.

SQLite (the embedded default) needs three things PostgreSQL gives for free: foreign keys
switched on, WAL so readers never wait for a writer, and write requests that take the write
lock when they begin (BEGIN IMMEDIATE). Without the last, two requests that both read and then
write can deadlock and one fails with "database is locked" instead of waiting its turn.
Commands outside a request (seeding, backups) run alone and begin normally.
"""
import time

import sqlalchemy as sa
from flask import has_request_context, request

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# The alert worker writes in every transaction it opens (it claims rows), so it takes the write
# lock up front too; a deferred BEGIN could fail with "database is locked" beside the web server.
_writer_process = False


def write_outside_requests():
    global _writer_process
    _writer_process = True


# A pooled connection unused for longer than this is checked before a request gets it.
IDLE_PING_SECONDS = 30


def configure_engine(engine, connect_timeout=5):
    if engine.dialect.name != "sqlite":
        _ping_only_idle_connections(engine)
        _give_up_connecting_after(engine, connect_timeout)
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _ping_only_idle_connections(engine):
    """A busy server's connections were in use a moment ago, so a ping on every checkout (pool_pre_ping)
    is a round trip per request that finds nothing. Only a connection that sat idle, which a database
    restart, a failover or a firewall may have dropped, is pinged; a dead one is replaced before the
    request sees it. A connection that drops mid-request fails that request with a 503 (which phones
    retry), and the pool then replaces every connection it held."""

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, connection_record):
        connection_record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, connection_record, connection_proxy):
        idle_since = connection_record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:
            # The pool throws this connection away and checks out (or opens) another.
            raise sa.exc.DisconnectionError() from error


def _give_up_connecting_after(engine, seconds):
    """A database host that does not answer at all (a failover under way, a firewall dropping
    packets) fails a new connection after `seconds`, and the request answers 503 in the error
    shape, which a phone retries later. Without it the request waits for the operating system
    to give up (minutes), and the phone or a proxy in front gives up first, without the error
    shape. A `connect_timeout` in DATABASE_URL wins."""

    @sa.event.listens_for(engine, "do_connect")
    def _on_connect(dialect, connection_record, cargs, cparams):
        cparams.setdefault("connect_timeout", seconds)


def _may_write():
    """Writes, and office pages (which audit every read of a record), take the write lock up
    front; a read that later writes could otherwise fail when a phone's sync commits first."""
    if not has_request_context():
        return _writer_process
    return request.method not in READ_METHODS or request.path.startswith("/office/")
