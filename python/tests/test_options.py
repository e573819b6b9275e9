"""The shared options, end to end: transports and their fallback, Protobuf, delta, and bad values."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching, take

MakeClient = Callable[..., ceaseless.Client]


async def _roundtrip(client: ceaseless.Client, channel: str, server: Centrifugo) -> None:
    """Subscribes to ``channel``, publishes from the client and the server, and receives both."""
    sub = client.new_subscription(channel)
    publications = sub.publications()
    await sub.subscribe()
    await client.publish(channel, {"from": "client"})
    await asyncio.to_thread(server.publish, channel, {"from": "server"})
    received = [p.data for p in await take(publications, 2)]
    assert received == [{"from": "client"}, {"from": "server"}]


@pytest.mark.parametrize("transport", ["http_stream", "sse"])
async def test_emulation_transports_connect_and_receive(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str], transport: str
) -> None:
    client = make_client(token=server.token(unique("emu")), transports=[transport])
    client_events = client.events()
    async with client:
        connected = await next_matching(client_events, events.Connected)
        assert connected.transport == transport
        await _roundtrip(client, unique("test:emu"), server)


@pytest.fixture(scope="module")
def no_websocket() -> Iterator[Centrifugo]:
    """A Centrifugo with its WebSocket endpoint turned off (emulation still on)."""
    centrifugo = Centrifugo({"websocket": {"disabled": True}}).start()
    yield centrifugo
    centrifugo.stop()


async def test_falls_back_when_websocket_is_refused(
    no_websocket: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    client = make_client(
        no_websocket.ws_url,
        token=no_websocket.token(unique("fallback")),
        transports=["websocket", "http_stream"],
        reconnect_delay_min=5,
        reconnect_delay_max=6,
    )
    client_events = client.events()
    loop = asyncio.get_running_loop()
    started = loop.time()
    client.connect()
    connected = await next_matching(client_events, events.Connected)
    assert connected.transport == "http_stream"
    assert loop.time() - started < 4, "the fallback is immediate, not after the reconnect delay"
    await _roundtrip(client, unique("test:fallback"), no_websocket)


@pytest.mark.parametrize("transports", [["websocket"], ["http_stream"]])
async def test_protobuf_publishes_and_receives(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str], transports: list[str]
) -> None:
    client = make_client(token=server.token(unique("pb")), format="protobuf", transports=transports)
    async with client:
        channel = unique("test:pb")
        await _roundtrip(client, channel, server)
        # Protobuf carries any bytes, not only JSON.
        raw = client.get_subscription(channel)
        assert raw is not None
        binary = raw.publications(raw=True)
        await client.publish(channel, b"\x00\xffbinary", raw=True)
        assert (await next_matching(binary, ceaseless.Publication)).data == b"\x00\xffbinary"


async def test_json_mode_refuses_binary(server: Centrifugo, make_client: MakeClient) -> None:
    async with make_client(token=server.token("json-binary")) as client:
        with pytest.raises(ceaseless.InvalidPayload):
            await client.publish("test:binary", b"\x00\xff", raw=True)


async def test_sse_with_protobuf_is_a_config_error(server: Centrifugo) -> None:
    with pytest.raises(ceaseless.ConfigError):
        ceaseless.Client(server.ws_url, format="protobuf", transports=["sse"])


async def test_delta_subscription_receives_whole_payloads(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel = unique("test:delta")
    async with make_client(token=server.token(unique("delta"))) as client:
        sub = client.new_subscription(channel, delta=True)
        publications = sub.publications()
        await sub.subscribe()
        rows = [f"row {i} of a long, mostly unchanged table" for i in range(40)]
        snapshots = [{"n": n, "rows": rows} for n in range(5)]
        for snapshot in snapshots:
            params = {"channel": channel, "data": snapshot, "delta": True}
            await asyncio.to_thread(server.api, "publish", params)
        assert [p.data for p in await take(publications, 5)] == snapshots


async def test_every_option_is_accepted(server: Centrifugo, make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(
        token=server.token("all-options"),
        data={"hello": "server"},
        name="options-test",
        version="1.2.3",
        format="json",
        transports=["websocket", "http_stream", "sse"],
        fallback_urls=[server.ws_url],
        timeout=4.5,
        reconnect_delay_min=0.1,
        reconnect_delay_max=2,
        max_server_ping_delay=3,
        refresh_ahead=5,
        max_message_size=65536,
        offline_queue_limit=10,
        offline_queue_timeout=2,
        suspend_after=60,
        background_grace=math.inf,
        position_store=tmp_path / "positions.json",
    )
    async with client:
        sub = client.new_subscription(
            "test:all-options",
            data={"hello": "channel"},
            positioned=True,
            recoverable=True,
            join_leave=True,
            delta=False,
            resubscribe_delay_min=0.1,
            resubscribe_delay_max=1,
        )
        await sub.subscribe()
        client.set_app_state("background")  # never let go: background_grace=math.inf
        await asyncio.sleep(0.3)
        assert client.state is ceaseless.ClientState.CONNECTED


BAD_CLIENT_OPTIONS: list[dict[str, Any]] = [
    {"timeout": -1},
    {"timeout": math.nan},
    {"timeout": math.inf},
    {"reconnect_delay_min": -0.5},
    {"background_grace": -1},
    {"background_grace": math.nan},
    {"suspend_after": -3},
    {"max_message_size": -1},
    {"offline_queue_limit": -1},
    {"transports": ["carrier_pigeon"]},
    {"transports": ["sse", "sse"]},
    {"format": "xml"},
    {"position_store": 42},
    {"tls_root_ca_pem": "not a certificate"},
    {"tls_root_ca_pem": ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]},
]


@pytest.mark.parametrize("options", BAD_CLIENT_OPTIONS, ids=lambda o: ",".join(f"{k}={v!r}" for k, v in o.items()))
async def test_bad_client_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ceaseless.ConfigError) as caught:
        ceaseless.Client("ws://127.0.0.1:1/connection/websocket", **options)
    assert caught.value.code == ceaseless.ConfigError.default_code and not caught.value.temporary


@pytest.mark.parametrize(
    "proxy",
    ["not a url", "ftp://user:hunter2@proxy:21", "http://user:hunter2@", "http://user:hunter2@proxy:3128/path"],
)
async def test_bad_proxy_is_an_invalid_url(proxy: str) -> None:
    with pytest.raises(ceaseless.InvalidUrl) as caught:
        ceaseless.Client("ws://127.0.0.1:1/connection/websocket", proxy=proxy)
    assert "hunter2" not in str(caught.value)


async def test_bad_types_are_type_errors() -> None:
    url = "ws://127.0.0.1:1/connection/websocket"
    with pytest.raises(TypeError):
        ceaseless.Client(url, timeout="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ceaseless.Client(url, transports=[1])  # type: ignore[list-item]


async def test_bad_subscription_options(server: Centrifugo, make_client: MakeClient) -> None:
    client = make_client(token=server.token("bad-sub-options"))
    with pytest.raises(ceaseless.ConfigError):
        client.new_subscription("test:bad", resubscribe_delay_min=-1)
    with pytest.raises(ceaseless.ConfigError):
        client.new_subscription("test:bad", resubscribe_delay_max=math.nan)
    with pytest.raises(ceaseless.InvalidPayload):
        client.new_subscription("test:bad", data=b"{not json")
    client.new_subscription("test:bad", since=(3, "epoch"))
