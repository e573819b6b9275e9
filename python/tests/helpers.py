"""Small helpers shared by the tests."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, TypeVar

T = TypeVar("T")


async def next_matching(stream: AsyncIterator[Any], kind: type[T], timeout: float = 10.0) -> T:
    """The next item of ``stream`` that is a ``kind``, within ``timeout`` seconds."""

    async def find() -> T:
        async for item in stream:
            if isinstance(item, kind):
                return item
        raise AssertionError(f"stream ended before a {kind.__name__}")

    return await asyncio.wait_for(find(), timeout)


async def take(stream: AsyncIterator[T], n: int, timeout: float = 10.0) -> list[T]:
    """The next ``n`` items of ``stream``."""

    async def collect() -> list[T]:
        items: list[T] = []
        async for item in stream:
            items.append(item)
            if len(items) == n:
                break
        return items

    return await asyncio.wait_for(collect(), timeout)
