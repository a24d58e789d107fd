"""The OpenAPI 3.1 description of the read API, served at /api/openapi.json."""

from __future__ import annotations

from apps.decisions.models import Status

MAX_INT = 2_147_483_647


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


COMMON = {
    "401": _error("No token, a wrong one, or a revoked one."),
    "405": _error("The API is read-only."),
}
PATH_PARAMS = [
    {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "The workspace's short name.",
        "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 50},
    },
    {
        "name": "number",
        "in": "path",
        "required": True,
        "description": "The decision's number in its workspace (ADR-0007 is 7).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    },
]


def _text(name: str, description: str, max_length: int) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "maxLength": max_length},
    }


FILTERS = [
    _text("q", "Full-text search; results come best first.", 200),
    _text("workspace", "A workspace's slug.", 50),
    {
        "name": "status",
        "in": "query",
        "required": False,
        "description": "One or more statuses (repeat the parameter).",
        "schema": {"type": "array", "items": {"type": "string", "enum": Status.values}},
        "style": "form",
        "explode": True,
    },
    _text("tag", "A tag, any case.", 60),
    _text("owner", "The owner's user name, first or last name.", 150),
    _text("maker", "Part of a decision maker's name.", 200),
    {
        "name": "review",
        "in": "query",
        "required": False,
        "description": "Accepted decisions due for review: `due` (within 30 days, or overdue) or"
        " `overdue`.",
        "schema": {"type": "string", "enum": ["due", "overdue"]},
    },
    {
        "name": "since",
        "in": "query",
        "required": False,
        "description": "Decided (or last updated) on or after this day.",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "until",
        "in": "query",
        "required": False,
        "description": "Decided (or last updated) on or before this day.",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    },
    {
        "name": "page_size",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
]

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "fields": {"type": "object"}},
    },
    "DecisionSummary": {
        "type": "object",
        "required": ["workspace", "number", "ref", "title", "status", "url", "api_url"],
        "properties": {
            "workspace": {"type": "string"},
            "number": {"type": "integer"},
            "ref": {"type": "string", "examples": ["ADR-0006"]},
            "title": {"type": "string"},
            "status": {"type": "string", "enum": Status.values},
            "owner": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "decided_on": {"type": ["string", "null"], "format": "date"},
            "review_by": {"type": ["string", "null"], "format": "date"},
            "updated_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
        },
    },
    "DecisionList": {
        "type": "object",
        "required": ["count", "page", "pages", "results"],
        "properties": {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/DecisionSummary"},
            },
        },
    },
    "Decision": {
        "allOf": [
            {"$ref": "#/components/schemas/DecisionSummary"},
            {
                "type": "object",
                "required": ["revision", "record", "versions_url"],
                "properties": {
                    "revision": {"type": "integer"},
                    "needs_attention": {
                        "type": "boolean",
                        "description": "A confirmation check of the decision failed.",
                    },
                    "versions_url": {"type": "string", "format": "uri"},
                    "record": {
                        "type": "object",
                        "description": "The whole record: problem, scenarios with pros and cons,"
                        " considerations with options and the support matrix, outcome,"
                        " consequences, relations, references, free sections.",
                        "required": ["title", "status", "scenarios", "considerations"],
                        "properties": {
                            "title": {"type": "string"},
                            "status": {"type": "string"},
                            "context": {"type": "string"},
                            "scenarios": {"type": "array", "items": {"type": "object"}},
                            "considerations": {"type": "array", "items": {"type": "object"}},
                            "chosen": {"type": "string"},
                            "consequences": {"type": "array", "items": {"type": "object"}},
                            "relations": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                },
            },
        ]
    },
    "Health": {
        "type": "object",
        "required": ["workspace", "as_of", "figures"],
        "properties": {
            "workspace": {"type": "string"},
            "as_of": {"type": "string", "format": "date"},
            "figures": {
                "type": "object",
                "description": "overdue_reviews, failed_confirmations, open_considerations,"
                " idle_drafts, superseded_by_draft: each a count and up to 50 items.",
                "additionalProperties": {
                    "type": "object",
                    "required": ["label", "count", "items"],
                    "properties": {
                        "label": {"type": "string"},
                        "count": {"type": "integer", "minimum": 0},
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["ref", "number", "title", "url", "api_url"],
                                "properties": {
                                    "ref": {"type": "string"},
                                    "number": {"type": "integer"},
                                    "title": {"type": "string"},
                                    "detail": {"type": "string"},
                                    "url": {"type": "string", "format": "uri"},
                                    "api_url": {"type": "string", "format": "uri"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "VersionList": {
        "type": "object",
        "required": ["decision", "results"],
        "properties": {
            "decision": {"type": "string"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["number", "sha256", "markdown_url"],
                    "properties": {
                        "number": {"type": "integer"},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "accepted_by": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "approvals": {"type": "array", "items": {"type": "object"}},
                        "markdown_url": {"type": "string", "format": "uri"},
                    },
                },
            },
        },
    },
}


def description(server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Adroit read API",
            "version": "1",
            "description": "Read the decisions you may read in Adroit: list and search them,"
            " read one with its whole record, its frozen versions and their Markdown.",
        },
        "servers": [{"url": server.rstrip("/")}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/decisions/": {
                "get": {
                    "operationId": "listDecisions",
                    "summary": "List and search decisions",
                    "parameters": FILTERS,
                    "responses": {
                        "200": _json("DecisionList", "A page of decisions."),
                        "400": _error("A filter is not valid; `fields` says which."),
                        "404": _error("A page past the last."),
                        **COMMON,
                    },
                }
            },
            "/workspaces/{slug}/health/": {
                "get": {
                    "operationId": "getHealth",
                    "summary": "A workspace's health: overdue reviews, failed confirmations, ...",
                    "parameters": PATH_PARAMS[:1],
                    "responses": {
                        "200": _json("Health", "The figures, as the health page shows them."),
                        "404": _error("No such workspace of yours."),
                        **COMMON,
                    },
                }
            },
            "/decisions/{slug}/{number}/": {
                "get": {
                    "operationId": "getDecision",
                    "summary": "A decision with its current record",
                    "parameters": PATH_PARAMS,
                    "responses": {
                        "200": _json("Decision", "The decision."),
                        "404": _error("No such decision in a workspace of yours."),
                        **COMMON,
                    },
                }
            },
            "/decisions/{slug}/{number}/versions/": {
                "get": {
                    "operationId": "listVersions",
                    "summary": "A decision's frozen versions",
                    "parameters": PATH_PARAMS,
                    "responses": {
                        "200": _json("VersionList", "Its versions, oldest first."),
                        "404": _error("No such decision in a workspace of yours."),
                        **COMMON,
                    },
                }
            },
            "/decisions/{slug}/{number}/versions/{version}.md": {
                "get": {
                    "operationId": "getVersionMarkdown",
                    "summary": "The canonical Markdown of a version, byte for byte",
                    "parameters": [
                        *PATH_PARAMS,
                        {
                            "name": "version",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "MADR 4 Markdown; its SHA-256 is the ETag.",
                            "content": {"text/markdown": {"schema": {"type": "string"}}},
                        },
                        "404": _error("No such version."),
                        **COMMON,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made on /api/tokens/.",
                }
            },
            "schemas": SCHEMAS,
        },
    }
