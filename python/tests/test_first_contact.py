"""First contact: ``async with Client(...)`` never hangs on a client that cannot get in, and says why.

Terminal causes (an invalid token, an expired token with no provider, a refused subscribe) raise at
once with the server's code and reason and ``temporary`` false; a failed TLS handshake raises at once
too; repeated temporary ones (connection refused, HTTP 404, a failing token provider) raise after the
client's ``timeout`` with the last cause, while the client keeps trying. Each case prints what it got
(``pytest -s``).
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Callable

import pytest

import ceaseless
from centrifugo import Centrifugo

MakeClient = Callable[..., ceaseless.Client]
TIMEOUT = 2.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _first_contact(client: ceaseless.Client) -> tuple[ceaseless.CeaselessError, float]:
    started = time.monotonic()
    with pytest.raises(ceaseless.CeaselessError) as raised:
        async with client:
            pass
    took = time.monotonic() - started
    error = raised.value
    print(f"{type(error).__name__}: {error} (code {error.code}, temporary {error.temporary}) after {took * 1000:.0f} ms")
    return error, took


async def test_an_invalid_token_raises_at_once_with_the_servers_reason(make_client: MakeClient) -> None:
    error, took = await _first_contact(make_client(token="not-a-jwt", timeout=TIMEOUT))
    assert isinstance(error, ceaseless.ServerError), repr(error)
    assert (error.code, error.temporary) == (3500, False)
    assert "invalid token" in str(error)
    assert took < TIMEOUT


async def test_an_expired_token_without_a_provider_is_unauthorized_at_once(
    server: Centrifugo, make_client: MakeClient
) -> None:
    token = server.token("expired", ttl=1)
    await asyncio.sleep(2.1)
    error, took = await _first_contact(make_client(token=token, timeout=TIMEOUT))
    assert isinstance(error, ceaseless.Unauthorized), repr(error)
    assert (error.code, error.temporary) == (6, False)
    assert "109" in str(error) and "token expired" in str(error)
    assert took < TIMEOUT


async def test_tls_to_a_plain_server_raises_at_once(server: Centrifugo, make_client: MakeClient) -> None:
    url = f"wss://127.0.0.1:{server.port}/connection/websocket"
    error, took = await _first_contact(make_client(url, token="t", timeout=TIMEOUT))
    assert isinstance(error, ceaseless.TransportError) and "TLS" in str(error), repr(error)
    assert took < TIMEOUT


async def test_a_refused_connection_raises_after_the_timeout_with_the_cause(make_client: MakeClient) -> None:
    url = f"ws://127.0.0.1:{_closed_port()}/connection/websocket"
    client = make_client(url, token="t", timeout=TIMEOUT)
    error, took = await _first_contact(client)
    assert isinstance(error, ceaseless.TransportError), repr(error)
    assert "refused" in str(error).lower() and error.temporary
    assert TIMEOUT <= took < TIMEOUT + 2.5
    # `async with` closes the client it could not open; ready() alone leaves it trying.
    trying = make_client(url, token="t", timeout=TIMEOUT)
    trying.connect()
    with pytest.raises(ceaseless.TransportError):
        await trying.ready()
    assert trying.state is ceaseless.ClientState.CONNECTING, "still trying in the background"


async def test_a_wrong_path_raises_with_the_http_status(server: Centrifugo, make_client: MakeClient) -> None:
    url = f"ws://127.0.0.1:{server.port}/no/such/path"
    error, took = await _first_contact(make_client(url, token="t", timeout=TIMEOUT))
    assert isinstance(error, ceaseless.TransportError) and "404" in str(error), repr(error)
    assert TIMEOUT <= took < TIMEOUT + 2.5


async def test_a_raising_token_provider_is_the_cause(make_client: MakeClient) -> None:
    async def get_token() -> str:
        raise RuntimeError("token backend down")

    error, took = await _first_contact(make_client(get_token=get_token, timeout=TIMEOUT))
    assert "token backend down" in str(error), repr(error)
    assert error.temporary
    assert TIMEOUT <= took < TIMEOUT + 2.5


async def test_a_refused_subscribe_carries_the_servers_code(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    async with make_client(token=server.token("nobody")) as client:
        sub = client.new_subscription(unique("secure:denied"))
        with pytest.raises(ceaseless.ServerError) as raised:
            await asyncio.wait_for(sub.subscribe(), 10)
        assert (raised.value.code, raised.value.temporary) == (103, False)
        print(f"ServerError: {raised.value} (code 103, temporary False) at once")


