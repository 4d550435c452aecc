"""Reading JSON bodies and writing JSON answers through marshmallow, with the error catalog."""
from flask import current_app, g, jsonify, request

from server.errors import ApiError


def load_json(schema):
    """The request's JSON body, validated by `schema` (see read_json)."""
    return schema.load(read_json())


def read_json():
    """The request's JSON body as sent. Refuses the wrong content type, an oversized body and
    malformed JSON before marshmallow sees anything."""
    if not request.is_json:
        raise ApiError("unsupported_media_type", details={"expected": "application/json"})
    length = request.content_length
    if length is not None and length > current_app.config["MAX_JSON_BYTES"]:
        raise ApiError("body_too_large", details={"max_bytes": current_app.config["MAX_JSON_BYTES"]})
    data = request.get_data(cache=True)
    if len(data) > current_app.config["MAX_JSON_BYTES"]:
        raise ApiError("body_too_large", details={"max_bytes": current_app.config["MAX_JSON_BYTES"]})
    payload = g.pop("checked_json", None)
    if payload is None:
        payload = request.get_json(silent=True)
    if payload is None:
        raise ApiError("malformed_json")
    return payload


def load_query(schema):
    return schema.load(request.args.to_dict())


def respond(schema, obj, status=200):
    response = jsonify(schema.dump(obj))
    response.status_code = status
    return response
