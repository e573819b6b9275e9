"""Cancelling Python tasks: nothing is lost, nothing keeps waiting in Rust."""

from __future__ import annotations

import asyncio
from typing import Callable

import ceaseless
from centrifugo import Centrifugo
from helpers import take

MakeClient = Callable[..., ceaseless.Client]


async def test_cancelled_reads_lose_nothing(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:cancel")
    async with make_client(token=server.token("canceller")) as client:
        sub = client.new_subscription(channel)
        await sub.subscribe()
        publications = sub.publications()
        for _ in range(20):
            try:
                await asyncio.wait_for(publications.__anext__(), 0.01)
            except asyncio.TimeoutError:
                pass
        for n in range(100):
            await client.publish(channel, n)
        got = await take(publications, 100)
        assert [p.data for p in got] == list(range(100))


async def test_cancelled_command_returns_at_once(make_client: MakeClient) -> None:
    # Nothing listens there: publish waits for a connection that never comes.
    client = make_client("ws://127.0.0.1:9/connection/websocket", token="t", timeout=30)
    client.connect()
    task = asyncio.ensure_future(client.publish("test:nowhere", {"n": 1}))
    ready = asyncio.ensure_future(client.ready())
    await asyncio.sleep(0.2)
    task.cancel()
    ready.cancel()
    for pending in (task, ready):
        try:
            await asyncio.wait_for(pending, 1)
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the task should have been cancelled")
    await client.close()


async def test_iterators_end_on_close(server: Centrifugo, make_client: MakeClient) -> None:
    client = make_client(token=server.token("ender"))
    async with client:
        sub = client.new_subscription("test:ending")
        await sub.subscribe()
        publications = sub.publications()
        client_events = client.events()
    assert [p async for p in publications] == []
    remaining = [e async for e in client_events]
    assert remaining and isinstance(remaining[-1], ceaseless.events.Closed)


async def test_iterators_opened_after_close_end_at_once(server: Centrifugo, make_client: MakeClient) -> None:
    client = make_client(token=server.token("late"))
    async with client:
        sub = client.new_subscription("test:late")
        await sub.subscribe()
    late_events = [e async for e in client.events()]
    first_publications = [p async for p in sub.publications()]  # opened with the subscription
    late_publications = [p async for p in sub.publications()]  # opened now
    assert late_events == [] and first_publications == [] and late_publications == []
