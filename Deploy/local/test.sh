#!/usr/bin/env bash
# Runs every check: formatting, then unit, integration and end-to-end tests against a local
# broker, a private PostgreSQL cluster and a small local language model it installs and
# starts. Extra arguments go to
# `swift test` (e.g. --filter Pipeline).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

echo "lint: swift format lint --strict (configuration: .swift-format)"
swift format lint --strict --recursive Sources Tests Package.swift

./Deploy/local/start-broker.sh
export TRIBUTARY_TEST_AMQP_URL="${TRIBUTARY_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"
# The broker's TLS listener and the test CA start-broker.sh made for it.
export TRIBUTARY_TEST_AMQPS_URL="${TRIBUTARY_TEST_AMQPS_URL:-amqps://guest:guest@localhost:5671/%2F}"
export TRIBUTARY_TEST_TLS_DIR="${TRIBUTARY_TEST_TLS_DIR:-${TRIBUTARY_BROKER_STATE:-/var/lib/tributary-broker}/tls}"
# A private node with a 200 KiB message limit, for the tests of messages the broker refuses.
# The limit is node-wide: on the shared broker it would refuse the large messages of other tests.
if [ -z "${TRIBUTARY_TEST_LIMITED_AMQP_URL:-}" ]; then
    limited_port=5673
    export TRIBUTARY_TEST_LIMITED_MAX_MESSAGE_SIZE=204800
    # A state of its own even when TRIBUTARY_BROKER_STATE names the main broker's.
    TRIBUTARY_BROKER_NODE=limited TRIBUTARY_BROKER_PORT=$limited_port TRIBUTARY_BROKER_TLS=no \
        TRIBUTARY_BROKER_STATE=/var/lib/tributary-broker-limited \
        TRIBUTARY_BROKER_SETTINGS="max_message_size = $TRIBUTARY_TEST_LIMITED_MAX_MESSAGE_SIZE" ./Deploy/local/start-broker.sh
    export TRIBUTARY_TEST_LIMITED_AMQP_URL="amqp://guest:guest@127.0.0.1:$limited_port/%2F"
fi
# The shared-store suites: each test makes a database and role of its own there. The tests kill
# orchestrators, never the server, so the test cluster may skip fsync.
if [ -z "${TRIBUTARY_TEST_POSTGRES_URL:-}" ]; then
    TRIBUTARY_TEST_POSTGRES_URL="$(TRIBUTARY_POSTGRES_OPTIONS="${TRIBUTARY_POSTGRES_OPTIONS:--c fsync=off -c synchronous_commit=off}" ./Deploy/local/start-postgres.sh)"
    export TRIBUTARY_TEST_POSTGRES_URL
fi
# A second cluster, the one test that restarts its server has to itself.
if [ -z "${TRIBUTARY_TEST_POSTGRES_RESTARTABLE_URL:-}" ]; then
    restartable_state=/var/lib/tributary-postgres-restartable
    TRIBUTARY_TEST_POSTGRES_RESTARTABLE_URL="$(TRIBUTARY_POSTGRES_PORT=55434 TRIBUTARY_POSTGRES_STATE="$restartable_state" \
        TRIBUTARY_POSTGRES_OPTIONS="${TRIBUTARY_POSTGRES_OPTIONS:--c fsync=off -c synchronous_commit=off}" ./Deploy/local/start-postgres.sh)"
    export TRIBUTARY_TEST_POSTGRES_RESTARTABLE_URL
    export TRIBUTARY_TEST_POSTGRES_RESTART="$PWD/Deploy/local/restart-postgres.sh $restartable_state"
fi
# A real language model (Gemma 3 270M on llama.cpp's server) for the llm lane's end-to-end
# test. TRIBUTARY_TEST_LLM=no skips it (the first install compiles for about 4 minutes).
if [ -z "${TRIBUTARY_TEST_LLM_URL:-}" ] && [ "${TRIBUTARY_TEST_LLM:-yes}" != no ]; then
    ./Deploy/local/start-llm.sh
    export TRIBUTARY_TEST_LLM_URL="http://127.0.0.1:${TRIBUTARY_LLM_PORT:-8085}/v1"
fi
# A Python with the krippendorff package: the replicate tests check the report's alpha
# against it. TRIBUTARY_TEST_PYTHON names one already made.
if [ -z "${TRIBUTARY_TEST_PYTHON:-}" ]; then
    python_dir="${TRIBUTARY_TEST_PYTHON_DIR:-/var/lib/tributary-test-python}"
    [ -x "$python_dir/bin/python" ] || python3 -m venv "$python_dir"
    "$python_dir/bin/python" -c 'import krippendorff' 2>/dev/null || "$python_dir/bin/python" -m pip install -q 'krippendorff==0.9.0'
    export TRIBUTARY_TEST_PYTHON="$python_dir/bin/python"
fi
# Headless Chromium and selenium for the console's browser suite; TRIBUTARY_TEST_BROWSER=no skips it.
if [ -z "${TRIBUTARY_TEST_BROWSER:-}" ]; then
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        echo "browser: installing Debian's chromium and chromium-driver"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    fi
    "$TRIBUTARY_TEST_PYTHON" -c 'import selenium' 2>/dev/null || "$TRIBUTARY_TEST_PYTHON" -m pip install -q 'selenium==4.51.0'
    export TRIBUTARY_TEST_BROWSER="$TRIBUTARY_TEST_PYTHON"
fi
swift build --build-tests
# The end-to-end tests start the real executables from here.
export TRIBUTARY_BIN_DIR="$(swift build --show-bin-path)"
# The client side must not link the orchestrator's database.
if ldd "$TRIBUTARY_BIN_DIR/tributary" | grep -q sqlite; then
    echo "structure: the tributary CLI links SQLite; it must depend on TributaryClient only" >&2
    exit 1
fi
swift test --skip-build "$@"
