// The first clients of a page, made before the wasm has loaded (the package loads it on the first
// `new Client`): their calls wait and are made in order, `state` answers meanwhile, and what the core
// refuses arrives as `error` events and rejections instead of throws.
import assert from 'node:assert/strict';

/** Runs the checks in `page`: a fresh page with the `ceaseless` import map that made no client yet. */
export async function loadCheck(page, ws, token) {
  const out = await page.evaluate(async ([ws, token]) => {
    const { Client, ClosedError, ConfigError, DuplicateSubscriptionError } = await import('ceaseless');
    const out = {};
    const channel = `test:load-${Math.random().toString(36).slice(2)}`;
    // All in one turn, before the wasm can have loaded.
    const refused = new Client(ws, { minReconnectDelay: 100 });
    const refusedErrors = [];
    refused.on('error', ({ error }) => refusedErrors.push(error instanceof ConfigError));
    const client = new Client(ws, { token });
    const sub = client.newSubscription(channel, { recoverable: true });
    const twin = client.newSubscription(channel);
    const twinErrors = [];
    twin.on('error', ({ error }) => twinErrors.push(error instanceof DuplicateSubscriptionError));
    const early = sub[Symbol.asyncIterator]();
    sub.subscribe();
    client.connect();
    const published = sub.publish({ early: true });
    const gone = new Client(ws, { token });
    const closing = gone.close();
    out.before = [refused.state, client.state, sub.state, gone.state, client.getSubscription(channel) === sub];

    await client.ready();
    await sub.ready();
    await published;
    out.received = (await early.next()).value.data;
    out.refused = await refused.ready().then(() => 'resolved', (e) => [e instanceof ConfigError, e.code, refused.state]);
    out.refusedErrors = refusedErrors;
    out.twin = [twinErrors, twin.state, client.getSubscription(channel) === sub];
    await closing;
    try {
      await gone.ready();
    } catch (e) {
      out.gone = [e instanceof ClosedError, gone.state];
    }
    // Now loaded: the same refusal throws at once.
    try {
      new Client(ws, { minReconnectDelay: 100 });
    } catch (e) {
      out.loadedRefusal = e instanceof ConfigError;
    }
    out.after = [client.state, sub.state];
    await early.return();
    await client.close();
    return out;
  }, [ws, token]);
  assert.deepEqual(out.before, ['disconnected', 'connecting', 'subscribing', 'closed', true], 'state before the wasm loads');
  assert.deepEqual(out.received, { early: true }, 'calls made before the wasm loaded happen, in order');
  assert.deepEqual(out.refused, [true, out.refused[1], 'closed'], 'refused options reject ready()');
  assert.ok(out.refused[1] > 0, 'with the core\'s code');
  assert.deepEqual(out.refusedErrors, [true], 'refused options are one error event');
  assert.deepEqual(out.twin, [[true], 'unsubscribed', true], 'a duplicate subscription is an error event and is removed');
  assert.deepEqual(out.gone, [true, 'closed'], 'a client closed before the wasm loaded stays closed');
  assert.equal(out.loadedRefusal, true, 'once loaded, refused options throw');
  assert.deepEqual(out.after, ['connected', 'subscribed']);
}
