/// The API's description, served at `/api/v1/openapi.json` (to a signed-in caller, as every
/// route is). Kept by hand beside the routes; `ConsoleEndToEndTests` checks that every path it
/// lists answers.
enum ConsoleOpenAPI {
    static let document = #"""
        {
          "openapi": "3.0.3",
          "info": {"title": "Tributary console API", "version": "1"},
          "servers": [{"url": "/"}],
          "security": [{"bearer": []}, {"session": []}],
          "components": {
            "securitySchemes": {
              "bearer": {"type": "http", "scheme": "bearer", "description": "A token from the console's tokens file."},
              "session": {"type": "apiKey", "in": "cookie", "name": "tributary_session", "description": "A signed-in browser; a POST also needs X-CSRF-Token."}
            },
            "parameters": {
              "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The experiment id."}
            },
            "schemas": {
              "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
              "Status": {"type": "object", "description": "An experiment's status, as the contract's status event (Docs/message-contract.md).",
                "properties": {"experiment_id": {"type": "string"}, "name": {"type": "string"}, "state": {"type": "string",
                  "enum": ["received", "pre_testing", "analysing", "paused", "synthesising", "completed", "failed", "cancelled"]},
                  "batch_count": {"type": "integer"}, "batches_completed": {"type": "integer"}, "failed_batches": {"type": "integer"},
                  "in_flight": {"type": "integer"}, "retries": {"type": "integer"}, "run": {"type": "integer"}}},
              "BatchMap": {"type": "object", "properties": {"experiment_id": {"type": "string"}, "batch_count": {"type": "integer"},
                "cells": {"type": "array", "items": {"type": "object", "properties": {"first": {"type": "integer"}, "last": {"type": "integer"},
                  "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}},
              "DeadLetter": {"type": "object", "properties": {"message_id": {"type": "string"}, "type": {"type": "string"},
                "experiment_id": {"type": "string"}, "reason": {"type": "string"}, "source_queue": {"type": "string"},
                "deaths": {"type": "integer"}, "body_bytes": {"type": "integer"}, "body": {"type": "string"}}}
            },
            "responses": {
              "Unauthorized": {"description": "No valid token or session.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "Forbidden": {"description": "The role may not, or a session's POST lacks its CSRF token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "NotFound": {"description": "No such experiment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "Unavailable": {"description": "No broker connection, or the orchestrator did not answer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          },
          "paths": {
            "/api/v1/experiments": {"get": {"summary": "Experiments, newest first, 50 to a page (viewer)",
              "parameters": [{"name": "state", "in": "query", "schema": {"type": "string"}}, {"name": "q", "in": "query", "schema": {"type": "string"}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
              "responses": {"200": {"description": "A page.", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "experiments": {"type": "array", "items": {"$ref": "#/components/schemas/Status"}}, "page": {"type": "integer"}, "more": {"type": "boolean"}}}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "503": {"$ref": "#/components/responses/Unavailable"}}}},
            "/api/v1/experiments/{id}": {"get": {"summary": "One experiment's status (viewer)", "parameters": [{"$ref": "#/components/parameters/id"}],
              "responses": {"200": {"description": "Its status.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/v1/experiments/{id}/batches": {"get": {"summary": "Every batch's state in at most `cells` ranges (viewer)",
              "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "cells", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}],
              "responses": {"200": {"description": "The batch map.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchMap"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}}}},
            "/api/v1/experiments/{id}/cancel": {"post": {"summary": "Cancel (operator)", "parameters": [{"$ref": "#/components/parameters/id"}],
              "responses": {"200": {"description": "The status afterwards.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/v1/experiments/{id}/retry": {"post": {"summary": "Retry what failed (operator)", "parameters": [{"$ref": "#/components/parameters/id"}],
              "responses": {"200": {"description": "The status afterwards.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/v1/experiments/{id}/pause": {"post": {"summary": "Pause (operator)", "parameters": [{"$ref": "#/components/parameters/id"}],
              "responses": {"200": {"description": "The status afterwards.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/v1/experiments/{id}/resume": {"post": {"summary": "Resume (operator)", "parameters": [{"$ref": "#/components/parameters/id"}],
              "responses": {"200": {"description": "The status afterwards.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/v1/dead-letters": {"get": {"summary": "The dead-letter queue, read without taking anything (viewer)",
              "responses": {"200": {"description": "The dead letters, oldest first.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/DeadLetter"}}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}}}},
            "/api/v1/dead-letters/replay": {"post": {"summary": "Send dead letters back where they came from (operator)",
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "string"}}}, "required": ["ids"]}}}},
              "responses": {"200": {"description": "Those sent back.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/DeadLetter"}}}}},
                "400": {"description": "No ids.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
            "/experiments/{id}/events": {"get": {"summary": "The experiment's status events as server-sent events (viewer)", "parameters": [{"$ref": "#/components/parameters/id"}],
              "responses": {"200": {"description": "`event: status` with a status as `data`; a comment every 15 s.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}}}}
          }
        }
        """#
}
