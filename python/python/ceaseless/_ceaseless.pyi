"""Type stubs of the native module ``ceaseless._ceaseless`` (built from ``python/src`` with pyo3).

Use the wrappers in :mod:`ceaseless` instead of these classes, except for the result types
(:class:`Publication`, :class:`ClientInfo`, :class:`HistoryResult`, :class:`PresenceStats`), which
are re-exported there.
"""

from typing import Any, Awaitable, Callable, Optional, Tuple, Union, final

__version__: str

def refresh_log_level() -> None:
    """Re-reads the level of the ``"ceaseless"`` logger (call after changing it)."""

@final
class ClientInfo:
    """A client connection, as presence, join/leave and publications describe it."""

    @property
    def user(self) -> str: ...
    @property
    def client(self) -> str: ...
    @property
    def conn_info(self) -> Any: ...
    @property
    def chan_info(self) -> Any: ...

@final
class Publication:
    """A publication in a channel."""

    __match_args__ = ("channel", "data", "offset", "info", "tags")
    @property
    def channel(self) -> str: ...
    @property
    def data(self) -> Any:
        """Decoded JSON, or ``bytes`` when read with ``raw=True``."""
    @property
    def offset(self) -> int: ...
    @property
    def info(self) -> Optional[ClientInfo]: ...
    @property
    def tags(self) -> dict[str, str]: ...

@final
class HistoryResult:
    """A page of a channel's history."""

    @property
    def publications(self) -> list[Publication]: ...
    @property
    def offset(self) -> int: ...
    @property
    def epoch(self) -> str: ...

@final
class PresenceStats:
    """How many clients and users are subscribed to a channel."""

    @property
    def num_clients(self) -> int: ...
    @property
    def num_users(self) -> int: ...

@final
class NativeStream:
    def take(self, publications_only: bool = False, raw: bool = False) -> Optional[list[Any]]: ...
    def wait(self) -> Awaitable[None]: ...
    def close(self) -> None: ...

@final
class NativeSubscription:
    @property
    def channel(self) -> str: ...
    @property
    def state(self) -> str: ...
    def subscribe(self) -> None: ...
    def ready(self) -> Awaitable[None]: ...
    def unsubscribe(self) -> None: ...
    def remove(self) -> None: ...
    def events(self) -> NativeStream: ...
    def position(self) -> Awaitable[Optional[Tuple[int, str]]]: ...

@final
class NativeClient:
    def __init__(
        self,
        url: str,
        *,
        token: Optional[str] = None,
        get_token: Optional[Callable[[], Awaitable[str]]] = None,
        get_subscription_token: Optional[Callable[[str], Awaitable[str]]] = None,
        name: Optional[str] = None,
        version: Optional[str] = None,
        timeout: Optional[float] = None,
        reconnect_delay: Optional[Tuple[float, float]] = None,
        data: Union[str, bytes, None] = None,
    ) -> None: ...
    def connect(self) -> None: ...
    def disconnect(self) -> None: ...
    def close(self) -> Awaitable[None]: ...
    def ready(self) -> Awaitable[None]: ...
    @property
    def state(self) -> str: ...
    def set_token(self, token: str) -> None: ...
    def events(self) -> NativeStream: ...
    def new_subscription(
        self,
        channel: str,
        *,
        token: Optional[str] = None,
        get_token: Optional[Callable[[str], Awaitable[str]]] = None,
        recoverable: bool = False,
        positioned: bool = False,
        join_leave: bool = False,
        since: Optional[Tuple[int, str]] = None,
        data: Union[str, bytes, None] = None,
    ) -> NativeSubscription: ...
    def publish(self, channel: str, data: Union[str, bytes]) -> Awaitable[None]: ...
    def history(
        self,
        channel: str,
        *,
        limit: int = 0,
        since: Optional[Tuple[int, str]] = None,
        reverse: bool = False,
        raw: bool = False,
    ) -> Awaitable[HistoryResult]: ...
    def presence(self, channel: str, *, raw: bool = False) -> Awaitable[dict[str, ClientInfo]]: ...
    def presence_stats(self, channel: str) -> Awaitable[PresenceStats]: ...
    def rpc(self, method: str, data: Union[str, bytes], *, raw: bool = False) -> Awaitable[Any]: ...
