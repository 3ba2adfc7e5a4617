#!/usr/bin/env python3
"""Single-analysis latency: N sequential POST /api/signals on one keep-alive connection.

Prints client round-trip p50/p99 and the engine's own total_processing_time_ms p50/p99.
Usage: latency.py PORT [N]
"""
import http.client
import json
import sys
import time

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
body = json.dumps({"threat_type": "bot_traffic", "customer_name": "acme_corp",
                   "metadata": {"source_ip": "203.0.113.77", "requests_per_minute": 4200, "endpoint": "/login"}})
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
round_trips, engine = [], []
for _ in range(count):
    start = time.perf_counter()
    connection.request("POST", "/api/signals", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    round_trips.append((time.perf_counter() - start) * 1000)
    if response.status != 201:
        sys.exit(f"unexpected HTTP {response.status}: {data[:200]!r}")
    engine.append(json.loads(data)["total_processing_time_ms"])


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


print(f"round_trip_ms p50={pct(round_trips, 0.5):.2f} p99={pct(round_trips, 0.99):.2f}")
print(f"engine_ms p50={pct(engine, 0.5):.3f} p99={pct(engine, 0.99):.3f}")
