"""Fixtures: one real Centrifugo for the session, unique names, and clients closed after each test."""

from __future__ import annotations

import uuid
from typing import Any, AsyncIterator, Callable, Iterator

import pytest

import ceaseless
from centrifugo import Centrifugo


@pytest.fixture(scope="session")
def server() -> Iterator[Centrifugo]:
    centrifugo = Centrifugo().start()
    yield centrifugo
    centrifugo.stop()


@pytest.fixture
def unique() -> Callable[[str], str]:
    """``unique("test:chat")`` gives a name no other test uses."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def make_client(server: Centrifugo) -> AsyncIterator[Callable[..., ceaseless.Client]]:
    """Creates clients (url defaults to the server) and closes them all after the test."""
    clients: list[ceaseless.Client] = []

    def make(url: str | None = None, **options: Any) -> ceaseless.Client:
        client = ceaseless.Client(url or server.ws_url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
