"""Centrifugo v6 features against the real server: emulated headers through a connect proxy, the
publication tags filter and its refusals, and an app state loader with its ``StateLoaded`` event."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching, take

MakeClient = Callable[..., ceaseless.Client]


class ConnectProxy:
    """A connect-proxy endpoint: lets every connect in as ``user`` and records the request headers."""

    def __init__(self, user: str) -> None:
        self.requests: list[dict[str, str]] = []
        answer = json.dumps({"result": {"user": user}}).encode()
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorded.append({name.lower(): value for name, value in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/connect"

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def proxied() -> Iterator[tuple[Centrifugo, ConnectProxy]]:
    proxy = ConnectProxy("py-headers")
    connect = {"enabled": True, "endpoint": proxy.url, "timeout": "3s", "emulated_headers": ["X-Tenant"]}
    server = Centrifugo({"client": {"proxy": {"connect": connect}}}).start()
    yield server, proxy
    server.stop()
    proxy.stop()


async def test_headers_reach_the_connect_proxy_and_set_headers_changes_the_next_connect(
    proxied: tuple[Centrifugo, ConnectProxy], caplog: pytest.LogCaptureFixture
) -> None:
    server, proxy = proxied
    secret = "blue-tenant-secret"
    with caplog.at_level(logging.DEBUG, logger="ceaseless"):
        ceaseless.refresh_log_level()
        # No token: the server asks the connect proxy and forwards the listed emulated headers.
        client = ceaseless.Client(
            server.ws_url, headers={"X-Tenant": secret}, reconnect_delay_min=0.05, reconnect_delay_max=0.2
        )
        client_events = client.events()
        async with client:
            await next_matching(client_events, events.Connected)
            assert secret not in repr(client)
            assert [r.get("x-tenant") for r in proxy.requests] == [secret]

            client.set_headers({"X-Tenant": "green"})
            assert len(proxy.requests) == 1, "set_headers does not reconnect by itself"
            await asyncio.to_thread(server.disconnect, "py-headers", 4000, "reconnect")
            assert (await next_matching(client_events, events.Connecting)).code == 4000
            await next_matching(client_events, events.Connected)
            assert [r.get("x-tenant") for r in proxy.requests] == [secret, "green"]
    ceaseless.refresh_log_level()
    logged = [r.getMessage() for r in caplog.records if r.name == "ceaseless"]
    assert logged, "expected debug logs from the Rust client"
    assert not [line for line in logged if secret in line], "a header value reached the logs"


def publish_tagged(server: Centrifugo, channel: str, n: int) -> None:
    kind = "good" if n % 2 == 1 else "bad"
    server.api("publish", {"channel": channel, "data": {"n": n}, "tags": {"kind": kind, "n": str(n)}})


async def test_a_tags_filter_delivers_only_matching_publications(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("tagged:py")
    client = make_client(token=server.token(unique("tf")))
    tags_filter = {
        "op": "or",
        "nodes": [{"key": "kind", "cmp": "eq", "val": "good"}, {"key": "n", "cmp": "gte", "val": "6"}],
    }
    async with client:
        sub = client.new_subscription(channel, tags_filter=tags_filter)
        publications = sub.publications()
        await sub.subscribe()
        for n in range(1, 8):
            await asyncio.to_thread(publish_tagged, server, channel, n)
        received = [p.data["n"] for p in await take(publications, 5)]
        assert received == [1, 3, 5, 6, 7], received
        with pytest.raises(asyncio.TimeoutError):
            extra = await next_matching(publications, ceaseless.Publication, timeout=0.4)
            raise AssertionError(f"a non-matching publication arrived: {extra}")


@pytest.mark.parametrize(
    "options",
    [
        {"tags_filter": {"key": "kind", "cmp": "in", "vals": []}},
        {"tags_filter": {"op": "and", "nodes": []}},
        {"tags_filter": {"key": "kind", "cmp": "like", "val": "x"}},
        {"tags_filter": {"key": "kind", "cmp": "eq", "val": "good"}, "delta": True},
    ],
    ids=["empty-in", "empty-and", "unknown-cmp", "with-delta"],
)
async def test_bad_tags_filters_raise_before_anything_is_sent(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str], options: dict[str, Any]
) -> None:
    client = make_client(token=server.token(unique("tf-bad")))  # never connected
    channel = unique("tagged:py-bad")
    with pytest.raises(ceaseless.InvalidTagsFilter) as refused:
        client.new_subscription(channel, **options)
    assert refused.value.code == 23 and not refused.value.temporary
    assert isinstance(refused.value, ValueError)
    assert client.get_subscription(channel) is None
    client.new_subscription(channel)  # the name was never taken


async def test_a_tags_filter_of_the_wrong_type_is_a_type_error(make_client: MakeClient) -> None:
    with pytest.raises(TypeError):
        make_client().new_subscription("tagged:x", tags_filter=["kind"])  # type: ignore[arg-type]


async def test_a_state_loader_is_asked_first_and_its_state_comes_before_publications(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("small:py-loader")
    for n in range(1, 4):
        server.publish(channel, {"n": n})
    calls: list[str] = []

    async def load(name: str) -> tuple[tuple[int, str], Any]:
        calls.append(name)
        top = await asyncio.to_thread(server.api, "history", {"channel": name, "limit": 0})
        return (int(top.get("offset", 0)), str(top.get("epoch", ""))), {"upto": top.get("offset", 0)}

    client = make_client(token=server.token(unique("sl")))
    async with client:
        sub = client.new_subscription(channel, state_loader=load)
        sub_events = sub.events()
        await sub.subscribe()
        server.publish(channel, {"n": 4})
        seen: list[Any] = []
        while not any(isinstance(e, ceaseless.Publication) for e in seen):
            seen.append(await next_matching(sub_events, object))
    assert calls == [channel], "no stored position: the loader is asked on the first subscribe"
    loaded = [e for e in seen if isinstance(e, events.StateLoaded)]
    assert len(loaded) == 1, seen
    assert loaded[0].state == {"upto": 3}
    assert loaded[0].position[0] == 3
    assert seen.index(loaded[0]) < len(seen) - 1, "StateLoaded comes before the publication"
    assert seen[-1].data == {"n": 4}, "only the stream after the loaded state arrives"


async def test_a_failing_state_loader_is_an_error_event_and_retried(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    calls = 0

    async def load(channel: str) -> tuple[tuple[int, str], Any]:
        nonlocal calls
        calls += 1
        raise RuntimeError("database down")

    client = make_client(token=server.token(unique("sl-bad")))
    async with client:
        sub = client.new_subscription(
            unique("small:py-broken"), state_loader=load, resubscribe_delay_min=0.05, resubscribe_delay_max=0.1
        )
        sub_events = sub.events()
        subscribing = asyncio.create_task(sub.subscribe())  # never subscribed: the loader keeps failing
        try:
            for _ in range(2):
                error = (await next_matching(sub_events, events.Error)).error
                assert isinstance(error, ceaseless.CallbackError), error
                assert "database down" in error.message
        finally:
            subscribing.cancel()
    assert calls >= 2
