"""End-to-end: the tandem-operator Helm chart with the real Helm library (helm-python-sdk, Helm 4)
and kubernetes-validate, then installed into a kube-emulator.

Run by hack/e2e-helm.sh, which starts the emulator and sets:
  KUBECONFIG     kubeconfig with the emulator's context
  KUBE_CONTEXT   that context (default `helm`)
  PEER_SECRET    a Secret in namespace tandem-system holding a kubeconfig (hack/peer-access.sh)
Without KUBECONFIG it runs the offline checks only. Prints one line per check and a closing
`helm-chart: N passed, N failed` line; exits non-zero when a check failed.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import helm_python as helm
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "tandem-operator"
KUBECTL = os.environ.get("KUBECTL", "/usr/bin/kubectl")
KUBE_VERSIONS = ["1.30.0", "1.33.0"]
RELEASE_NAMESPACE = "tandem-system"

PASSED = 0
FAILED = 0


def check(description, condition, detail=""):
    global PASSED, FAILED
    if condition:
        PASSED += 1
        print(f"  ok   {description}")
    else:
        FAILED += 1
        print(f"  FAIL {description} {detail}".rstrip())
    return condition


def section(title):
    print(f"--- {title}")


def load_values(path):
    return yaml.safe_load(Path(path).read_text()) or {}


def render(values, name="tandem", namespace=RELEASE_NAMESPACE):
    """Renders the chart; returns (objects, notes)."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values=values, name=name, namespace=namespace, is_install=True)
    objects, notes = [], ""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return objects, notes


def find(objects, kind, name=None):
    return [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]


# A values set with every optional part on (besides the examples and the defaults).
EVERYTHING = {
    "replicaCount": 3,
    "image": {"repository": "registry.example.com/tandem-operator", "tag": "1.2.3", "pullPolicy": "Always"},
    "imagePullSecrets": [{"name": "pull"}],
    "commonLabels": {"team": "fraud"},
    "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/tandem"}},
    "operator": {"watchNamespace": "fraud", "logFormat": "text", "logLevel": "debug",
                 "extraArgs": ["--some-flag"], "extraEnv": [{"name": "TZ", "value": "UTC"}]},
    "clusters": [
        {"name": "eks", "provider": "aws", "region": "us-east-1", "inCluster": True,
         "registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com", "mode": "manage"},
        {"name": "gke", "provider": "gcp", "region": "us-central1", "context": "gke",
         "registry": "us-central1-docker.pkg.dev/p/r", "mode": "manage"},
        {"name": "aks", "provider": "other", "context": "aks", "kubeconfigKey": "aks.yaml",
         "registry": "example.azurecr.io", "mode": "observe"},
    ],
    "kubeconfigSecret": {"name": "tandem-peers", "key": "kubeconfig"},
    "podAnnotations": {"a": "b"}, "podLabels": {"c": "d"}, "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
    "priorityClassName": "system-cluster-critical",
    "metrics": {"service": {"enabled": True, "annotations": {"x": "y"}}},
    "serviceMonitor": {"enabled": True, "interval": "15s", "scrapeTimeout": "5s", "labels": {"release": "prom"}},
    "podDisruptionBudget": {"enabled": True, "minAvailable": "50%"},
}

# Serving identities: the managed EKS member's pods read S3 as an IAM role; the observed GKE
# member's identity is its own operator's business (it grants nothing here).
SERVING = {
    "clusters": [
        {"name": "eks", "provider": "aws", "region": "us-east-1", "inCluster": True,
         "registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
         "serving": {"awsRoleArn": "arn:aws:iam::123456789012:role/fraud-models-read",
                     "env": {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": "http://minio.fraud.svc:9000"}}},
        {"name": "gke", "provider": "gcp", "region": "us-central1", "context": "gke",
         "registry": "us-central1-docker.pkg.dev/p/r", "mode": "observe",
         "serving": {"serviceAccount": "models-reader", "gcpServiceAccount": "fraud-models@p.iam.gserviceaccount.com"}},
    ],
    "kubeconfigSecret": {"name": "tandem-peers"},
}

VALUE_SETS = {
    "default values": {},
    "examples/values-eks.yaml": load_values(REPO / "examples/values-eks.yaml"),
    "examples/values-gke.yaml": load_values(REPO / "examples/values-gke.yaml"),
    "every option on": EVERYTHING,
    "serving identities": SERVING,
}


def test_crd_copy():
    section("the chart's CRD")
    source = (REPO / "crds/tandem.dev_fraudmodels.yaml").read_bytes()
    copy_ = (CHART / "crds/tandem.dev_fraudmodels.yaml").read_bytes()
    check("charts/tandem-operator/crds/tandem.dev_fraudmodels.yaml is an exact copy of crds/ "
          "(hack/sync-chart-crd.sh)", source == copy_)
    with helm.Chart.load(CHART) as chart:
        names = [yaml.safe_load(c["data"])["metadata"]["name"] for c in chart.crds]
        check("Helm loads the CRD fraudmodels.tandem.dev from crds/", names == ["fraudmodels.tandem.dev"], names)
        meta = chart.metadata
        check("Chart.yaml: apiVersion v2 with an appVersion",
              meta.get("apiVersion") == "v2" and bool(meta.get("appVersion")), meta)


WHOLE_VALUES = {"resources", "clusters"}  # documented as one value, not key by key


def value_paths(values, prefix=""):
    """Dotted paths of every value: leaves, and maps documented as a whole."""
    paths = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and path not in WHOLE_VALUES:
            paths += value_paths(value, path + ".")
        else:
            paths.append(path)
    return paths


def test_documentation():
    section("every value documented")
    with helm.Chart.load(CHART) as chart:
        paths = value_paths(chart.values)
    readme = (CHART / "README.md").read_text()
    undocumented = [p for p in paths if f"`{p}`" not in readme]
    check(f"README.md documents all {len(paths)} values", not undocumented, undocumented)
    # values.yaml: the line above each value's key is a comment.
    stack, uncommented = [], []
    lines = (CHART / "values.yaml").read_text().splitlines()
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#") or stripped.startswith("-") or ":" not in stripped:
            continue
        indent = len(line) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if any(parent in WHOLE_VALUES for _, parent in stack[:1]) or (stack and stack[-1][1] == "-"):
            continue
        key = stripped.split(":", 1)[0]
        stack.append((indent, key))
        path = ".".join(k for _, k in stack)
        if path in paths:
            previous = next((l.strip() for l in reversed(lines[:number]) if l.strip()), "")
            if not previous.startswith("#"):
                uncommented.append(path)
    check("values.yaml has a comment on every value", not uncommented, uncommented)


def test_lint():
    section("helm lint --strict")
    for label, values in VALUE_SETS.items():
        for version in [None] + [f"v{v}" for v in KUBE_VERSIONS]:
            report = helm.lint(CHART, values, strict=True, kube_version=version)
            problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
            check(f"lint --strict clean with {label}" + (f" (kube {version})" if version else ""),
                  not problems, json.dumps(problems)[:600])


def test_kubernetes_validate(workdir):
    section("kubernetes-validate --strict")
    for label, values in VALUE_SETS.items():
        objects, _ = render(values)
        with helm.Chart.load(CHART) as chart:
            objects += [yaml.safe_load(c["data"]) for c in chart.crds]
        files, skipped = [], []
        for index, obj in enumerate(objects):
            if obj["apiVersion"].startswith("monitoring.coreos.com/"):
                skipped.append(obj["kind"])  # a CRD's kind: kubernetes-validate has no schema for it
                continue
            path = workdir / f"{label.replace('/', '_').replace(' ', '_')}-{index}-{obj['kind']}.yaml"
            path.write_text(yaml.safe_dump(obj))
            files.append(str(path))
        for version in KUBE_VERSIONS:
            result = subprocess.run(
                [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet",
                 "-k", version, *files], capture_output=True, text=True)
            check(f"{len(files)} manifests valid for Kubernetes {version} with {label}"
                  + (f" ({', '.join(skipped)} checked below)" if skipped else ""),
                  result.returncode == 0, (result.stdout + result.stderr)[:800])
        for monitor in find(objects, "ServiceMonitor"):
            endpoint = monitor["spec"]["endpoints"][0]
            check("the ServiceMonitor scrapes the metrics port of the metrics Service",
                  endpoint["port"] == "metrics" and endpoint["path"] == "/metrics"
                  and monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "tandem-operator")


def test_validator_is_strict(workdir):
    """The checks above mean something only if the validator rejects what a server would."""
    objects, _ = render({})
    broken = copy.deepcopy(find(objects, "Deployment")[0])
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    path = workdir / "broken.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet",
                             "-k", KUBE_VERSIONS[0], str(path)], capture_output=True, text=True)
    check("kubernetes-validate --strict rejects a misspelt field (readinesProbe)",
          result.returncode != 0 and "readinesProbe" in result.stdout + result.stderr,
          (result.stdout + result.stderr)[:300])


def test_schema():
    section("values.schema.json rejects wrong values")
    wrong = {
        "a string replicaCount": ({"replicaCount": "two"}, "/replicaCount"),
        "an unknown top-level key": ({"replica": 2}, "replica"),
        "an unknown nested key": ({"image": {"tags": "1.0"}}, "tags"),
        "an unknown log level": ({"operator": {"logLevel": "verbose"}}, "/operator/logLevel"),
        "a port out of range": ({"operator": {"metricsPort": 70000}}, "/operator/metricsPort"),
        "a cluster name that is no DNS label":
            ({"clusters": [{"name": "EKS_1", "provider": "aws", "inCluster": True, "registry": "r"}]}, "/clusters/0/name"),
        "an unknown provider":
            ({"clusters": [{"name": "eks", "provider": "azure", "inCluster": True, "registry": "r"}]}, "/clusters/0/provider"),
        "a member with neither inCluster nor context":
            ({"clusters": [{"name": "gke", "provider": "gcp", "registry": "r"}]}, "context"),
        "a member with inCluster and a context":
            ({"clusters": [{"name": "gke", "provider": "gcp", "registry": "r", "inCluster": True, "context": "gke"}]},
             "/clusters/0"),
        "inline credentials in a member":
            ({"clusters": [{"name": "gke", "provider": "gcp", "registry": "r", "context": "gke", "token": "secret"}]},
             "token"),
        "an inline kubeconfig": ({"kubeconfigSecret": {"name": "peers", "kubeconfig": "apiVersion: v1"}}, "kubeconfig"),
        "an empty member list": ({"clusters": []}, "/clusters"),
        "a serving role that is no IAM role ARN":
            ({"clusters": [{"name": "eks", "provider": "aws", "inCluster": True, "registry": "r",
                            "serving": {"awsRoleArn": "fraud-models-read"}}]}, "/clusters/0/serving/awsRoleArn"),
        "an unknown serving field":
            ({"clusters": [{"name": "eks", "provider": "aws", "inCluster": True, "registry": "r",
                            "serving": {"accessKey": "AKIA"}}]}, "accessKey"),
        "a serving variable that is no string":
            ({"clusters": [{"name": "eks", "provider": "aws", "inCluster": True, "registry": "r",
                            "serving": {"env": {"AWS_MAX_ATTEMPTS": 3}}}]}, "/clusters/0/serving/env/AWS_MAX_ATTEMPTS"),
    }
    with helm.Chart.load(CHART) as chart:
        for label, (values, needle) in wrong.items():
            try:
                chart.render(values=values, name="tandem", namespace=RELEASE_NAMESPACE)
                check(f"rejects {label}", False, "rendered without error")
            except helm.HelmValuesError as error:
                check(f"rejects {label}", needle in str(error), str(error)[:300])
        report = helm.lint(CHART, {"replicaCount": "two"}, strict=True)
        check("helm lint reports the wrong type as an error",
              any(m["severity"] == 3 and "/replicaCount" in m["error"] for m in report["messages"]))

    section("templates refuse what the schema cannot express")
    refused = {
        "two members with the same name": ({"clusters": [
            {"name": "eks", "provider": "aws", "inCluster": True, "registry": "r"},
            {"name": "eks", "provider": "aws", "context": "eks", "registry": "r"}],
            "kubeconfigSecret": {"name": "peers"}}, "appears twice"),
        "a kubeconfig member without kubeconfigSecret.name": ({"clusters": [
            {"name": "gke", "provider": "gcp", "context": "gke", "registry": "r"}]}, "kubeconfigSecret.name"),
        "two inCluster members": ({"clusters": [
            {"name": "a", "provider": "aws", "inCluster": True, "registry": "r"},
            {"name": "b", "provider": "gcp", "inCluster": True, "registry": "r"}]}, "at most one"),
        "equal metrics and health ports": ({"operator": {"metricsPort": 9000, "healthPort": 9000}}, "must differ"),
        "a ServiceMonitor without the metrics Service": (
            {"serviceMonitor": {"enabled": True}, "metrics": {"service": {"enabled": False}}}, "metrics.service.enabled"),
    }
    for label, (values, needle) in refused.items():
        try:
            render(values)
            check(f"refuses {label}", False, "rendered without error")
        except helm.HelmError as error:
            check(f"refuses {label}", needle in str(error), str(error)[:300])


def rbac_problems(objects, secret_name, namespace=RELEASE_NAMESPACE):
    """Everything in the rendered RBAC that breaks least privilege."""
    problems = []
    for role in find(objects, "ClusterRole") + find(objects, "Role"):
        where = f"{role['kind']} {role['metadata']['name']}"
        for rule in role.get("rules", []):
            for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                if "*" in rule.get(field, []):
                    problems.append(f"{where}: wildcard in {field}: {rule}")
            for verb in ("escalate", "bind", "impersonate", "deletecollection"):
                if verb in rule.get("verbs", []):
                    problems.append(f"{where}: verb {verb}")
            resources = set(rule.get("resources", []))
            if resources & {"secrets", "leases"}:
                if role["kind"] != "Role" or role["metadata"].get("namespace") != namespace:
                    problems.append(f"{where}: {sorted(resources)} outside a Role in {namespace}")
            if "secrets" in resources:
                problems.append(f"{where}: secrets (the kubelet mounts {secret_name or 'the kubeconfig Secret'}): {rule}")
            if "delete" in rule.get("verbs", []):
                problems.append(f"{where}: delete (the garbage collector removes what the operator owns): {rule}")
            if resources & {"pods/exec", "pods/attach", "serviceaccounts/token", "nodes/proxy"}:
                problems.append(f"{where}: {sorted(resources)}")
    return problems


EXPECTED_RULES = [
    (["tandem.dev"], ["fraudmodels"], ["get", "list", "watch"]),
    (["tandem.dev"], ["fraudmodels/status"], ["update"]),
    (["apps"], ["deployments"], ["get", "list", "watch", "create", "patch"]),
    ([""], ["services"], ["get", "list", "watch", "create", "patch"]),
    ([""], ["pods"], ["get", "list", "watch"]),
    (["events.k8s.io"], ["events"], ["create", "patch"]),
]
SERVICE_ACCOUNT_RULE = ([""], ["serviceaccounts"], ["get", "list", "watch", "create", "patch"])


def expected_rules(clusters):
    """EXPECTED_RULES, with ServiceAccounts (after Services) when a managed member has a serving identity."""
    identities = {"serviceAccount", "awsRoleArn", "gcpServiceAccount"}
    applies = any(c.get("mode", "manage") == "manage" and identities & set(c.get("serving") or {}) for c in clusters)
    return EXPECTED_RULES[:4] + [SERVICE_ACCOUNT_RULE] + EXPECTED_RULES[4:] if applies else EXPECTED_RULES


def test_rbac():
    section("RBAC: least privilege")
    for label, values in VALUE_SETS.items():
        objects, _ = render(values)
        with helm.Chart.load(CHART) as chart:
            merged = chart.merge_values(values)
        secret = merged["kubeconfigSecret"]["name"]
        problems = rbac_problems(objects, secret)
        check(f"no wildcards, no secrets, no delete with {label}", not problems, problems)
        watch = merged["operator"]["watchNamespace"]
        kind = "Role" if watch else "ClusterRole"
        main = find(objects, kind, "tandem-tandem-operator")
        rules = [(r["apiGroups"], r["resources"], r["verbs"]) for r in main[0]["rules"]] if main else None
        wanted = expected_rules(merged["clusters"])
        check(f"the {kind} grants exactly FraudModels, Deployments, Services, "
              f"{'ServiceAccounts, ' if SERVICE_ACCOUNT_RULE in wanted else ''}pods (read), events with {label}",
              rules == wanted, rules)
        if watch:
            check("watchNamespace makes it a Role and RoleBinding in that namespace, no ClusterRole",
                  main[0]["metadata"].get("namespace") == watch and not find(objects, "ClusterRole")
                  and find(objects, "RoleBinding", "tandem-tandem-operator"))
        leader = merged["operator"]["leaderElect"] or merged["replicaCount"] > 1
        local = find(objects, "Role", "tandem-tandem-operator-local")
        local_resources = sorted(res for r in (local[0]["rules"] if local else []) for res in r["resources"])
        expected = ["leases"] if leader else []
        check(f"the release-namespace Role holds {expected or 'nothing (not rendered)'} with {label}",
              local_resources == expected, local_resources)
    observed_only = copy.deepcopy(SERVING)
    del observed_only["clusters"][0]["serving"]
    objects, _ = render(observed_only)
    rules = [(r["apiGroups"], r["resources"], r["verbs"]) for r in find(objects, "ClusterRole", "tandem-tandem-operator")[0]["rules"]]
    check("a serving identity on an observed member only grants no ServiceAccount access", rules == EXPECTED_RULES, rules)
    bad = [{"kind": "ClusterRole", "metadata": {"name": "bad"},
             "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]},
                       {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
                       {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["delete"]}]}]
    check("the RBAC check itself catches a wildcard, secrets access and delete", len(rbac_problems(bad, "peers")) == 4,
          rbac_problems(bad, "peers"))
    objects, _ = render({"rbac": {"create": False}})
    check("rbac.create false renders no RBAC",
          not [o for o in objects if o["apiVersion"].startswith("rbac.authorization.k8s.io/")])


def args_of(objects):
    return find(objects, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]


def test_deployment():
    section("the operator Deployment and its configuration")
    objects, notes = render({})
    pod = find(objects, "Deployment")[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    security = container["securityContext"]
    check("restricted security: non-root, read-only root, no capabilities, seccomp RuntimeDefault",
          pod["securityContext"]["runAsNonRoot"] and security["runAsNonRoot"]
          and security["readOnlyRootFilesystem"] and security["allowPrivilegeEscalation"] is False
          and security["capabilities"]["drop"] == ["ALL"]
          and security["seccompProfile"]["type"] == "RuntimeDefault"
          and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check("probes on /healthz and /readyz on the health port; a metrics port",
          container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
          and container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
          and ports == {"metrics": 8080, "health": 8081})
    args = args_of(objects)
    check("args: run --config … --metrics-addr … --health-addr … --log-format json --log-level info",
          args == ["run", "--config", "/etc/tandem/config/clusters.yaml", "--metrics-addr", "0.0.0.0:8080",
                   "--health-addr", "0.0.0.0:8081", "--log-format", "json", "--log-level", "info"], args)
    check("resources set", container["resources"]["requests"] and container["resources"]["limits"])
    labels = find(objects, "Deployment")[0]["metadata"]["labels"]
    check("standard labels on every object",
          all({"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
               "app.kubernetes.io/managed-by", "helm.sh/chart"} <= set(o["metadata"]["labels"]) for o in objects),
          labels)
    check("one replica: no --leader-elect", "--leader-elect" not in args)
    check("two replicas: --leader-elect", "--leader-elect" in args_of(render({"replicaCount": 2})[0]))
    check("operator.leaderElect: --leader-elect with one replica",
          "--leader-elect" in args_of(render({"operator": {"leaderElect": True}})[0]))
    check("watchNamespace: --namespace NS",
          args_of(render({"operator": {"watchNamespace": "fraud"}})[0])[-6:-4] == ["--namespace", "fraud"])
    check("NOTES.txt says what to do next", "kubectl get fraudmodels" in notes and "rollout status" in notes)
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    check("default (inCluster only): the clusters ConfigMap mounted read-only, no kubeconfig Secret",
          mounts["clusters"]["readOnly"] and "kubeconfig" not in mounts)

    objects, _ = render(EVERYTHING)
    pod = find(objects, "Deployment")[0]["spec"]["template"]["spec"]
    mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    check("the kubeconfig Secret named in values is mounted read-only",
          volumes["kubeconfig"]["secret"]["secretName"] == "tandem-peers"
          and mounts["kubeconfig"]["readOnly"] and mounts["kubeconfig"]["mountPath"] == "/etc/tandem/kubeconfig")
    config_map = find(objects, "ConfigMap")[0]
    config = yaml.safe_load(config_map["data"]["clusters.yaml"])
    check("clusters.yaml is the operator's config format, kubeconfig paths in the mounted Secret", config == {
        "clusters": [
            {"name": "eks", "provider": "aws", "region": "us-east-1", "inCluster": True,
             "registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com", "mode": "manage"},
            {"name": "gke", "provider": "gcp", "region": "us-central1",
             "kubeconfig": "/etc/tandem/kubeconfig/kubeconfig", "context": "gke",
             "registry": "us-central1-docker.pkg.dev/p/r", "mode": "manage"},
            {"name": "aks", "provider": "other", "kubeconfig": "/etc/tandem/kubeconfig/aks.yaml",
             "context": "aks", "registry": "example.azurecr.io", "mode": "observe"},
        ]}, config)
    examples = {
        "clusters-local.yaml": ["eks", "gke"], "clusters-eks-gke.yaml": ["eks", "gke"]}
    for name, members in examples.items():
        example = load_values(REPO / "examples" / name)
        # The chart's schema for one member, minus what only values have, checks the example too.
        fields = {"name", "provider", "region", "kubeconfig", "context", "inCluster", "registry", "mode"}
        check(f"examples/{name} lists {members} in the operator's config format",
              [c["name"] for c in example["clusters"]] == members
              and all(set(c) <= fields and c["provider"] in ("aws", "gcp", "other")
                      and c["mode"] in ("manage", "observe") for c in example["clusters"]))
    config = yaml.safe_load(find(render(SERVING)[0], "ConfigMap")[0]["data"]["clusters.yaml"])
    check("clusters.yaml carries each member's serving block", [c.get("serving") for c in config["clusters"]] == [
        {"awsRoleArn": "arn:aws:iam::123456789012:role/fraud-models-read",
         "env": {"AWS_ENDPOINT_URL_S3": "http://minio.fraud.svc:9000", "AWS_REGION": "us-east-1"}},
        {"serviceAccount": "models-reader", "gcpServiceAccount": "fraud-models@p.iam.gserviceaccount.com"},
    ], config)
    checksum = lambda values: find(render(values)[0], "Deployment")[0]["spec"]["template"]["metadata"][
        "annotations"]["checksum/clusters"]
    changed = copy.deepcopy(EVERYTHING)
    changed["clusters"][1]["mode"] = "observe"
    check("a change of the clusters restarts the operator (checksum annotation)",
          checksum(EVERYTHING) != checksum(changed))


# ---- against the emulator --------------------------------------------------------------------

def kubectl(*args, check_rc=True):
    result = subprocess.run([KUBECTL, "--context", os.environ.get("KUBE_CONTEXT", "helm"), *args],
                            capture_output=True, text=True)
    if check_rc and result.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr.strip()}")
    return result


def exists(kind, name, namespace=None):
    args = ["get", kind, name, "-o", "name"] + (["-n", namespace] if namespace else [])
    return kubectl(*args, check_rc=False).returncode == 0


def get_json(kind, name, namespace=None):
    args = ["get", kind, name, "-o", "json", "--show-managed-fields"] + (["-n", namespace] if namespace else [])
    return json.loads(kubectl(*args).stdout)


def test_server_side_apply(workdir):
    section("kubectl apply --server-side of the rendered chart (kube-emulator)")
    for example in ("values-eks.yaml", "values-gke.yaml"):
        name = "applied-" + example.removeprefix("values-").removesuffix(".yaml")
        values = load_values(REPO / "examples" / example)
        values["serviceMonitor"] = {"enabled": False}  # its CRD is not installed in the emulator
        objects, _ = render(values, name=name, namespace=name)
        manifest = workdir / f"{name}.yaml"
        manifest.write_text(yaml.safe_dump_all(objects))
        kubectl("create", "namespace", name)
        result = kubectl("apply", "--server-side", "--field-manager=e2e-helm",
                         "-f", str(CHART / "crds/tandem.dev_fraudmodels.yaml"), "-f", str(manifest), check_rc=False)
        check(f"examples/{example}: kubectl apply --server-side of the CRD and {len(objects)} rendered objects succeeds",
              result.returncode == 0, result.stderr[:800])
        missing = [f"{o['kind']}/{o['metadata']['name']}" for o in objects
                   if not exists(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace"))]
        check(f"examples/{example}: every applied object exists", not missing, missing)
        again = kubectl("apply", "--server-side", "--field-manager=e2e-helm", "-f", str(manifest), check_rc=False)
        check(f"examples/{example}: applying again is a no-op that succeeds", again.returncode == 0, again.stderr[:400])
    fraudmodel = kubectl("apply", "--server-side", "-f", str(REPO / "examples/fraudmodel.yaml"), check_rc=False)
    if 'strict decoding error: unknown field "metadata.' in fraudmodel.stderr:
        # kube-emulator checks a custom resource's metadata against the CRD's `metadata:
        # {type: object}` schema (prunes it, or rejects it under fieldValidation=Strict); a real
        # API server never does. Reported; this check counts again once the emulator is fixed.
        print("  skip examples/fraudmodel.yaml applies against the chart's CRD "
              "(kube-emulator rejects custom-resource metadata under Strict validation: known gap)")
    else:
        check("examples/fraudmodel.yaml applies against the chart's CRD", fraudmodel.returncode == 0,
              fraudmodel.stderr[:400])
    dry = kubectl("apply", "--server-side", "--dry-run=server", "-f", str(manifest), check_rc=False)
    check("a server dry-run of the rendered chart succeeds", dry.returncode == 0, dry.stderr[:400])


def release_objects(name, leader_election):
    full = f"{name}-tandem-operator"
    return [("deployment", full, RELEASE_NAMESPACE), ("serviceaccount", full, RELEASE_NAMESPACE),
            ("configmap", f"{full}-clusters", RELEASE_NAMESPACE), ("service", f"{full}-metrics", RELEASE_NAMESPACE),
            ("clusterrole", full, None), ("clusterrolebinding", full, None),
            ("role", f"{full}-local", RELEASE_NAMESPACE) if leader_election else None,
            ("rolebinding", f"{full}-local", RELEASE_NAMESPACE) if leader_election else None]


def test_helm_lifecycle():
    section("helm install / upgrade / uninstall with the Helm library (kube-emulator)")
    secret = os.environ.get("PEER_SECRET", "")
    values = {
        "clusters": [
            {"name": "local", "provider": "other", "inCluster": True, "registry": "registry.local"},
            {"name": "peer", "provider": "other", "context": "peer", "registry": "registry.peer", "mode": "observe"},
        ],
        "kubeconfigSecret": {"name": secret},
    } if secret else {}
    with helm.Config(kubeconfig_path=os.environ["KUBECONFIG"], kube_context=os.environ.get("KUBE_CONTEXT", "helm"),
                     namespace=RELEASE_NAMESPACE) as cfg:
        cfg.check_reachable()
        release = cfg.install(CHART, "tandem", values, namespace=RELEASE_NAMESPACE, create_namespace=True,
                              timeout=60)
        check("install: release tandem revision 1 deployed",
              release["status"] == "deployed" and release["revision"] == 1, release.get("status"))
        wanted = [o for o in release_objects("tandem", leader_election=False) if o]
        missing = [f"{k}/{n}" for k, n, ns in wanted if not exists(k, n, ns)]
        check(f"install: the release's {len(wanted)} objects exist", not missing, missing)
        check("install: Helm installed the FraudModel CRD from crds/", exists("crd", "fraudmodels.tandem.dev"))
        check("install: Helm stored the release (Secret sh.helm.release.v1.tandem.v1)",
              exists("secret", "sh.helm.release.v1.tandem.v1", RELEASE_NAMESPACE))
        deployment = get_json("deployment", "tandem-tandem-operator", RELEASE_NAMESPACE)
        operations = {f["operation"] for f in deployment["metadata"].get("managedFields", [])}
        check("install: objects were written with server-side apply", "Apply" in operations, operations)
        if secret:
            volumes = deployment["spec"]["template"]["spec"]["volumes"]
            check(f"install: the Deployment mounts the peer kubeconfig Secret {secret}",
                  any(v.get("secret", {}).get("secretName") == secret for v in volumes))
        config = yaml.safe_load(get_json("configmap", "tandem-tandem-operator-clusters",
                                         RELEASE_NAMESPACE)["data"]["clusters.yaml"])
        check("install: the clusters ConfigMap lists the members",
              [c["name"] for c in config["clusters"]] == [c["name"] for c in values.get("clusters", [{"name": "local"}])])

        upgraded = dict(values, replicaCount=2, operator={"logLevel": "debug"}, podDisruptionBudget={"enabled": True})
        release = cfg.upgrade(CHART, "tandem", upgraded, namespace=RELEASE_NAMESPACE, timeout=60)
        check("upgrade: revision 2 deployed", release["status"] == "deployed" and release["revision"] == 2,
              release.get("status"))
        deployment = get_json("deployment", "tandem-tandem-operator", RELEASE_NAMESPACE)
        args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        check("upgrade: 2 replicas, --leader-elect, --log-level debug",
              deployment["spec"]["replicas"] == 2 and "--leader-elect" in args
              and args[args.index("--log-level") + 1] == "debug", args)
        check("upgrade: the PodDisruptionBudget and the leases Role appear",
              exists("poddisruptionbudget", "tandem-tandem-operator", RELEASE_NAMESPACE)
              and "leases" in json.dumps(get_json("role", "tandem-tandem-operator-local", RELEASE_NAMESPACE)))
        history = cfg.history("tandem")
        check("history: revisions 1 and 2", [r["revision"] for r in history] == [1, 2],
              [r.get("revision") for r in history])

        # keep_history: purging the release Secrets needs a protobuf DeleteOptions body, which
        # kube-emulator cannot decode yet (reported); the release's own objects are deleted either way.
        cfg.uninstall("tandem", keep_history=True, timeout=60)
        left = [f"{k}/{n}" for k, n, ns in [o for o in release_objects("tandem", leader_election=True) if o]
                + [("poddisruptionbudget", "tandem-tandem-operator", RELEASE_NAMESPACE)] if exists(k, n, ns)]
        check("uninstall: every object of the release is gone", not left, left)
        check("uninstall: the CRD stays (Helm never deletes CRDs)", exists("crd", "fraudmodels.tandem.dev"))
        statuses = [r.get("status") for r in cfg.history("tandem")]
        check("uninstall: the release is recorded as uninstalled", statuses[-1] == "uninstalled", statuses)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        test_crd_copy()
        test_documentation()
        test_lint()
        test_kubernetes_validate(workdir)
        test_validator_is_strict(workdir)
        test_schema()
        test_rbac()
        test_deployment()
        if os.environ.get("KUBECONFIG"):
            test_helm_lifecycle()
            test_server_side_apply(workdir)
        else:
            print("  (no KUBECONFIG: skipped the emulator checks)")
    print(f"helm-chart: {PASSED} passed, {FAILED} failed")
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
