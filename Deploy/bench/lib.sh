# Shared by the benchmark scripts: source it.

# Waits until COUNT service logs in DIR say they are ready, for at most 60 s.
wait_for_services() {  # dir count
    local deadline=$((SECONDS + 60))
    until [ "$(grep -l -E 'agent ready|orchestrator ready' "$1"/*.log 2>/dev/null | wc -l)" -ge "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "bench: services did not start; see $1" >&2; exit 1; }
        sleep 0.1
    done
}
