#!/usr/bin/env python3
"""Bounded prediction load through each cloud's load balancer, routed the way Route 53 would.

Every --records-interval seconds it reads the FraudModel's Service in each kubeconfig context
and turns its ExternalDNS annotations into the DNS records ExternalDNS would publish
(hostname, set-identifier, aws-weight / aws-failover / aws-region, pointing at the Service's
load balancer address). A cluster whose API server does not answer keeps its last records, as
Route 53 keeps what was published. Every record gets a health check (GET /v2/health/ready on
its address every --health-interval seconds; unhealthy after --failure-threshold failures in a
row, healthy again after as many successes), as README tells users to attach in Route 53.

Each request picks a record as Route 53 answers a query:
  Weighted  healthy records in proportion to their weights (all of them when none is healthy)
  Failover  the PRIMARY record while healthy, else a healthy SECONDARY, else the PRIMARY
  Latency   the healthy record in --client-region, else the first healthy one by region

and POSTs one row to /predict on it over a new connection. Each second it prints: requests,
2xx, non-2xx, connection errors, and how many answers came from each cloud with each
model_version (`eks/2.2.0 17`); --json FILE
writes the same rows and the totals. Only loopback addresses are ever contacted: a record that
points elsewhere is an error.

    hack/load.py --context eks --context gke --namespace fraud --name fraud-detector \\
        --rate 40 --duration 60 [--json out.json]
"""

import argparse
import collections
import http.client
import ipaddress
import json
import random
import signal
import sys
import threading
import time

PREFIXES = ("external-dns.kubernetes.io/", "external-dns.alpha.kubernetes.io/")
MAX_DURATION = 900


class Record:
    """One DNS record as ExternalDNS would publish it from a Service."""

    def __init__(self, context, identifier, address, port, weight=None, failover=None, region=None):
        self.context = context
        self.identifier = identifier
        self.address = address
        self.port = port
        self.weight = weight
        self.failover = failover
        self.region = region

    @property
    def policy(self):
        if self.failover is not None:
            return "Failover"
        if self.weight is not None:
            return "Weighted"
        return "Latency"

    def key(self):
        return (self.identifier, self.address, self.port, self.weight, self.failover, self.region)


def records_from_service(context, service):
    """The records ExternalDNS would publish for a Service (none without a hostname)."""
    annotations = service.metadata.annotations or {}
    values = {}
    for prefix in PREFIXES:
        for key, value in annotations.items():
            if key.startswith(prefix):
                values.setdefault(key[len(prefix):], value)
    if "hostname" not in values:
        return []
    ingress = (service.status.load_balancer.ingress or []) if service.status and service.status.load_balancer else []
    if not ingress:
        return []
    address = ingress[0].ip or ingress[0].hostname
    port = service.spec.ports[0].port if service.spec.ports else 80
    weight = int(values["aws-weight"]) if "aws-weight" in values else None
    return [Record(context, values.get("set-identifier", context), address, port, weight=weight,
                   failover=values.get("aws-failover"), region=values.get("aws-region"))]


def require_loopback(address):
    try:
        if ipaddress.ip_address(address).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"load: record points at {address}, which is not a loopback address; refusing to send traffic there")


class Records:
    """The current records of every context, refreshed in the background."""

    def __init__(self, contexts, namespace, name, interval, stop):
        from kubernetes import client, config  # the official client, from .venv
        self.apis = {c: client.CoreV1Api(api_client=config.new_client_from_config(context=c)) for c in contexts}
        self.namespace, self.name, self.interval, self.stop = namespace, name, interval, stop
        self.lock = threading.Lock()
        self.by_context = {c: [] for c in contexts}
        self.unreachable = set()
        self.refresh()
        threading.Thread(target=self.loop, daemon=True).start()

    def refresh(self):
        for context, api in self.apis.items():
            try:
                service = api.read_namespaced_service(self.name, self.namespace, _request_timeout=2)
                records = records_from_service(context, service)
                for record in records:
                    require_loopback(record.address)
                with self.lock:
                    self.by_context[context] = records
                    self.unreachable.discard(context)
            except SystemExit:
                raise
            except Exception:  # the API server is gone: Route 53 keeps the published records
                with self.lock:
                    self.unreachable.add(context)

    def loop(self):
        while not self.stop.wait(self.interval):
            self.refresh()

    def all(self):
        with self.lock:
            return [r for records in self.by_context.values() for r in records]


class HealthChecks:
    """Route 53-style health checks on every record's address."""

    def __init__(self, records, interval, threshold, stop):
        self.records, self.interval, self.threshold, self.stop = records, interval, threshold, stop
        self.lock = threading.Lock()
        self.healthy = {}
        self.streak = {}
        threading.Thread(target=self.loop, daemon=True).start()

    def check(self, record):
        try:
            connection = http.client.HTTPConnection(record.address, record.port, timeout=max(0.2, self.interval))
            connection.request("GET", "/v2/health/ready")
            ok = connection.getresponse().status == 200
            connection.close()
            return ok
        except OSError:
            return False

    def loop(self):
        while not self.stop.is_set():
            for record in self.records.all():
                ok = self.check(record)
                key = (record.address, record.port)
                with self.lock:
                    current = self.healthy.get(key, True)
                    streak = self.streak.get(key, 0) + 1 if ok != current else 0
                    if streak >= self.threshold:
                        current, streak = ok, 0
                    self.healthy[key], self.streak[key] = current, streak
            self.stop.wait(self.interval)

    def is_healthy(self, record):
        with self.lock:
            return self.healthy.get((record.address, record.port), True)


def choose(records, health, client_region, rng):
    """The record Route 53 would answer with; None when there is none."""
    if not records:
        return None, False
    primaries = [r for r in records if r.failover == "PRIMARY"]
    conflict = len(primaries) > 1
    policy = records[0].policy
    healthy = [r for r in records if health.is_healthy(r)]
    if policy == "Failover":
        secondaries = [r for r in records if r.failover == "SECONDARY"]
        for candidate in primaries + secondaries:
            if health.is_healthy(candidate):
                return candidate, conflict
        return (primaries or records)[0], conflict
    if policy == "Weighted":
        pool = healthy or records
        weights = [r.weight or 0 for r in pool]
        if sum(weights) == 0:
            weights = [1] * len(pool)
        return rng.choices(pool, weights=weights)[0], conflict
    pool = sorted(healthy or records, key=lambda r: (r.region != client_region, r.region or ""))
    return pool[0], conflict


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--context", action="append", required=True, help="a kubeconfig context (repeat per cloud)")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--name", default="fraud-detector", help="the FraudModel (and its Service)")
    parser.add_argument("--rate", type=float, default=40, help="requests per second (default 40)")
    parser.add_argument("--duration", type=float, default=30, help=f"seconds to run, at most {MAX_DURATION} (default 30)")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--features", type=int, default=30, help="features per row (default 30)")
    parser.add_argument("--timeout", type=float, default=5, help="seconds per request (default 5)")
    parser.add_argument("--records-interval", type=float, default=1.0)
    parser.add_argument("--health-interval", type=float, default=0.5)
    parser.add_argument("--failure-threshold", type=int, default=1)
    parser.add_argument("--client-region", default="us-east-1", help="where the client is, for Latency records")
    parser.add_argument("--json", help="write the per-second rows and totals to this file")
    parser.add_argument("--quiet", action="store_true", help="print only the totals")
    parser.add_argument("--changes", action="store_true",
                        help="print only the seconds whose answering clouds and versions differ from the second before, or that failed")
    args = parser.parse_args()
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be in (0, {MAX_DURATION}]")
    if not 0 < args.rate <= 2000:
        parser.error("--rate must be in (0, 2000]")

    stop = threading.Event()
    interrupted = threading.Event()
    # SIGTERM or Ctrl-C ends the load early, with the table and totals of what was sent.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: interrupted.set())
    records = Records(args.context, args.namespace, args.name, args.records_interval, stop)
    health = HealthChecks(records, args.health_interval, args.failure_threshold, stop)
    rng = random.Random(7)
    row = [round(rng.uniform(-2, 2), 4) for _ in range(args.features)]
    body = json.dumps([row]).encode()

    seconds = collections.defaultdict(lambda: {"requests": 0, "ok": 0, "non2xx": 0, "errors": 0, "no_record": 0,
                                               "conflict": 0, "clouds": collections.Counter(), "versions": collections.Counter(),
                                               "answers": collections.Counter()})
    lock = threading.Lock()
    tickets = collections.deque()
    ticket_ready = threading.Condition()

    def send(second):
        chosen, conflict = choose(records.all(), health, args.client_region, rng)
        outcome, cloud, version = "no_record", None, None
        if chosen is not None:
            cloud = chosen.identifier
            try:
                connection = http.client.HTTPConnection(chosen.address, chosen.port, timeout=args.timeout)
                connection.request("POST", "/predict", body=body, headers={"content-type": "application/json", "connection": "close"})
                response = connection.getresponse()
                payload = response.read()
                connection.close()
                if 200 <= response.status < 300:
                    outcome = "ok"
                    version = json.loads(payload).get("model_version")
                else:
                    outcome = "non2xx"
            except (OSError, http.client.HTTPException):
                outcome = "errors"
        with lock:
            bucket = seconds[second]
            bucket["requests"] += 1
            bucket[outcome] += 1
            bucket["conflict"] += int(conflict)
            if cloud and outcome == "ok":
                bucket["clouds"][cloud] += 1
            if version:
                bucket["versions"][version] += 1
                bucket["answers"][f"{cloud}/{version}"] += 1

    def worker():
        while True:
            with ticket_ready:
                while not tickets:
                    ticket_ready.wait()
                second = tickets.popleft()
            if second is None:
                return
            send(second)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    total = int(args.rate * args.duration)
    printed = 0
    previous_answers = None

    def flush(upto):
        nonlocal printed, previous_answers
        while printed < upto:
            with lock:
                b = seconds[printed]
                answering = set(b["answers"])
                changed = answering != previous_answers or b["non2xx"] or b["errors"] or b["no_record"]
                previous_answers = answering
                answers = "  ".join(f"{key} {count}" for key, count in sorted(b["answers"].items()))
                line = (f"{printed:5d}s  req {b['requests']:4d}  2xx {b['ok']:4d}  non2xx {b['non2xx']:3d}  err {b['errors']:3d}"
                        f"  | {answers}")
            if b["conflict"]:
                line += f"  TWO PRIMARY RECORDS ({b['conflict']})"
            if not args.quiet and (changed or not args.changes):
                print(line, flush=True)
            printed += 1

    for index in range(total):
        if interrupted.is_set():
            break
        due = start + index / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        second = int(due - start)
        with ticket_ready:
            tickets.append(second)
            ticket_ready.notify()
        flush(max(0, int(time.monotonic() - start) - args.timeout - 1))
    with ticket_ready:
        tickets.extend([None] * len(threads))
        ticket_ready.notify_all()
    for thread in threads:
        thread.join(args.timeout + 5)
    stop.set()
    ran = int(min(args.duration, time.monotonic() - start) + 0.999)
    flush(ran)

    rows = []
    for second in range(ran):
        b = seconds[second]
        rows.append({"second": second, "requests": b["requests"], "ok": b["ok"], "non2xx": b["non2xx"], "errors": b["errors"],
                     "no_record": b["no_record"], "two_primaries": b["conflict"], "clouds": dict(b["clouds"]),
                     "versions": dict(b["versions"]), "answers": dict(b["answers"])})
    totals = {key: sum(r[key] for r in rows) for key in ("requests", "ok", "non2xx", "errors", "no_record", "two_primaries")}
    totals["seconds_with_failures"] = sum(1 for r in rows if r["non2xx"] or r["errors"] or r["no_record"])
    print(f"total: {json.dumps(totals)}", flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rows": rows, "totals": totals}, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
