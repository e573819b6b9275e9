"""Bad input raises typed exceptions carrying ``code`` and ``temporary``."""

from __future__ import annotations

import pickle
from typing import Callable

import pytest

import ceaseless
from centrifugo import Centrifugo

MakeClient = Callable[..., ceaseless.Client]


@pytest.mark.parametrize("url", ["", "not a url", "http://example.com/", "ws://"])
async def test_bad_url(url: str) -> None:
    with pytest.raises(ceaseless.InvalidUrl) as caught:
        ceaseless.Client(url)
    assert caught.value.code == 13 and not caught.value.temporary
    assert isinstance(caught.value, ValueError)


async def test_bad_settings() -> None:
    with pytest.raises(ceaseless.ConfigError):
        ceaseless.Client("ws://127.0.0.1:1/x", timeout=-1)
    with pytest.raises(ceaseless.ConfigError):
        ceaseless.Client("ws://127.0.0.1:1/x", timeout=0)


async def test_bad_channel(server: Centrifugo, make_client: MakeClient) -> None:
    async with make_client(token=server.token("bad-input")) as client:
        with pytest.raises(ceaseless.InvalidChannel) as caught:
            client.new_subscription("x" * 256)
        assert caught.value.code == 14
        with pytest.raises(ceaseless.InvalidChannel):
            client.new_subscription("")
        with pytest.raises(ceaseless.InvalidChannel):
            await client.publish("é" * 128, {"n": 1})  # 256 bytes
        client.new_subscription("test:once")
        with pytest.raises(ceaseless.DuplicateSubscription):
            client.new_subscription("test:once")


async def test_bad_payload(server: Centrifugo, make_client: MakeClient) -> None:
    async with make_client(token=server.token("bad-payload")) as client:
        for raw in [b"{not json", "", b"\xff", "{} {}"]:
            with pytest.raises(ceaseless.InvalidPayload) as caught:
                await client.publish("test:payload", raw, raw=True)
            assert caught.value.code == 15
        with pytest.raises(ceaseless.InvalidPayload):
            await client.publish("test:payload", {"set": {1, 2}})
        with pytest.raises(ceaseless.InvalidPayload):
            await client.publish("test:payload", float("nan"))
        with pytest.raises(ceaseless.InvalidPayload):
            await client.publish("test:payload", 42, raw=True)


async def test_oversized_payload(server: Centrifugo, make_client: MakeClient) -> None:
    async with make_client(token=server.token("big")) as client:
        with pytest.raises(ceaseless.MessageTooLarge) as caught:
            await client.publish("test:big", {"blob": "x" * 70_000})
        assert caught.value.code == 16
        assert client.state is ceaseless.ClientState.CONNECTED
        await client.publish("test:big", {"blob": "small"})


async def test_closed_client(server: Centrifugo, make_client: MakeClient) -> None:
    client = make_client(token=server.token("closer"))
    await client.close()
    with pytest.raises(ceaseless.Closed) as caught:
        await client.publish("test:closed", 1)
    assert caught.value.code == 4
    with pytest.raises(ceaseless.Closed):
        client.new_subscription("test:closed")


def test_exceptions_are_well_behaved() -> None:
    error = ceaseless.ServerError(103, False, "permission denied")
    assert (error.code, error.temporary, error.message) == (103, False, "permission denied")
    assert str(error) == "permission denied (code 103)"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ceaseless.ServerError and again.code == 103
    timeout = ceaseless.Timeout()
    assert isinstance(timeout, TimeoutError) and timeout.code == 1 and timeout.temporary
    unauthorized = ceaseless.Unauthorized("banned")
    assert unauthorized.code == 6 and unauthorized.message == "banned"
    assert isinstance(unauthorized, ceaseless.TokenError)


def test_every_core_error_kind_has_a_class_with_the_core_code() -> None:
    from ceaseless import _ceaseless, errors

    table = _ceaseless.error_table()
    assert {"CallbackError", "InternalError", "Timeout", "ConfigError"} <= set(table)
    for name, (code, temporary) in table.items():
        cls = getattr(errors, name)
        assert issubclass(cls, ceaseless.CeaselessError)
        created = cls()
        assert (created.code, created.temporary) == (code, temporary), name
    assert ceaseless.CallbackError().code == 21
    assert ceaseless.InternalError().code == 22
    assert "ServerError" not in table  # the server's own code is used
