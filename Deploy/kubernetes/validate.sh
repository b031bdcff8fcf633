#!/usr/bin/env bash
# Checks the Kubernetes manifests: the kustomization builds, every object validates against
# the Kubernetes schemas (kubernetes-validate, which bundles them; KEDA's kinds are checked
# for their required fields instead), and every flag and environment variable the manifests
# and the compose file give a Tributary command exists in that command's --help.
#
#   Deploy/kubernetes/validate.sh [TRIBUTARY_ALL_BINARY]    # default: swift build's
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
binary="${1:-}"
if [ -z "$binary" ]; then
    swift build --product tributary-all >/dev/null
    binary="$(swift build --show-bin-path)/tributary-all"
fi
venv=".build-k8s/venv"
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q kubernetes-validate pyyaml
fi
help_dir=".build-k8s/help"
mkdir -p "$help_dir"
for command in orchestrator pre-test-agent analyse-batch-agent corpus-synthesis-agent tributary; do
    "$binary" "$command" --help >"$help_dir/$command.txt" 2>&1
done
"$venv/bin/python" - "$help_dir" <<'PY'
import glob, os, re, subprocess, sys, yaml

help_dir = sys.argv[1]
helps = {name: open(os.path.join(help_dir, f"{name}.txt")).read() for name in
         ["orchestrator", "pre-test-agent", "analyse-batch-agent", "corpus-synthesis-agent", "tributary"]}
problems = []

# The kustomization's resources, in order, as one stream of objects.
kustomization = yaml.safe_load(open("Deploy/kubernetes/kustomization.yaml"))
objects = []
for resource in kustomization["resources"]:
    for document in yaml.safe_load_all(open(os.path.join("Deploy/kubernetes", resource))):
        if document:
            objects.append((resource, document))

native = [(r, o) for r, o in objects if not o["apiVersion"].startswith("keda.sh/")]
for resource, obj in native:
    path = f".build-k8s/objects/{obj['kind']}-{obj['metadata']['name']}.yaml"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    yaml.safe_dump(obj, open(path, "w"))
result = subprocess.run(
    [os.path.join(os.path.dirname(sys.executable), "kubernetes-validate"), "--strict", "--kubernetes-version", "1.29",
     *sorted(glob.glob(".build-k8s/objects/*.yaml"))], capture_output=True, text=True)
if result.returncode != 0:
    problems.append("kubernetes-validate:\n" + result.stdout + result.stderr)
else:
    print(f"k8s-validate: {len(native)} objects valid against the Kubernetes 1.29 schemas")

for resource, obj in objects:
    if obj["kind"] == "ScaledObject":
        spec = obj["spec"]
        target = spec["scaleTargetRef"]["name"]
        if not any(o["kind"] == "Deployment" and o["metadata"]["name"] == target for _, o in objects):
            problems.append(f"ScaledObject targets unknown Deployment {target}")
        for trigger in spec["triggers"]:
            if trigger["type"] == "rabbitmq" and not trigger["metadata"].get("queueName", "").endswith(".tasks.analyse_batch"):
                problems.append("the KEDA trigger must watch <namespace>.tasks.analyse_batch")

def check_command(where, args, env_names):
    command = args[0]
    if command not in helps:
        problems.append(f"{where}: unknown command {command}")
        return
    text = helps[command]
    for flag in [a.split("=")[0] for a in args[1:] if a.startswith("--")]:
        if not re.search(re.escape(flag) + r"\b", text):
            problems.append(f"{where}: {command} has no option {flag}")
    for name in env_names:
        if name.startswith(("TRIBUTARY_", "AMQP_")) and f"${name}" not in text:
            problems.append(f"{where}: {command}'s --help does not mention ${name}")

configmap = next(o for _, o in objects if o["kind"] == "ConfigMap")
for resource, obj in objects:
    if obj["kind"] not in ("Deployment", "StatefulSet"):
        continue
    for container in obj["spec"]["template"]["spec"]["containers"]:
        env = [e["name"] for e in container.get("env", [])]
        for source in container.get("envFrom", []):
            if source.get("configMapRef", {}).get("name") == configmap["metadata"]["name"]:
                env += list(configmap["data"])
        check_command(f"{resource} {obj['metadata']['name']}", container["args"], env)

compose = yaml.safe_load(open("Deploy/compose/compose.yaml"))
for name, service in compose["services"].items():
    if "command" in service and service["command"][0] in helps:
        check_command(f"compose {name}", service["command"], list(service.get("environment", {})))

if problems:
    print("k8s-validate: FAILED\n" + "\n".join(problems), file=sys.stderr)
    sys.exit(1)
print("k8s-validate: every flag and variable of the manifests and the compose file is in the commands' --help")
PY
