#!/usr/bin/env bash
# Builds and tests this example package against the Tributary checkout it sits in: that
# checkout's executables, and a local broker (the one TRIBUTARY_TEST_AMQP_URL names, else one on
# 127.0.0.1:5672, else the kit starts one with Deploy/local/start-broker.sh). Extra arguments go
# to `swift test`.
#
# It builds in the checkout's own build folder: this package's dependencies are Tributary and
# Tributary's, already built there, so only the example's two targets compile.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
(cd "$root" && swift build)
TRIBUTARY_BIN_DIR="$(cd "$root" && swift build --show-bin-path)"
export TRIBUTARY_BIN_DIR
swift test --package-path "$here" --scratch-path "$root/.build" "$@"
