#!/usr/bin/env bash
# Runs every test (unit, integration, end-to-end) against a local broker it installs and starts.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

./Deploy/local/start-broker.sh
export TRIBUTARY_TEST_AMQP_URL="${TRIBUTARY_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"
swift build --build-tests
# The end-to-end tests start the real executables from here.
export TRIBUTARY_BIN_DIR="$(swift build --show-bin-path)"
swift test --skip-build "$@"
