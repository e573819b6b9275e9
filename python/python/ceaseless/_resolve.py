"""Completes the asyncio futures of native calls, on the loop's thread (see ``src/awaitable.rs``)."""

from __future__ import annotations

import asyncio
from typing import Any


def resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    """Sets the outcome of ``future`` unless it is already done (cancelled meanwhile)."""
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
