// A minimal event emitter: on/off, listeners called in registration order. A throwing listener is
// reported (as an uncaught error, on a microtask) and never stops the others or the client.

/** Internal: emits an event to the listeners. */
export const emit = Symbol('emit');

export class Emitter {
  #listeners = new Map();

  /** Adds `listener` for `event`; returns this. */
  on(event, listener) {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  /** Removes `listener` for `event`; returns this. */
  off(event, listener) {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  [emit](event, context) {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        listener.call(this, context);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
