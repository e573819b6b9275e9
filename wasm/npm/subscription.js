// Subscription: one channel of a Client, with events, Promise methods and `for await` over publications.
// And the wasm, loaded by the first client (no top-level await, for bundlers): until then clients and
// subscriptions hold a promise of their raw object, and calls wait, in order.
import init from './dist/ceaseless.js';
import { Emitter, emit } from './emitter.js';
import { coreError, toError, typed } from './errors.js';

let loading;
let ready = false;

/** `true` once the wasm is ready, or a promise. */
export const load = () => ready || (loading ??= init().then(() => (ready = true)));

/** `use(raw)`, typing a throw; or once `raw`, a promise, resolves. */
export function later(raw, use) {
  if (raw instanceof Promise) return raw.then(use);
  try {
    return use(raw);
  } catch (e) {
    throw toError(e);
  }
}

export const report = (target, error) => target?.[emit]('error', { type: 'error', error });

/** `later` without a result: a throw after the wait is an error event of `target`. */
export function act(raw, use, target) {
  if (!(raw instanceof Promise)) return void later(raw, use);
  raw.then((r) => later(r, use), () => {}).catch((e) => report(target, e));
}

/** `raw` (a promise) `made` when it resolves, else `failed` (typed) and rejected. */
export function pending(raw, made, failed) {
  const p = raw.then(made, (e) => {
    failed((e = toError(e)));
    throw e;
  });
  p.catch(() => {});
  return p;
}

/** A ClosedError, thrown; or while the wasm loads, a rejection. */
export function closed(message) {
  if (ready) throw coreError('Closed', message);
  return load().then(() => closed(message));
}

const disposeSymbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');

/** Internal: delivers a publication to listeners and iterators. */
export const deliver = Symbol('deliver');
/** Internal: the subscription is gone (removed, or its client closed). */
export const end = Symbol('end');

export class Subscription extends Emitter {
  // The RawSubscription, or while the wasm loads #pending, a promise of it, and the #state to report.
  #raw;
  #pending;
  #state = 'unsubscribed';
  #gone = false;
  #client;
  #forget;
  #iterators = new Set();
  // Publications kept from the subscription's creation until the first iterator takes them (as in
  // every binding: `for await` started after subscribe() still sees everything), or until the app
  // chooses `on('publication')` listeners instead.
  #early = [];

  /** Made by `Client.newSubscription`. */
  constructor(client, raw, channel, forget) {
    super();
    this.#client = client;
    this.#forget = forget;
    /** The channel. */
    this.channel = channel;
    if (!(raw instanceof Promise)) {
      this.#raw = raw;
      return;
    }
    const made = (r) => {
      if (!this.#gone) this.#raw = r;
      return r;
    };
    this.#pending = pending(raw, made, (error) => {
      if (!this.#gone) report(this, error);
      this.#forget();
      this[end]();
    });
  }

  #live() {
    return this.#gone ? closed('the subscription was removed') : this.#raw ?? this.#pending;
  }

  #act(use) {
    act(this.#live(), use, this);
  }

  /** `'unsubscribed' | 'subscribing' | 'subscribed'`. */
  get state() {
    return this.#raw ? this.#raw.state() : this.#gone ? 'unsubscribed' : this.#state;
  }

  /** Starts subscribing; resubscribes (recovering what was missed) across reconnects until unsubscribe(). */
  subscribe() {
    this.#act((raw) => raw.subscribe());
    this.#state = 'subscribing';
  }

  /** Stops. The position is kept, so a later subscribe() recovers what was missed meanwhile. */
  unsubscribe() {
    this.#act((raw) => raw.unsubscribe());
    this.#state = 'unsubscribed';
  }

  /** Resolves when subscribed; rejects with the server's refusal (ServerError, e.g. 103) or
   * UnsubscribedError if it stops first. */
  ready() {
    return typed(later(this.#live(), (raw) => raw.ready()));
  }

  /** The position of the last publication delivered, or null. */
  async position() {
    return JSON.parse(await typed(later(this.#live(), (raw) => raw.position())));
  }

  /** Publishes into this channel. */
  publish(data) {
    return this.#client.publish(this.channel, data);
  }

  /** This channel's history. */
  history(options) {
    return this.#client.history(this.channel, options);
  }

  /** Who is subscribed to this channel. */
  presence() {
    return this.#client.presence(this.channel);
  }

  /** How many clients and users are subscribed. */
  presenceStats() {
    return this.#client.presenceStats(this.channel);
  }

  /** Unsubscribes and removes the subscription from its client; iterators end. */
  remove() {
    if (this.#gone) return;
    act(this.#raw ?? this.#pending, (raw) => raw.remove());
    this.#forget();
    this[end]();
  }

  [disposeSymbol]() {
    this.remove();
  }

  on(event, listener) {
    if (event === 'publication' && this.#iterators.size === 0) this.#early = undefined;
    return super.on(event, listener);
  }

  [deliver](publication) {
    this[emit]('publication', publication);
    this.#early?.push(publication);
    for (const push of this.#iterators) push(publication);
  }

  [end]() {
    this.#gone = true;
    this.#early = undefined;
    for (const push of this.#iterators) push(undefined, true);
    this.#iterators.clear();
    const raw = this.#raw ?? this.#pending;
    this.#raw = this.#pending = undefined;
    act(raw, (r) => r?.free());
  }

  /** Every publication, each once, in order; ends when the subscription is removed. The first iterator
   * starts with the publications delivered since the subscription was created (unless a `publication`
   * listener was added before it); later ones start from now. */
  [Symbol.asyncIterator]() {
    const queue = this.#early ?? [];
    this.#early = undefined;
    let head = 0;
    let waiting;
    let done = this.#gone;
    const push = (publication, finished = false) => {
      if (finished) done = true;
      else queue.push(publication);
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(take());
      }
    };
    const take = () => {
      if (head === queue.length) return { value: undefined, done: true };
      const value = queue[head++];
      if (head === queue.length) queue.length = head = 0;
      return { value, done: false };
    };
    const stop = () => {
      this.#iterators.delete(push);
      push(undefined, true);
      return Promise.resolve({ value: undefined, done: true });
    };
    if (!done) this.#iterators.add(push);
    return {
      next: () => {
        if (head < queue.length || done) return Promise.resolve(take());
        return new Promise((resolve) => (waiting = resolve));
      },
      return: stop,
      throw: (error) => stop().then(() => Promise.reject(toError(error))),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
