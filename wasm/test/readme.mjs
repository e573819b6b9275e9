// Runs wasm/README.md's Quickstart as written, in headless Chromium against a real Centrifugo: the
// first ```js block after "## Quickstart", with only its server URL (the placeholder below) replaced,
// as a plain `<script type="module">` with an import map for `ceaseless`. A backend answers the block's
// GET /centrifugo/token with a connection JWT. What the page prints with console.log must be exactly
// the first ```text block after the code, line by line; nothing may be printed with console.warn.
// Then, in a fresh page of the same site, clients made before the wasm has loaded (load-check.mjs).
//
//   node test/readme.mjs      (after build.sh; run-tests.sh runs it)
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { startCentrifugo } from './harness.mjs';
import { launch, openPage } from './browser.mjs';
import { loadCheck } from './load-check.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', 'npm');
const PLACEHOLDER = 'ws://localhost:8000/connection/websocket';
const step = (text) => console.log(`readme: ${text}`);

/** The Quickstart's code and the output it claims. */
function quickstart() {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Quickstart\n'));
  assert.ok(section.length < readme.length, 'README.md has a "## Quickstart" section');
  const code = /\n```js\n([\s\S]*?)\n```\n/.exec(section);
  assert.ok(code, 'the Quickstart has a ```js block');
  const printed = /\n```text\n([\s\S]*?)\n```\n/.exec(section.slice(code.index + code[0].length));
  assert.ok(printed, 'the Quickstart says what it prints, in a ```text block after the code');
  assert.equal(code[1].split(PLACEHOLDER).length, 2, `the Quickstart connects to ${PLACEHOLDER}, once`);
  return { code: code[1], expected: printed[1].split('\n') };
}

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** The page, the block as its module, the package under /node_modules/ceaseless/, and the token route. */
async function serve(server, code) {
  const page = `<!doctype html><meta charset="utf-8"><title>quickstart</title>
<script type="importmap">{"imports":{"ceaseless":"/node_modules/ceaseless/index.js"}}</script>
<script type="module" src="/quickstart.js"></script>`;
  const http = createServer((req, res) => {
    const path = new URL(req.url, 'http://page').pathname;
    if (path === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    if (path === '/blank') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(page.replace(/<script type="module".*/, ''));
    if (path === '/quickstart.js') return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(code);
    if (path === '/centrifugo/token') return res.writeHead(200, { 'Content-Type': 'text/plain' }).end(server.token('readme'));
    const prefix = '/node_modules/ceaseless/';
    const file = path.startsWith(prefix) ? normalize(join(pkg, path.slice(prefix.length))) : null;
    if (file?.startsWith(pkg) && statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      return createReadStream(file).pipe(res);
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}/`, stop: () => http.close() };
}

const { code, expected } = quickstart();
const server = await startCentrifugo();
const site = await serve(server, code.replace(PLACEHOLDER, server.ws));
const browser = await launch();
let failed = false;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const printed = [];
  const warned = [];
  const errors = [];
  let changed;
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', async (message) => {
    if (message.type() === 'warning') warned.push(message.text());
    if (message.type() !== 'log') return;
    // Each argument as Node prints it, so the README can show `1 { text: 'hello' }`.
    const values = await Promise.all(message.args().map((arg) => arg.jsonValue()));
    printed.push(values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' '));
    changed?.();
  });
  await page.goto(site.url);
  const deadline = Date.now() + 15000;
  while (printed.length < expected.length && errors.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => {
      changed = resolve;
      setTimeout(resolve, 250);
    });
  }
  assert.deepEqual(errors.map(String), [], 'the Quickstart throws nothing');
  assert.deepEqual(warned, [], 'the Quickstart warns nothing (its error listener uses console.warn)');
  assert.deepEqual(printed, expected, 'the Quickstart prints what README.md says');
  for (const line of printed) step(`printed: ${line}`);
  await context.close();
  step('the Quickstart runs as written and prints what it says');

  const blank = await openPage(browser, `${site.url}blank`);
  await loadCheck(blank.page, server.ws, server.token('load-check'));
  assert.deepEqual(blank.errors.map(String), [], 'no uncaught page errors');
  await blank.close();
  step('clients made before the wasm loaded: calls in order, refusals as events and rejections');
  step('passed');
} catch (error) {
  failed = true;
  console.error('readme: FAILED', error);
} finally {
  await browser.close();
  site.stop();
  server.stop();
}
process.exit(failed ? 1 : 0);
