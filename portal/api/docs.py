"""The API described for people: `/api/v1/docs`, rendered on the server from the OpenAPI document.

No third-party script or style (no Swagger UI): the page is the document's own paths,
parameters, responses and schemas as plain HTML tables, so it works without JavaScript,
cannot drift from `/api/v1/openapi.json`, and tells nobody else who reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from portal.api.openapi import document

# A type as the page writes it: text pieces, each with the schema it links to (or None).
Type = list[tuple[str, str | None]]


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    required: bool
    type: Type
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    type: Type


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    operation_id: str
    parameters: list[Parameter]
    responses: list[Response]


@dataclass(frozen=True)
class Field:
    name: str
    type: Type
    required: bool
    description: str


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: list[Field] = field(default_factory=list)
    type: Type = field(default_factory=list)  # for a schema that is not an object


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[1] if ref.startswith("#/components/schemas/") else None


def _limits(schema: dict) -> str:
    parts = [f"{key} {schema[key]}" for key in ("minimum", "maximum", "maxLength") if key in schema]
    if "pattern" in schema:
        parts.append(f"pattern {schema['pattern']}")
    if "enum" in schema:
        parts.append("one of " + ", ".join("null" if v is None else str(v) for v in schema["enum"]))
    if "const" in schema:
        parts.append(f"always {schema['const']}")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return f" ({'; '.join(parts)})" if parts else ""


def describe(schema: dict) -> Type:
    """A schema as words: "Township", "array of Shift", "string (date)", "Person or null"."""
    if name := _ref_name(schema):
        return [(name, name)]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            out: Type = []
            for i, option in enumerate(schema[key]):
                out += ([(" or ", None)] if i else []) + describe(option)
            return out
    kind = schema.get("type")
    if kind == "array":
        return [("array of ", None), *describe(schema.get("items", {}))]
    text = " or ".join(kind) if isinstance(kind, list) else (kind or "any")
    if schema.get("format"):
        text += f" ({schema['format']})"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [("object of ", None), *describe(schema["additionalProperties"])]
    return [(text + _limits(schema), None)]


def _operations(doc: dict) -> list[Operation]:
    out = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            params = [Parameter(p["name"], p["in"], bool(p.get("required")), describe(p["schema"]),
                                p.get("description", "")) for p in op.get("parameters", [])]
            responses = []
            for status, answer in op["responses"].items():
                content = answer.get("content", {}).get("application/json", {})
                responses.append(Response(status, answer.get("description", ""),
                                          describe(content["schema"]) if content else []))
            out.append(Operation(method.upper(), doc["servers"][0]["url"] + path,
                                 op.get("summary", ""), op.get("operationId", ""), params, responses))
    return out


def _schemas(doc: dict) -> list[Schema]:
    out = []
    for name, schema in sorted(doc["components"]["schemas"].items()):
        properties = schema.get("properties")
        if schema.get("type") != "object" or properties is None:
            out.append(Schema(name, schema.get("description", ""), type=describe(schema)))
            continue
        required = set(schema.get("required", []))
        fields = [Field(key, describe(value), key in required, value.get("description", ""))
                  for key, value in properties.items()]
        out.append(Schema(name, schema.get("description", ""), fields))
    return out


@cache
def api_docs() -> dict:
    """What the page shows: the API's title and version, its operations and its schemas."""
    doc = document()
    return {"info": doc["info"], "operations": _operations(doc), "schemas": _schemas(doc)}
