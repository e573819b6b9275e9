"""The types and conversions behind :class:`ceaseless.Client`'s arguments."""

from __future__ import annotations

import inspect
import json
import logging
import os
from typing import Any, Awaitable, Callable, Literal, Mapping, Optional, Protocol, Sequence, Tuple, Union

from .errors import InvalidPayload, Unauthorized

__all__ = [
    "TokenProvider",
    "SubscriptionTokenProvider",
    "StateLoader",
    "TagsFilter",
    "Position",
    "Format",
    "Transport",
    "PositionStore",
]

logger = logging.getLogger("ceaseless")

TokenProvider = Callable[[], Union[Awaitable[str], str]]
"""``async def get_token() -> str`` (a plain function works too)."""

SubscriptionTokenProvider = Callable[[str], Union[Awaitable[str], str]]
"""``async def get_token(channel: str) -> str`` (a plain function works too)."""

Position = Tuple[int, str]
"""A stream position: ``(offset, epoch)``."""

StateLoader = Callable[[str], Union[Awaitable[Tuple[Position, Any]], Tuple[Position, Any]]]
"""``async def load(channel: str) -> ((offset, epoch), state)`` (a plain function works too).

``state`` is any JSON-serializable value, ``bytes`` (sent back as they are), or ``None``."""

TagsFilter = Mapping[str, Any]
"""A publication tags filter: the wire ``FilterNode`` as a dict, e.g.
``{"key": "kind", "cmp": "eq", "val": "good"}`` or ``{"op": "and", "nodes": [...]}``."""

Format = Literal["json", "protobuf"]
"""The wire encoding."""

Transport = Literal["websocket", "http_stream", "sse"]
"""A transport; emulation URLs are derived from the WebSocket URL."""


class PositionStore(Protocol):
    """Where subscription positions survive restarts, implemented by the app.

    ``load`` and ``save`` are called from the client's own thread (holding the GIL while they
    run), so keep them short and do not block on the event loop. An exception is logged to the
    ``"ceaseless"`` logger and ignored (a failed ``load`` counts as "nothing saved"). An optional
    ``flush()`` method is called when the client closes, after the last ``save``.
    """

    def load(self, channel: str) -> Optional[Position]:
        """The saved position of ``channel``, or ``None``."""

    def save(self, channel: str, position: Position) -> None:
        """Remembers ``position`` (``(offset, epoch)``) for ``channel``."""


def _encode_option_data(data: Any) -> Union[str, bytes, None]:
    """Connect / subscribe data: bytes as they are, anything else as JSON."""
    if data is None:
        return None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    return _encode(data, False)


def _pems(pems: Union[str, Sequence[str], None]) -> Optional[list[str]]:
    if pems is None:
        return None
    return [pems] if isinstance(pems, str) else list(pems)


def _store(store: Union[str, os.PathLike[str], PositionStore, None]) -> Any:
    return os.fspath(store) if isinstance(store, os.PathLike) else store


def _encode(data: Any, raw: bool) -> Union[str, bytes]:
    """Data for the wire: JSON text. With ``raw``, ``data`` must already be JSON (str or bytes)."""
    if raw:
        if isinstance(data, (str, bytes)):
            return data
        if isinstance(data, (bytearray, memoryview)):
            return bytes(data)
        raise InvalidPayload(message="raw data must be str or bytes holding JSON")
    try:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InvalidPayload(message=f"data is not JSON-serializable: {e}") from e


def _provider(function: Optional[Callable[..., Any]], what: str) -> Optional[Callable[..., Awaitable[str]]]:
    """Wraps a token provider into the coroutine function the native client calls."""
    if function is None:
        return None

    async def call(*args: str) -> str:
        try:
            token = function(*args)
            if inspect.isawaitable(token):
                token = await token
        except Unauthorized:
            raise
        except Exception:
            logger.warning("%s token provider failed; retrying with backoff", what, exc_info=True)
            raise
        if not isinstance(token, str):
            raise TypeError(f"the {what} token provider must return str, not {type(token).__name__}")
        return token

    return call


def _tags_filter(tags_filter: Optional[TagsFilter]) -> Optional[str]:
    """The filter as JSON text for the core, which validates it (``InvalidTagsFilter``)."""
    if tags_filter is None:
        return None
    if not isinstance(tags_filter, Mapping):
        raise TypeError(f"tags_filter must be a dict, not {type(tags_filter).__name__}")
    try:
        return json.dumps(dict(tags_filter), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"tags_filter is not JSON-serializable: {e}") from e


def _loader(
    function: Optional[StateLoader],
) -> Optional[Callable[[str], Awaitable[Tuple[int, str, Union[str, bytes, None]]]]]:
    """Wraps a state loader into the coroutine function the native subscription calls."""
    if function is None:
        return None

    async def call(channel: str) -> Tuple[int, str, Union[str, bytes, None]]:
        try:
            answer = function(channel)
            if inspect.isawaitable(answer):
                answer = await answer
            position, state = answer
            offset, epoch = position
            if not isinstance(offset, int) or isinstance(offset, bool) or not isinstance(epoch, str):
                raise TypeError("the position must be (offset: int, epoch: str)")
            return offset, epoch, _encode_option_data(state)
        except Exception:
            logger.warning("state loader for %r failed; retrying with backoff", channel, exc_info=True)
            raise

    return call
