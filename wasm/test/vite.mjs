// The package in a Vite app (test/vite-app/, no Vite config), in headless Chromium against a real
// Centrifugo: through the dev server (with its dependency pre-bundling), and through `vite build` at
// the default target and at es2020, served statically. Each page connects, subscribes, and must show
// a publication made through the server API.
//
// The package is installed as npm would install it from the registry: `npm pack` of npm/, unpacked
// into vite-app/node_modules/ceaseless (a real folder, not a symlink: Vite treats a symlinked package
// as the app's own source and does not pre-bundle it, which would hide what users see).
//
//   node test/vite.mjs      (after build.sh; run-tests.sh runs it)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, createLogger, createServer, preview, version } from 'vite';
import { startCentrifugo, freePort } from './harness.mjs';
import { launch, openPage } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, 'vite-app');
// Another build of the package to try (a folder laid out like npm/), for experiments.
const pkg = process.env.CEASELESS_PKG ?? join(here, '..', 'npm');
const installed = join(app, 'node_modules', 'ceaseless');
const entry = join(installed, 'index.js');
const step = (text) => console.log(`vite: ${text}`);

// Vite's warnings (a top-level await it had to tolerate at es2020, say) fail the test.
const warnings = [];
const logger = createLogger('warn');
for (const name of ['warn', 'warnOnce']) {
  const log = logger[name];
  logger[name] = (message, options) => {
    warnings.push(message);
    log(message, options);
  };
}
const quiet = { configFile: false, logLevel: 'warn', customLogger: logger };

/** Lays the packed package into the app's node_modules, and clears Vite's optimizer cache. */
function install(scratch) {
  rmSync(join(app, 'node_modules'), { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', scratch, pkg], { encoding: 'utf8' }));
  execFileSync('tar', ['-xzf', join(scratch, filename), '-C', installed, '--strip-components=1']);
  const exported = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).exports['.'].import;
  assert.equal(join(installed, exported), entry, "the package's exports name index.js");
}

/** Opens the app at `url`, waits for the subscription, publishes through the API, waits for it. */
async function check(browser, server, url, label) {
  const channel = `test:vite-${label}-${Date.now()}`;
  const query = new URLSearchParams({ ws: server.ws, token: server.token(`vite-${label}`), channel });
  const page = await openPage(browser, `${url}?${query}`);
  try {
    await page.page.waitForSelector('#status[data-state="subscribed"]', { timeout: 15000 }).catch(async (e) => {
      throw new Error(`${label}: not subscribed (status: ${await page.page.textContent('#status')}; console: ${page.logs.join(' | ')}; errors: ${page.errors.join(' | ')})`, { cause: e });
    });
    const data = { text: `hello ${label}` };
    const reply = await server.api('publish', { channel, data });
    assert.ok(!reply.error, `publish: ${JSON.stringify(reply)}`);
    await page.page.waitForFunction((text) => [...document.querySelectorAll('#received li')].some((li) => li.textContent === text), JSON.stringify(data), { timeout: 10000 });
    assert.deepEqual(page.errors.map(String), [], `${label}: no uncaught page errors`);
  } finally {
    await page.close();
  }
}

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Builds the app into `outDir` (`target` undefined: Vite's default); checks and prints what it emits. */
async function buildApp(outDir, target) {
  const label = target ?? 'default target';
  const result = await build({
    root: app,
    ...quiet,
    build: { outDir, emptyOutDir: true, ...(target ? { target } : {}) },
  });
  assert.deepEqual(warnings.splice(0), [], `vite build (${label}) warned`);
  const output = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const modules = output.filter((o) => o.type === 'chunk').flatMap((c) => Object.keys(c.modules));
  assert.ok(modules.includes(entry), `vite build (${label}) bundles node_modules/ceaseless/index.js: ${modules.filter((m) => m.includes('ceaseless')).join(', ')}`);
  const emitted = output.filter((o) => /\.(js|wasm)$/.test(o.fileName));
  const wasm = emitted.filter((o) => o.fileName.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `vite build (${label}) emits the wasm once`);
  let total = 0;
  const parts = emitted.map((o) => {
    const bytes = o.type === 'chunk' ? Buffer.from(o.code) : Buffer.from(o.source);
    total += gz(bytes);
    return `${o.fileName} ${bytes.length} B (gzip ${gz(bytes)} B)`;
  });
  step(`build (${label}) emitted: ${parts.join(', ')}; gzip total ${total} B`);
}

const scratch = mkdtempSync(join(tmpdir(), 'ceaseless-vite-'));
install(scratch);
step(`vite ${version}; the package packed and installed into test/vite-app/node_modules/ceaseless`);

const server = await startCentrifugo();
const browser = await launch();
let failed = false;
const stops = [];
try {
  // (a) the dev server, as `vite` would start it.
  const dev = await createServer({
    root: app,
    ...quiet,
    server: { host: '127.0.0.1', port: await freePort(), strictPort: true },
  });
  stops.push(() => dev.close());
  await dev.listen();
  await check(browser, server, dev.resolvedUrls.local[0], 'dev');
  assert.deepEqual(warnings.splice(0), [], 'the dev server warned');
  // The optimizer did pre-bundle the package, from the file its exports name.
  const deps = join(app, 'node_modules', '.vite', 'deps');
  const metadata = JSON.parse(readFileSync(join(deps, '_metadata.json'), 'utf8'));
  const optimized = metadata.optimized?.ceaseless;
  assert.ok(optimized, `the dev server pre-bundled ceaseless: ${JSON.stringify(Object.keys(metadata.optimized ?? {}))}`);
  assert.equal(join(deps, optimized.src), entry, 'the dev server resolved ceaseless to its exports');
  step(`dev server: pre-bundled ${relative(app, join(deps, optimized.src)).split(sep).join('/')}; connected, subscribed, received the API publication`);

  // (b) production builds, served statically.
  for (const target of [undefined, 'es2020']) {
    const outDir = join(scratch, `dist-${target ?? 'default'}`);
    await buildApp(outDir, target);
    const site = await preview({
      root: app,
      ...quiet,
      build: { outDir },
      preview: { host: '127.0.0.1', port: await freePort(), strictPort: true },
    });
    stops.push(() => new Promise((resolve) => site.httpServer.close(resolve)));
    await check(browser, server, site.resolvedUrls.local[0], `build-${target ?? 'default'}`);
    step(`build (${target ?? 'default target'}) served statically: connected, subscribed, received the API publication`);
    assert.ok(readdirSync(join(outDir, 'assets')).some((f) => f.endsWith('.wasm')));
  }
  step('passed');
} catch (error) {
  failed = true;
  console.error('vite: FAILED', error);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await browser.close();
  server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
