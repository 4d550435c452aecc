"""The request guard: refuses, before any view runs, input that no parser, schema or database
can hold, so it answers a clear 4xx instead of failing deep inside a route.

- A body sent without a length (chunked) is read here, up to the limit, so every later check
  sees a body of known length and one byte over the limit is a 413, not a truncated photo.
- JSON nested deeper than `MAX_JSON_DEPTH` is refused (`json_too_deep`): Python's parser
  recurses per level, and no payload of ours is more than a handful of levels deep.
- A string containing NUL or a lone UTF-16 surrogate is refused (`invalid_characters`), in the
  path, the query string, form fields and JSON bodies (keys and values): PostgreSQL cannot store
  NUL in text, and a lone surrogate cannot be encoded as UTF-8 by either database.
"""
import io
import json
import re

from flask import current_app, g, request

from server.errors import ApiError

MAX_JSON_DEPTH = 32
DRAIN_LIMIT_FACTOR = 4
DRAIN_CHUNK = 64 * 1024
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def init_app(app):
    app.before_request(guard_request)


def guard_request():
    _read_unsized_body()
    _refuse_unstorable("path", [request.path])
    _refuse_unstorable("query", [text for pair in request.args.items(multi=True) for text in pair])
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _refuse_unstorable("form", [text for pair in request.form.items(multi=True) for text in pair])
        _refuse_unstorable("files", [upload.filename or "" for upload in request.files.values()])
    if request.is_json and request.content_length and request.content_length <= current_app.config["MAX_JSON_BYTES"]:
        _check_json(request.get_data(cache=True))


def _read_unsized_body():
    """gunicorn passes a chunked body as a stream that simply stops at the limit. Read one byte
    more than allowed to tell "exactly at the limit" from "cut off", then hand the body on
    with its length, as if the client had sent one."""
    environ = request.environ
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower() or "wsgi.input_terminated" not in environ:
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        _drain(environ["wsgi.input"], DRAIN_LIMIT_FACTOR * limit)
        raise ApiError("body_too_large", details={"max_bytes": limit})
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    # Werkzeug caches these from the environ on first use; the guard runs before anything reads them.
    request.__dict__.pop("content_length", None)
    request.__dict__.pop("stream", None)


def _drain(stream, at_most):
    """Read and drop the rest of a refused body, so the client, still sending, is there to read
    the 413; a phone that sees only a reset connection would retry the same upload for ever.
    Past `at_most` bytes the connection is dropped instead."""
    while at_most > 0 and (chunk := stream.read(min(DRAIN_CHUNK, at_most))):
        at_most -= len(chunk)


def _check_json(data):
    """Parse once with the same decoder Flask uses (malformed JSON is left to the view's loader,
    which refuses it with `malformed_json`) and walk the result without recursion. The parsed
    body is kept for the view (`api.wire.read_json`), so no request parses its JSON twice."""
    try:
        payload = json.loads(data)
    except RecursionError:
        raise ApiError("json_too_deep", details={"max_depth": MAX_JSON_DEPTH}) from None
    except ValueError:
        return
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ApiError("json_too_deep", details={"max_depth": MAX_JSON_DEPTH})
            if isinstance(value, dict):
                _refuse_unstorable("body", value.keys())
                value = value.values()
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _refuse_unstorable("body", [value])
    g.checked_json = payload


def _refuse_unstorable(where, texts):
    if any(UNSTORABLE.search(text) for text in texts):
        raise ApiError("invalid_characters", details={"where": where})
