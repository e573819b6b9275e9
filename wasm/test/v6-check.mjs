// The Centrifugo v6 options through the hand-written JS API (npm/index.js) inside a real page: a bad
// `tagsFilter` (or one with `delta`) throws `InvalidTagsFilterError`, a `stateLoader`'s answer arrives
// as the `stateLoaded` event before the publications after it, and `headers` / `setHeaders` are taken.
import assert from 'node:assert/strict';

/** Runs the checks in `page` (which has the `ceaseless` import map) against the page's server. */
export async function v6Check(page) {
  const result = await page.evaluate(async () => {
    const { Client, CeaselessError, InvalidTagsFilterError } = await import('ceaseless');
    const { ws } = await (await fetch('/config')).json();
    const token = await (await fetch('/token?user=v6-check')).text();
    const out = {};
    const client = new Client(ws, { token, headers: { 'X-Tenant': 'blue' } });
    client.connect();
    await client.ready();
    client.setHeaders({ 'X-Tenant': 'green' });
    out.refused = [];
    for (const options of [
      { tagsFilter: { key: 'kind', cmp: 'in', vals: [] } },
      { tagsFilter: { key: 'kind', cmp: 'eq', val: 'good' }, delta: true },
    ]) {
      try {
        client.newSubscription(`tagged:v6-${Math.random().toString(36).slice(2)}`, options);
        out.refused.push('accepted');
      } catch (e) {
        out.refused.push({ typed: e instanceof InvalidTagsFilterError, base: e instanceof CeaselessError, kind: e.kind, code: e.code });
      }
    }

    // A second client reads the stream top as the app's backend would, then loads the state.
    const channel = `small:v6-${Math.random().toString(36).slice(2)}`;
    const reader = new Client(ws, { token });
    const top = reader.newSubscription(channel);
    top.subscribe();
    reader.connect();
    await top.ready();
    for (let n = 1; n <= 3; n++) await top.publish({ n });
    const loads = [];
    const sub = client.newSubscription(channel, {
      stateLoader: async (name) => {
        const { offset, epoch } = await top.history({ limit: 0 });
        loads.push(name);
        return { position: { offset, epoch }, state: { upto: offset } };
      },
    });
    const seen = [];
    sub.on('stateLoaded', (ctx) => seen.push({ type: ctx.type, state: ctx.state, offset: ctx.position.offset }));
    sub.on('publication', (pub) => seen.push({ type: 'publication', n: pub.data.n }));
    sub.subscribe();
    await sub.ready();
    await top.publish({ n: 4 });
    for (let i = 0; i < 100 && !seen.some((e) => e.type === 'publication'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    out.loads = loads.length;
    out.seen = seen;
    await reader.close();
    await client.close();
    return out;
  });
  for (const refused of result.refused) {
    assert.deepEqual(refused, { typed: true, base: true, kind: 'InvalidTagsFilter', code: 23 });
  }
  assert.equal(result.loads, 1, 'the loader is asked on the first subscribe');
  assert.deepEqual(result.seen, [
    { type: 'stateLoaded', state: { upto: 3 }, offset: 3 },
    { type: 'publication', n: 4 },
  ]);
  return result;
}
