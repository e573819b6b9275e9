/// <reference lib="esnext.disposable" />
// Types of the ceaseless browser package. Publication data is `unknown` unless a subscription is
// created with a type argument: `client.newSubscription<ChatMessage>('chat')`.

/** A position in a channel's stream. Offsets are exact up to 2^53. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** Who published, joined or left. */
export interface ClientInfo {
  user: string;
  client: string;
  connInfo?: unknown;
  chanInfo?: unknown;
}

/** One publication, delivered once, in stream order. */
export interface Publication<T = unknown> {
  data: T;
  /** The stream offset (0 when the channel keeps no history). */
  offset: number;
  info?: ClientInfo;
  tags?: Record<string, string>;
  /** Milliseconds since the epoch, when the server sets it. */
  time?: number;
}

export type TransportName = 'websocket' | 'http_stream' | 'sse';
export type Format = 'json' | 'protobuf';

/** One entry of an ordered transport list. */
export interface TransportEndpoint {
  transport: TransportName;
  /** `ws(s)://` or `http(s)://` URL, or a path relative to the page. */
  endpoint: string;
}

/**
 * Where subscription positions survive a reload: a `localStorage` key prefix, or the app's own store.
 * `load` is called when a subscription starts; `save` after delivered publications (often: keep it
 * cheap, e.g. write to memory and persist later).
 */
export type PositionStore =
  | string
  | {
      load(channel: string): StreamPosition | null | undefined;
      save(channel: string, position: StreamPosition): void;
      /** Called when the client closes, after the last save. */
      flush?(): void;
    };

/**
 * Client options. Every option of the core (see the option table in the repository README); durations
 * are milliseconds. Unset means the core's default.
 */
export interface ClientOptions {
  /** The initial connection token (a JWT). */
  token?: string;
  /**
   * Called for a connection token when there is none and ahead of expiry (the live connection is
   * refreshed in band). Throw `UnauthorizedError` to stop for good; other errors are retried.
   */
  getToken?: () => Promise<string>;
  /** The default subscription token function, for subscriptions without their own. */
  getSubscriptionToken?: (channel: string) => Promise<string>;
  /** Custom data sent with every connect (any JSON value; a `Uint8Array` with `format: 'protobuf'`). */
  data?: unknown;
  /** Client name reported to the server (default `"js"`). */
  name?: string;
  /** Application version reported to the server. */
  version?: string;
  /**
   * Emulated HTTP headers sent inside every connect (the server forwards the names it lists in
   * `emulated_headers` to its proxies). The values are secrets: never logged.
   */
  headers?: Record<string, string>;
  /** The wire encoding (default `'json'`). With `'protobuf'`, application data is `Uint8Array`. */
  format?: Format;
  /**
   * Transports in fallback order (default `['websocket']`); their URLs are derived from the client URL
   * (`wss://host/connection/websocket` gives `https://host/connection/http_stream`, `.../sse` and
   * `https://host/emulation`). The first connect tries each in turn; the one that worked is kept.
   */
  transports?: TransportName[];
  /** Explicit per-transport URLs, overriding the derived ones. */
  endpoints?: TransportEndpoint[];
  /** More endpoints (other nodes), rotated through when an attempt fails. */
  fallbackUrls?: string[];
  /** Milliseconds to open a transport, for each command, and for calls waiting to connect. */
  timeout?: number;
  /** Reconnect backoff floor in milliseconds (full jitter). */
  reconnectDelayMin?: number;
  /** Reconnect backoff ceiling in milliseconds. */
  reconnectDelayMax?: number;
  /** Milliseconds past the server's ping interval before the connection counts as dead. */
  maxServerPingDelay?: number;
  /** Refresh tokens this many milliseconds before they expire. */
  refreshAhead?: number;
  /** The largest message (bytes) the server accepts. */
  maxMessageSize?: number;
  /** How many calls may wait for the connection during an outage. */
  offlineQueueLimit?: number;
  /** How long (ms) each of them may wait. */
  offlineQueueTimeout?: number;
  /** After this many milliseconds without a connection the client is suspended and retries slowly. */
  suspendAfter?: number;
  /**
   * How long (ms) a hidden page keeps its connection. After it, the client lets go and reconnects
   * (recovering every subscription) when the page is visible again. `Infinity` (the browser's
   * default): the connection stays while the page is open.
   */
  backgroundGrace?: number;
  /** Where positions survive a reload (default: in memory). */
  positionStore?: PositionStore;
  /** Where emulation transports POST commands (default: derived, `/emulation` on the same origin). */
  emulationEndpoint?: string;
}

/**
 * A publication tags filter, centrifuge-js's `FilterNode`: a leaf compares the tag `key` by `cmp`
 * (`eq neq in nin ex nex sw ew ct gt gte lt lte`) with `val` (or `vals` for `in` / `nin`); a logical
 * node (`op`: `and`, `or`, `not`) combines `nodes`. Checked by the core (`InvalidTagsFilterError`).
 */
export interface FilterNode {
  op?: '' | 'and' | 'or' | 'not';
  key?: string;
  cmp?: '' | 'eq' | 'neq' | 'in' | 'nin' | 'ex' | 'nex' | 'sw' | 'ew' | 'ct' | 'gt' | 'gte' | 'lt' | 'lte';
  val?: string;
  vals?: string[];
  nodes?: FilterNode[];
}

/** What a `stateLoader` resolves to: the channel's state and the position it is current at. */
export interface LoadedState<S = unknown> {
  position: StreamPosition;
  /** Any JSON value (a `Uint8Array` with `format: 'protobuf'`); handed back in `stateLoaded`. */
  state?: S;
}

export interface SubscriptionOptions {
  /** The initial subscription token. */
  token?: string;
  /** Called for subscription tokens; throw `UnauthorizedError` to stop the subscription. */
  getToken?: (channel: string) => Promise<string>;
  /** Custom data sent with every subscribe (a `Uint8Array` with `format: 'protobuf'`). */
  data?: unknown;
  /** Ask the server to track positions. */
  positioned?: boolean;
  /** Ask the server to enable recovery. */
  recoverable?: boolean;
  /** Ask for join and leave events. */
  joinLeave?: boolean;
  /** Ask for fossil delta compression (publications still arrive whole). */
  delta?: boolean;
  /** Start after this position: the first subscribe recovers everything after it. */
  since?: StreamPosition;
  /** Resubscribe backoff floor in milliseconds. */
  resubscribeDelayMin?: number;
  /** Resubscribe backoff ceiling in milliseconds. */
  resubscribeDelayMax?: number;
  /** Only publications whose tags match are sent (the namespace must allow it; not with `delta`). */
  tagsFilter?: FilterNode;
  /**
   * The app owns the channel's state: called (first subscribe without a position, or when the server
   * cannot recover) instead of a `gap`; its answer arrives as the `stateLoaded` event before the
   * publications after that position. A throw is reported as an `error` event and retried.
   */
  stateLoader?: (channel: string) => Promise<LoadedState>;
}

/** What `wake()` did. */
export interface WakeReport {
  /** Connected, with every subscription subscribed and its missed publications delivered, in time. */
  caughtUp: boolean;
  /** Publications delivered during the wake, by channel. */
  publications: Record<string, number>;
  /** How long the wake took, in milliseconds. */
  elapsed: number;
}

export type AppState = 'foreground' | 'background';

export interface HistoryOptions {
  /** 0 (default): only the stream top; -1: everything the server keeps; n: up to n publications. */
  limit?: number;
  since?: StreamPosition;
  /** Newest first. */
  reverse?: boolean;
}

export interface HistoryResult<T = unknown> {
  publications: Publication<T>[];
  offset: number;
  epoch: string;
}

export interface PresenceResult {
  /** By client id. */
  clients: Record<string, ClientInfo>;
}

export interface PresenceStatsResult {
  numClients: number;
  numUsers: number;
}

export type ClientState = 'disconnected' | 'connecting' | 'connected' | 'closed';
export type SubscriptionState = 'unsubscribed' | 'subscribing' | 'subscribed';

/** Recovery details of a (re)subscription. */
export interface SubscribedInfo {
  recoverable: boolean;
  positioned: boolean;
  position: StreamPosition | null;
  /** This subscribe asked to recover from a previous position. */
  wasRecovering: boolean;
  /** Everything missed is delivered (right after this event). `wasRecovering && !recovered`: reload state. */
  recovered: boolean;
  data: unknown;
}

/** Continuity was lost: publications between the two positions are gone; reload state. */
export interface GapInfo {
  lastDelivered: StreamPosition | null;
  resumedFrom: StreamPosition | null;
}

export interface CodeContext<K extends string> {
  type: K;
  /** Why (a client code below 100, or the server's code). */
  code: number;
  reason: string;
}

export interface ErrorContext {
  type: 'error';
  error: CeaselessError;
}

export interface ClientEvents {
  connecting: CodeContext<'connecting'>;
  connected: { type: 'connected'; client: string; version: string; transport: TransportName; data: unknown };
  disconnected: CodeContext<'disconnected'>;
  error: ErrorContext;
  message: { type: 'message'; data: unknown };
  suspended: { type: 'suspended' };
  closed: { type: 'closed' };
  serverSubscribing: { type: 'serverSubscribing'; channel: string };
  serverSubscribed: SubscribedInfo & { type: 'serverSubscribed'; channel: string };
  serverUnsubscribed: { type: 'serverUnsubscribed'; channel: string };
  serverPublication: Publication & { type: 'serverPublication'; channel: string };
  serverJoin: { type: 'serverJoin'; channel: string; info: ClientInfo };
  serverLeave: { type: 'serverLeave'; channel: string; info: ClientInfo };
  serverGap: GapInfo & { type: 'serverGap'; channel: string };
}

export interface SubscriptionEvents<T = unknown> {
  subscribing: CodeContext<'subscribing'>;
  subscribed: SubscribedInfo & { type: 'subscribed' };
  unsubscribed: CodeContext<'unsubscribed'>;
  publication: Publication<T> & { type: 'publication' };
  join: { type: 'join'; info: ClientInfo };
  leave: { type: 'leave'; info: ClientInfo };
  gap: GapInfo & { type: 'gap' };
  stateLoaded: { type: 'stateLoaded'; state: unknown; position: StreamPosition };
  error: ErrorContext;
}

export declare class Client implements Disposable, AsyncDisposable {
  /**
   * The first client made also loads the wasm (once; importing the package loads nothing). Until it is
   * ready the client's calls wait and are made in order, and what the core refuses (options, a
   * subscription) is reported as an `error` event and by the Promise methods instead of a throw.
   */
  constructor(endpoint: string | TransportEndpoint[], options?: ClientOptions);
  readonly state: ClientState;
  on<K extends keyof ClientEvents>(event: K, listener: (context: ClientEvents[K]) => void): this;
  off<K extends keyof ClientEvents>(event: K, listener: (context: ClientEvents[K]) => void): this;
  connect(): void;
  disconnect(): void;
  /** Closes for good; afterwards every method throws `ClosedError`. */
  close(): Promise<void>;
  /** Resolves once connected. Rejects at once for a terminal cause (`ServerError` with the server's
   * code, e.g. 3500; `UnauthorizedError`), or after `timeout` with the last temporary cause
   * (`TransportError`, `TokenError`) while the client keeps trying. */
  ready(): Promise<void>;
  /** Replaces the connection token for the next connect attempt. */
  setToken(token: string): void;
  /** Replaces the emulated headers (the whole set) for the next connect. */
  setHeaders(headers: Record<string, string>): void;
  /**
   * The network went away (`false`: no attempts are made) or came back (`true`: reconnect at once).
   * The page's `online`/`offline` events already call this.
   */
  networkChanged(available: boolean): void;
  /**
   * The app went to the background or came back. The page's visibility already calls this; in the
   * background the client lets go after `backgroundGrace`.
   */
  setAppState(state: AppState): void;
  /**
   * For a push that woke the app: connects (even in the background), recovers every subscription,
   * and resolves once caught up or after `maxMs`, then returns to what the app state asks for.
   */
  wake(maxMs: number): Promise<WakeReport>;
  newSubscription<T = unknown>(channel: string, options?: SubscriptionOptions): Subscription<T>;
  getSubscription(channel: string): Subscription | undefined;
  publish(channel: string, data: unknown): Promise<void>;
  history<T = unknown>(channel: string, options?: HistoryOptions): Promise<HistoryResult<T>>;
  presence(channel: string): Promise<PresenceResult>;
  presenceStats(channel: string): Promise<PresenceStatsResult>;
  rpc<R = unknown>(method: string, data: unknown): Promise<R>;
  send(data: unknown): Promise<void>;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export declare class Subscription<T = unknown> implements AsyncIterable<Publication<T>>, Disposable {
  private constructor();
  readonly channel: string;
  readonly state: SubscriptionState;
  on<K extends keyof SubscriptionEvents<T>>(event: K, listener: (context: SubscriptionEvents<T>[K]) => void): this;
  off<K extends keyof SubscriptionEvents<T>>(event: K, listener: (context: SubscriptionEvents<T>[K]) => void): this;
  subscribe(): void;
  unsubscribe(): void;
  /** Resolves once subscribed; rejects with the server's refusal (`ServerError`, e.g. 103). */
  ready(): Promise<void>;
  position(): Promise<StreamPosition | null>;
  publish(data: T): Promise<void>;
  history(options?: HistoryOptions): Promise<HistoryResult<T>>;
  presence(): Promise<PresenceResult>;
  presenceStats(): Promise<PresenceStatsResult>;
  /** Unsubscribes, removes the subscription from its client, and ends its iterators. */
  remove(): void;
  /** Every publication once, in order. The first iterator starts with those delivered since the
   * subscription was created (unless a `publication` listener was added first), so `for await` after
   * `subscribe()` misses nothing; later iterators start from the moment they are made. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Publication<T>>;
  [Symbol.dispose](): void;
}

/** The kind of a ceaseless error: its class is `${kind}Error`. */
export type ErrorKind =
  | 'Timeout'
  | 'Transport'
  | 'Disconnected'
  | 'Closed'
  | 'Token'
  | 'Unauthorized'
  | 'Unsubscribed'
  | 'OutcomeUnknown'
  | 'Config'
  | 'InvalidUrl'
  | 'InvalidChannel'
  | 'InvalidPayload'
  | 'MessageTooLarge'
  | 'DuplicateSubscription'
  | 'Protocol'
  | 'QueueFull'
  | 'Suspended'
  | 'Callback'
  | 'Internal'
  | 'InvalidTagsFilter'
  | 'Server';

export declare class CeaselessError extends Error {
  constructor(message: string, code?: number, temporary?: boolean);
  /** Which failure (the class is `${kind}Error`). */
  readonly kind: ErrorKind;
  /** Stable: 1-99 client-side (1 timeout, 2 transport, 3 disconnected, 4 closed, 6 unauthorized, ...), 100+ the server's own. */
  readonly code: number;
  /** Whether the same call may succeed later. */
  readonly temporary: boolean;
}
/** No answer in time (code 1). */
export declare class TimeoutError extends CeaselessError {}
/** The transport failed: network, TLS, HTTP status (code 2). */
export declare class TransportError extends CeaselessError {}
/** The client is, or went, disconnected (code 3). */
export declare class DisconnectedError extends CeaselessError {}
/** The client was closed for good (code 4). */
export declare class ClosedError extends CeaselessError {}
/** The token function failed, not with "unauthorized" (code 5). */
export declare class TokenError extends CeaselessError {}
/** The user is not allowed in (code 6). Throw it from a token function to stop for good. */
export declare class UnauthorizedError extends CeaselessError {
  constructor(message?: string);
}
/** The subscription is, or went, unsubscribed (code 7). */
export declare class UnsubscribedError extends CeaselessError {}
/** The connection dropped after the command was sent: it may or may not have happened (code 11). */
export declare class OutcomeUnknownError extends CeaselessError {}
/** Invalid settings (code 12). */
export declare class ConfigError extends CeaselessError {}
/** A bad endpoint URL (code 13). */
export declare class InvalidUrlError extends CeaselessError {}
/** A bad channel name (code 14). */
export declare class InvalidChannelError extends CeaselessError {}
/** A payload that cannot be sent (code 15). */
export declare class InvalidPayloadError extends CeaselessError {}
/** A message over the server's size limit (code 16). */
export declare class MessageTooLargeError extends CeaselessError {}
/** A second subscription to one channel (code 17). */
export declare class DuplicateSubscriptionError extends CeaselessError {}
/** The server sent something this client cannot decode (code 18). */
export declare class ProtocolError extends CeaselessError {}
/** Too many calls are waiting for the connection (code 19). */
export declare class QueueFullError extends CeaselessError {}
/** Offline longer than `suspendAfter` (code 20). */
export declare class SuspendedError extends CeaselessError {}
/** An app callback (a token function, a position store) failed unexpectedly (code 21). */
export declare class CallbackError extends CeaselessError {}
/** A bug in ceaseless (code 22). */
export declare class InternalError extends CeaselessError {}
/** A publication tags filter the server would refuse, or one combined with `delta` (code 23). */
export declare class InvalidTagsFilterError extends CeaselessError {}
/** The server refused (codes 100 and up: its own code and message). */
export declare class ServerError extends CeaselessError {}
