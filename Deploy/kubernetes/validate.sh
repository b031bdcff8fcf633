#!/usr/bin/env bash
# Checks the Kubernetes manifests: both kustomizations (Deploy/kubernetes, and its PostgreSQL
# variant in postgres/) build, every object and example validates against the Kubernetes
# schemas (kubernetes-validate, which bundles them; KEDA's kinds are checked for their
# required fields instead), and every flag and environment variable the manifests and the
# compose files give a Tributary command exists in that command's --help.
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
for command in orchestrator pre-test-agent analyse-batch-agent corpus-synthesis-agent tributary tributary-console; do
    "$binary" "$command" --help >"$help_dir/$command.txt" 2>&1
done
"$venv/bin/python" - "$help_dir" <<'PY'
import glob, os, re, subprocess, sys, yaml

help_dir = sys.argv[1]
helps = {name: open(os.path.join(help_dir, f"{name}.txt")).read() for name in
         ["orchestrator", "pre-test-agent", "analyse-batch-agent", "corpus-synthesis-agent", "tributary", "tributary-console"]}
problems = []

def load(directory):
    """A kustomization's objects, as kustomize would build them: its resources in order
    (directories are kustomizations of their own), less what its `$patch: delete` patches
    remove, with its other patches merged in."""
    kustomization = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml")))
    objects = []
    for resource in kustomization["resources"]:
        path = os.path.normpath(os.path.join(directory, resource))
        if os.path.isdir(path):
            objects += load(path)
            continue
        for document in yaml.safe_load_all(open(path)):
            if document:
                objects.append((os.path.relpath(path, "Deploy/kubernetes"), document))
    def merge(target, patch):
        for key, value in patch.items():
            if value is None:
                target.pop(key, None)
            elif isinstance(value, dict) and isinstance(target.get(key), dict):
                merge(target[key], value)
            else:
                target[key] = value
    for entry in kustomization.get("patches", []):
        patch = yaml.safe_load(entry["patch"])
        key = (patch["kind"], patch["metadata"]["name"])
        matches = [o for _, o in objects if (o["kind"], o["metadata"]["name"]) == key]
        if not matches:
            problems.append(f"{directory}: a patch names {key}, which no resource defines")
        if patch.pop("$patch", None) == "delete":
            objects = [(r, o) for r, o in objects if (o["kind"], o["metadata"]["name"]) != key]
        else:
            for obj in matches:
                merge(obj, {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")})
    return objects

variants = {"Deploy/kubernetes": load("Deploy/kubernetes"), "Deploy/kubernetes/postgres": load("Deploy/kubernetes/postgres")}
objects = variants["Deploy/kubernetes"]
postgres = variants["Deploy/kubernetes/postgres"]
examples = []
for example in ["secret-example.yaml", "postgres/secret-example.yaml", "postgres/postgres-example.yaml"]:
    for document in yaml.safe_load_all(open(os.path.join("Deploy/kubernetes", example))):
        if document:
            examples.append((example, document))

native = []
for variant, found in variants.items():
    for resource, obj in found + (examples if variant == "Deploy/kubernetes" else []):
        if not obj["apiVersion"].startswith("keda.sh/"):
            native.append((variant, resource, obj))
for index, (variant, resource, obj) in enumerate(native):
    path = f".build-k8s/objects/{index:03}-{obj['kind']}-{obj['metadata']['name']}.yaml"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    yaml.safe_dump(obj, open(path, "w"))
result = subprocess.run(
    [os.path.join(os.path.dirname(sys.executable), "kubernetes-validate"), "--strict", "--kubernetes-version", "1.29",
     *sorted(glob.glob(".build-k8s/objects/*.yaml"))], capture_output=True, text=True)
if result.returncode != 0:
    problems.append("kubernetes-validate:\n" + result.stdout + result.stderr)
else:
    print(f"k8s-validate: {len(native)} objects of both variants and the examples valid against the Kubernetes 1.29 schemas")

# The PostgreSQL variant: the orchestrator is a Deployment of two, and its database URL comes
# from a Secret, never from its arguments.
workloads = [o for _, o in postgres if o["metadata"]["name"] == "orchestrator" and o["kind"] in ("Deployment", "StatefulSet")]
if [o["kind"] for o in workloads] != ["Deployment"] or workloads[0]["spec"]["replicas"] < 2:
    problems.append(f"postgres variant: expected one orchestrator Deployment of 2 or more replicas, found {[o['kind'] for o in workloads]}")
else:
    container = workloads[0]["spec"]["template"]["spec"]["containers"][0]
    if not any(e["name"] == "TRIBUTARY_DATABASE_URL" and "secretKeyRef" in e.get("valueFrom", {}) for e in container.get("env", [])):
        problems.append("postgres variant: TRIBUTARY_DATABASE_URL must come from a Secret")
    if "--database" in container["args"]:
        problems.append("postgres variant: the database URL must not be an argument")
pdb = next(o for _, o in postgres if o["kind"] == "PodDisruptionBudget" and o["metadata"]["name"] == "orchestrator")
if pdb["spec"].get("minAvailable") != 1 or "maxUnavailable" in pdb["spec"]:
    problems.append("postgres variant: the orchestrators' disruption budget must keep one available")

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
for resource, obj in objects + [(r, o) for r, o in postgres if r.startswith("postgres/")]:
    if obj["kind"] not in ("Deployment", "StatefulSet"):
        continue
    for container in obj["spec"]["template"]["spec"]["containers"]:
        env = [e["name"] for e in container.get("env", [])]
        for source in container.get("envFrom", []):
            if source.get("configMapRef", {}).get("name") == configmap["metadata"]["name"]:
                env += list(configmap["data"])
        check_command(f"{resource} {obj['metadata']['name']}", container["args"], env)

# The console: a Deployment with probes and a Service, its tokens from a Secret, never inline.
console = [o for _, o in objects if o["metadata"]["name"] == "tributary-console"]
if sorted(o["kind"] for o in console) != ["Deployment", "Service"]:
    problems.append(f"console: expected a Deployment and a Service, found {sorted(o['kind'] for o in console)}")
else:
    pod = next(o for o in console if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    if not all(probe in container for probe in ("readinessProbe", "livenessProbe")):
        problems.append("console: readiness and liveness probes are required")
    tokens = [v for v in pod.get("volumes", []) if v.get("secret", {}).get("secretName") == "tributary-console-tokens"]
    if not tokens or not any(e["name"] == "TRIBUTARY_CONSOLE_TOKENS_FILE" for e in container.get("env", [])):
        problems.append("console: its tokens file must be mounted from the Secret tributary-console-tokens")
    if "--no-auth" in container["args"]:
        problems.append("console: --no-auth has no place in a cluster")

for file in ["Deploy/compose/compose.yaml", "Deploy/compose/compose.postgres.yaml", "Deploy/compose/compose.console.yaml"]:
    compose = yaml.safe_load(open(file))
    for name, service in compose["services"].items():
        if "command" in service and service["command"][0] in helps:
            check_command(f"{file} {name}", service["command"], list(service.get("environment", {})))

if problems:
    print("k8s-validate: FAILED\n" + "\n".join(problems), file=sys.stderr)
    sys.exit(1)
print("k8s-validate: every flag and variable of the manifests and the compose files is in the commands' --help")
PY
