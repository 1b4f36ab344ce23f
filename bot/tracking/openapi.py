"""The OpenAPI 3.1 description of the status API, served at `GET /api/v1/openapi.json`."""

from bot.tracking.steps import tracking

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}


def _response(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema or _ERROR}}}


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Joldas application status API",
        "version": "1",
        "description": (
            "Organisations (akimats, employment centres, the State Corporation) report the status of applications "
            "for the regional quota. Each organisation has a token bound to its area; only transitions the "
            "application's path allows are accepted; the person is told at once in their language."
        ),
    },
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "joldas tracking token"}}
    },
    "security": [{"token": []}],
    "paths": {
        "/api/v1/applications/{id}/status": {
            "post": {
                "summary": "Move an application to a new status",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "description": "1-128 printable ASCII characters; a replay with the same body gets the "
                        "first answer again (header Idempotent-Replayed: true) and changes nothing",
                        "schema": {"type": "string", "maxLength": 128},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["status"],
                                "properties": {
                                    "status": {"type": "string", "enum": sorted(tracking().data.statuses)},
                                    "note": {"type": "string", "maxLength": 500, "description": "for the person"},
                                    "at": {
                                        "type": "string",
                                        "format": "date-time",
                                        "description": "when the status was reached (default: now; no offset: "
                                        "Almaty time)",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _response(
                        "Changed",
                        {
                            "type": "object",
                            "properties": {
                                "application": {"type": "integer"},
                                "status": {"type": "string"},
                                "previous": {"type": "string"},
                                "at": {"type": "string", "format": "date-time"},
                                "event": {"type": "integer"},
                            },
                        },
                    ),
                    "400": _response("Idempotency-Key missing or malformed"),
                    "401": _response("No token, or an unknown or revoked one"),
                    "403": _response(
                        "The application is outside the token's area (error: outside_area), or the role is not active"
                    ),
                    "404": _response("No such application"),
                    "409": _response(
                        "The path does not allow this status after the current one",
                        {
                            "type": "object",
                            "properties": {
                                "error": {"const": "transition_not_allowed"},
                                "current": {"type": "string"},
                                "allowed": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    ),
                    "422": _response("A malformed body, an unknown status, a bad time, or a reused Idempotency-Key"),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {"summary": "This description", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}}}
        },
    },
}
