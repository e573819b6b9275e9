"""Connect, subscribe, publish and receive, history, presence, RPC and events on a real Centrifugo."""

from __future__ import annotations

import json
from typing import Callable

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching, take

MakeClient = Callable[..., ceaseless.Client]


async def test_connect_subscribe_publish_receive(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:basics")
    async with make_client(token=server.token("alice")) as client:
        assert client.state.value == "connected"
        sub = client.new_subscription(channel)
        assert sub.state.value == "unsubscribed"
        await sub.subscribe()
        assert sub.state is ceaseless.SubscriptionState.SUBSCRIBED
        await client.publish(channel, {"n": 1, "text": "héllo"})
        server.publish(channel, {"n": 2})
        await sub.publish([3])
        pubs = await take(sub.publications(), 3)
        assert [p.data for p in pubs] == [{"n": 1, "text": "héllo"}, {"n": 2}, [3]]
        assert all(p.channel == channel for p in pubs)
        assert [p.offset for p in pubs] == [1, 2, 3]
        first = pubs[0]
        assert first.info is not None and first.info.user == "alice"
        assert pubs[1].info is None
        assert isinstance(first.tags, dict)
    assert client.state is ceaseless.ClientState.CLOSED


async def test_raw_publications_keep_json_bytes(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:raw")
    async with make_client(token=server.token("raw-user")) as client:
        sub = client.new_subscription(channel)
        await sub.subscribe()
        await client.publish(channel, b'{"a":[1,2]}', raw=True)
        await client.publish(channel, '"text"', raw=True)
        pubs = await take(sub.publications(raw=True), 2)
        assert [p.data for p in pubs] == [b'{"a":[1,2]}', b'"text"']


async def test_history(server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]) -> None:
    channel = unique("test:history")
    for n in range(5):
        server.publish(channel, {"n": n})
    async with make_client(token=server.token("historian")) as client:
        await client.new_subscription(channel).subscribe()  # history is for subscribers
        everything = await client.history(channel, limit=-1)
        assert [p.data["n"] for p in everything.publications] == [0, 1, 2, 3, 4]
        assert everything.offset == 5 and everything.epoch
        top = await client.history(channel)
        assert top.publications == [] and top.offset == 5
        since = await client.history(channel, limit=10, since=(3, everything.epoch))
        assert [p.offset for p in since.publications] == [4, 5]
        newest = await client.history(channel, limit=2, reverse=True, raw=True)
        assert [json.loads(p.data) for p in newest.publications] == [{"n": 4}, {"n": 3}]


async def test_presence(server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]) -> None:
    channel = unique("test:presence")
    async with make_client(token=server.token("pia")) as client:
        client_events = client.events()
        client.disconnect()
        client.connect()
        connected = await next_matching(client_events, events.Connected)
        sub = client.new_subscription(channel)
        await sub.subscribe()
        presence = await client.presence(channel)
        assert list(presence) == [connected.client]
        info = presence[connected.client]
        assert (info.user, info.client) == ("pia", connected.client)
        stats = await sub.presence_stats()
        assert (stats.num_clients, stats.num_users) == (1, 1)


async def test_subscription_events_are_typed(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:events")
    async with make_client(token=server.token("eve")) as client, make_client(
        token=server.token("joiner")
    ) as other:
        sub = client.new_subscription(channel, join_leave=True, recoverable=True)
        stream = sub.events()
        await sub.subscribe()
        subscribing = await next_matching(stream, events.Subscribing)
        assert subscribing.code == 0
        subscribed = await next_matching(stream, events.Subscribed)
        assert subscribed.recoverable and subscribed.offset == 0 and subscribed.epoch
        other_sub = other.new_subscription(channel)
        await other_sub.subscribe()
        join = await next_matching(stream, events.Join)
        if join.info.user == "eve":  # our own join may come first
            join = await next_matching(stream, events.Join)
        assert join.info.user == "joiner"
        server.publish(channel, "x")
        publication = await next_matching(stream, ceaseless.Publication)
        assert publication.data == "x"
        other_sub.remove()
        leave = await next_matching(stream, events.Leave)
        assert leave.info.user == "joiner"
        await sub.unsubscribe()
        unsubscribed = await next_matching(stream, events.Unsubscribed)
        assert unsubscribed.code == 0
        assert sub.state is ceaseless.SubscriptionState.UNSUBSCRIBED


async def test_rpc_without_proxy_is_a_server_error(server: Centrifugo, make_client: MakeClient) -> None:
    async with make_client(token=server.token("rpc-user")) as client:
        try:
            await client.rpc("sum", {"a": 1})
        except ceaseless.ServerError as e:
            assert e.code == 108 and not e.temporary
        else:
            raise AssertionError("RPC without a proxy should fail")
