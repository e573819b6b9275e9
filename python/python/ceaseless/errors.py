"""The exceptions ceaseless raises.

Every exception is a :class:`CeaselessError` carrying the stable numeric ``code`` of the Rust core
(100 and up come from the server unchanged), whether retrying later may help (``temporary``), and a
``message``. The codes and flags come from the core (``ceaseless_bridge::ErrorKind``), never from
this package: an exception you create yourself gets its class's code from there. Subclasses let you catch what you can act on::

    try:
        await client.publish("chat", {"text": "hi"})
    except ceaseless.OutcomeUnknown:
        ...  # the connection dropped before the reply: it may or may not have been published
    except ceaseless.CeaselessError as e:
        log.warning("publish failed: %s (code %d, temporary=%s)", e.message, e.code, e.temporary)

Raise :class:`Unauthorized` from a token provider to stop the client (or subscription) for good.
"""

from __future__ import annotations

from typing import ClassVar, Optional, Union

from ._ceaseless import error_table

__all__ = [
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


class CeaselessError(Exception):
    """Base class of every ceaseless exception.

    Args:
        code: the stable error code (a subclass's own code when left out). A ``str`` given alone
            is taken as the message, so ``Unauthorized("banned")`` works.
        temporary: whether the same call may succeed later.
        message: a short human-readable description (never contains a token).
    """

    # Filled in from the core for every class below (see the end of this module).
    default_code: ClassVar[int] = 0
    default_temporary: ClassVar[bool] = False

    code: int
    temporary: bool
    message: str

    def __init__(
        self,
        code: Optional[Union[int, str]] = None,
        temporary: Optional[bool] = None,
        message: Optional[str] = None,
    ) -> None:
        if isinstance(code, str) and message is None:
            code, message = None, code
        self.code = self.default_code if code is None else int(code)
        self.temporary = self.default_temporary if temporary is None else bool(temporary)
        self.message = message if message is not None else type(self).__name__
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})"

    def __reduce__(self) -> tuple[type[CeaselessError], tuple[int, bool, str]]:
        return (type(self), (self.code, self.temporary, self.message))


class ServerError(CeaselessError):
    """The server answered with an error (codes 100-1999, e.g. 103 permission denied)."""


class Timeout(CeaselessError, TimeoutError):
    """No answer in time (code 1). Also a builtin :class:`TimeoutError`."""



class TransportError(CeaselessError):
    """The connection failed: network, TLS or HTTP status (code 2)."""



class Disconnected(CeaselessError):
    """The client is (or went) disconnected, so the call could not be made (code 3)."""



class Closed(CeaselessError):
    """The client was closed for good (code 4)."""



class TokenError(CeaselessError):
    """The token provider failed; it is retried with backoff (code 5)."""



class Unauthorized(TokenError):
    """The user is not allowed in (code 6). Raise it from a token provider to stop."""



class Unsubscribed(CeaselessError):
    """The subscription is (or went) unsubscribed (code 7)."""



class OutcomeUnknown(CeaselessError):
    """The connection was lost before the reply: the command may or may not have run (code 11)."""



class ProtocolError(CeaselessError):
    """The server sent something this client cannot decode (code 18)."""



class InvalidArgument(CeaselessError, ValueError):
    """Input refused before anything was sent. Also a builtin :class:`ValueError`."""



class ConfigError(InvalidArgument):
    """An invalid setting (code 12)."""



class InvalidUrl(InvalidArgument):
    """The endpoint URL is invalid or not ``ws://`` / ``wss://`` (code 13)."""



class InvalidChannel(InvalidArgument):
    """The channel name is empty or longer than 255 bytes (code 14)."""



class InvalidPayload(InvalidArgument):
    """The data is not JSON, or not JSON-serializable (code 15)."""



class MessageTooLarge(InvalidArgument):
    """The encoded command exceeds the server's message size limit (code 16)."""



class DuplicateSubscription(InvalidArgument):
    """The client already has a subscription to this channel (code 17)."""



class InvalidTagsFilter(InvalidArgument):
    """A publication tags filter the server would refuse, or one combined with ``delta`` (code 23)."""


class QueueFull(CeaselessError):
    """Too many calls are already waiting for the connection (code 19)."""



class Suspended(CeaselessError):
    """The client has been offline past its suspend threshold; calls fail fast until it is back (code 20)."""



class CallbackError(CeaselessError):
    """An app callback (a position store, a log handler) failed unexpectedly (code 21)."""


class InternalError(CeaselessError):
    """A bug in ceaseless; please report it (code 22)."""


def _apply_core_codes() -> None:
    """Sets each class's ``default_code`` and ``default_temporary`` from the core's table."""
    for name, (code, temporary) in error_table().items():
        cls = globals().get(name)
        if isinstance(cls, type) and issubclass(cls, CeaselessError):
            cls.default_code = code
            cls.default_temporary = temporary


_apply_core_codes()
