"""The OpenAPI 3.1 document of the JSON API, written once here and served as is."""

from __future__ import annotations

from typing import Any

from onegrid import __version__


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def ok(description: str, schema: dict | None = None) -> dict:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {"application/json": {"schema": schema}}
    return out


ERRORS = {
    # bad input at the edge (web/bounds.py): malformed, too deep, NUL, out of range
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "413": {"$ref": "#/components/responses/TooLarge"},
}

CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable error code."},
            "message": {"type": "string", "description": "The error in the request's language."},
            "errors": {
                "type": "object",
                "description": "Per-field messages of an invalid submission.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "User": {
        "type": "object",
        "properties": {
            "username": {"type": "string"},
            "name": {"type": "string"},
            "is_admin": {"type": "boolean"},
            "bindings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"role": {"type": "string"}, "unit": {"type": "string"}},
                },
            },
        },
    },
    "Matter": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "code": {"type": ["string", "null"]},
            "name": {"type": "string"},
            "unit": {"type": ["string", "null"]},
            "form": {"type": ["string", "null"]},
            "on_the_spot": {"type": "boolean"},
        },
    },
    "Case": {
        "type": "object",
        "description": "A case as the caller may see it.",
        "properties": {
            "id": {"type": "integer"},
            "matter": {"type": "string"},
            "matter_name": {"type": "string"},
            "state": {"type": "string"},
            "step": {"type": ["string", "null"]},
            "channel": {"type": "string"},
            "place": {"type": ["string", "null"]},
            "unit": {"type": ["string", "null"], "description": "The lead unit or department."},
            "assistants": {"type": "array", "items": {"type": "string"}},
            "reporter": {"type": "string"},
            "submission": {"type": "object"},
            "supervised": {"type": "boolean"},
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "due_status": {"enum": ["", "due_soon", "overdue"]},
            "created_at": {"type": "string", "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
            "version": {
                "type": "integer",
                "description": "Send it back with an action: a stale one is a 409.",
            },
        },
    },
    "Action": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "to": {"type": "string"},
            "form": {"type": ["string", "null"]},
        },
    },
    "CaseDetail": {
        "allOf": [
            ref("Case"),
            {
                "type": "object",
                "properties": {
                    "actions": {"type": "array", "items": ref("Action")},
                    "why": {"type": "array", "items": {"type": "string"}},
                },
            },
        ]
    },
    "Step": {
        "type": "object",
        "properties": {
            "seq": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "action": {"type": "string"},
            "actor": {"type": ["string", "null"]},
            "from_state": {"type": ["string", "null"]},
            "to_state": {"type": ["string", "null"]},
            "data": {},
        },
    },
    "Version": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "pack": {"type": "string"},
            "content_hash": {"type": "string"},
            "published_at": {"type": "string", "format": "date-time"},
        },
    },
}

PATHS: dict[str, Any] = {
    "/tokens": {
        "post": {
            "summary": "Log in and get an API token",
            "security": [],
            "requestBody": body(
                {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string"},
                        "password": {"type": "string"},
                        "name": {"type": "string", "maxLength": 128},
                    },
                }
            ),
            "responses": {
                "201": ok(
                    "A new token",
                    {
                        "type": "object",
                        "properties": {"token": {"type": "string"}, "user": ref("User")},
                    },
                ),
                "400": {"$ref": "#/components/responses/BadRequest"},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "413": {"$ref": "#/components/responses/TooLarge"},
                "429": {"$ref": "#/components/responses/TooMany"},
            },
        }
    },
    "/tokens/current": {
        "delete": {
            "summary": "Revoke the bearer token of this request (log out an API client)",
            "responses": {"204": {"description": "Revoked"}, **ERRORS},
        }
    },
    "/me": {
        "get": {
            "summary": "The caller",
            "responses": {"200": ok("The user", ref("User")), **ERRORS},
        }
    },
    "/matters": {
        "get": {
            "summary": "The matter catalog",
            "responses": {
                "200": ok("Matters", {"type": "array", "items": ref("Matter")}),
                **ERRORS,
            },
        }
    },
    "/matters/{matter_id}/form": {
        "get": {
            "summary": "The fields a report of the matter takes (Open311 attribute shapes)",
            "parameters": [
                {"name": "matter_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": ok("The form's fields", {"type": "object"}), **ERRORS},
        }
    },
    "/cases": {
        "get": {
            "summary": "Cases in the caller's scope (an inbox tab, or a search)",
            "parameters": [
                {
                    "name": "tab",
                    "in": "query",
                    "schema": {"enum": ["mine", "due_soon", "overdue", "supervised", "all"]},
                },
                {"name": "matter", "in": "query", "schema": {"type": "string"}},
                {"name": "state", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "start",
                    "in": "query",
                    "schema": {"type": "string", "format": "date-time"},
                },
                {"name": "end", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                {
                    "name": "updated_since",
                    "in": "query",
                    "description": "Only cases changed at or after this moment (then sorted "
                    "oldest change first unless `sort` says otherwise).",
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "sort",
                    "in": "query",
                    "schema": {"enum": ["due", "new", "old", "updated"]},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "description": "The next page: the X-Next-Cursor header of the page before.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {"200": ok("Cases", {"type": "array", "items": ref("Case")}), **ERRORS},
        },
        "post": {
            "summary": "Report a new case through its matter's form",
            "parameters": [
                {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
            ],
            "requestBody": body(
                {
                    "type": "object",
                    "required": ["matter"],
                    "properties": {
                        "matter": {"type": "string"},
                        "place": {"type": "string", "description": "The grid or unit."},
                        "submission": {"type": "object", "description": "The form's fields."},
                        "idempotency_key": {"type": "string"},
                        "channel": {
                            "type": "string",
                            "description": "Intake channel, one of the pack's `channels:` (a staff account may not use one whose only door is open311); default: the channel the pack marks for the api door.",
                        },
                        "lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "long": {"type": "number", "minimum": -180, "maximum": 180},
                        "address": {"type": "string", "maxLength": 200},
                    },
                }
            )
            | {
                "description": "JSON, or multipart/form-data to send photos: the same "
                "fields as form fields, `submission` as a JSON text, each photo as a file "
                "named by its photo field (JPEG, PNG or WebP, checked as the pages check them)."
            },
            "responses": {
                "201": ok("The new case", ref("CaseDetail")),
                "403": {"$ref": "#/components/responses/Forbidden"},
                "409": {"$ref": "#/components/responses/Conflict"},
                "422": {"$ref": "#/components/responses/Invalid"},
                **ERRORS,
            },
        },
    },
    "/cases/{case_id}": {
        "get": {
            "summary": "One case with the caller's actions and why it was routed there",
            "parameters": [CASE_ID],
            "responses": {"200": ok("The case", ref("CaseDetail")), **ERRORS},
        }
    },
    "/cases/{case_id}/trail": {
        "get": {
            "summary": "Every step of the case, oldest first",
            "parameters": [CASE_ID],
            "responses": {
                "200": ok("The trail", {"type": "array", "items": ref("Step")}),
                **ERRORS,
            },
        }
    },
    "/cases/{case_id}/photos/{name}": {
        "get": {
            "summary": "A photo attached to the case (by its generated name)",
            "parameters": [
                CASE_ID,
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "The photo",
                    "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
                },
                **ERRORS,
            },
        }
    },
    "/cases/{case_id}/actions/{action_id}": {
        "post": {
            "summary": "Take one action on a case",
            "parameters": [
                CASE_ID,
                {"name": "action_id", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "requestBody": body(
                {
                    "type": "object",
                    "required": ["version"],
                    "properties": {
                        "version": {"type": "integer"},
                        "submission": {"type": "object"},
                    },
                }
            ),
            "responses": {
                "200": ok("The case after the action", ref("CaseDetail")),
                "403": {"$ref": "#/components/responses/Forbidden"},
                "409": {"$ref": "#/components/responses/Conflict"},
                "422": {"$ref": "#/components/responses/Invalid"},
                **ERRORS,
            },
        }
    },
    "/versions": {
        "get": {
            "summary": "Published policy versions (administrators)",
            "responses": {
                "200": ok("Versions", {"type": "array", "items": ref("Version")}),
                **ERRORS,
            },
        },
        "post": {
            "summary": "Publish the loaded pack (administrators)",
            "responses": {"201": ok("The version", {"type": "object"}), **ERRORS},
        },
    },
    "/pack": {
        "get": {
            "summary": "The loaded pack, every item with its file and line (administrators)",
            "responses": {"200": ok("The pack", {"type": "object"}), **ERRORS},
        }
    },
    "/registry": {
        "get": {
            "summary": "The grid registry checked against the grid standards (administrators)",
            "responses": {"200": ok("The report", {"type": "object"}), **ERRORS},
        }
    },
    "/checks": {
        "get": {
            "summary": "The loaded pack's check results (administrators)",
            "responses": {
                "200": ok("Problems", {"type": "array", "items": {"type": "object"}}),
                **ERRORS,
            },
        }
    },
    "/dashboard": {
        "get": {
            "summary": "Closure and on-time rates by unit (administrators)",
            "responses": {
                "200": ok("Rates", {"type": "array", "items": {"type": "object"}}),
                **ERRORS,
            },
        }
    },
}


def response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


ITEM_ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
OBJECT = {"type": "object"}
# what a write on a workflow item may answer besides ERRORS
REFUSALS = {
    "403": {"$ref": "#/components/responses/Forbidden"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "422": {"$ref": "#/components/responses/Invalid"},
}
# task admission requests (issue 15): workflow items of kind `admission`
PATHS.update(
    {
        "/admission": {
            "post": {
                "summary": "File an admission request (the pack's request form in `submission`); "
                "the gate admits or refuses a listed task at once, an unlisted one goes to review",
                "requestBody": {"content": {"application/json": {"schema": OBJECT}}},
                "responses": {"201": ok("The request", OBJECT), **ERRORS, **REFUSALS},
            }
        },
        "/admission/{item_id}": {
            "get": {
                "summary": "One admission request, with the actions open to the caller",
                "parameters": [ITEM_ID],
                "responses": {"200": ok("The request", OBJECT), **ERRORS},
            }
        },
        "/admission/{item_id}/trail": {
            "get": {
                "summary": "Every step of the request, oldest first",
                "parameters": [ITEM_ID],
                "responses": {"200": ok("The trail", {"type": "array", "items": OBJECT}), **ERRORS},
            }
        },
        "/admission/{item_id}/actions/{action_id}": {
            "post": {
                "summary": "Take an action (the reviewer's decision) at the version seen",
                "parameters": [
                    ITEM_ID,
                    {
                        "name": "action_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": {"content": {"application/json": {"schema": OBJECT}}},
                "responses": {"200": ok("The request", OBJECT), **ERRORS, **REFUSALS},
            }
        },
        "/admission/register": {
            "get": {
                "summary": "The register of admitted tasks (of `unit`), and counts per unit for `year` and the year before",
                "parameters": [
                    {"name": "unit", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "year",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1900, "maximum": 9999},
                    },
                ],
                "responses": {
                    "200": ok("Entries and counts", OBJECT),
                    **ERRORS,
                    "422": {"$ref": "#/components/responses/Invalid"},
                },
            }
        },
    }
)

# duty rounds (issue 16): workflow items of kind `duty_round`
ROUND_ID = {"name": "round_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PATHS.update(
    {
        "/duties": {
            "get": {
                "summary": "My open duty rounds (held by or contributed to by my units), each item with its ticks",
                "responses": {"200": ok("Rounds", {"type": "array", "items": OBJECT}), **ERRORS},
            }
        },
        "/duties/{round_id}/items/{duty}": {
            "post": {
                "summary": "Tick one item of a round with the evidence its form asks for "
                "(`submission`), or `not_applicable: true` with a reason, at the version seen",
                "parameters": [
                    ROUND_ID,
                    {"name": "duty", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "requestBody": {"content": {"application/json": {"schema": OBJECT}}},
                "responses": {"200": ok("The round", OBJECT), **ERRORS, **REFUSALS},
            }
        },
    }
)

# the connector API (issue 21): another system's cases, by its client key
CONNECTOR = [{"clientKey": []}]
CONNECTOR_CASE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "external_id": {"type": ["string", "null"], "description": "The sender's ticket number."},
        "matter": {"type": "string"},
        "matter_name": {"type": "string"},
        "state": {"type": "string"},
        "state_name": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "channel": {"type": "string"},
        "unit": {"type": ["string", "null"]},
        "unit_name": {"type": ["string", "null"]},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
        "version": {"type": "integer"},
    },
}
BATCH_ITEM = {
    "type": "object",
    "required": ["external_id", "matter"],
    "properties": {
        "external_id": {"type": "string", "minLength": 1, "maxLength": 120},
        "matter": {"type": "string"},
        "place": {"type": "string"},
        "submission": {"type": "object", "description": "The matter's form fields."},
        "description": {
            "type": "string",
            "description": "Fills the form as the pack's open311.core says.",
        },
        "address": {"type": "string"},
        "lat": {"type": "number"},
        "long": {"type": "number"},
        "email": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "phone": {"type": "string"},
    },
}
BATCH_ANSWER = {
    "type": "object",
    "properties": {
        "saved": {"type": "boolean"},
        "created": {"type": "integer"},
        "existing": {"type": "integer"},
        "refused": {"type": "integer"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "external_id": {},
                    "status": {"enum": ["created", "existing", "refused", "not-saved"]},
                    "case": {"type": ["integer", "null"]},
                    "errors": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
}
PATHS.update(
    {
        "/connector/batches": {
            "post": {
                "summary": "File up to 1,000 cases of another system, each with its own "
                "external_id; a re-sent case is the same case (status existing)",
                "security": CONNECTOR,
                "requestBody": body(
                    {
                        "type": "object",
                        "required": ["cases"],
                        "properties": {
                            "cases": {
                                "type": "array",
                                "items": BATCH_ITEM,
                                "minItems": 1,
                                "maxItems": 1000,
                            },
                            "all_or_nothing": {
                                "type": "boolean",
                                "description": "Save nothing unless every case is accepted (default false).",
                            },
                        },
                    }
                ),
                "responses": {
                    "200": ok("Each case accepted or refused", BATCH_ANSWER),
                    "422": ok("all_or_nothing and a case refused: nothing saved", BATCH_ANSWER),
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            }
        },
        "/connector/cases": {
            "get": {
                "summary": "The connector's cases, oldest change first, a page at a time",
                "security": CONNECTOR,
                "parameters": [
                    {
                        "name": "updated_since",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": ok(
                        "Cases (next page: X-Next-Cursor)",
                        {"type": "array", "items": CONNECTOR_CASE},
                    ),
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            }
        },
        "/connector/cases/external/{external_id}": {
            "get": {
                "summary": "The connector's case by its own ticket number",
                "security": CONNECTOR,
                "parameters": [
                    {
                        "name": "external_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": ok("The case", CONNECTOR_CASE),
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            }
        },
        "/connector/cases/{case_id}": {
            "get": {
                "summary": "One of the connector's cases",
                "security": CONNECTOR,
                "parameters": [CASE_ID],
                "responses": {
                    "200": ok("The case", CONNECTOR_CASE),
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            }
        },
        "/connector/callback": {
            "get": {
                "summary": "The URL state changes are posted to",
                "security": CONNECTOR,
                "responses": {
                    "200": ok("The callback", OBJECT),
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            },
            "put": {
                "summary": "Register the URL each state change is posted to (a `case.state` "
                "event, signed: X-Onegrid-Signature = sha256=HMAC-SHA256(secret, body))",
                "security": CONNECTOR,
                "requestBody": body(
                    {
                        "type": "object",
                        "required": ["url"],
                        "properties": {
                            "url": {"type": "string", "format": "uri"},
                            "secret": {"type": "string", "minLength": 16, "maxLength": 200},
                        },
                    }
                ),
                "responses": {
                    "200": ok("The callback and its secret (shown here only)", OBJECT),
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            },
            "delete": {
                "summary": "Stop the callbacks",
                "security": CONNECTOR,
                "responses": {
                    "204": {"description": "Stopped"},
                    "429": {"$ref": "#/components/responses/TooMany"},
                    **ERRORS,
                },
            },
        },
    }
)


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "onegrid API",
            "version": __version__,
            "description": "Cases, matters and policy versions of the served pack. "
            "Send ?lang=en for English texts.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "clientKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A connector's client key (o311_…), made on the client keys page.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "onegrid_session"},
            },
            "responses": {
                "Unauthorized": response("Not logged in, or a bad token"),
                "Forbidden": response("Not this user's action"),
                "NotFound": response("No such thing in the caller's scope"),
                "Conflict": response("A stale version or a reused idempotency key"),
                "Invalid": response("The submission does not pass its form"),
                "BadRequest": response("Malformed input: not JSON, too deep, NUL, out of range"),
                "TooLarge": response("The body is larger than this endpoint takes"),
                "TooMany": response("Too many failed attempts: wait (Retry-After)"),
            },
        },
    }
