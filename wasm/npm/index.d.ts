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

/** One entry of an ordered transport list. */
export interface TransportEndpoint {
  transport: TransportName;
  /** `ws(s)://` or `http(s)://` URL, or a path relative to the page. */
  endpoint: string;
}

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
  /** Custom data sent with every connect. */
  data?: unknown;
  /** Client name reported to the server (default `"js"`). */
  name?: string;
  /** Application version reported to the server. */
  version?: string;
  /** Milliseconds to open a transport, for each command, and for calls waiting to connect (default 5000). */
  timeout?: number;
  /** Reconnect backoff bounds in milliseconds (defaults 500 and 20000, full jitter). */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
  /** Milliseconds past the server's ping interval before the connection counts as dead (default 10000). */
  maxServerPingDelay?: number;
  /**
   * How long a hidden page keeps its connection, in milliseconds. After it, the client lets go and
   * reconnects (recovering every subscription) when the page is visible again. Default `null`: the
   * connection stays while the page is open.
   */
  hiddenGrace?: number | null;
  /**
   * Keep stream positions in `localStorage`, so a reloaded page resumes its recoverable channels where
   * the previous one stopped. `'localStorage'` uses a key prefix derived from the first endpoint.
   */
  positionStore?: 'localStorage' | { prefix: string };
  /** Where emulation transports POST commands (default `/emulation` on the stream endpoint's origin). */
  emulationEndpoint?: string;
}

export interface SubscriptionOptions {
  /** The initial subscription token. */
  token?: string;
  /** Called for subscription tokens; throw `UnauthorizedError` to stop the subscription. */
  getToken?: (channel: string) => Promise<string>;
  /** Custom data sent with every subscribe. */
  data?: unknown;
  /** Ask the server to track positions. */
  positioned?: boolean;
  /** Ask the server to enable recovery. */
  recoverable?: boolean;
  /** Ask for join and leave events. */
  joinLeave?: boolean;
  /** Start after this position: the first subscribe recovers everything after it. */
  since?: StreamPosition;
  /** Resubscribe backoff bounds in milliseconds (defaults 500 and 20000). */
  minResubscribeDelay?: number;
  maxResubscribeDelay?: number;
}

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
  error: ErrorContext;
}

export declare class Client implements Disposable, AsyncDisposable {
  constructor(endpoint: string | TransportEndpoint[], options?: ClientOptions);
  readonly state: ClientState;
  on<K extends keyof ClientEvents>(event: K, listener: (context: ClientEvents[K]) => void): this;
  off<K extends keyof ClientEvents>(event: K, listener: (context: ClientEvents[K]) => void): this;
  connect(): void;
  disconnect(): void;
  /** Closes for good; afterwards every method throws `ClosedError`. */
  close(): Promise<void>;
  ready(): Promise<void>;
  setToken(token: string): void;
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
  ready(): Promise<void>;
  position(): Promise<StreamPosition | null>;
  publish(data: T): Promise<void>;
  history(options?: HistoryOptions): Promise<HistoryResult<T>>;
  presence(): Promise<PresenceResult>;
  presenceStats(): Promise<PresenceStatsResult>;
  /** Unsubscribes, removes the subscription from its client, and ends its iterators. */
  remove(): void;
  [Symbol.asyncIterator](): AsyncIterableIterator<Publication<T>>;
  [Symbol.dispose](): void;
}

export declare class CeaselessError extends Error {
  constructor(message: string, code?: number, temporary?: boolean);
  /** Stable: 1-99 client-side (1 timeout, 2 transport, 3 disconnected, 4 closed, 6 unauthorized, ...), 100+ server. */
  readonly code: number;
  /** Whether the same call may succeed later. */
  readonly temporary: boolean;
}
export declare class TimeoutError extends CeaselessError {}
export declare class TransportError extends CeaselessError {}
export declare class DisconnectedError extends CeaselessError {}
export declare class ClosedError extends CeaselessError {}
export declare class UnauthorizedError extends CeaselessError {
  constructor(message?: string);
}
export declare class UnsubscribedError extends CeaselessError {}
export declare class OutcomeUnknownError extends CeaselessError {}
export declare class ServerError extends CeaselessError {}
