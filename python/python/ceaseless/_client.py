"""The asyncio API: :class:`Client` and :class:`Subscription`."""

from __future__ import annotations

import asyncio
import os
from types import TracebackType
from typing import Any, Literal, Mapping, Optional, Sequence, Union

from . import _ceaseless as _native
from ._ceaseless import ClientInfo, HistoryResult, PresenceStats, WakeReport
from ._stream import Stream
from ._subscription import Subscription
from ._types import (
    Format,
    Position,
    PositionStore,
    StateLoader,
    SubscriptionTokenProvider,
    TagsFilter,
    TokenProvider,
    Transport,
    _encode,
    _encode_option_data,
    _loader,
    _pems,
    _provider,
    _store,
    _tags_filter,
)
from .events import AppState, ClientEvent, ClientState

__all__ = [
    "Client",
    "Subscription",
    "TokenProvider",
    "SubscriptionTokenProvider",
    "PositionStore",
    "StateLoader",
    "TagsFilter",
    "Position",
    "Format",
    "Transport",
]

class Client:
    """A Centrifugo client that keeps its connection and subscriptions alive.

    Every option is the one of the shared option table (the repository's README lists them with
    their defaults); leaving one out (``None``) means the core's default. Durations are seconds.

    Args:
        url: a ``ws://`` or ``wss://`` endpoint, e.g. ``ws://localhost:8000/connection/websocket``.
        get_token: ``async def get_token() -> str``, asked for a token when none was given, when the
            server says it expired, and ahead of expiry. Raise :class:`ceaseless.Unauthorized` to
            stop; any other exception is logged and retried with backoff.
        get_subscription_token: ``async def get_token(channel) -> str``, the default provider for
            subscriptions to channels that need a token.
        token: the connection JWT, if you have one.
        data: custom data sent with every connect: any JSON-serializable value, or ``bytes`` sent
            as they are (JSON text with ``format="json"``, anything with ``"protobuf"``).
        name: the client name reported to the server (default ``"python"``).
        version: your application's version, reported to the server.
        headers: emulated HTTP headers sent inside every connect, ``{name: value}`` (the server
            forwards the names it lists in ``emulated_headers`` to its proxies). The values are
            secrets: they never appear in reprs or logs.
        format: ``"json"`` or ``"protobuf"`` (smaller frames, binary payloads; not over SSE).
        transports: transports in fallback order, e.g. ``["websocket", "http_stream", "sse"]``.
        fallback_urls: more endpoints (other nodes), rotated through when an attempt fails.
        timeout: for connecting, for each command and for calls waiting to connect.
        reconnect_delay_min: reconnect backoff floor (full jitter).
        reconnect_delay_max: reconnect backoff ceiling.
        max_server_ping_delay: grace past the server's ping interval before the connection is dead.
        refresh_ahead: refresh tokens this long before they expire.
        max_message_size: the largest message (bytes) the server accepts.
        offline_queue_limit: how many calls may wait for the connection during an outage.
        offline_queue_timeout: how long each of them may wait.
        suspend_after: offline this long, the client is suspended and retries more slowly.
        background_grace: how long after ``set_app_state("background")`` the connection is let
            go; ``math.inf`` keeps it.
        position_store: a path (positions kept in that JSON file) or your own
            :class:`PositionStore`.
        tls_root_ca_pem: extra trusted root certificates, PEM text (one or a list).
        proxy: an HTTP ``CONNECT`` proxy, ``http://[user:password@]host:port``.

    Raises:
        InvalidUrl: the URL (or the proxy URL) does not parse or has the wrong scheme.
        ConfigError: an invalid setting (a negative duration, an unknown transport, a bad
            certificate, an unreadable position file).
        InvalidPayload: ``data`` is not JSON in JSON mode.

    ``async with Client(...) as client`` connects and waits until connected, and closes on exit.
    Create the client (or call :meth:`connect`) inside a running event loop: token providers run
    on that loop.
    """

    def __init__(
        self,
        url: str,
        *,
        get_token: Optional[TokenProvider] = None,
        get_subscription_token: Optional[SubscriptionTokenProvider] = None,
        token: Optional[str] = None,
        data: Any = None,
        name: Optional[str] = None,
        version: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        format: Optional[Format] = None,
        transports: Optional[Sequence[Transport]] = None,
        fallback_urls: Optional[Sequence[str]] = None,
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
        position_store: Union[str, os.PathLike[str], PositionStore, None] = None,
        tls_root_ca_pem: Union[str, Sequence[str], None] = None,
        proxy: Optional[str] = None,
    ) -> None:
        self._native = _native.NativeClient(
            url,
            get_token=_provider(get_token, "connection"),
            get_subscription_token=_provider(get_subscription_token, "subscription"),
            token=token,
            data=_encode_option_data(data),
            name=name,
            version=version,
            headers=None if headers is None else dict(headers),
            format=format,
            transports=None if transports is None else list(transports),
            fallback_urls=None if fallback_urls is None else list(fallback_urls),
            timeout=timeout,
            reconnect_delay_min=reconnect_delay_min,
            reconnect_delay_max=reconnect_delay_max,
            max_server_ping_delay=max_server_ping_delay,
            refresh_ahead=refresh_ahead,
            max_message_size=max_message_size,
            offline_queue_limit=offline_queue_limit,
            offline_queue_timeout=offline_queue_timeout,
            suspend_after=suspend_after,
            background_grace=background_grace,
            position_store=_store(position_store),
            tls_root_ca_pem=_pems(tls_root_ca_pem),
            proxy=proxy,
        )
        self._subscriptions: dict[str, Subscription] = {}

    def __repr__(self) -> str:
        return f"<Client {self.state.value}>"

    async def __aenter__(self) -> Client:
        self.connect()
        try:
            await self.ready()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    @property
    def state(self) -> ClientState:
        """The current :class:`ClientState`."""
        return ClientState(self._native.state)

    def connect(self) -> None:
        """Starts connecting; the client reconnects by itself until :meth:`disconnect` or :meth:`close`."""
        self._native.connect()

    def disconnect(self) -> None:
        """Disconnects and stays so until :meth:`connect`; subscriptions recover on reconnect."""
        self._native.disconnect()

    async def close(self) -> None:
        """Closes the client for good; its iterators end and later calls raise :class:`Closed`."""
        await self._native.close()

    async def ready(self, timeout: Optional[float] = None) -> None:
        """Waits until connected.

        Raises:
            ServerError: the server refused for good (e.g. code 3500 "invalid token"), at once.
            Unauthorized: the token provider said unauthorized, or the token expired with no provider.
            TransportError, TokenError: attempts kept failing for ``timeout`` seconds (the last
                cause); the client keeps trying.
            Disconnected: ``disconnect()`` was called first.
            Closed: the client was closed.
            asyncio.TimeoutError: ``timeout`` seconds passed.
        """
        if timeout is None:
            await self._native.ready()
        else:
            await asyncio.wait_for(self._native.ready(), timeout)

    def set_token(self, token: str) -> None:
        """Replaces the connection token used by the next connect attempt."""
        self._native.set_token(token)

    def set_headers(self, headers: Mapping[str, str]) -> None:
        """Replaces the emulated headers (the whole set) for the next connect; the live connection
        keeps the ones it connected with."""
        self._native.set_headers(dict(headers))

    def network_changed(self, available: bool) -> None:
        """Tells the client the OS reports the network gone (``False``) or back (``True``).

        While it is gone the connection is dropped and no attempts are made; when it is back
        the client reconnects at once instead of waiting out its backoff.
        """
        self._native.network_changed(available)

    def set_app_state(self, state: Union[AppState, Literal["foreground", "background"]]) -> None:
        """Tells the client whether the app is in the foreground.

        In the background the connection is let go after ``background_grace`` and not retried;
        back in the foreground it reconnects and every subscription recovers.

        Raises:
            ConfigError: not ``"foreground"`` or ``"background"``.
        """
        self._native.set_app_state(state.value if isinstance(state, AppState) else state)

    async def wake(self, max_seconds: float) -> WakeReport:
        """For a push notification that woke the app: connects (even in the background), recovers
        every subscription (missed publications arrive on their iterators as usual) and returns once
        caught up or after ``max_seconds``, with per-channel counts. Then the client goes back to
        what the app state asks for (in the background it lets go of the connection again).

        Raises:
            ConfigError: ``max_seconds`` is negative or not a number.
        """
        return await self._native.wake(max_seconds)

    def events(self) -> Stream[ClientEvent]:
        """An async iterator over client events from now on (create it before connecting to see all)."""
        return Stream(self._native.events(), False, False)

    def new_subscription(
        self,
        channel: str,
        *,
        get_token: Optional[SubscriptionTokenProvider] = None,
        token: Optional[str] = None,
        data: Any = None,
        positioned: Optional[bool] = None,
        recoverable: Optional[bool] = None,
        join_leave: Optional[bool] = None,
        delta: Optional[bool] = None,
        since: Optional[Position] = None,
        resubscribe_delay_min: Optional[float] = None,
        resubscribe_delay_max: Optional[float] = None,
        tags_filter: Optional[TagsFilter] = None,
        state_loader: Optional[StateLoader] = None,
    ) -> Subscription:
        """Creates a subscription to ``channel`` (one per channel); call :meth:`Subscription.subscribe`.

        Leaving an option out (``None``) means the core's default.

        Args:
            get_token: ``async def get_token(channel) -> str`` for this subscription.
            token: a subscription token, for channels that need one.
            data: custom data sent with every subscribe (JSON-serializable, or ``bytes`` as they are).
            positioned: ask the server to track positions.
            recoverable: ask the server for recovery (if the namespace allows it).
            join_leave: ask for join and leave events.
            delta: ask for fossil delta compression (publications still arrive whole).
            since: ``(offset, epoch)``: recover everything after this position on the first subscribe
                (overrides the position store).
            resubscribe_delay_min: resubscribe backoff floor, in seconds.
            resubscribe_delay_max: resubscribe backoff ceiling, in seconds.
            tags_filter: only publications whose tags match are sent, as the wire ``FilterNode``
                dict (``{"key": "kind", "cmp": "eq", "val": "good"}``, nested with ``op`` and
                ``nodes``); the namespace must allow it, and it cannot be combined with ``delta``.
            state_loader: ``async def load(channel) -> ((offset, epoch), state)``: the app owns the
                channel's state; it is asked for it (first subscribe without a position, or when the
                server cannot recover) instead of a ``Gap``, and its answer arrives as
                :class:`ceaseless.events.StateLoaded` before the publications after that position.
                An exception is logged and retried with the resubscribe backoff.

        Raises:
            InvalidChannel: empty or longer than 255 bytes.
            DuplicateSubscription: this client already has one for ``channel``.
            ConfigError: a bad setting (a negative delay).
            InvalidPayload: ``data`` is not JSON in JSON mode.
            InvalidTagsFilter: ``tags_filter`` breaks the server's rules, or comes with ``delta``.
        """
        native = self._native.new_subscription(
            channel,
            get_token=_provider(get_token, "subscription"),
            token=token,
            data=_encode_option_data(data),
            positioned=positioned,
            recoverable=recoverable,
            join_leave=join_leave,
            delta=delta,
            since=since,
            resubscribe_delay_min=resubscribe_delay_min,
            resubscribe_delay_max=resubscribe_delay_max,
            tags_filter=_tags_filter(tags_filter),
            state_loader=_loader(state_loader),
        )
        subscription = Subscription(self, native)
        self._subscriptions[channel] = subscription
        return subscription

    def get_subscription(self, channel: str) -> Optional[Subscription]:
        """The subscription to ``channel``, if this client has one."""
        return self._subscriptions.get(channel)

    def _forget(self, channel: str) -> None:
        self._subscriptions.pop(channel, None)

    async def publish(self, channel: str, data: Any, *, raw: bool = False) -> None:
        """Publishes ``data`` (any JSON-serializable value) into ``channel``.

        With ``raw=True``, ``data`` is ``str`` or ``bytes`` that already hold JSON (any bytes with
        ``format="protobuf"``). Waits for the connection (up to the timeout) while connecting.

        Raises:
            InvalidPayload: not JSON; MessageTooLarge: over the server's limit;
            InvalidChannel; ServerError: refused; OutcomeUnknown: the connection dropped before
            the reply; Timeout; Disconnected; Closed.
        """
        await self._native.publish(channel, _encode(data, raw))

    async def history(
        self,
        channel: str,
        *,
        limit: int = 0,
        since: Optional[Position] = None,
        reverse: bool = False,
        raw: bool = False,
    ) -> HistoryResult:
        """Reads ``channel``'s history.

        Args:
            limit: 0 for only the stream's current position, -1 for everything kept, n for up to n.
            since: only publications after this ``(offset, epoch)`` (before it with ``reverse``).
            reverse: newest first.
            raw: keep data as JSON ``bytes``.
        """
        return await self._native.history(channel, limit=limit, since=since, reverse=reverse, raw=raw)

    async def presence(self, channel: str, *, raw: bool = False) -> dict[str, ClientInfo]:
        """Who is subscribed to ``channel``, as ``{client_id: ClientInfo}``."""
        return await self._native.presence(channel, raw=raw)

    async def presence_stats(self, channel: str) -> PresenceStats:
        """How many clients and users are subscribed to ``channel``."""
        return await self._native.presence_stats(channel)

    async def rpc(self, method: str, data: Any, *, raw: bool = False) -> Any:
        """Calls the server RPC ``method`` with JSON ``data`` and returns its decoded reply."""
        return await self._native.rpc(method, _encode(data, raw), raw=raw)
