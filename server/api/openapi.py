"""The OpenAPI 3 description of every route, generated from the marshmallow schemas."""
from flask import current_app, jsonify

from server.api import api
from server.api.docs import build_spec, documented


@api.get("/openapi.json")
@documented("This description", responses={200: None}, tags=["meta"])
def openapi():
    return jsonify(build_spec(current_app))
