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
  // Publications kept from the subscription's creation until the first iterator takes them (as in
  // every binding: `for await` started after subscribe() still sees everything), or until the app
  // chooses `on('publication')` listeners instead.
  #early = [];

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

  /** Resolves when subscribed; rejects with the server's refusal (ServerError, e.g. 103) or
   * UnsubscribedError if it stops first. */
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
    this.#early = undefined;
    for (const push of this.#iterators) push(undefined, true);
    this.#iterators.clear();
    this.#raw?.free();
    this.#raw = undefined;
  }

  /** Every publication, each once, in order; ends when the subscription is removed. The first iterator
   * starts with the publications delivered since the subscription was created (unless a `publication`
   * listener was added before it); later ones start from now. */
  [Symbol.asyncIterator]() {
    const queue = this.#early ?? [];
    this.#early = undefined;
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
