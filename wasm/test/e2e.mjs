// End-to-end test of the chat demo (examples/web) in headless Chromium, against a real Centrifugo.
//
// Alice's page reaches the server through a fault proxy, Bob's directly. They chat; then Alice's
// connection is cut and the proxy refuses her reconnects while Bob keeps writing and Alice writes one
// message offline. When the proxy lets her through again, both pages must show every message exactly
// once, in stream order. Then the JS API is exercised once more from inside a page (api-check.mjs), and the v6 options (v6-check.mjs).
import assert from 'node:assert/strict';
import { startCentrifugo, startFaultProxy } from './harness.mjs';
import { launch, openPage } from './browser.mjs';
import { startDemoServer } from '../../examples/web/serve.mjs';
import { apiCheck } from './api-check.mjs';
import { v6Check } from './v6-check.mjs';

const step = (text) => console.log(`e2e: ${text}`);

/** Messages a page shows, as `user:text` in display order. */
async function messages(page) {
  return page.$$eval('#messages li', (items) =>
    items.map((li) => `${li.querySelector('.user').textContent}:${li.lastChild.textContent}`));
}

async function send(page, text) {
  await page.fill('#text', text);
  await page.click('#composer button');
}

async function waitForState(page, state) {
  await page.waitForSelector(`#status[data-state="${state}"]`, { timeout: 10000 });
}

async function waitForCount(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('#messages li').length >= n, count, { timeout: 15000 });
}

const server = await startCentrifugo();
const proxy = await startFaultProxy(server.port);
const demo = await startDemoServer(server);
const browser = await launch();
let failed = false;
try {
  const room = `test:chat-${Date.now()}`;
  const alice = await openPage(browser, `${demo.url}?user=alice&room=${room}&ws=${encodeURIComponent(proxy.ws)}`);
  const bob = await openPage(browser, `${demo.url}?user=bob&room=${room}`);
  await Promise.all([waitForState(alice.page, 'subscribed'), waitForState(bob.page, 'subscribed')]);
  step('both pages subscribed');

  await send(alice.page, 'hello from alice');
  await waitForCount(bob.page, 1);
  await send(bob.page, 'hi alice');
  await Promise.all([waitForCount(alice.page, 2), waitForCount(bob.page, 2)]);
  step('messages exchanged');

  proxy.refuse(true);
  proxy.cut();
  await waitForState(alice.page, 'connecting');
  step('alice cut off');
  for (let i = 1; i <= 5; i++) await send(bob.page, `while you were away ${i}`);
  await waitForCount(bob.page, 7);
  await send(alice.page, 'written offline');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal((await messages(alice.page)).length, 2, 'nothing reaches alice while cut off');
  proxy.refuse(false);
  step('proxy open again');

  await Promise.all([waitForCount(alice.page, 8), waitForCount(bob.page, 8)]);
  await waitForState(alice.page, 'subscribed');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const expected = [
    'alice:hello from alice',
    'bob:hi alice',
    ...[1, 2, 3, 4, 5].map((i) => `bob:while you were away ${i}`),
    'alice:written offline',
  ];
  for (const [name, page] of [['alice', alice.page], ['bob', bob.page]]) {
    const got = await messages(page);
    assert.deepEqual(got, expected, `${name} shows every message once, in order`);
    const offsets = await page.$$eval('#messages li', (items) => items.map((li) => Number(li.dataset.offset)));
    assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6, 7, 8], `${name} sees stream order`);
  }
  assert.match(await alice.page.textContent('#status'), /recovered: true/);
  step('after the reconnect both pages show all 8 messages, none twice');

  await apiCheck(bob.page, server);
  step('JS API checks passed in the page');

  await v6Check(bob.page);
  step('v6 options (tagsFilter, stateLoader, headers) passed in the page');

  for (const [name, p] of [['alice', alice], ['bob', bob]]) {
    assert.deepEqual(p.errors.map(String), [], `${name} had no uncaught page errors`);
  }
  await alice.close();
  await bob.close();
  step('passed');
} catch (error) {
  failed = true;
  console.error('e2e: FAILED', error);
} finally {
  await browser.close();
  demo.stop();
  proxy.stop();
  server.stop();
}
process.exit(failed ? 1 : 0);
