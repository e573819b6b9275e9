"""The asyncio API: :class:`Client` and :class:`Subscription`."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from types import TracebackType
from typing import Any, Awaitable, Callable, Optional, Tuple, Union

from . import _ceaseless as _native
from ._ceaseless import ClientInfo, HistoryResult, PresenceStats, Publication
from ._stream import Stream
from .errors import InvalidPayload, Unauthorized
from .events import ClientEvent, ClientState, SubscriptionEvent, SubscriptionState

__all__ = ["Client", "Subscription", "TokenProvider", "SubscriptionTokenProvider"]

logger = logging.getLogger("ceaseless")

TokenProvider = Callable[[], Union[Awaitable[str], str]]
"""``async def get_token() -> str`` (a plain function works too)."""

SubscriptionTokenProvider = Callable[[str], Union[Awaitable[str], str]]
"""``async def get_token(channel: str) -> str`` (a plain function works too)."""

Position = Tuple[int, str]
"""A stream position: ``(offset, epoch)``."""


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


class Subscription:
    """A subscription to one channel. Create it with :meth:`Client.new_subscription`.

    Publications are kept from the moment the subscription is created until the first
    :meth:`publications` or :meth:`events` iterator takes them over, so none is missed whichever
    order you call things in.
    """

    def __init__(self, client: Client, native: _native.NativeSubscription) -> None:
        self._client = client
        self._native = native
        self._first: Optional[_native.NativeStream] = native.events()

    def __repr__(self) -> str:
        return f"<Subscription {self.channel!r} {self.state.value}>"

    @property
    def channel(self) -> str:
        """The channel name."""
        return self._native.channel

    @property
    def state(self) -> SubscriptionState:
        """The current :class:`SubscriptionState`."""
        return SubscriptionState(self._native.state)

    def _stream(self) -> _native.NativeStream:
        first, self._first = self._first, None
        return first if first is not None else self._native.events()

    async def subscribe(self) -> None:
        """Subscribes and waits until the server confirms.

        The subscription then resubscribes by itself across reconnects, recovering missed
        publications, until :meth:`unsubscribe`.

        Raises:
            Unsubscribed: the server refused (see ``events()`` for the reason).
            Closed: the client was closed.
        """
        self._native.subscribe()
        await self._native.ready()

    async def unsubscribe(self) -> None:
        """Unsubscribes. The position is kept: a later :meth:`subscribe` recovers what was missed."""
        self._native.unsubscribe()

    async def ready(self) -> None:
        """Waits until subscribed (raises :class:`Unsubscribed` if it is or becomes unsubscribed)."""
        await self._native.ready()

    def remove(self) -> None:
        """Unsubscribes and removes the subscription from its client, freeing the channel name."""
        self._native.remove()
        self._client._forget(self.channel)

    def publications(self, *, raw: bool = False) -> Stream[Publication]:
        """An async iterator over the publications, each delivered once, in stream order.

        With ``raw=True``, ``Publication.data`` holds the JSON as ``bytes`` instead of decoded
        values.
        """
        return Stream(self._stream(), True, raw)

    def events(self, *, raw: bool = False) -> Stream[SubscriptionEvent]:
        """An async iterator over every event of this subscription (publications included)."""
        return Stream(self._stream(), False, raw)

    async def position(self) -> Optional[Position]:
        """The last delivered position as ``(offset, epoch)``, or ``None`` if unknown."""
        return await self._native.position()

    async def publish(self, data: Any, *, raw: bool = False) -> None:
        """Publishes into this channel; see :meth:`Client.publish`."""
        await self._client.publish(self.channel, data, raw=raw)

    async def history(
        self, *, limit: int = 0, since: Optional[Position] = None, reverse: bool = False, raw: bool = False
    ) -> HistoryResult:
        """This channel's history; see :meth:`Client.history`."""
        return await self._client.history(self.channel, limit=limit, since=since, reverse=reverse, raw=raw)

    async def presence(self, *, raw: bool = False) -> dict[str, ClientInfo]:
        """Who is subscribed to this channel; see :meth:`Client.presence`."""
        return await self._client.presence(self.channel, raw=raw)

    async def presence_stats(self) -> PresenceStats:
        """How many clients and users are subscribed; see :meth:`Client.presence_stats`."""
        return await self._client.presence_stats(self.channel)


class Client:
    """A Centrifugo client that keeps its connection and subscriptions alive.

    Args:
        url: a ``ws://`` or ``wss://`` endpoint, e.g. ``ws://localhost:8000/connection/websocket``.
        token: the connection JWT, if you have one.
        get_token: ``async def get_token() -> str``, asked for a token when none was given, when the
            server says it expired, and ahead of expiry. Raise :class:`ceaseless.Unauthorized` to
            stop; any other exception is logged and retried with backoff.
        get_subscription_token: ``async def get_token(channel) -> str``, the default provider for
            subscriptions to channels that need a token.
        name: the client name reported to the server.
        version: your application's version, reported to the server.
        timeout: seconds for opening a connection and for each command (default 5).
        reconnect_delay: ``(min, max)`` seconds of the reconnect backoff (default ``(0.5, 20)``).
        data: custom JSON data sent with every connect.

    Raises:
        InvalidUrl: the URL does not parse or is not ``ws://`` / ``wss://``.
        ConfigError: an invalid setting.

    ``async with Client(...) as client`` connects and waits until connected, and closes on exit.
    Create the client (or call :meth:`connect`) inside a running event loop: token providers run
    on that loop.
    """

    def __init__(
        self,
        url: str,
        *,
        token: Optional[str] = None,
        get_token: Optional[TokenProvider] = None,
        get_subscription_token: Optional[SubscriptionTokenProvider] = None,
        name: str = "python",
        version: Optional[str] = None,
        timeout: Optional[float] = None,
        reconnect_delay: Optional[Tuple[float, float]] = None,
        data: Any = None,
    ) -> None:
        self._native = _native.NativeClient(
            url,
            token=token,
            get_token=_provider(get_token, "connection"),
            get_subscription_token=_provider(get_subscription_token, "subscription"),
            name=name,
            version=version,
            timeout=timeout,
            reconnect_delay=reconnect_delay,
            data=None if data is None else _encode(data, False),
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
            Disconnected: the client is or becomes disconnected first (e.g. unauthorized).
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

    def events(self) -> Stream[ClientEvent]:
        """An async iterator over client events from now on (create it before connecting to see all)."""
        return Stream(self._native.events(), False, False)

    def new_subscription(
        self,
        channel: str,
        *,
        token: Optional[str] = None,
        get_token: Optional[SubscriptionTokenProvider] = None,
        recoverable: bool = False,
        positioned: bool = False,
        join_leave: bool = False,
        since: Optional[Position] = None,
        data: Any = None,
    ) -> Subscription:
        """Creates a subscription to ``channel`` (one per channel); call :meth:`Subscription.subscribe`.

        Args:
            token: a subscription token, for channels that need one.
            get_token: ``async def get_token(channel) -> str`` for this subscription.
            recoverable: ask the server for recovery (if the namespace allows it).
            positioned: ask the server to track positions.
            join_leave: ask for join and leave events.
            since: ``(offset, epoch)``: recover everything after this position on the first subscribe.
            data: custom JSON data sent with every subscribe.

        Raises:
            InvalidChannel: empty or longer than 255 bytes.
            DuplicateSubscription: this client already has one for ``channel``.
        """
        native = self._native.new_subscription(
            channel,
            token=token,
            get_token=_provider(get_token, "subscription"),
            recoverable=recoverable,
            positioned=positioned,
            join_leave=join_leave,
            since=since,
            data=None if data is None else _encode(data, False),
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

        With ``raw=True``, ``data`` is ``str`` or ``bytes`` that already hold JSON. Waits for the
        connection (up to the timeout) while connecting.

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
