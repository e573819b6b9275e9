// ceaseless for the browser: a dependable Centrifugo client whose protocol core is the Rust engine,
// compiled to WebAssembly. This file is the idiomatic layer over the raw wasm-bindgen classes: option
// handling, events, typed errors, page lifecycle. Events arrive from wasm in JSON batches (one call and
// one JSON.parse per batch), so publication data is parsed exactly once, here.
import init, { RawClient } from './dist/ceaseless.js';
import { Emitter, emit } from './emitter.js';
import { ClosedError, toError, typed } from './errors.js';
import { Subscription, deliver, end } from './subscription.js';

export * from './errors.js';
export { Subscription };

await init();

const disposeSymbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');
const asyncDisposeSymbol = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

/** Resolves a relative endpoint against the page. */
function absolute(url) {
  return typeof location === 'undefined' ? url : new URL(url, location.href).href;
}

/** JSON text of application data (the core rejects what is not JSON). */
function json(data) {
  return JSON.stringify(data) ?? '';
}

/** The core's options JSON from the JS options. */
function coreOptions(endpoints, options) {
  const store = options.positionStore;
  return JSON.stringify({
    endpoints,
    emulationEndpoint: options.emulationEndpoint && absolute(options.emulationEndpoint),
    token: options.token,
    data: options.data,
    name: options.name,
    version: options.version,
    timeout: options.timeout,
    minReconnectDelay: options.minReconnectDelay,
    maxReconnectDelay: options.maxReconnectDelay,
    maxServerPingDelay: options.maxServerPingDelay,
    hiddenGrace: options.hiddenGrace ?? null,
    positionStore: store === 'localStorage' ? `ceaseless:${endpoints[0]?.endpoint}:` : store?.prefix,
  });
}

export class Client extends Emitter {
  #raw;
  #subs = new Map();
  #detach = () => {};

  /**
   * @param endpoint a WebSocket URL, or `{transport, endpoint}` entries tried in order on the first
   *   connect (`websocket`, `http_stream`, `sse`); relative URLs resolve against the page.
   * @param options see `ClientOptions` in index.d.ts.
   */
  constructor(endpoint, options = {}) {
    super();
    const list = typeof endpoint === 'string' ? [{ transport: 'websocket', endpoint }] : endpoint;
    const endpoints = list.map((e) => ({ transport: e.transport, endpoint: absolute(e.endpoint) }));
    try {
      this.#raw = new RawClient(
        coreOptions(endpoints, options),
        options.getToken,
        options.getSubscriptionToken,
        (batch) => this.#dispatch(batch),
      );
    } catch (e) {
      throw toError(e);
    }
    this.#watchPage();
  }

  /** Online/offline drive reconnects; page visibility is reported for the `hiddenGrace` policy. */
  #watchPage() {
    if (typeof window === 'undefined' || typeof document === 'undefined') return;
    const raw = this.#raw;
    const online = () => raw.networkChanged(true);
    const offline = () => raw.networkChanged(false);
    const visibility = () => raw.setVisible(document.visibilityState !== 'hidden');
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

  #dispatch(batch) {
    for (const [target, type, context] of JSON.parse(batch)) {
      const emitter = target === 0 ? this : this.#subs.get(target);
      if (!emitter) continue;
      if (type === 'publication') {
        emitter[deliver](context);
        continue;
      }
      if (type === 'error') context.error = toError(context.error);
      emitter[emit](type, context);
    }
  }

  #live() {
    if (!this.#raw) throw new ClosedError('the client is closed', 4, false);
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

  /** Creates a subscription (one per channel); call subscribe() on it. */
  newSubscription(channel, options = {}) {
    const text = JSON.stringify({ ...options, getToken: undefined });
    let raw;
    try {
      raw = this.#live().newSubscription(channel, text, options.getToken);
    } catch (e) {
      throw toError(e);
    }
    const id = raw.id;
    const sub = new Subscription(this, raw, channel, () => this.#subs.delete(id));
    this.#subs.set(id, sub);
    return sub;
  }

  /** The subscription to `channel`, if there is one. */
  getSubscription(channel) {
    for (const sub of this.#subs.values()) if (sub.channel === channel) return sub;
    return undefined;
  }

  /** Publishes `data` (any JSON value) into `channel`. */
  publish(channel, data) {
    return typed(this.#live().publish(channel, json(data)));
  }

  /** A channel's history: `limit` 0 gives only the stream top, -1 everything the server keeps. */
  async history(channel, { limit = 0, since, reverse = false } = {}) {
    const raw = this.#live().history(channel, limit, since?.offset, since?.epoch, reverse);
    return JSON.parse(await typed(raw));
  }

  /** Who is subscribed to `channel`. */
  async presence(channel) {
    return JSON.parse(await typed(this.#live().presence(channel)));
  }

  /** How many clients and users are subscribed to `channel`. */
  async presenceStats(channel) {
    return JSON.parse(await typed(this.#live().presenceStats(channel)));
  }

  /** Calls an RPC method; resolves with the reply data. */
  async rpc(method, data) {
    return JSON.parse(await typed(this.#live().rpc(method, json(data))));
  }

  /** Sends an async message to the server (no reply). */
  send(data) {
    return typed(this.#live().send(json(data)));
  }
}
