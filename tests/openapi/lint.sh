#!/usr/bin/env bash
# Lints OpenAPI documents with independent validators from npm (lint.mjs):
# the repository's documents, plus any files given as arguments (e2e/run.sh
# passes a per-service description a running hub generated).
#   tests/openapi/lint.sh [FILE.json ...]
source "$(dirname "$0")/../../scripts/lib/common.sh"
here="$LT_ROOT/tests/openapi"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
node "$here/lint.mjs" "$LT_ROOT/docs/openapi/admin-v1.json" "$LT_ROOT/docs/openapi/exchange-v1.json" "$@"
