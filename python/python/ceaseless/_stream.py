"""Async iterators over a native event stream, read in batches."""

from __future__ import annotations

import asyncio
from typing import Generic, List, TypeVar, cast

from . import _ceaseless as _native

__all__ = ["Stream"]

T = TypeVar("T")


async def _yield() -> None:
    await asyncio.sleep(0)


class Stream(Generic[T]):
    """An async iterator over events or publications, read from the Rust core in batches.

    Each time its buffer is empty it takes *every* item already queued in one call, so a busy
    stream costs one boundary crossing per batch, not per item. It ends when the client closes or
    :meth:`aclose` is called. Use one consumer per stream.
    """

    __slots__ = ("_native", "_buffer", "_index", "_publications_only", "_raw")

    def __init__(self, native: _native.NativeStream, publications_only: bool, raw: bool) -> None:
        self._native = native
        self._buffer: List[T] = []
        self._index = 0
        self._publications_only = publications_only
        self._raw = raw

    def __aiter__(self) -> Stream[T]:
        return self

    async def __anext__(self) -> T:
        # The hot path: one list lookup, no function call.
        index = self._index
        buffer = self._buffer
        if index < len(buffer):
            self._index = index + 1
            return buffer[index]
        return (await self._refill())[0]

    async def _refill(self) -> List[T]:
        native = self._native
        batch = native.take(self._publications_only, self._raw)
        if batch:
            # Let other tasks run between batches even when items keep coming.
            await _yield()
        while not batch:
            if batch is None:
                self._buffer = []
                self._index = 0
                raise StopAsyncIteration
            await native.wait()
            batch = native.take(self._publications_only, self._raw)
        self._buffer = cast(List[T], batch)
        self._index = 1
        return self._buffer

    async def next_batch(self) -> List[T]:
        """Everything buffered or queued right now (waiting for at least one item), as a list.

        Raises :class:`StopAsyncIteration` when the stream has ended.
        """
        if self._index < len(self._buffer):
            rest = self._buffer[self._index :]
        else:
            rest = await self._refill()
        self._buffer = []
        self._index = 0
        return rest

    async def aclose(self) -> None:
        """Stops the stream; buffered items are dropped."""
        self._native.close()
        self._buffer = []
        self._index = 0
