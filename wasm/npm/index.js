// ceaseless for the browser: a dependable Centrifugo client whose protocol core is the Rust engine,
// compiled to WebAssembly. This file is the idiomatic layer over the raw wasm-bindgen classes: option
// handling, events, typed errors, page lifecycle. Events arrive from wasm in JSON batches (one call and
// one JSON.parse per batch), so publication data is parsed exactly once, here.
import { RawClient } from './dist/ceaseless.js';
import { Emitter, emit } from './emitter.js';
import { coreError, toError, typed } from './errors.js';
import { Subscription, act, closed, deliver, end, later, load, pending, report } from './subscription.js';
import { bytes, json, result, revive, reviveHistory, revivePresence, reviveReply } from './data.js';

export * from './errors.js';
export { Subscription };

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
  // The RawClient, or while the wasm loads #pending, a promise of it, and the #state to report.
  #raw;
  #pending;
  #state = 'disconnected';
  #closed = false;
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
    const url = typeof endpoint === 'string' ? absolute(endpoint) : undefined;
    const list = [...(typeof endpoint === 'string' ? [] : endpoint), ...(options.endpoints ?? [])];
    const endpoints = list.map((e) => ({ transport: e.transport, endpoint: absolute(e.endpoint) }));
    const store = options.positionStore;
    this.#binary = options.format === 'protobuf';
    const raw = later(load(), () => {
      checkNames(options);
      return RawClient.create(
        coreOptions(url, endpoints, options),
        options.getToken,
        options.getSubscriptionToken,
        (batch, buffer) => this.#dispatch(batch, buffer),
        typeof store === 'object' && store !== null ? store : undefined,
      );
    });
    if (!(raw instanceof Promise)) this.#raw = raw;
    else {
      this.#pending = pending(raw, (r) => (this.#raw = r), (error) => {
        this.#state = 'closed';
        this.#detach();
        report(this, error);
      });
    }
    this.#watchPage();
  }

  /** Online/offline drive reconnects; page visibility is the app state (see `backgroundGrace`). */
  #watchPage() {
    if (typeof window === 'undefined' || typeof document === 'undefined') return;
    const online = () => this.networkChanged(true);
    const offline = () => this.networkChanged(false);
    const visibility = () => this.setAppState(document.visibilityState === 'hidden' ? 'background' : 'foreground');
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
    return this.#closed ? closed() : this.#raw ?? this.#pending;
  }

  #act(use) {
    act(this.#live(), use, this);
  }

  #call(use) {
    return typed(later(this.#live(), use));
  }

  /** `'disconnected' | 'connecting' | 'connected' | 'closed'`. */
  get state() {
    return this.#closed ? 'closed' : this.#raw ? this.#raw.state() : this.#state;
  }

  /** Starts connecting; reconnects with backoff until disconnect() or a terminal error. */
  connect() {
    this.#act((raw) => raw.connect());
    if (this.#state !== 'closed') this.#state = 'connecting';
  }

  /** Disconnects until the next connect(); subscriptions resume, recovering, on reconnect. */
  disconnect() {
    this.#act((raw) => raw.disconnect());
    if (this.#state !== 'closed') this.#state = 'disconnected';
  }

  /** Closes for good and frees the wasm side; every subscription ends. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    const raw = this.#raw ?? (await this.#pending.catch(() => undefined));
    this.#raw = this.#pending = undefined;
    if (raw) await raw.close();
    for (const sub of this.#subs.values()) sub[end]();
    this.#subs.clear();
    raw?.free();
  }

  [disposeSymbol]() {
    void this.close();
  }

  [asyncDisposeSymbol]() {
    return this.close();
  }

  /** Resolves when connected; rejects if the client stops first. */
  ready() {
    return this.#call((raw) => raw.ready());
  }

  /** Replaces the connection token for the next connect attempt. */
  setToken(token) {
    this.#act((raw) => raw.setToken(token));
  }

  /** Replaces the emulated headers (the whole set, `{name: value}`) for the next connect. */
  setHeaders(headers) {
    const text = JSON.stringify(headers ?? {});
    this.#act((raw) => raw.setHeaders(text));
  }

  /** The network went away (`false`) or came back (`true`); `online`/`offline` already call this. */
  networkChanged(available) {
    this.#act((raw) => raw.networkChanged(Boolean(available)));
  }

  /** `'foreground'` or `'background'`; the page's visibility already calls this. */
  setAppState(state) {
    this.#act((raw) => raw.setAppState(state));
  }

  /** Push wake: connect, catch up, report, then return to the app state. */
  async wake(maxMs) {
    return JSON.parse(await this.#call((raw) => raw.wake(maxMs)));
  }

  /** Creates a subscription (one per channel); call subscribe() on it. */
  newSubscription(channel, options = {}) {
    const { getToken, stateLoader, data, ...rest } = options;
    // Keyed by the core's id (which its events carry), or a placeholder until then.
    let key = Symbol(channel);
    let sub;
    const raw = later(this.#live(), (client) => {
      checkNames(options);
      const text = JSON.stringify({ ...rest, ...dataFields(data, this.#binary) });
      const created = client.subscription(channel, text, getToken, stateLoader && this.#loader(stateLoader));
      if (sub && this.#subs.get(key) === sub) {
        this.#subs.delete(key);
        this.#subs.set((key = created.id), sub);
      }
      return created;
    });
    if (!(raw instanceof Promise)) key = raw.id;
    sub = new Subscription(this, raw, channel, () => this.#subs.get(key) === sub && this.#subs.delete(key));
    this.#subs.set(key, sub);
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
    return this.#call((raw) => (this.#binary ? raw.publishBytes(channel, bytes(data)) : raw.publish(channel, json(data))));
  }

  /** A channel's history: `limit` 0 gives only the stream top, -1 everything the server keeps. */
  async history(channel, { limit = 0, since, reverse = false } = {}) {
    return result(await this.#call((raw) => raw.history(channel, limit, since?.offset, since?.epoch, reverse)), reviveHistory);
  }

  /** Who is subscribed to `channel`. */
  async presence(channel) {
    return result(await this.#call((raw) => raw.presence(channel)), revivePresence);
  }

  /** How many clients and users are subscribed to `channel`. */
  async presenceStats(channel) {
    return JSON.parse(await this.#call((raw) => raw.presenceStats(channel)));
  }

  /** Calls an RPC method; resolves with the reply data. */
  async rpc(method, data) {
    return result(await this.#call((raw) => (this.#binary ? raw.rpcBytes(method, bytes(data)) : raw.rpc(method, json(data)))), reviveReply);
  }

  /** Sends an async message to the server (no reply). */
  send(data) {
    return this.#call((raw) => (this.#binary ? raw.sendBytes(bytes(data)) : raw.send(json(data))));
  }
}
