"""centrifuge-python peer of the ceaseless benchmark: follows the protocol in bench/PEERS.md."""

import asyncio
import json
import os
import sys
import time

from centrifuge import Client, SubscriptionEventHandler

SCENARIO = os.environ["BENCH_SCENARIO"]
URL = os.environ["BENCH_URL"]
TOKEN = os.environ["BENCH_TOKEN"]
CHANNEL = os.environ["BENCH_CHANNEL"]
COUNT = int(os.environ.get("BENCH_COUNT", "0"))


def emit(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


async def lines():
    """Standard input as an async iterator of lines (None at the end of input)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


class Counter(SubscriptionEventHandler):
    """Counts publications and keeps what the scenario reports."""

    def __init__(self, done):
        self.received = 0
        self.first = 0
        self.lat = []
        self.seen = set()
        self.dups = 0
        self.last = 0
        self.done = done
        self.finished = False

    def status(self, event):
        return {"event": event, "unique": len(self.seen), "dups": self.dups, "last_ns": self.last}

    async def on_publication(self, ctx):
        now = time.time_ns()
        body = ctx.pub.data
        self.received += 1
        if self.received == 1:
            self.first = now
        if SCENARIO == "latency":
            self.lat.append((now - body["t"]) // 1000)
        elif SCENARIO == "recovery":
            if body["i"] in self.seen:
                self.dups += 1
            else:
                self.seen.add(body["i"])
            self.last = now
            if not self.finished and len(self.seen) >= COUNT:
                self.finished = True
                emit(self.status("done"))
            return
        if self.received == COUNT:
            if SCENARIO == "latency":
                emit({"event": "done", "lat_us": self.lat})
            else:
                emit({"event": "done", "received": self.received, "first_ns": self.first, "last_ns": now})
            self.done.set()


async def main():
    stdin = await lines()
    if SCENARIO in ("throughput", "latency", "recovery"):
        done = asyncio.Event()
        handler = Counter(done)
        client = Client(URL, token=TOKEN, name="bench")
        recover = SCENARIO == "recovery"
        sub = client.new_subscription(CHANNEL, events=handler, recoverable=recover, positioned=recover)
        await client.connect()
        await sub.subscribe()
        emit({"event": "ready"})
        while await stdin.readline():
            emit(handler.status("status"))
    elif SCENARIO == "fleet":
        n = int(os.environ["BENCH_CLIENTS"])
        emit({"event": "baseline"})
        if not await stdin.readline():
            return
        clients = [Client(URL, token=TOKEN, name="bench") for _ in range(n)]
        await asyncio.gather(*(c.connect() for c in clients))
        await asyncio.gather(*(c.ready() for c in clients))
        emit({"event": "connected"})
        if not await stdin.readline():
            return
        subs = [c.new_subscription(CHANNEL + str(k)) for k, c in enumerate(clients)]
        await asyncio.gather(*(s.subscribe() for s in subs))
        await asyncio.gather(*(s.ready() for s in subs))
        emit({"event": "subscribed"})
        while await stdin.readline():
            pass
    else:
        raise SystemExit(f"unknown scenario {SCENARIO}")


if __name__ == "__main__":
    asyncio.run(main())
