"""Client and subscription events, as frozen dataclasses for ``match`` or ``isinstance``.

``client.events()`` yields :data:`ClientEvent` values and ``subscription.events()`` yields
:data:`SubscriptionEvent` values; publications appear there as :class:`ceaseless.Publication`.

    async for event in sub.events():
        match event:
            case Subscribed(recovered=False, was_recovering=True):
                await reload_state()
            case Publication(data=data):
                handle(data)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Optional, Tuple, Union

from ._ceaseless import ClientInfo, Publication
from .errors import CeaselessError

__all__ = [
    "AppState",
    "ClientState",
    "SubscriptionState",
    "Connecting",
    "Connected",
    "Disconnected",
    "Error",
    "Message",
    "Closed",
    "Suspended",
    "ServerSubscribing",
    "ServerSubscribed",
    "ServerUnsubscribed",
    "ServerJoin",
    "ServerLeave",
    "ServerGap",
    "Subscribing",
    "Subscribed",
    "Unsubscribed",
    "Join",
    "Leave",
    "Gap",
    "StateLoaded",
    "Publication",
    "ClientEvent",
    "SubscriptionEvent",
]


class ClientState(str, enum.Enum):
    """The connection state of a :class:`ceaseless.Client`."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CLOSED = "closed"


class AppState(str, enum.Enum):
    """Whether the app is visible to the user, for :meth:`ceaseless.Client.set_app_state`."""

    FOREGROUND = "foreground"
    BACKGROUND = "background"


class SubscriptionState(str, enum.Enum):
    """The state of a :class:`ceaseless.Subscription`."""

    UNSUBSCRIBED = "unsubscribed"
    SUBSCRIBING = "subscribing"
    SUBSCRIBED = "subscribed"


@dataclass(frozen=True)
class Connecting:
    """The client is (re)connecting; ``code`` says why (0 first connect, or the server's code)."""

    code: int
    reason: str


@dataclass(frozen=True)
class Connected:
    """The server accepted the connection as ``client`` (the connection id) over ``transport``."""

    client: str
    version: str
    data: Any
    transport: str


@dataclass(frozen=True)
class Disconnected:
    """The client stopped and will not reconnect by itself."""

    code: int
    reason: str


@dataclass(frozen=True)
class Error:
    """Something failed; the client or subscription keeps going where that makes sense."""

    error: CeaselessError


@dataclass(frozen=True)
class Message:
    """An async message from the server to this connection."""

    data: Any


@dataclass(frozen=True)
class Closed:
    """The client was closed for good."""


@dataclass(frozen=True)
class Suspended:
    """Offline past the suspend threshold: the client retries more slowly and calls fail fast."""


@dataclass(frozen=True)
class ServerSubscribing:
    """A server-side subscription waits for the connection to come back."""

    channel: str


@dataclass(frozen=True)
class Subscribed:
    """The server confirmed the subscription. Recovered publications follow right after.

    ``was_recovering and not recovered`` means continuity was lost: reload your state.
    """

    recoverable: bool
    positioned: bool
    offset: Optional[int]
    epoch: Optional[str]
    was_recovering: bool
    recovered: bool
    data: Any


@dataclass(frozen=True)
class ServerSubscribed:
    """A server-side subscription to ``channel`` is active (fields as :class:`Subscribed`)."""

    channel: str
    recoverable: bool
    positioned: bool
    offset: Optional[int]
    epoch: Optional[str]
    was_recovering: bool
    recovered: bool
    data: Any


@dataclass(frozen=True)
class ServerUnsubscribed:
    """A server-side subscription ended."""

    channel: str


@dataclass(frozen=True)
class ServerJoin:
    """Someone joined the channel of a server-side subscription."""

    channel: str
    info: ClientInfo


@dataclass(frozen=True)
class ServerLeave:
    """Someone left the channel of a server-side subscription."""

    channel: str
    info: ClientInfo


@dataclass(frozen=True)
class ServerGap:
    """A server-side subscription lost continuity (fields as :class:`Gap`)."""

    channel: str
    last_delivered: Optional[Tuple[int, str]]
    resumed_from: Optional[Tuple[int, str]]


@dataclass(frozen=True)
class Subscribing:
    """The subscription is (re)subscribing; ``code`` says why."""

    code: int
    reason: str


@dataclass(frozen=True)
class Unsubscribed:
    """The subscription ended and will not resubscribe by itself."""

    code: int
    reason: str


@dataclass(frozen=True)
class Join:
    """Someone joined the channel."""

    info: ClientInfo


@dataclass(frozen=True)
class Leave:
    """Someone left the channel."""

    info: ClientInfo


@dataclass(frozen=True)
class Gap:
    """Continuity was lost: publications after ``last_delivered`` up to ``resumed_from`` are gone
    (history trimmed or expired, or a new epoch). Reload the state this channel feeds.

    Positions are ``(offset, epoch)``; it follows the ``Subscribed`` event.
    """

    last_delivered: Optional[Tuple[int, str]]
    resumed_from: Optional[Tuple[int, str]]


@dataclass(frozen=True)
class StateLoaded:
    """The subscription's state loader answered: ``state`` (decoded like publication data) is current
    at ``position`` (``(offset, epoch)``), and the subscription now recovers from there. It comes before
    every publication after ``position``.
    """

    state: Any
    position: Tuple[int, str]


ClientEvent = Union[
    Connecting,
    Connected,
    Disconnected,
    Error,
    Message,
    Closed,
    Suspended,
    ServerSubscribing,
    ServerSubscribed,
    ServerUnsubscribed,
    ServerJoin,
    ServerLeave,
    ServerGap,
    Publication,
]
"""Anything ``client.events()`` yields (publications of server-side subscriptions included)."""

SubscriptionEvent = Union[
    Subscribing, Subscribed, Unsubscribed, Join, Leave, Gap, StateLoaded, Error, Publication
]
"""Anything ``subscription.events()`` yields."""
