#!/usr/bin/env python3
"""Load and failover client for etcd's v3 JSON gateway (stdlib only).

The same code drives skiff's HTTP endpoint and a real etcd, so the numbers compare the
stores, not the clients. Subcommands:
  load      N threads, each with one keep-alive connection, put 100-byte values for a
            fixed time; prints puts/s and p50/p99 latency as JSON.
  leader    prints the index (in --endpoints) of the member that leads.
  failover  SIGKILLs --kill-pid, then puts through the survivors (0.2 s per attempt,
            so a put stuck at a member that still follows the dead leader is retried
            elsewhere) until one succeeds;
            prints the milliseconds from the kill to that first acknowledged put.
"""
import argparse
import base64
import http.client
import json
import os
import signal
import sys
import threading
import time
from urllib.parse import urlparse


def connect(endpoint, timeout):
    url = urlparse(endpoint)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)


def post(conn, path, body):
    payload = json.dumps(body).encode()
    conn.request("POST", path, body=payload, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}")
    return json.loads(data)


def b64(data):
    return base64.b64encode(data).decode()


def load(args):
    endpoints = args.endpoints.split(",")
    value = b64(b"v" * args.value_size)
    deadline = time.monotonic() + args.seconds
    latencies = [[] for _ in range(args.clients)]
    errors = [0] * args.clients

    def worker(index):
        conn = connect(endpoints[index % len(endpoints)], 10)
        sequence = 0
        while time.monotonic() < deadline:
            body = {"key": b64(f"bench/{index}/{sequence % 1000}".encode()), "value": value}
            sequence += 1
            start = time.monotonic()
            try:
                post(conn, "/v3/kv/put", body)
            except Exception:
                errors[index] += 1
                conn.close()
                conn = connect(endpoints[index % len(endpoints)], 10)
                continue
            latencies[index].append(time.monotonic() - start)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    merged = sorted(x for per in latencies for x in per)
    if not merged:
        print(json.dumps({"puts": 0, "errors": sum(errors)}))
        return 1

    def percentile(p):
        return merged[min(len(merged) - 1, int(p * len(merged)))] * 1000

    print(json.dumps({
        "puts": len(merged),
        "errors": sum(errors),
        "puts_per_s": len(merged) / elapsed,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
    }))
    return 0


def leader(args):
    endpoints = args.endpoints.split(",")
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        for index, endpoint in enumerate(endpoints):
            try:
                conn = connect(endpoint, 1)
                status = post(conn, "/v3/maintenance/status", {})
                conn.close()
            except Exception:
                continue
            member = status.get("header", {}).get("member_id")
            if member is not None and member == status.get("leader"):
                print(index)
                return 0
        time.sleep(0.1)
    print("no leader found", file=sys.stderr)
    return 1


def wait_ready(args):
    """Waits until a put through every endpoint succeeds (the cluster has a leader)."""
    endpoints = args.endpoints.split(",")
    deadline = time.monotonic() + args.timeout
    pending = list(endpoints)
    while pending and time.monotonic() < deadline:
        endpoint = pending[0]
        try:
            conn = connect(endpoint, 2)
            post(conn, "/v3/kv/put", {"key": b64(b"bench/ready"), "value": b64(b"1")})
            conn.close()
            pending.pop(0)
        except Exception:
            time.sleep(0.1)
    if pending:
        print(f"not ready: {pending}", file=sys.stderr)
        return 1
    return 0


def failover(args):
    """Kills the leader, then writes to every endpoint at once, each retrying on its own, and
    reports when the first write is acknowledged. Both stores park a write made while they
    have no leader until their own request timeout, so each attempt gives up after 50 ms
    (a healthy put on loopback takes about 1 ms) and the figure is accurate to that."""
    endpoints = args.endpoints.split(",")
    value = b64(b"f" * 100)
    done = threading.Event()
    result = {}
    lock = threading.Lock()
    killed = time.monotonic()
    os.kill(args.kill_pid, signal.SIGKILL)

    def writer(endpoint):
        attempts = 0
        while not done.is_set() and time.monotonic() - killed < args.timeout:
            attempts += 1
            try:
                conn = connect(endpoint, 0.05)
                post(conn, "/v3/kv/put", {"key": b64(b"bench/failover"), "value": value})
                conn.close()
                with lock:
                    if not done.is_set():
                        result["failover_ms"] = (time.monotonic() - killed) * 1000
                        result["attempts"] = attempts
                        done.set()
                return
            except Exception:
                time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(e,), daemon=True) for e in endpoints]
    for t in threads:
        t.start()
    done.wait(args.timeout)
    if "failover_ms" in result:
        print(json.dumps(result))
        return 0
    print(json.dumps({"failover_ms": None, "attempts": 0}))
    return 1


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load")
    p.add_argument("--endpoints", required=True)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--value-size", type=int, default=100)
    p = sub.add_parser("leader")
    p.add_argument("--endpoints", required=True)
    p.add_argument("--timeout", type=float, default=20)
    p = sub.add_parser("wait-ready")
    p.add_argument("--endpoints", required=True)
    p.add_argument("--timeout", type=float, default=30)
    p = sub.add_parser("failover")
    p.add_argument("--endpoints", required=True)
    p.add_argument("--kill-pid", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    return {"load": load, "leader": leader, "wait-ready": wait_ready, "failover": failover}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
