#!/usr/bin/env bash
# The main job: starts a local broker, builds Tributary, and exercises it end to end.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

./Deploy/local/start-broker.sh
swift build -c release
.build/release/amqp-bench --messages 20000 --rounds 2
