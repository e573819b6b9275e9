"""Receive throughput and CPU of a Python consumer: ceaseless vs centrifuge-python.

Same run, same Centrifugo (a fresh one from python/tests/centrifugo.py), same machine. Small JSON
publications are published through the server HTTP API (``/api/batch``, from two publisher
processes) into a channel one consumer in this process reads; the consumer touches every
publication's decoded data. Printed, never asserted:

- ``received/s``: publications the consumer got per second (first to last received);
- ``CPU s / 1000``: CPU seconds (user + system, all threads of this process, so ceaseless's Rust
  threads count too) per 1000 publications, from the first publish to the last receive.

Two modes:

- ``live``: the consumer reads while the publishers publish as fast as they can;
- ``backlog``: the consumer's event loop is blocked until everything is published, then it drains
  the backlog (the server's queue for it, and for ceaseless what its Rust side already read).

    python bench/bench_receive.py            # 200k publications per run
    python bench/bench_receive.py --smoke    # a few thousand, for CI
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from centrifugo import Centrifugo  # noqa: E402

import ceaseless  # noqa: E402

BATCH = 500
PUBLISHERS = 2


# --- publishing ------------------------------------------------------------------------------
def publish_main(port: int, key: str, channel: str, first: int, count: int) -> None:
    """Publisher process: ``count`` publications via ``/api/batch`` over one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    n = first
    end = first + count
    while n < end:
        size = min(BATCH, end - n)
        commands = ",".join(
            '{"publish":{"channel":"%s","data":{"n":%d,"text":"hello"}}}' % (channel, i) for i in range(n, n + size)
        )
        conn.request("POST", "/api/batch", body='{"commands":[%s]}' % commands, headers=headers)
        reply = conn.getresponse().read()
        if b'"error"' in reply:
            raise SystemExit(f"publish failed: {reply[:300]!r}")
        n += size


def start_publishers(server: Centrifugo, channel: str, total: int) -> list[subprocess.Popen[bytes]]:
    share = total // PUBLISHERS
    procs = []
    for p in range(PUBLISHERS):
        count = share if p < PUBLISHERS - 1 else total - share * (PUBLISHERS - 1)
        args = [sys.executable, __file__, "--publish", str(server.port), server.config["http_api"]["key"], channel]
        procs.append(subprocess.Popen(args + [str(p * share), str(count)]))
    return procs


def wait_publishers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError("a publisher failed")


# --- consumers -------------------------------------------------------------------------------
@dataclass
class Result:
    client: str
    mode: str
    received: int
    rate: float
    cpu_per_1000: float
    publish_rate: float


class Consumer:
    """Connects and subscribes in ``start``; ``drain`` reads ``n`` publications."""

    name = ""
    first_at = 0.0
    last_at = 0.0
    checksum = 0

    async def start(self, url: str, token: str, channel: str) -> None: ...
    async def drain(self, n: int) -> None: ...
    async def stop(self) -> None: ...


class CeaselessConsumer(Consumer):
    name = "ceaseless"

    def __init__(self, batches: bool = False) -> None:
        self.batches = batches
        if batches:
            self.name = "ceaseless (next_batch)"

    async def start(self, url: str, token: str, channel: str) -> None:
        self.client = ceaseless.Client(url, token=token, timeout=30)
        await self.client.__aenter__()
        sub = self.client.new_subscription(channel)
        self.publications = sub.publications()
        await sub.subscribe()

    async def drain(self, n: int) -> None:
        got = 0
        checksum = 0
        if self.batches:
            while got < n:
                batch = await self.publications.next_batch()
                if got == 0:
                    self.first_at = time.perf_counter()
                for pub in batch:
                    checksum += pub.data["n"]
                got += len(batch)
        else:
            async for pub in self.publications:
                if got == 0:
                    self.first_at = time.perf_counter()
                checksum += pub.data["n"]
                got += 1
                if got == n:
                    break
        self.last_at = time.perf_counter()
        self.checksum = checksum

    async def stop(self) -> None:
        await self.client.close()


class CentrifugePythonConsumer(Consumer):
    def __init__(self) -> None:
        import centrifuge  # type: ignore[import-untyped]

        self.name = f"centrifuge-python {version('centrifuge-python')}"
        self.lib = centrifuge
        self.count = 0
        self.target = 0
        self.done = asyncio.Event()

    async def start(self, url: str, token: str, channel: str) -> None:
        consumer = self

        class Handler(self.lib.SubscriptionEventHandler):  # type: ignore[misc, name-defined]
            async def on_publication(self, ctx: Any) -> None:
                if consumer.count == 0:
                    consumer.first_at = time.perf_counter()
                consumer.checksum += ctx.pub.data["n"]
                consumer.count += 1
                if consumer.count == consumer.target:
                    consumer.last_at = time.perf_counter()
                    consumer.done.set()

        self.client = self.lib.Client(url, token=token, use_protobuf=False, timeout=30)
        sub = self.client.new_subscription(channel, events=Handler())
        await self.client.connect()
        await sub.subscribe()
        await sub.ready(timeout=10)

    async def drain(self, n: int) -> None:
        self.target = n
        if self.count < n:
            await self.done.wait()

    async def stop(self) -> None:
        await self.client.disconnect()


def version(dist: str) -> str:
    from importlib.metadata import version as v

    return v(dist)


async def run(server: Centrifugo, consumer: Consumer, mode: str, n: int) -> Result:
    channel = f"bench:{uuid.uuid4().hex[:12]}"
    await consumer.start(server.ws_url, server.token("bench"), channel)
    cpu0 = time.process_time()
    published_at = time.perf_counter()
    procs = start_publishers(server, channel, n)
    if mode == "backlog":
        wait_publishers(procs)  # blocks the event loop: nothing is read by Python meanwhile
        publish_time = time.perf_counter() - published_at
        drain_from = time.perf_counter()
        await asyncio.wait_for(consumer.drain(n), 600)
        consumer.first_at = drain_from
    else:
        await asyncio.wait_for(consumer.drain(n), 600)
        await asyncio.to_thread(wait_publishers, procs)
        publish_time = time.perf_counter() - published_at
    cpu = time.process_time() - cpu0
    await consumer.stop()
    expected = n * (n - 1) // 2
    if consumer.checksum != expected:
        raise RuntimeError(f"{consumer.name}: checksum {consumer.checksum} != {expected} (lost or doubled)")
    elapsed = max(consumer.last_at - consumer.first_at, 1e-9)
    return Result(consumer.name, mode, n, n / elapsed, cpu / n * 1000, n / publish_time)


def table(results: list[Result]) -> str:
    lines = [
        f"{'mode':<8} {'client':<28} {'publications':>12} {'received/s':>12} {'CPU s / 1000':>13} {'published/s':>12}",
        "-" * 90,
    ]
    for r in results:
        lines.append(
            f"{r.mode:<8} {r.client:<28} {r.received:>12,} {r.rate:>12,.0f} {r.cpu_per_1000:>13.4f} {r.publish_rate:>12,.0f}"
        )
    lines.append("-" * 90)
    for mode in dict.fromkeys(r.mode for r in results):
        ours = next((r for r in results if r.mode == mode and r.client == "ceaseless"), None)
        theirs = next((r for r in results if r.mode == mode and r.client.startswith("centrifuge")), None)
        if ours and theirs:
            lines.append(
                f"{mode:<8} ceaseless / centrifuge-python: throughput x{ours.rate / theirs.rate:.1f}, "
                f"CPU per publication x{ours.cpu_per_1000 / theirs.cpu_per_1000:.2f} "
                f"({theirs.cpu_per_1000 / ours.cpu_per_1000:.1f} times less)"
            )
    return "\n".join(lines)


async def main(n: int, modes: list[str]) -> None:
    # Lenient server timeouts, so a consumer that falls behind is measured rather than dropped: by
    # default Centrifugo closes a connection whose socket stays full for 1 s (websocket_write_timeout)
    # or that answers a ping late, which a blocked Python event loop does (the backlog mode blocks
    # it on purpose). ceaseless reads the socket from its Rust thread and is not affected either way.
    overrides = {
        "client_queue_max_size": 512 * 1024 * 1024,
        "websocket_write_timeout": "60s",
        "ping_interval": "60s",
        "pong_timeout": "30s",
        "log_level": "error",
    }
    server = Centrifugo(overrides)
    # Plain pub/sub (no history, presence or join/leave) that any connection may subscribe to.
    server.config["namespaces"].append({"name": "bench", "allow_subscribe_for_client": True})
    server.start()
    factories: list[Callable[[], Consumer]] = [
        CeaselessConsumer,
        lambda: CeaselessConsumer(batches=True),
        CentrifugePythonConsumer,
    ]
    results = []
    try:
        for mode in modes:
            for factory in factories:
                consumer = factory()
                result = await run(server, consumer, mode, n)
                print(f"  {mode:<8} {result.client:<28} {result.rate:>10,.0f}/s", file=sys.stderr)
                results.append(result)
    finally:
        server.stop()
    print(
        f"\nceaseless {ceaseless.__version__} vs centrifuge-python {version('centrifuge-python')}; "
        f"Centrifugo 5.4.9; Python {platform.python_version()}; {os.cpu_count()} CPUs; "
        f"{PUBLISHERS} publishers x /api/batch of {BATCH}; data like {json.dumps({'n': 1, 'text': 'hello'})}\n"
    )
    print(table(results))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--publish":
        port, key, channel, first, how_many = sys.argv[2:7]
        publish_main(int(port), key, channel, int(first), int(how_many))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a short run for CI (4000 publications)")
    parser.add_argument("-n", type=int, default=200_000, help="publications per run")
    parser.add_argument("--mode", choices=["live", "backlog", "both"], default="both")
    options = parser.parse_args()
    count = 4000 if options.smoke else max(1, options.n)
    asyncio.run(main(count, ["live", "backlog"] if options.mode == "both" else [options.mode]))
