"""Pods that run for real under kube-emulator --run-pods: pod create -> container started and
-> Ready (fraud-server with a 1 s readiness probe, and a pod without probes), then N running
fraud-server pods' memory and the emulator's own overhead.

Usage: pods_bench.py EMULATOR_PID FRAUD_SERVER_PATH [--latency-pods N] [--scale-pods N]
Talks only to the emulator in $KUBECONFIG (loopback); prints a Markdown table.
"""
import argparse
import statistics
import threading
import time

from kubernetes import client, config, watch


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def processes_running(path):
    pids = []
    import os
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                argv = cmdline.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].decode(errors="replace") == path:
            pids.append(int(entry))
    return pids


def pod(name, probe):
    container = {"name": "server", "image": "fraud-detector:bench", "ports": [{"name": "http", "containerPort": 8080}]}
    if probe:
        container["readinessProbe"] = {"httpGet": {"path": "/v2/health/ready", "port": "http"}, "periodSeconds": 1}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"bench": "pods"}},
            "spec": {"containers": [container], "terminationGracePeriodSeconds": 1}}


class Observer:
    """Records when each pod was first seen started and first seen Ready, from one watch."""

    def __init__(self, api):
        self.api = api
        self.started = {}
        self.ready = {}
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        stream = watch.Watch()
        for event in stream.stream(self.api.list_namespaced_pod, "default", label_selector="bench=pods", timeout_seconds=600):
            now = time.monotonic()
            item = event["object"]
            name = item.metadata.name
            statuses = item.status.container_statuses or []
            with self.lock:
                if statuses and statuses[0].state.running and name not in self.started:
                    self.started[name] = now
                for condition in item.status.conditions or []:
                    if condition.type == "Ready" and condition.status == "True" and name not in self.ready:
                        self.ready[name] = now
            if self.stop:
                stream.stop()

    def wait(self, names, field, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(name in getattr(self, field) for name in names):
                    return
            time.sleep(0.02)
        raise SystemExit(f"pods not {field} within {timeout}s")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("emulator_pid", type=int)
    parser.add_argument("fraud_server")
    parser.add_argument("--latency-pods", type=int, default=20)
    parser.add_argument("--scale-pods", type=int, default=100)
    args = parser.parse_args()
    config.load_kube_config()
    api = client.CoreV1Api()
    observer = Observer(api)
    time.sleep(0.5)

    rows = []
    for probe, label in ((False, "no probe"), (True, "readinessProbe periodSeconds 1")):
        started, ready = [], []
        for index in range(args.latency_pods):
            name = f"lat-{'p' if probe else 'n'}-{index}"
            begin = time.monotonic()
            api.create_namespaced_pod("default", pod(name, probe))
            observer.wait([name], "ready")
            started.append((observer.started.get(name, observer.ready[name]) - begin) * 1000)
            ready.append((observer.ready[name] - begin) * 1000)
        rows.append((label, started, ready))
    for name in list(observer.ready):
        api.delete_namespaced_pod(name, "default", grace_period_seconds=0)
    time.sleep(2)

    idle_emulator = rss_kib(args.emulator_pid)
    begin = time.monotonic()
    names = [f"scale-{index}" for index in range(args.scale_pods)]
    for name in names:
        api.create_namespaced_pod("default", pod(name, True))
    observer.wait(names, "ready", timeout=600)
    all_ready = time.monotonic() - begin
    time.sleep(2)
    servers = processes_running(args.fraud_server)
    server_rss = [rss_kib(pid) for pid in servers]
    busy_emulator = rss_kib(args.emulator_pid)
    observer.stop = True

    print("| measure | p50 | p99 |")
    print("|---|---|---|")
    for label, started, ready in rows:
        print(f"| create -> container started ({label}, {len(started)} pods, one at a time) | "
              f"{statistics.median(started):.0f} ms | {percentile(started, 0.99):.0f} ms |")
        print(f"| create -> Ready ({label}) | {statistics.median(ready):.0f} ms | {percentile(ready, 0.99):.0f} ms |")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| {args.scale_pods} fraud-server pods created at once -> all Ready | {all_ready:.1f} s |")
    print(f"| fraud-server processes running | {len(servers)} |")
    print(f"| fraud-server RSS per pod (median) | {statistics.median(server_rss) / 1024:.1f} MiB |")
    print(f"| fraud-server RSS, all pods | {sum(server_rss) / 1024:.0f} MiB |")
    print(f"| kube-emulator RSS idle -> with {args.scale_pods} pods | {idle_emulator / 1024:.0f} -> {busy_emulator / 1024:.0f} MiB |")
    print(f"| kube-emulator overhead per pod | {(busy_emulator - idle_emulator) / args.scale_pods:.0f} KiB |")


if __name__ == "__main__":
    main()
