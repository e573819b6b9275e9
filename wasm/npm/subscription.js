// Subscription: one channel of a Client, with events, Promise methods and `for await` over publications.
import { Emitter, emit } from './emitter.js';
import { coreError, toError, typed } from './errors.js';

const disposeSymbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');

/** Internal: delivers a publication to listeners and iterators. */
export const deliver = Symbol('deliver');
/** Internal: the subscription is gone (removed, or its client closed). */
export const end = Symbol('end');

export class Subscription extends Emitter {
  #raw;
  #client;
  #forget;
  #iterators = new Set();

  /** Made by `Client.newSubscription`. */
  constructor(client, raw, channel, forget) {
    super();
    this.#client = client;
    this.#raw = raw;
    this.#forget = forget;
    /** The channel. */
    this.channel = channel;
  }

  #live() {
    if (!this.#raw) throw coreError('Closed', 'the subscription was removed');
    return this.#raw;
  }

  /** `'unsubscribed' | 'subscribing' | 'subscribed'`. */
  get state() {
    return this.#raw ? this.#raw.state() : 'unsubscribed';
  }

  /** Starts subscribing; resubscribes (recovering what was missed) across reconnects until unsubscribe(). */
  subscribe() {
    this.#live().subscribe();
  }

  /** Stops. The position is kept, so a later subscribe() recovers what was missed meanwhile. */
  unsubscribe() {
    this.#live().unsubscribe();
  }

  /** Resolves when subscribed; rejects with UnsubscribedError if it stops first. */
  ready() {
    return typed(this.#live().ready());
  }

  /** The position of the last publication delivered, or null. */
  async position() {
    return JSON.parse(await typed(this.#live().position()));
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
    if (!this.#raw) return;
    this.#raw.remove();
    this.#raw.free();
    this.#raw = undefined;
    this.#forget();
    this[end]();
  }

  [disposeSymbol]() {
    this.remove();
  }

  [deliver](publication) {
    this[emit]('publication', publication);
    for (const push of this.#iterators) push(publication);
  }

  [end]() {
    for (const push of this.#iterators) push(undefined, true);
    this.#iterators.clear();
    this.#raw?.free();
    this.#raw = undefined;
  }

  /** Every publication from now on, each once, in order; ends when the subscription is removed. */
  [Symbol.asyncIterator]() {
    const queue = [];
    let head = 0;
    let waiting;
    let done = !this.#raw;
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
