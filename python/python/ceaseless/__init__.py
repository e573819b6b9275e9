"""ceaseless: a dependable asyncio client for Centrifugo, on a Rust core.

    import ceaseless

    async with ceaseless.Client(url, get_token=get_token) as client:
        sub = client.new_subscription("chat", recoverable=True)
        await sub.subscribe()
        await client.publish("chat", {"text": "hi"})
        async for pub in sub.publications():
            print(pub.offset, pub.data)

The client reconnects with backoff, refreshes tokens, and resubscribes exactly where it left off:
publications missed while away are recovered and none is delivered twice. Logs go to the
``logging`` logger ``"ceaseless"`` (tokens redacted); call :func:`refresh_log_level` after changing
its level while clients exist.
"""

from . import events
from ._ceaseless import ClientInfo, HistoryResult, PresenceStats, Publication, WakeReport, __version__
from ._ceaseless import refresh_log_level as refresh_log_level
from ._client import (
    Client,
    Format,
    Position,
    PositionStore,
    StateLoader,
    Subscription,
    SubscriptionTokenProvider,
    TagsFilter,
    TokenProvider,
    Transport,
)
from ._stream import Stream
from .errors import (
    CallbackError,
    CeaselessError,
    Closed,
    ConfigError,
    Disconnected,
    DuplicateSubscription,
    InternalError,
    InvalidArgument,
    InvalidChannel,
    InvalidPayload,
    InvalidTagsFilter,
    InvalidUrl,
    MessageTooLarge,
    OutcomeUnknown,
    ProtocolError,
    QueueFull,
    ServerError,
    Timeout,
    TokenError,
    TransportError,
    Unauthorized,
    Suspended,
    Unsubscribed,
)
from .events import AppState, ClientState, SubscriptionState

__all__ = [
    "__version__",
    "Client",
    "Subscription",
    "Stream",
    "TokenProvider",
    "SubscriptionTokenProvider",
    "StateLoader",
    "TagsFilter",
    "Publication",
    "ClientInfo",
    "HistoryResult",
    "PresenceStats",
    "WakeReport",
    "PositionStore",
    "Position",
    "Format",
    "Transport",
    "AppState",
    "ClientState",
    "SubscriptionState",
    "events",
    "refresh_log_level",
    "CeaselessError",
    "ServerError",
    "Timeout",
    "TransportError",
    "Disconnected",
    "Closed",
    "TokenError",
    "Unauthorized",
    "Unsubscribed",
    "OutcomeUnknown",
    "ProtocolError",
    "InvalidArgument",
    "ConfigError",
    "InvalidUrl",
    "InvalidChannel",
    "InvalidPayload",
    "MessageTooLarge",
    "DuplicateSubscription",
    "InvalidTagsFilter",
    "QueueFull",
    "Suspended",
    "CallbackError",
    "InternalError",
]
