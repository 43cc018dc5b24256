/// The API's OpenAPI 3.1 description, served at `/v1/openapi.json` (docs/api.md is the prose).
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "Ballast service API", "version": "1"},
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "BALLAST_API_TOKEN"},
          "session": {"type": "apiKey", "in": "cookie", "name": "ballast_session"}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
          "Readiness": {"type": "object", "properties": {"ready": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}}}},
          "Pause": {"type": "object", "properties": {"paused": {"type": "boolean"}, "by": {"type": ["string", "null"]},
                    "at": {"type": ["string", "null"], "format": "date-time"}, "reason": {"type": ["string", "null"]}}},
          "Action": {"type": "object", "properties": {
            "idempotency_key": {"type": "string"}, "cycle": {"type": "integer"}, "token": {"type": "string"},
            "from": {"type": "string"}, "to": {"type": "string"}, "bridge": {"type": "string"},
            "amount": {"type": "string"}, "expected_received": {"type": "string"}, "fee_usd": {"type": "number"},
            "status": {"enum": ["dry_run", "planned", "submitted", "confirmed", "failed", "expired", "blocked"]},
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}},
          "Source": {"type": "object", "properties": {
            "source": {"type": "string"}, "kind": {"enum": ["price", "balance", "route"]}, "chain": {"type": "string"},
            "up": {"type": "boolean"}, "last_success": {"type": ["string", "null"]}, "last_error": {"type": ["string", "null"]},
            "last_error_at": {"type": ["string", "null"]}, "consecutive_failures": {"type": "integer"},
            "latency_ms": {"type": ["number", "null"]}}}
        },
        "responses": {
          "Error": {"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "security": [{"bearer": []}, {"session": []}],
      "paths": {
        "/livez": {"get": {"security": [], "responses": {"200": {"description": "the process is up"}}}},
        "/readyz": {"get": {"security": [], "responses": {
          "200": {"description": "ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}},
          "503": {"description": "not ready, with reasons", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}}}}},
        "/metrics": {"get": {"responses": {"200": {"description": "Prometheus text format"}, "401": {"$ref": "#/components/responses/Error"}}}},
        "/v1/status": {"get": {"responses": {"200": {"description": "the service, its configuration and the last tick"}, "401": {"$ref": "#/components/responses/Error"}}}},
        "/v1/opportunities": {"get": {"responses": {"200": {"description": "the last tick's scan, as `ballast scan --format json`, with `tick`"},
          "404": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}}},
        "/v1/opportunities/history": {"get": {
          "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
          "responses": {"200": {"description": "opportunities earlier ticks recorded (the best 100 of each), newest first"},
            "400": {"$ref": "#/components/responses/Error"}}}},
        "/v1/plan": {"get": {"responses": {"200": {"description": "the last tick's plan, as `ballast plan --format json`, with `tick`"},
          "404": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}}},
        "/v1/sources": {"get": {"responses": {"200": {"description": "per-source health",
          "content": {"application/json": {"schema": {"type": "object", "properties": {"sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}}}}}}},
        "/v1/journal": {"get": {
          "parameters": [
            {"name": "status", "in": "query", "schema": {"enum": ["dry_run", "planned", "submitted", "confirmed", "failed", "expired", "blocked"]}},
            {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "token", "in": "query", "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "actions, newest first",
            "content": {"application/json": {"schema": {"type": "object", "properties": {
              "actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}}, "next_cursor": {"type": ["string", "null"]}}}}}},
            "400": {"$ref": "#/components/responses/Error"}}}},
        "/v1/pause": {"post": {"requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 500}}}}}},
          "responses": {"200": {"description": "paused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pause"}}}}, "403": {"$ref": "#/components/responses/Error"}}}},
        "/v1/resume": {"post": {"responses": {"200": {"description": "resumed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pause"}}}}, "403": {"$ref": "#/components/responses/Error"}}}},
        "/v1/actions/{key}/status": {"post": {"security": [],
          "description": "The desk's signer reports an action: signed with X-Ballast-Timestamp and X-Ballast-Signature (HMAC-SHA256 of timestamp.body under the webhook secret).",
          "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "X-Ballast-Timestamp", "in": "header", "required": true, "schema": {"type": "integer"}},
            {"name": "X-Ballast-Signature", "in": "header", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["idempotency_key", "status"], "properties": {
            "idempotency_key": {"type": "string"}, "status": {"enum": ["confirmed", "failed"]}, "received": {"type": "string"},
            "delivered_at": {"type": "string", "format": "date-time"}, "note": {"type": "string", "maxLength": 500}}}}}},
          "responses": {"200": {"description": "recorded"}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
            "503": {"description": "the journal is held by another process: retry after Retry-After seconds"}}}}
      }
    }
    """#
}
