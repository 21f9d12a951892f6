"""A small closed-loop HTTP load generator (asyncio + httpx), for when `wrk` is missing.

It runs as its own process: served_backend.py writes a job as JSON on its standard input
and reads the result as JSON on its standard output. N connections each send one request,
wait for the answer, and send the next, for the given number of seconds.

Job: {"base": "http://127.0.0.1:8000", "method": "GET", "paths": ["/api/v1/..."],
      "headers": {...}, "body": null or text, "connections": 16, "seconds": 10.0}
Result: {"requests", "errors", "seconds", "p50_ms", "p99_ms"}
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

import httpx


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def worker(
    client: httpx.AsyncClient, job: dict[str, Any], deadline: float, latencies: list[float]
) -> int:
    """Requests until the deadline; the number of answers that were not 2xx."""
    errors = 0
    paths: list[str] = job["paths"]
    body: str | None = job.get("body")
    index = random.randrange(len(paths))
    while time.perf_counter() < deadline:
        index = (index + 1) % len(paths)
        start = time.perf_counter()
        try:
            response = await client.request(job["method"], paths[index], content=body)
            failed = not 200 <= response.status_code < 300
        except httpx.HTTPError:
            failed = True
        latencies.append(time.perf_counter() - start)
        errors += failed
    return errors


async def run(job: dict[str, Any]) -> dict[str, float]:
    connections = int(job["connections"])
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    async with httpx.AsyncClient(
        base_url=job["base"], headers=job.get("headers", {}), limits=limits, timeout=30
    ) as client:
        start = time.perf_counter()
        deadline = start + float(job["seconds"])
        errors = await asyncio.gather(
            *(worker(client, job, deadline, latencies) for _ in range(connections))
        )
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": sum(errors),
        "seconds": elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    job = json.load(sys.stdin)
    json.dump(asyncio.run(run(job)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
