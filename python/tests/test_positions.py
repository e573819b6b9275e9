"""Position stores: a file, or the app's own object; a new client resumes where the last one stopped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import ceaseless
from ceaseless import events
from centrifugo import Centrifugo
from helpers import next_matching, take

MakeClient = Callable[..., ceaseless.Client]


class DictStore:
    """An app-implemented store that records how it was called."""

    def __init__(self) -> None:
        self.positions: dict[str, ceaseless.Position] = {}
        self.loads: list[str] = []
        self.flushes = 0

    def load(self, channel: str) -> Optional[ceaseless.Position]:
        self.loads.append(channel)
        return self.positions.get(channel)

    def save(self, channel: str, position: ceaseless.Position) -> None:
        offset, epoch = position
        assert isinstance(offset, int) and isinstance(epoch, str)
        self.positions[channel] = position

    def flush(self) -> None:
        self.flushes += 1


class BrokenStore:
    """A store whose every method raises."""

    def load(self, channel: str) -> Optional[ceaseless.Position]:
        raise RuntimeError("disk on fire")

    def save(self, channel: str, position: ceaseless.Position) -> None:
        raise RuntimeError("disk on fire")


async def _first_run(client: ceaseless.Client, server: Centrifugo, channel: str) -> str:
    """Receives publications 0..2 on ``channel``, returns the epoch, and closes the client."""
    sub = client.new_subscription(channel, recoverable=True)
    publications = sub.publications()
    sub_events = sub.events()
    async with client:
        await sub.subscribe()
        subscribed = await next_matching(sub_events, events.Subscribed)
        for n in range(3):
            await asyncio.to_thread(server.publish, channel, {"n": n})
        assert [p.data["n"] for p in await take(publications, 3)] == [0, 1, 2]
    assert subscribed.epoch is not None
    return subscribed.epoch


async def _second_run(client: ceaseless.Client, server: Centrifugo, channel: str) -> None:
    """Publications 3..5 sent while no client ran arrive exactly once, recovered."""
    for n in range(3, 6):
        await asyncio.to_thread(server.publish, channel, {"n": n})
    sub = client.new_subscription(channel, recoverable=True)
    publications = sub.publications()
    sub_events = sub.events()
    async with client:
        await sub.subscribe()
        subscribed = await next_matching(sub_events, events.Subscribed)
        assert subscribed.was_recovering and subscribed.recovered
        assert [p.data["n"] for p in await take(publications, 3)] == [3, 4, 5]


@pytest.mark.parametrize("as_str", [False, True])
async def test_file_store_resumes_in_a_new_client(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str], tmp_path: Path, as_str: bool
) -> None:
    channel, user = unique("test:file-store"), unique("file-store")
    path: Any = str(tmp_path / "positions.json") if as_str else tmp_path / "positions.json"
    await _first_run(make_client(token=server.token(user), position_store=path), server, channel)
    assert (tmp_path / "positions.json").exists()
    await _second_run(make_client(token=server.token(user), position_store=path), server, channel)


async def test_app_store_is_loaded_saved_and_flushed(
    server: Centrifugo, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    channel, user = unique("test:app-store"), unique("app-store")
    store = DictStore()
    epoch = await _first_run(make_client(token=server.token(user), position_store=store), server, channel)
    assert channel in store.loads
    assert store.positions[channel] == (3, epoch)
    assert store.flushes >= 1
    await _second_run(make_client(token=server.token(user), position_store=store), server, channel)
    assert store.positions[channel] == (6, epoch)


async def test_a_failing_app_store_is_logged_and_ignored(
    server: Centrifugo,
    make_client: MakeClient,
    unique: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = unique("test:broken-store")
    with caplog.at_level(logging.WARNING, logger="ceaseless"):
        client = make_client(token=server.token(unique("broken")), position_store=BrokenStore())
        await _first_run(client, server, channel)
    failures = [r for r in caplog.records if "position store" in r.getMessage()]
    assert failures, "the store's exceptions are logged"
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in failures)


async def test_a_store_without_load_and_save_is_refused() -> None:
    class NotAStore:
        def load(self, channel: str) -> None:
            return None

    with pytest.raises(ceaseless.ConfigError):
        ceaseless.Client("ws://127.0.0.1:1/connection/websocket", position_store=NotAStore())  # type: ignore[arg-type]
