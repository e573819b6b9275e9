// Exercises the hand-written JS API (npm/index.js) inside a real page: Promise methods, typed errors,
// events, `for await`, dispose, and an async token function that throws UnauthorizedError.
import assert from 'node:assert/strict';

/** Runs the checks in `page` (which has the `ceaseless` import map) against the page's server. */
export async function apiCheck(page) {
  const result = await page.evaluate(async () => {
    const { Client, CeaselessError, ClosedError, ServerError, UnauthorizedError } = await import('ceaseless');
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
    await iterator.return();
    const history = await sub.history({ limit: -1 });
    out.history = history.publications.map((p) => p.offset);
    out.position = await sub.position();
    out.presenceUsers = Object.values((await client.presence(channel)).clients).map((c) => c.user);
    out.stats = await sub.presenceStats();
    try {
      await client.rpc('missing', {});
    } catch (e) {
      out.rpc = { server: e instanceof ServerError, base: e instanceof CeaselessError, code: e.code, name: e.name };
    }
    try {
      client.newSubscription(channel);
    } catch (e) {
      out.duplicate = { code: e.code, base: e instanceof CeaselessError };
    }
    out.disposable = typeof client[Symbol.dispose] === 'function' && typeof sub[Symbol.dispose] === 'function';
    sub[Symbol.dispose]();
    out.afterRemove = sub.state;
    await client.close();
    out.closedState = client.state;
    try {
      await client.publish(channel, 1);
    } catch (e) {
      out.afterClose = { closed: e instanceof ClosedError, code: e.code };
    }
    out.events = events;

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
    return out;
  });
  assert.equal(result.state, 'connected');
  assert.equal(result.recoverable, true);
  assert.deepEqual(result.first, { n: 1, text: 'é ✓ "quoted" \n newline' });
  assert.deepEqual(result.second, [1, 'two', null]);
  assert.deepEqual(result.history, [1, 2]);
  assert.equal(result.position.offset, 2);
  assert.deepEqual(result.presenceUsers, ['api-check']);
  assert.deepEqual(result.stats, { numClients: 1, numUsers: 1 });
  assert.deepEqual(result.rpc, { server: true, base: true, code: 108, name: 'ServerError' });
  assert.deepEqual(result.duplicate, { code: 17, base: true });
  assert.equal(result.disposable, true);
  assert.equal(result.afterRemove, 'unsubscribed');
  assert.equal(result.closedState, 'closed');
  assert.deepEqual(result.afterClose, { closed: true, code: 4 });
  assert.deepEqual(result.events, ['connecting', 'connected']);
  assert.equal(result.unauthorized.state, 'disconnected');
  return result;
}
