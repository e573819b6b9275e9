"""Lifecycle hooks: network_changed, set_app_state and the push wake, against a real server."""

from __future__ import annotations

import asyncio
import math
from typing import Any, Callable

import pytest

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching, take

MakeClient = Callable[..., ceaseless.Client]


async def _no_event(stream: ceaseless.Stream[ceaseless.events.ClientEvent], kind: type[Any], seconds: float) -> None:
    try:
        event = await next_matching(stream, kind, timeout=seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"unexpected {event}")


async def test_network_changed_drops_and_reconnects_at_once(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    # A long backoff: only network_changed(True) can bring it back quickly.
    client = make_client(token=server.token(unique("net")), reconnect_delay_min=30, reconnect_delay_max=40)
    client_events = client.events()
    async with client:
        first = await next_matching(client_events, events.Connected)
        client.network_changed(False)
        await next_matching(client_events, events.Connecting)
        assert client.state is ceaseless.ClientState.CONNECTING
        await _no_event(client_events, events.Connected, 0.5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        client.network_changed(True)
        second = await next_matching(client_events, events.Connected, timeout=5)
        assert loop.time() - started < 5
        assert second.client != first.client
        await client.publish("test:net", {"back": True})


async def test_background_lets_go_and_foreground_recovers(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:app-state")
    client = make_client(token=server.token(unique("app")), background_grace=0.1)
    client_events = client.events()
    async with client:
        sub = client.new_subscription(channel, recoverable=True)
        publications = sub.publications()
        await sub.subscribe()
        client.set_app_state("background")
        await next_matching(client_events, events.Disconnected)
        assert client.state is ceaseless.ClientState.DISCONNECTED
        for n in range(3):
            await asyncio.to_thread(server.publish, channel, {"n": n})
        client.set_app_state(ceaseless.AppState.FOREGROUND)
        await next_matching(client_events, events.Connected)
        assert [p.data["n"] for p in await take(publications, 3)] == [0, 1, 2]


async def test_unknown_app_state_is_a_config_error(make_client: MakeClient) -> None:
    client = make_client("ws://127.0.0.1:1/connection/websocket")
    with pytest.raises(ceaseless.ConfigError):
        client.set_app_state("sideways")  # type: ignore[arg-type]


async def test_wake_catches_up_and_reports_counts(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:wake")
    client = make_client(token=server.token(unique("wake")), background_grace=0)
    client_events = client.events()
    async with client:
        sub = client.new_subscription(channel, recoverable=True)
        publications = sub.publications()
        await sub.subscribe()
        client.set_app_state("background")
        await next_matching(client_events, events.Disconnected)
        for n in range(4):
            await asyncio.to_thread(server.publish, channel, {"n": n})
        report = await client.wake(10)
        assert isinstance(report, ceaseless.WakeReport)
        assert report.caught_up
        assert report.publications == {channel: 4}
        assert 0 <= report.elapsed < 10
        assert [p.data["n"] for p in await take(publications, 4)] == [0, 1, 2, 3]
        # Still in the background: the connection is let go again.
        await next_matching(client_events, events.Disconnected)


async def test_wake_rejects_bad_budgets(make_client: MakeClient) -> None:
    client = make_client("ws://127.0.0.1:1/connection/websocket")
    for budget in (-1.0, math.nan, math.inf):
        with pytest.raises(ceaseless.ConfigError):
            await client.wake(budget)


async def test_wake_after_close_reports_nothing(server: Centrifugo, make_client: MakeClient) -> None:
    client = make_client(token=server.token("wake-closed"))
    await client.close()
    report = await asyncio.wait_for(client.wake(5), 5)
    assert not report.caught_up and report.publications == {}
