// Benchmarks, printed (not asserted): download size, and receive cost in headless Chromium.
//
// Size: each file of a package gzipped (level 9) and summed, as a browser downloads them: ceaseless
// (wasm + wasm-bindgen glue + the wrapper), centrifuge-js 5.8.0's JSON and Protobuf browser builds,
// and ably's minified browser build.
//
// Receive: one page per library, the same Centrifugo, the same channel traffic. After a warm-up, the
// server API publishes N small JSON messages (in batches of 500); the page counts them (and touches
// their data). Reported: publications per second as the page saw them, and the renderer main thread's
// busy time (Chrome's TaskDuration and ScriptDuration via CDP) per publication.
//
//   node test/bench.mjs [--smoke]
import { gzipSync } from 'node:zlib';
import { readFileSync, createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCentrifugo } from './harness.mjs';
import { launch } from './browser.mjs';

const wasmDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
// Another build of the package to compare (a folder laid out like npm/), for experiments.
const pkgDir = process.env.CEASELESS_PKG ?? join(wasmDir, 'npm');
const N = smoke ? 2000 : 20000;
const WARMUP = smoke ? 200 : 2000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (smoke ? 1 : 3));

const packages = {
  ceaseless: ['npm/dist/ceaseless_bg.wasm', 'npm/dist/ceaseless.js', 'npm/index.js', 'npm/emitter.js', 'npm/errors.js', 'npm/subscription.js', 'npm/data.js'],
  'centrifuge 5.8.0 (JSON)': ['node_modules/centrifuge/dist/centrifuge.js'],
  'centrifuge 5.8.0 (Protobuf)': ['node_modules/centrifuge/dist/centrifuge.protobuf.js'],
  [`ably ${JSON.parse(readFileSync(join(wasmDir, 'node_modules/ably/package.json'), 'utf8')).version}`]: ['node_modules/ably/build/ably.min.js'],
};

function sizes() {
  const rows = Object.entries(packages).map(([name, files]) => {
    let raw = 0;
    let gz = 0;
    for (const f of files) {
      const bytes = readFileSync(join(wasmDir, f));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    return { name, raw, gz };
  });
  const base = rows[1].gz;
  console.log('\nDownload size (each file gzip -9, summed)');
  console.log('| package | raw bytes | gzipped bytes | gzipped vs centrifuge JSON |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${r.raw} | ${r.gz} | ${(r.gz / base).toFixed(2)}x |`);
}

/** Static files for the bench page: the package at /pkg/, centrifuge's browser build at /vendor/. */
async function serve() {
  const page = `<!doctype html><script type="importmap">{"imports":{"ceaseless":"/pkg/index.js"}}</script>
<script src="/vendor/centrifuge.js"></script><body>bench</body>`;
  const http = createServer((req, res) => {
    const path = new URL(req.url, 'http://b').pathname;
    if (path === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    const file = path.startsWith('/pkg/') ? join(pkgDir, path.slice(5))
      : path === '/vendor/centrifuge.js' ? join(wasmDir, 'node_modules/centrifuge/dist/centrifuge.js') : null;
    if (!file) return res.writeHead(404).end();
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    res.writeHead(200, { 'Content-Type': type });
    createReadStream(file).on('error', () => res.end()).pipe(res);
  });
  await new Promise((done) => http.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${http.address().port}/`, stop: () => http.close() };
}

/** Runs in the page: subscribes with `lib`, exposes counters and `bench.until(n)`. */
async function setUp({ lib, ws, token, channel }) {
  const bench = { count: 0, sum: 0, first: 0, last: 0, waiters: [] };
  window.bench = bench;
  bench.until = (n) => new Promise((resolve) => (bench.count >= n ? resolve() : bench.waiters.push({ n, resolve })));
  bench.reset = () => Object.assign(bench, { count: 0, sum: 0, first: 0, last: 0 });
  const onPublication = (publication) => {
    const now = performance.now();
    if (bench.count === 0) bench.first = now;
    bench.last = now;
    bench.count++;
    bench.sum += publication.data.n;
    for (const w of bench.waiters) if (bench.count >= w.n) w.resolve();
  };
  if (lib === 'ceaseless') {
    const { Client } = await import('ceaseless');
    const client = new Client(ws, { token });
    const sub = client.newSubscription(channel);
    sub.on('publication', onPublication);
    sub.subscribe();
    client.connect();
    await sub.ready();
  } else {
    const client = new window.Centrifuge(ws, { token });
    const sub = client.newSubscription(channel);
    sub.on('publication', onPublication);
    sub.subscribe();
    client.connect();
    await sub.ready(5000);
  }
}

async function publish(server, channel, from, count) {
  for (let start = from; start < from + count; start += 500) {
    const commands = [];
    for (let n = start; n < Math.min(from + count, start + 500); n++) {
      commands.push({ publish: { channel, data: { n, user: 'bench', text: `benchmark message number ${n}` } } });
    }
    const reply = await server.api('batch', { commands });
    if (reply.error) throw new Error(`batch publish failed: ${JSON.stringify(reply.error)}`);
  }
}

async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const get = (name) => list.find((m) => m.name === name)?.value ?? 0;
  return { task: get('TaskDuration'), script: get('ScriptDuration') };
}

async function receive(browser, server, base, lib) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('crash', () => console.error(`bench: the ${lib} page crashed`));
  page.on('pageerror', (error) => console.error(`bench: ${lib} page error: ${error}`));
  await page.goto(base);
  const channel = `bench-${lib}-${Date.now()}`;
  await page.evaluate(setUp, { lib, ws: server.ws, token: server.token('bench'), channel });
  await publish(server, channel, 0, WARMUP);
  await page.evaluate((n) => window.bench.until(n), WARMUP);
  await page.evaluate(() => window.bench.reset());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = await metrics(cdp);
  await publish(server, channel, WARMUP, N);
  await page.evaluate((n) => window.bench.until(n), N);
  const after = await metrics(cdp);
  const seen = await page.evaluate(() => ({ count: window.bench.count, sum: window.bench.sum, ms: window.bench.last - window.bench.first }));
  await context.close();
  const expectedSum = ((WARMUP + WARMUP + N - 1) * N) / 2;
  if (seen.count !== N || seen.sum !== expectedSum) throw new Error(`${lib}: got ${seen.count} publications (sum ${seen.sum})`);
  return {
    lib,
    rate: N / (seen.ms / 1000),
    taskUs: ((after.task - before.task) * 1e6) / N,
    scriptUs: ((after.script - before.script) * 1e6) / N,
  };
}

async function throughput() {
  const server = await startCentrifugo();
  const files = await serve();
  const browser = await launch();
  try {
    const rows = [];
    // Alternate and repeat, keep each library's best run: less noise from a busy 2-core machine.
    for (let round = 0; round < ROUNDS; round++) {
      for (const lib of ['centrifuge', 'ceaseless']) rows.push(await receive(browser, server, files.url, lib));
    }
    const best = (lib) => rows.filter((r) => r.lib === lib).sort((a, b) => a.taskUs - b.taskUs)[0];
    const c = best('centrifuge');
    const s = best('ceaseless');
    console.log(`\nReceive in headless Chromium, ${N} publications after ${WARMUP} warm-up (best of ${ROUNDS})`);
    console.log('| client | publications/s seen by the page | main-thread µs per publication | JS µs per publication |');
    console.log('|---|---:|---:|---:|');
    for (const r of [c, s]) {
      const name = r.lib === 'ceaseless' ? 'ceaseless (wasm)' : 'centrifuge-js 5.8.0 (JSON)';
      console.log(`| ${name} | ${Math.round(r.rate)} | ${r.taskUs.toFixed(1)} | ${r.scriptUs.toFixed(1)} |`);
    }
    console.log(`| ratio ceaseless / centrifuge | ${(s.rate / c.rate).toFixed(2)}x | ${(s.taskUs / c.taskUs).toFixed(2)}x | ${(s.scriptUs / c.scriptUs).toFixed(2)}x |`);
  } finally {
    await browser.close();
    files.stop();
    server.stop();
  }
}

sizes();
await throughput();
