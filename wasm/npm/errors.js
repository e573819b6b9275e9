// Typed errors. Every failure carries the stable numeric `code` of the Rust core (1-99 client-side,
// 100+ from the server) and `temporary`: whether the same call may succeed later.

/** The base class of every ceaseless error. */
export class CeaselessError extends Error {
  constructor(message, code = 0, temporary = false) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.temporary = temporary;
  }
}

/** No answer in time (code 1). */
export class TimeoutError extends CeaselessError {}
/** The transport failed (code 2). */
export class TransportError extends CeaselessError {}
/** The client is, or went, disconnected (code 3). */
export class DisconnectedError extends CeaselessError {}
/** The client was closed (code 4). */
export class ClosedError extends CeaselessError {}

/**
 * The user is not allowed in (code 6). Throw it from a `getToken` function to stop the client (or the
 * subscription) for good instead of retrying.
 */
export class UnauthorizedError extends CeaselessError {
  constructor(message = 'unauthorized') {
    super(message, 6, false);
  }
}

/** The subscription is, or went, unsubscribed (code 7). */
export class UnsubscribedError extends CeaselessError {}
/** The connection dropped after the command was sent: it may or may not have happened (code 11). */
export class OutcomeUnknownError extends CeaselessError {}
/** The server refused (codes 100 and up). */
export class ServerError extends CeaselessError {}

const byCode = {
  1: TimeoutError,
  2: TransportError,
  3: DisconnectedError,
  4: ClosedError,
  7: UnsubscribedError,
  11: OutcomeUnknownError,
};

/** Turns the core's `{code, message, temporary}` (or anything thrown) into a typed error. */
export function toError(value) {
  if (value instanceof Error) return value;
  const { code = 0, message = String(value), temporary = false } = value ?? {};
  if (code === 6) {
    const error = new UnauthorizedError(message);
    return error;
  }
  const Kind = code >= 100 ? ServerError : byCode[code] ?? CeaselessError;
  return new Kind(message, code, temporary);
}

/** A promise whose rejection is a typed error. */
export function typed(promise) {
  return promise.catch((e) => {
    throw toError(e);
  });
}
