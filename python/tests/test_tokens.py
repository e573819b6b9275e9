"""Token providers written as ``async def``: refresh on the live connection, unauthorized, retries."""

from __future__ import annotations

import asyncio
from typing import Callable

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching

MakeClient = Callable[..., ceaseless.Client]


async def test_refresh_keeps_the_same_connection(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    calls = 0

    async def get_token() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)  # really asynchronous
        return server.token("refresher", ttl=3)

    channel = unique("test:refresh")
    client = make_client(get_token=get_token)
    stream = client.events()
    async with client:
        connected = await next_matching(stream, events.Connected)
        sub = client.new_subscription(channel)
        await sub.subscribe()
        # The first token expires after ~3 s; by 7 s the client has refreshed at least twice.
        await asyncio.sleep(7)
        assert calls >= 3, calls
        assert client.state is ceaseless.ClientState.CONNECTED
        presence = await client.presence(channel)
        assert list(presence) == [connected.client], "the same connection survived expiry"
        await client.publish(channel, {"still": "here"})
        publication = await next_matching(sub.publications(), ceaseless.Publication)
        assert publication.data == {"still": "here"}
    rest = [event async for event in stream]
    assert not any(isinstance(e, (events.Connecting, events.Connected)) for e in rest), rest


async def test_unauthorized_provider_stops_the_client(make_client: MakeClient) -> None:
    async def get_token() -> str:
        raise ceaseless.Unauthorized("user is banned")

    client = make_client(get_token=get_token)
    stream = client.events()
    client.connect()
    try:
        await asyncio.wait_for(client.ready(), 10)
    except ceaseless.Unauthorized as e:
        assert e.code == 6 and not e.temporary
    else:
        raise AssertionError("an unauthorized client must not connect")
    disconnected = await next_matching(stream, events.Disconnected)
    assert disconnected.code == 1
    assert client.state is ceaseless.ClientState.DISCONNECTED


async def test_failing_provider_is_retried(server: Centrifugo, make_client: MakeClient) -> None:
    attempts = 0

    async def get_token() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise RuntimeError(f"auth backend down (attempt {attempts})")
        return server.token("patient")

    client = make_client(get_token=get_token, reconnect_delay_min=0.05, reconnect_delay_max=0.2)
    stream = client.events()
    client.connect()
    error = await next_matching(stream, events.Error)
    assert isinstance(error.error, ceaseless.TokenError) and error.error.temporary
    await client.ready(timeout=10)
    assert attempts == 3


async def test_plain_function_and_subscription_provider(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("secure:room")
    asked: list[str] = []

    async def sub_token(ch: str) -> str:
        asked.append(ch)
        return server.subscription_token("sam", ch)

    client = make_client(get_token=lambda: server.token("sam"))
    async with client:
        sub = client.new_subscription(channel, get_token=sub_token)
        await asyncio.wait_for(sub.subscribe(), 10)
        assert asked == [channel]


async def test_subscription_without_token_is_refused(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    async with make_client(token=server.token("nobody")) as client:
        sub = client.new_subscription(unique("secure:room"))
        stream = sub.events()
        try:
            await asyncio.wait_for(sub.subscribe(), 10)
        except ceaseless.ServerError as e:
            # The server's code and reason, not a bare "unsubscribed".
            assert (e.code, e.temporary) == (103, False)
            assert "permission denied" in str(e)
        else:
            raise AssertionError("subscribing to a secure channel without a token must fail")
        unsubscribed = await next_matching(stream, events.Unsubscribed)
        assert (unsubscribed.code, unsubscribed.reason) == (103, "permission denied")
