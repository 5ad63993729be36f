"""Measurements for hack/bench/operator.sh, against kube-emulators over plain HTTP on 127.0.0.1.

Standard library only. Subcommands (each bounded by a timeout, results as one JSON line on
stdout, progress on stderr):
  populate   --template FILE --count N URL...      create fm-000.. in every emulator (replicas
                                                   and bakeSeconds set from the options)
  wait-ready --count N --since EPOCH --timeout S URL...
                                                   poll (one list per cluster per poll) until
                                                   every FraudModel's status.phase is Ready
  counters   URL...                                the emulators' request counters, summed
  diff       BEFORE AFTER                          operator requests between two snapshots
  patch      --samples N --first I --version V URL time from a modelVersion patch to the
                                                   Deployment's image change (one cluster)
  metrics    BEFORE AFTER                          controller metrics between two /metrics scrapes
"""

import argparse
import http.client
import json
import math
import statistics
import sys
import time
import urllib.parse

GROUP_PATH = "/apis/tandem.dev/v1alpha1/namespaces/default/fraudmodels"
DEPLOYMENTS_PATH = "/apis/apps/v1/namespaces/default/deployments"
OPERATOR_AGENT = "tandem-kube-client/1.0"
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection", "apply"}


def log(message):
    print(f"    {message}", file=sys.stderr, flush=True)


def connect(url, timeout=30):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "http" or parsed.hostname != "127.0.0.1":
        sys.exit(f"error: {url}: expected an http://127.0.0.1:PORT emulator")
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)


def call(conn, method, path, body=None, content_type="application/json"):
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = content_type
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    if response.status >= 300:
        sys.exit(f"error: {method} {path}: HTTP {response.status}: {payload[:300]!r}")
    return json.loads(payload) if payload else None


def name_of(index):
    return f"fm-{index:03d}"


def populate(args):
    with open(args.template) as file:
        template = json.load(file)
    template["metadata"].pop("name", None)
    spec = template["spec"]
    spec["replicas"] = args.replicas
    for cluster in spec.get("clusters", []):
        cluster.pop("replicas", None)
    spec.setdefault("rollout", {})["bakeSeconds"] = args.bake_seconds
    started = time.monotonic()
    for url in args.urls:
        conn = connect(url)
        for index in range(args.count):
            body = json.loads(json.dumps(template))
            body["metadata"]["name"] = name_of(index)
            call(conn, "POST", GROUP_PATH, body)
            if time.monotonic() - started > args.timeout:
                sys.exit(f"error: populating took more than {args.timeout}s")
        conn.close()
    print(json.dumps({"created": args.count * len(args.urls), "seconds": time.monotonic() - started}))


def wait_ready(args):
    conns = [connect(url) for url in args.urls]
    deadline = time.time() + args.timeout
    last_report = 0.0
    while True:
        ready = []
        for conn in conns:
            items = call(conn, "GET", GROUP_PATH)["items"]
            ready.append(sum(1 for item in items if (item.get("status") or {}).get("phase") == "Ready"))
        now = time.time()
        if all(count >= args.count for count in ready):
            print(json.dumps({"seconds": now - args.since, "ready": ready}))
            return
        if now - last_report >= 5:
            log(f"{now - args.since:5.1f} s: Ready per cluster {ready} of {args.count}")
            last_report = now
        if now > deadline:
            sys.exit(f"error: not every FraudModel Ready within {args.timeout}s (Ready per cluster: {ready})")
        time.sleep(args.interval)


def snapshot(urls):
    """Every emulator's counters as {"verb resource code agent": count}, summed over emulators."""
    totals = {}
    for url in urls:
        conn = connect(url)
        for item in call(conn, "GET", "/_emulator/counters")["items"]:
            key = "\t".join([item["verb"], item["resource"], str(item["code"]), item["userAgent"]])
            totals[key] = totals.get(key, 0) + item["count"]
        conn.close()
    return totals


def counters(args):
    print(json.dumps(snapshot(args.urls)))


def diff(args):
    with open(args.before) as file:
        before = json.load(file)
    with open(args.after) as file:
        after = json.load(file)
    requests = 0
    writes = 0
    lease_writes = 0
    event_writes = 0
    by_kind = {}
    for key, count in after.items():
        verb, resource, code, agent = key.split("\t")
        delta = count - before.get(key, 0)
        if agent != OPERATOR_AGENT or delta <= 0:
            continue
        requests += delta
        kind = f"{verb} {resource or '-'} {code}"
        by_kind[kind] = by_kind.get(kind, 0) + delta
        if verb in WRITE_VERBS:
            if resource == "leases":
                lease_writes += delta
            else:
                writes += delta
                event_writes += delta if resource == "events" else 0
    breakdown = sorted(by_kind.items(), key=lambda entry: -entry[1])
    print(json.dumps({"requests": requests, "writes": writes, "leaseWrites": lease_writes, "eventWrites": event_writes, "byKind": breakdown}))


def image_of(deployment):
    return deployment["spec"]["template"]["spec"]["containers"][0]["image"]


def patch(args):
    url = args.urls[0]
    api = connect(url)
    latencies = []
    for index in range(args.first, args.first + args.samples):
        name = name_of(index)
        deployment = call(api, "GET", f"{DEPLOYMENTS_PATH}/{name}")
        old_image = image_of(deployment)
        selector = urllib.parse.quote(f"metadata.name={name}")
        watch = connect(url, timeout=args.timeout)
        watch.request(
            "GET",
            f"{DEPLOYMENTS_PATH}?watch=1&fieldSelector={selector}&resourceVersion={deployment['metadata']['resourceVersion']}",
            headers={"Accept": "application/json"},
        )
        stream = watch.getresponse()
        if stream.status != 200:
            sys.exit(f"error: watch of Deployment {name}: HTTP {stream.status}")
        started = time.perf_counter()
        call(api, "PATCH", f"{GROUP_PATH}/{name}", {"spec": {"modelVersion": args.version}}, "application/merge-patch+json")
        changed = None
        while changed is None:
            line = stream.readline()  # bounded by the connection's timeout
            if not line:
                sys.exit(f"error: watch of Deployment {name} ended before its image changed")
            event = json.loads(line)
            if event.get("type") in ("ADDED", "MODIFIED") and image_of(event["object"]) != old_image:
                changed = time.perf_counter()
            elif time.perf_counter() - started > args.timeout:
                sys.exit(f"error: Deployment {name}'s image did not change within {args.timeout}s")
        watch.close()
        latencies.append((changed - started) * 1000)
        time.sleep(args.gap)
    ordered = sorted(latencies)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]  # nearest rank
    print(json.dumps({
        "samples": len(latencies), "p50": statistics.median(ordered), "p90": p90,
        "min": ordered[0], "max": ordered[-1], "ms": [round(value, 1) for value in latencies],
    }))


def scrape(path):
    """A Prometheus text exposition as {metric name: summed value} (labels summed away)."""
    totals = {}
    with open(path) as file:
        for line in file:
            if not line.strip() or line.startswith("#"):
                continue
            series, _, value = line.rstrip("\n").rpartition(" ")
            name = series.split("{", 1)[0]
            try:
                totals[name] = totals.get(name, 0.0) + float(value)
            except ValueError:
                continue
    return totals


def metrics(args):
    before, after = scrape(args.before), scrape(args.after)
    delta = lambda name: after.get(name, 0.0) - before.get(name, 0.0)
    mean_ms = lambda name: 1000 * delta(f"{name}_sum") / delta(f"{name}_count") if delta(f"{name}_count") else None
    print(json.dumps({
        "reconciles": delta("controller_runtime_reconcile_total"),
        "reconcileErrors": delta("controller_runtime_reconcile_errors_total"),
        "workqueueAdds": delta("workqueue_adds_total"),
        "reconcileMeanMs": mean_ms("controller_runtime_reconcile_time_seconds"),
        "queueWaitMeanMs": mean_ms("workqueue_queue_duration_seconds"),
        "requestMeanMs": mean_ms("rest_client_request_duration_seconds"),
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    command = commands.add_parser("populate")
    command.add_argument("--template", required=True, help="a FraudModel as JSON")
    command.add_argument("--count", type=int, required=True)
    command.add_argument("--replicas", type=int, default=1, help="spec.replicas (per-cluster overrides removed)")
    command.add_argument("--bake-seconds", type=int, default=0, help="spec.rollout.bakeSeconds")
    command.add_argument("--timeout", type=float, default=300)
    command.add_argument("urls", nargs="+")
    command.set_defaults(run=populate)

    command = commands.add_parser("wait-ready")
    command.add_argument("--count", type=int, required=True)
    command.add_argument("--since", type=float, required=True, help="epoch seconds the clock starts at")
    command.add_argument("--timeout", type=float, default=600)
    command.add_argument("--interval", type=float, default=0.25)
    command.add_argument("urls", nargs="+")
    command.set_defaults(run=wait_ready)

    command = commands.add_parser("counters")
    command.add_argument("urls", nargs="+")
    command.set_defaults(run=counters)

    command = commands.add_parser("diff")
    command.add_argument("before")
    command.add_argument("after")
    command.set_defaults(run=diff)

    command = commands.add_parser("patch")
    command.add_argument("--samples", type=int, default=20)
    command.add_argument("--first", type=int, default=0, help="index of the first FraudModel to patch")
    command.add_argument("--version", required=True)
    command.add_argument("--timeout", type=float, default=10, help="seconds per sample")
    command.add_argument("--gap", type=float, default=0.2, help="seconds between samples")
    command.add_argument("urls", nargs=1)
    command.set_defaults(run=patch)

    command = commands.add_parser("metrics")
    command.add_argument("before")
    command.add_argument("after")
    command.set_defaults(run=metrics)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
