// Typed errors. The Rust side hands over `{kind, code, temporary, message}` from the one error table
// of the core (ceaseless-bridge): `kind` picks the class (`${kind}Error`), `code` is the stable numeric
// code (1-99 client-side, 100+ the server's own) and `temporary` says whether the same call may
// succeed later. No code or flag is decided here: errors raised in JS itself ask the core for theirs.
import { errorOf } from './dist/ceaseless.js';

/** The base class of every ceaseless error. */
export class CeaselessError extends Error {
  constructor(message, code = 0, temporary = false) {
    super(message);
    this.name = new.target.name;
    this.kind = new.target.name.replace(/Error$/, '') || 'Internal';
    this.code = code;
    this.temporary = temporary;
  }
}

/** No answer in time (code 1). */
export class TimeoutError extends CeaselessError {}
/** The transport failed: network, TLS, HTTP status (code 2). */
export class TransportError extends CeaselessError {}
/** The client is, or went, disconnected (code 3). */
export class DisconnectedError extends CeaselessError {}
/** The client was closed for good (code 4). */
export class ClosedError extends CeaselessError {}
/** The token function failed, not with "unauthorized" (code 5). */
export class TokenError extends CeaselessError {}

/**
 * The user is not allowed in (code 6). Throw it from a `getToken` function to stop the client (or the
 * subscription) for good instead of retrying.
 */
export class UnauthorizedError extends CeaselessError {
  constructor(message = 'unauthorized', code, temporary) {
    const info = code === undefined ? errorOf('Unauthorized') : { code, temporary };
    super(message, info.code, temporary ?? info.temporary);
  }
}

/** The subscription is, or went, unsubscribed (code 7). */
export class UnsubscribedError extends CeaselessError {}
/** The connection dropped after the command was sent: it may or may not have happened (code 11). */
export class OutcomeUnknownError extends CeaselessError {}
/** Invalid settings (code 12). */
export class ConfigError extends CeaselessError {}
/** A bad endpoint URL (code 13). */
export class InvalidUrlError extends CeaselessError {}
/** A bad channel name (code 14). */
export class InvalidChannelError extends CeaselessError {}
/** A payload that cannot be sent (code 15). */
export class InvalidPayloadError extends CeaselessError {}
/** A message over the server's size limit (code 16). */
export class MessageTooLargeError extends CeaselessError {}
/** A second subscription to one channel (code 17). */
export class DuplicateSubscriptionError extends CeaselessError {}
/** The server sent something this client cannot decode (code 18). */
export class ProtocolError extends CeaselessError {}
/** Too many calls are waiting for the connection (code 19). */
export class QueueFullError extends CeaselessError {}
/** Offline longer than `suspendAfter` (code 20). */
export class SuspendedError extends CeaselessError {}
/** An app callback (a token function, a position store) failed unexpectedly (code 21). */
export class CallbackError extends CeaselessError {}
/** A bug in ceaseless (code 22). */
export class InternalError extends CeaselessError {}
/** A publication tags filter the server would refuse, or one combined with `delta` (code 23). */
export class InvalidTagsFilterError extends CeaselessError {}
/** The server refused (codes 100 and up: its own code and message). */
export class ServerError extends CeaselessError {}

const classes = {
  TimeoutError,
  TransportError,
  DisconnectedError,
  ClosedError,
  TokenError,
  UnauthorizedError,
  UnsubscribedError,
  OutcomeUnknownError,
  ConfigError,
  InvalidUrlError,
  InvalidChannelError,
  InvalidPayloadError,
  MessageTooLargeError,
  DuplicateSubscriptionError,
  ProtocolError,
  QueueFullError,
  SuspendedError,
  CallbackError,
  InternalError,
  InvalidTagsFilterError,
  ServerError,
};

/** Turns the core's `{kind, code, message, temporary}` (or anything thrown) into a typed error. */
export function toError(value) {
  if (value instanceof Error) return value;
  const { kind = 'Internal', code = 0, message = String(value), temporary = false } = value ?? {};
  const Kind = Object.hasOwn(classes, `${kind}Error`) ? classes[`${kind}Error`] : InternalError;
  const error = new Kind(message, code, temporary);
  error.kind = Kind === InternalError ? 'Internal' : kind;
  return error;
}

/** The core's error of `kind` (`'Closed'`, ...), as a typed error with its code, optionally reworded. */
export function coreError(kind, message) {
  const info = errorOf(kind);
  return toError(message === undefined ? info : { ...info, message });
}

/** A promise whose rejection is a typed error. */
export function typed(promise) {
  return promise.catch((e) => {
    throw toError(e);
  });
}
