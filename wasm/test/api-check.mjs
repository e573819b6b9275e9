// Exercises the hand-written JS API (npm/index.js) inside a real page: Promise methods, errors typed by
// kind, events, `for await`, dispose, an async token function that throws UnauthorizedError, and the
// options and lifecycle calls of the shared option table (derived transports, Protobuf bytes, the
// app's own position store, renamed options, networkChanged, setAppState, wake).
import assert from 'node:assert/strict';

/** Runs the checks in `page` (which has the `ceaseless` import map) against the page's server. */
export async function apiCheck(page) {
  const result = await page.evaluate(async () => {
    const {
      Client, CeaselessError, ClosedError, ConfigError, DuplicateSubscriptionError, InvalidPayloadError,
      ServerError, UnauthorizedError,
    } = await import('ceaseless');
    const { ws } = await (await fetch('/config')).json();
    const token = await (await fetch('/token?user=api-check')).text();
    const out = {};
    const client = new Client(ws, { token, name: 'api-check' });
    const events = [];
    client.on('connected', (ctx) => events.push(ctx.type)).on('connecting', (ctx) => events.push(ctx.type));
    client.connect();
    await client.ready();
    out.state = client.state;

    const channel = `test:api-${Math.random().toString(36).slice(2)}`;
    const sub = client.newSubscription(channel, { recoverable: true });
    const subscribed = new Promise((resolve) => sub.on('subscribed', resolve));
    sub.subscribe();
    await sub.ready();
    out.recoverable = (await subscribed).recoverable;
    const iterator = sub[Symbol.asyncIterator]();
    await sub.publish({ n: 1, text: 'é ✓ "quoted" \n newline' });
    await client.publish(channel, [1, 'two', null]);
    out.first = (await iterator.next()).value.data;
    out.second = (await iterator.next()).value.data;
    // The first iterator of a subscription also sees what arrived before it was made.
    const early = client.newSubscription(`${channel}-early`);
    early.subscribe();
    await early.publish({ early: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const earlyIterator = early[Symbol.asyncIterator]();
    out.early = (await earlyIterator.next()).value.data;
    await earlyIterator.return();
    early.remove();
    await iterator.return();
    const history = await sub.history({ limit: -1 });
    out.history = history.publications.map((p) => p.offset);
    out.position = await sub.position();
    out.presenceUsers = Object.values((await client.presence(channel)).clients).map((c) => c.user);
    out.stats = await sub.presenceStats();
    try {
      await client.rpc('missing', {});
    } catch (e) {
      out.rpc = { server: e instanceof ServerError, base: e instanceof CeaselessError, code: e.code, name: e.name, kind: e.kind };
    }
    try {
      client.newSubscription(channel);
    } catch (e) {
      out.duplicate = { code: e.code, base: e instanceof CeaselessError, typed: e instanceof DuplicateSubscriptionError, kind: e.kind };
    }
    try {
      await client.publish(channel, undefined);
    } catch (e) {
      out.invalid = { typed: e instanceof InvalidPayloadError, kind: e.kind, code: e.code };
    }
    out.events = events.slice();
    client.networkChanged(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    out.offline = client.state;
    client.networkChanged(true);
    await client.ready();
    client.setAppState('background');
    client.setAppState('foreground');
    out.wake = await client.wake(2000);
    out.disposable = typeof client[Symbol.dispose] === 'function' && typeof sub[Symbol.dispose] === 'function';
    sub[Symbol.dispose]();
    out.afterRemove = sub.state;
    await client.close();
    out.closedState = client.state;
    try {
      await client.publish(channel, 1);
    } catch (e) {
      out.afterClose = { closed: e instanceof ClosedError, code: e.code, kind: e.kind };
    }

    const refused = new Client(ws, {
      getToken: async () => {
        throw new UnauthorizedError('logged out');
      },
    });
    out.unauthorized = await new Promise((resolve) => {
      refused.on('disconnected', (ctx) => resolve({ code: ctx.code, state: refused.state }));
      refused.connect();
    });
    await refused.close();

    try {
      new Client(ws, { minReconnectDelay: 100 });
    } catch (e) {
      out.renamed = { typed: e instanceof ConfigError, kind: e.kind, message: e.message };
    }

    // Transports derived from the client URL, Protobuf bytes, and the app's own position store.
    const saves = [];
    const bytesChannel = `test:api-bytes-${Math.random().toString(36).slice(2)}`;
    const binary = new Client(ws, {
      token,
      format: 'protobuf',
      transports: ['http_stream'],
      backgroundGrace: Infinity,
      positionStore: { load: () => null, save: (channel, position) => saves.push([channel, position.offset]) },
    });
    const transport = new Promise((resolve) => binary.on('connected', (ctx) => resolve(ctx.transport)));
    const bytesSub = binary.newSubscription(bytesChannel, { recoverable: true, delta: false, resubscribeDelayMin: 100 });
    const bytesIterator = bytesSub[Symbol.asyncIterator]();
    bytesSub.subscribe();
    binary.connect();
    await bytesSub.ready();
    await bytesSub.publish(new Uint8Array([0, 255, 128, 7]));
    const received = (await bytesIterator.next()).value.data;
    const stored = (await bytesSub.history({ limit: -1 })).publications[0].data;
    for (let i = 0; i < 50 && saves.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    out.binary = {
      transport: await transport,
      received: received instanceof Uint8Array ? [...received] : received,
      stored: stored instanceof Uint8Array ? [...stored] : stored,
      saves,
    };
    await binary.close();
    return out;
  });
  assert.equal(result.state, 'connected');
  assert.equal(result.recoverable, true);
  assert.deepEqual(result.first, { n: 1, text: 'é ✓ "quoted" \n newline' });
  assert.deepEqual(result.second, [1, 'two', null]);
  assert.deepEqual(result.early, { early: true }, 'the first iterator sees a publication made before it');
  assert.deepEqual(result.history, [1, 2]);
  assert.equal(result.position.offset, 2);
  assert.deepEqual(result.presenceUsers, ['api-check']);
  assert.deepEqual(result.stats, { numClients: 1, numUsers: 1 });
  assert.deepEqual(result.rpc, { server: true, base: true, code: 108, name: 'ServerError', kind: 'Server' });
  assert.deepEqual(result.duplicate, { code: 17, base: true, typed: true, kind: 'DuplicateSubscription' });
  assert.deepEqual(result.invalid, { typed: true, kind: 'InvalidPayload', code: 15 });
  assert.equal(result.offline, 'connecting');
  assert.equal(result.wake.caughtUp, true);
  assert.equal(typeof result.wake.elapsed, 'number');
  assert.equal(result.renamed.typed, true);
  assert.equal(result.renamed.kind, 'Config');
  assert.match(result.renamed.message, /reconnectDelayMin/);
  assert.deepEqual(result.binary.received, [0, 255, 128, 7]);
  assert.deepEqual(result.binary.stored, [0, 255, 128, 7]);
  assert.equal(result.binary.transport, 'http_stream');
  assert.ok(result.binary.saves.some(([, offset]) => offset === 1), JSON.stringify(result.binary.saves));
  assert.equal(result.disposable, true);
  assert.equal(result.afterRemove, 'unsubscribed');
  assert.equal(result.closedState, 'closed');
  assert.deepEqual(result.afterClose, { closed: true, code: 4, kind: 'Closed' });
  assert.deepEqual(result.events, ['connecting', 'connected']);
  assert.equal(result.unauthorized.state, 'disconnected');
  return result;
}
