"""Type stubs of the native module ``ceaseless._ceaseless`` (built from ``python/src`` with pyo3).

Use the wrappers in :mod:`ceaseless` instead of these classes, except for the result types
(:class:`Publication`, :class:`ClientInfo`, :class:`HistoryResult`, :class:`PresenceStats`), which
are re-exported there.
"""

from typing import Any, Awaitable, Callable, Optional, Tuple, Union, final

__version__: str

def refresh_log_level() -> None:
    """Re-reads the level of the ``"ceaseless"`` logger (call after changing it)."""

def error_table() -> dict[str, Tuple[int, bool]]:
    """``{class name: (code, temporary)}`` of the exception classes, from the core."""

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
class WakeReport:
    """What a push wake did (``await client.wake(max_seconds)``)."""

    @property
    def caught_up(self) -> bool:
        """Connected with every subscription caught up before the time ran out."""
    @property
    def publications(self) -> dict[str, int]:
        """Publications delivered during the wake, per channel."""
    @property
    def elapsed(self) -> float:
        """How long the wake took, in seconds."""

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
        get_token: Optional[Callable[[], Awaitable[str]]] = None,
        get_subscription_token: Optional[Callable[[str], Awaitable[str]]] = None,
        token: Optional[str] = None,
        data: Union[str, bytes, None] = None,
        name: Optional[str] = None,
        version: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
        format: Optional[str] = None,
        transports: Optional[list[str]] = None,
        fallback_urls: Optional[list[str]] = None,
        timeout: Optional[float] = None,
        reconnect_delay_min: Optional[float] = None,
        reconnect_delay_max: Optional[float] = None,
        max_server_ping_delay: Optional[float] = None,
        refresh_ahead: Optional[float] = None,
        max_message_size: Optional[int] = None,
        offline_queue_limit: Optional[int] = None,
        offline_queue_timeout: Optional[float] = None,
        suspend_after: Optional[float] = None,
        background_grace: Optional[float] = None,
        position_store: Any = None,
        tls_root_ca_pem: Optional[list[str]] = None,
        proxy: Optional[str] = None,
    ) -> None: ...
    def connect(self) -> None: ...
    def disconnect(self) -> None: ...
    def close(self) -> Awaitable[None]: ...
    def ready(self) -> Awaitable[None]: ...
    @property
    def state(self) -> str: ...
    def set_token(self, token: str) -> None: ...
    def set_headers(self, headers: dict[str, str]) -> None: ...
    def network_changed(self, available: bool) -> None: ...
    def set_app_state(self, state: str) -> None: ...
    def wake(self, max_seconds: float) -> Awaitable[WakeReport]: ...
    def events(self) -> NativeStream: ...
    def new_subscription(
        self,
        channel: str,
        *,
        get_token: Optional[Callable[[str], Awaitable[str]]] = None,
        token: Optional[str] = None,
        data: Union[str, bytes, None] = None,
        positioned: Optional[bool] = None,
        recoverable: Optional[bool] = None,
        join_leave: Optional[bool] = None,
        delta: Optional[bool] = None,
        since: Optional[Tuple[int, str]] = None,
        resubscribe_delay_min: Optional[float] = None,
        resubscribe_delay_max: Optional[float] = None,
        tags_filter: Optional[str] = None,
        state_loader: Optional[Callable[[str], Awaitable[Tuple[int, str, Union[str, bytes, None]]]]] = None,
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
