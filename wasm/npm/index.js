// ceaseless for the browser: a dependable Centrifugo client whose protocol core is the Rust engine,
// compiled to WebAssembly. This file is the idiomatic layer over the raw wasm-bindgen classes: option
// handling, events, typed errors, page lifecycle. Events arrive from wasm in JSON batches (one call and
// one JSON.parse per batch), so publication data is parsed exactly once, here.
import init, { RawClient } from './dist/ceaseless.js';
import { Emitter, emit } from './emitter.js';
import { coreError, toError, typed } from './errors.js';
import { Subscription, deliver, end } from './subscription.js';
import { bytes, json, result, revive, reviveHistory, revivePresence, reviveReply } from './data.js';

export * from './errors.js';
export { Subscription };

await init();

const disposeSymbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');
const asyncDisposeSymbol = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

/** Options renamed to the names every ceaseless binding shares (see README). */
const renamed = {
  minReconnectDelay: 'reconnectDelayMin',
  maxReconnectDelay: 'reconnectDelayMax',
  hiddenGrace: 'backgroundGrace',
  minResubscribeDelay: 'resubscribeDelayMin',
  maxResubscribeDelay: 'resubscribeDelayMax',
};

function checkNames(options) {
  for (const [old, name] of Object.entries(renamed)) {
    if (options[old] !== undefined) throw coreError('Config', `the option ${old} is now called ${name}`);
  }
}

/** Resolves a relative endpoint against the page. */
function absolute(url) {
  return typeof location === 'undefined' ? url : new URL(url, location.href).href;
}

/** The custom data of connect or subscribe options, as the core's options JSON carries it. */
function dataFields(data, binary) {
  if (data === undefined) return {};
  return binary ? { dataBytes: Array.from(bytes(data)) } : { data };
}

/** The core's options JSON from the JS options (functions and stores travel separately). */
function coreOptions(url, endpoints, options) {
  const binary = options.format === 'protobuf';
  const grace = options.backgroundGrace;
  const store = options.positionStore;
  return JSON.stringify({
    url,
    endpoints,
    emulationEndpoint: options.emulationEndpoint && absolute(options.emulationEndpoint),
    token: options.token,
    ...dataFields(options.data, binary),
    name: options.name,
    version: options.version,
    headers: options.headers,
    format: options.format,
    transports: options.transports,
    fallbackUrls: options.fallbackUrls?.map(absolute),
    timeout: options.timeout,
    reconnectDelayMin: options.reconnectDelayMin,
    reconnectDelayMax: options.reconnectDelayMax,
    maxServerPingDelay: options.maxServerPingDelay,
    refreshAhead: options.refreshAhead,
    maxMessageSize: options.maxMessageSize,
    offlineQueueLimit: options.offlineQueueLimit,
    offlineQueueTimeout: options.offlineQueueTimeout,
    suspendAfter: options.suspendAfter,
    // JSON has no Infinity: the core reads the word.
    backgroundGrace: grace === Infinity ? 'Infinity' : grace,
    positionStore: typeof store === 'string' ? store : undefined,
  });
}

export class Client extends Emitter {
  #raw;
  #binary;
  #subs = new Map();
  #detach = () => {};

  /**
   * @param endpoint a WebSocket URL, or `{transport, endpoint}` entries tried in order on the first
   *   connect (`websocket`, `http_stream`, `sse`); relative URLs resolve against the page.
   * @param options see `ClientOptions` in index.d.ts.
   */
  constructor(endpoint, options = {}) {
    super();
    checkNames(options);
    const url = typeof endpoint === 'string' ? absolute(endpoint) : undefined;
    const list = [...(typeof endpoint === 'string' ? [] : endpoint), ...(options.endpoints ?? [])];
    const endpoints = list.map((e) => ({ transport: e.transport, endpoint: absolute(e.endpoint) }));
    const store = options.positionStore;
    this.#binary = options.format === 'protobuf';
    try {
      this.#raw = RawClient.create(
        coreOptions(url, endpoints, options),
        options.getToken,
        options.getSubscriptionToken,
        (batch, buffer) => this.#dispatch(batch, buffer),
        typeof store === 'object' && store !== null ? store : undefined,
      );
    } catch (e) {
      throw toError(e);
    }
    this.#watchPage();
  }

  /** Online/offline drive reconnects; page visibility is the app state (see `backgroundGrace`). */
  #watchPage() {
    if (typeof window === 'undefined' || typeof document === 'undefined') return;
    const raw = this.#raw;
    const online = () => raw.networkChanged(true);
    const offline = () => raw.networkChanged(false);
    const visibility = () => raw.setAppState(document.visibilityState === 'hidden' ? 'background' : 'foreground');
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visibility);
    if (navigator.onLine === false) offline();
    visibility();
    this.#detach = () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      document.removeEventListener('visibilitychange', visibility);
    };
  }

  #dispatch(batch, buffer) {
    for (const [target, type, context] of JSON.parse(batch)) {
      const emitter = target === 0 ? this : this.#subs.get(target);
      if (!emitter) continue;
      revive(context, buffer);
      if (type === 'publication') {
        emitter[deliver](context);
        continue;
      }
      if (type === 'error') context.error = toError(context.error);
      emitter[emit](type, context);
    }
  }

  #live() {
    if (!this.#raw) throw coreError('Closed');
    return this.#raw;
  }

  /** `'disconnected' | 'connecting' | 'connected' | 'closed'`. */
  get state() {
    return this.#raw ? this.#raw.state() : 'closed';
  }

  /** Starts connecting; reconnects with backoff until disconnect() or a terminal error. */
  connect() {
    this.#live().connect();
  }

  /** Disconnects until the next connect(); subscriptions resume, recovering, on reconnect. */
  disconnect() {
    this.#live().disconnect();
  }

  /** Closes for good and frees the wasm side; every subscription ends. */
  async close() {
    const raw = this.#raw;
    if (!raw) return;
    this.#raw = undefined;
    this.#detach();
    await raw.close();
    for (const sub of this.#subs.values()) sub[end]();
    this.#subs.clear();
    raw.free();
  }

  [disposeSymbol]() {
    void this.close();
  }

  [asyncDisposeSymbol]() {
    return this.close();
  }

  /** Resolves when connected; rejects if the client stops first. */
  ready() {
    return typed(this.#live().ready());
  }

  /** Replaces the connection token for the next connect attempt. */
  setToken(token) {
    this.#live().setToken(token);
  }

  /** Replaces the emulated headers (the whole set, `{name: value}`) for the next connect. */
  setHeaders(headers) {
    try {
      this.#live().setHeaders(JSON.stringify(headers ?? {}));
    } catch (e) {
      throw toError(e);
    }
  }

  /** The network went away (`false`) or came back (`true`); `online`/`offline` already call this. */
  networkChanged(available) {
    this.#live().networkChanged(Boolean(available));
  }

  /** `'foreground'` or `'background'`; the page's visibility already calls this. */
  setAppState(state) {
    try {
      this.#live().setAppState(state);
    } catch (e) {
      throw toError(e);
    }
  }

  /** Push wake: connect, catch up, report, then return to the app state. */
  async wake(maxMs) {
    return JSON.parse(await typed(this.#live().wake(maxMs)));
  }

  /** Creates a subscription (one per channel); call subscribe() on it. */
  newSubscription(channel, options = {}) {
    checkNames(options);
    const { getToken, stateLoader, data, ...rest } = options;
    const text = JSON.stringify({ ...rest, ...dataFields(data, this.#binary) });
    let raw;
    try {
      raw = this.#live().subscription(channel, text, getToken, stateLoader && this.#loader(stateLoader));
    } catch (e) {
      throw toError(e);
    }
    const id = raw.id;
    const sub = new Subscription(this, raw, channel, () => this.#subs.delete(id));
    this.#subs.set(id, sub);
    return sub;
  }

  /** The app's `stateLoader` as the core reads it: `{offset, epoch, state}`, state in the wire's form. */
  #loader(stateLoader) {
    const binary = this.#binary;
    return async (channel) => {
      const { position, state } = (await stateLoader(channel)) ?? {};
      const encoded = state === undefined || state === null ? undefined : binary ? bytes(state) : json(state);
      return { offset: position?.offset, epoch: position?.epoch, state: encoded };
    };
  }

  /** The subscription to `channel`, if there is one. */
  getSubscription(channel) {
    for (const sub of this.#subs.values()) if (sub.channel === channel) return sub;
    return undefined;
  }

  /** Publishes `data` (any JSON value; bytes with the Protobuf format) into `channel`. */
  publish(channel, data) {
    const raw = this.#live();
    return typed(this.#binary ? raw.publishBytes(channel, bytes(data)) : raw.publish(channel, json(data)));
  }

  /** A channel's history: `limit` 0 gives only the stream top, -1 everything the server keeps. */
  async history(channel, { limit = 0, since, reverse = false } = {}) {
    const raw = this.#live().history(channel, limit, since?.offset, since?.epoch, reverse);
    return result(await typed(raw), reviveHistory);
  }

  /** Who is subscribed to `channel`. */
  async presence(channel) {
    return result(await typed(this.#live().presence(channel)), revivePresence);
  }

  /** How many clients and users are subscribed to `channel`. */
  async presenceStats(channel) {
    return JSON.parse(await typed(this.#live().presenceStats(channel)));
  }

  /** Calls an RPC method; resolves with the reply data. */
  async rpc(method, data) {
    const raw = this.#live();
    const reply = this.#binary ? raw.rpcBytes(method, bytes(data)) : raw.rpc(method, json(data));
    return result(await typed(reply), reviveReply);
  }

  /** Sends an async message to the server (no reply). */
  send(data) {
    const raw = this.#live();
    return typed(this.#binary ? raw.sendBytes(bytes(data)) : raw.send(json(data)));
  }
}
