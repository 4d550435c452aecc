"""The OpenAPI description, generated from the same marshmallow schemas the views use.

Each view declares what it takes and gives with `@documented(...)`; `build_spec()` walks the
app's URL map, so a route without a declaration is found by a test, not by a reader.
"""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from server.errors import CATALOG
from server.schemas.base import ErrorSchema


def documented(summary, *, body=None, query=None, responses=None, body_content_type=None, tags=None):
    """Attach the OpenAPI operation to a view. `responses` maps status → schema (or None)."""
    def decorator(view):
        view.api_doc = {"summary": summary, "body": body, "query": query, "responses": responses or {},
                        "body_content_type": body_content_type, "tags": tags or []}
        return view
    return decorator


def _operation(doc, rule):
    operation = {"summary": doc["summary"], "tags": doc["tags"], "responses": {}}
    parameters = [{"in": "path", "name": arg, "required": True, "schema": {"type": "string"}}
                  for arg in sorted(rule.arguments)]
    if doc["query"] is not None:
        parameters.append({"in": "query", "schema": doc["query"]})
    if parameters:
        operation["parameters"] = parameters
    if doc["body"] is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": doc["body"]}}}
    if doc["body_content_type"]:
        operation["requestBody"] = {"required": True, "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}
            for content_type in doc["body_content_type"]}}
    for status, schema in doc["responses"].items():
        response = {"description": str(status)}
        if schema is not None:
            response["content"] = {"application/json": {"schema": schema}}
        operation["responses"][str(status)] = response
    operation["responses"]["default"] = {
        "description": "An error from the catalog", "content": {"application/json": {"schema": "Error"}}}
    return operation


def build_spec(app):
    spec = APISpec(title="AP visits API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Offline visit capture for alternative provision. Error codes: "
                                        + ", ".join(sorted(CATALOG))})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "apv_session"})
    spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        doc = getattr(app.view_functions[rule.endpoint], "api_doc", None)
        if doc is None:
            continue
        operations = {method.lower(): _operation(doc, rule)
                      for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}
        spec.path(path=openapi_path(rule.rule), operations=operations)
    return spec.to_dict()


def openapi_path(flask_rule):
    """`/api/visits/<uuid:visit_id>` → `/api/visits/{visit_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", flask_rule)
