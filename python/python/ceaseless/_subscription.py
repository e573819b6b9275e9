"""A subscription to one channel: :class:`Subscription`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from . import _ceaseless as _native
from ._ceaseless import ClientInfo, HistoryResult, PresenceStats, Publication
from ._stream import Stream
from ._types import Position
from .events import SubscriptionEvent, SubscriptionState

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["Subscription"]


class Subscription:
    """A subscription to one channel. Create it with :meth:`Client.new_subscription`.

    Publications are kept from the moment the subscription is created until the first
    :meth:`publications` or :meth:`events` iterator takes them over, so none is missed whichever
    order you call things in (the Rust core does this, the same in every binding).
    """

    def __init__(self, client: Client, native: _native.NativeSubscription) -> None:
        self._client = client
        self._native = native

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

    async def subscribe(self) -> None:
        """Subscribes and waits until the server confirms.

        The subscription then resubscribes by itself across reconnects, recovering missed
        publications, until :meth:`unsubscribe`.

        Raises:
            ServerError: the server refused, with its code and reason (e.g. 103 "permission denied").
            Unsubscribed: ``unsubscribe()`` was called first.
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
        return Stream(self._native.events(), True, raw)

    def events(self, *, raw: bool = False) -> Stream[SubscriptionEvent]:
        """An async iterator over every event of this subscription (publications included)."""
        return Stream(self._native.events(), False, raw)

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
