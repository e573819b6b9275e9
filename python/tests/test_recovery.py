"""Recovery after a server-side disconnect: every publication is delivered exactly once, in order."""

from __future__ import annotations

import asyncio
from typing import Callable

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching, take

MakeClient = Callable[..., ceaseless.Client]


async def test_recovery_after_server_disconnect(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:recovery")
    user = unique("rec")
    client = make_client(token=server.token(user), reconnect_delay_min=1.0, reconnect_delay_max=1.5)
    client_events = client.events()
    async with client:
        first = await next_matching(client_events, events.Connected)
        sub = client.new_subscription(channel, recoverable=True)
        publications = sub.publications()
        sub_events = sub.events()
        await sub.subscribe()
        await next_matching(sub_events, events.Subscribed)
        for n in range(5):
            server.publish(channel, {"n": n})

        # The server drops the connection with a reconnect code; publish while the client is away.
        await asyncio.to_thread(server.disconnect, user, 4000, "go away")
        connecting = await next_matching(client_events, events.Connecting)
        assert connecting.code == 4000
        for n in range(5, 15):
            server.publish(channel, {"n": n})
        second = await next_matching(client_events, events.Connected)
        assert second.client != first.client
        resubscribed = await next_matching(sub_events, events.Subscribed)
        assert resubscribed.was_recovering and resubscribed.recovered
        for n in range(15, 20):
            server.publish(channel, {"n": n})
        # `publications` was opened before subscribing: it holds every publication.
        received = [p.data["n"] for p in await take(publications, 20)]
        assert received == list(range(20)), received
        assert await sub.position() == (20, resubscribed.epoch)
        # Nothing more (no duplicate) arrives.
        try:
            extra = await next_matching(publications, ceaseless.Publication, timeout=0.5)
        except asyncio.TimeoutError:
            pass
        else:
            raise AssertionError(f"duplicate publication {extra}")


async def test_lost_continuity_is_reported_as_a_gap(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("small:gap")  # the "small" namespace keeps only 5 publications
    user = unique("gap")
    client = make_client(token=server.token(user), reconnect_delay_min=1.0, reconnect_delay_max=1.5)
    client_events = client.events()
    async with client:
        sub = client.new_subscription(channel, recoverable=True)
        sub_events = sub.events()
        await sub.subscribe()
        server.publish(channel, {"n": 0})
        first = await next_matching(sub_events, ceaseless.Publication)
        await asyncio.to_thread(server.disconnect, user, 4000, "go away")
        await next_matching(client_events, events.Connecting)
        for n in range(1, 11):
            server.publish(channel, {"n": n})
        subscribed = await next_matching(sub_events, events.Subscribed)
        if not subscribed.was_recovering:  # the first Subscribed of this stream
            subscribed = await next_matching(sub_events, events.Subscribed)
        assert subscribed.was_recovering and not subscribed.recovered
        gap = await next_matching(sub_events, events.Gap)
        assert gap.last_delivered == (first.offset, subscribed.epoch)
