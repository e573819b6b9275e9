// The browser tests' server side: a real Centrifugo, a relay the pages can call, and a fault proxy.
//
// - startCentrifugo(): the pinned server (.tools/bin/centrifugo) on a free loopback port, with
//   tests/centrifugo.json (flat v5 keys) plus the address and port; stop() ends it.
// - startRelay(server): a small HTTP server with permissive CORS that mints HS256 JWTs
//   (GET /token?user=&ttl=&channel=), forwards POST /api/<method> to the server API with the API key,
//   and tells a page where things are (GET /config). A page cannot call the server API itself (no CORS,
//   and the key must not reach it), and a real app gets its tokens from its backend just like this.
// - startFaultProxy(port): a TCP proxy in front of the server; cut() resets every live connection and
//   refuse(true) resets new ones at once, as an unreachable server would.
//
// As a command: `node harness.mjs -- <cmd> [args...]` starts the server and the relay, runs the
// command with CEASELESS_RELAY_URL set, stops everything and exits with the command's status.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A port nobody listens on right now (or `preferred`, when it is free). */
export function freePort(preferred = 0) {
  return new Promise((resolve) => {
    const server = createTcpServer();
    server.once('error', () => resolve(freePort(0)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const base64url = (data) => Buffer.from(data).toString('base64url');

/** An HS256 JWT over `claims`. */
export function mintToken(secret, claims) {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Centrifugo and waits for /health. */
export async function startCentrifugo() {
  const config = JSON.parse(readFileSync(join(root, 'tests', 'centrifugo.json'), 'utf8'));
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ceaseless-wasm-'));
  // tests/centrifugo.json is in Centrifugo v6's nested layout.
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, http_server: { address: '127.0.0.1', port: String(port) } }));
  const bin = join(root, '.tools', 'bin', 'centrifugo');
  const child = spawn(bin, ['--config', join(dir, 'config.json')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-4000); });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`centrifugo exited: ${log}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch { /* not up yet */ }
    if (i > 200) throw new Error(`centrifugo did not start: ${log}`);
    await sleep(50);
  }
  const api = async (method, params) => {
    const response = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { 'X-API-Key': config.http_api.key, 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return response.json();
  };
  return {
    port,
    base,
    ws: `ws://127.0.0.1:${port}/connection/websocket`,
    secret: config.client.token.hmac_secret_key,
    api,
    token: (user, ttlSeconds, extra = {}) => mintToken(config.client.token.hmac_secret_key, {
      sub: user,
      ...(ttlSeconds ? { exp: Math.floor(Date.now() / 1000) + Number(ttlSeconds) } : {}),
      ...extra,
    }),
    stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Starts the CORS relay for `server` on `port` (0: any free port). */
export async function startRelay(server, port = 0) {
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type',
  };
  // A loopback URL nothing listens on (a port just found free), for "connection refused" tests.
  const refused = `ws://127.0.0.1:${await freePort()}/connection/websocket`;
  const http = createHttpServer(async (req, res) => {
    const url = new URL(req.url, 'http://relay');
    const send = (status, type, body) => { res.writeHead(status, { ...cors, 'Content-Type': type }); res.end(body); };
    try {
      if (req.method === 'OPTIONS') return send(204, 'text/plain', '');
      if (url.pathname === '/config') {
        return send(200, 'application/json', JSON.stringify({ ws: server.ws, base: server.base, refused }));
      }
      if (url.pathname === '/token') {
        const channel = url.searchParams.get('channel');
        const token = server.token(url.searchParams.get('user') ?? 'anonymous', url.searchParams.get('ttl'), channel ? { channel } : {});
        return send(200, 'text/plain', token);
      }
      if (url.pathname.startsWith('/api/') && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const reply = await server.api(url.pathname.slice(5), JSON.parse(body || '{}'));
        return send(200, 'application/json', JSON.stringify(reply));
      }
      send(404, 'text/plain', 'not found');
    } catch (e) {
      send(500, 'text/plain', String(e));
    }
  });
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, stop: () => http.close() };
}

/** A TCP proxy to 127.0.0.1:`target` with cut() and refuse(). */
export async function startFaultProxy(target) {
  const live = new Set();
  let refusing = false;
  const server = createTcpServer((client) => {
    if (refusing) return client.resetAndDestroy();
    const upstream = connect(target, '127.0.0.1');
    const pair = { client, upstream };
    live.add(pair);
    const end = () => { live.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    port,
    ws: `ws://127.0.0.1:${port}/connection/websocket`,
    live: () => live.size,
    cut: () => { for (const { client, upstream } of live) { client.resetAndDestroy(); upstream.destroy(); } live.clear(); },
    refuse: (on) => { refusing = on; },
    stop: () => { for (const { client, upstream } of live) { client.destroy(); upstream.destroy(); } server.close(); },
  };
}

/** Runs `command` with the server and relay up; resolves with its exit status. */
export async function runWithServer(command, args, relayPort = 0) {
  const server = await startCentrifugo();
  const relay = await startRelay(server, await freePort(relayPort));
  try {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, CEASELESS_RELAY_URL: relay.url } });
    return await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    relay.stop();
    server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dash = process.argv.indexOf('--');
  const [command, ...args] = process.argv.slice(dash + 1);
  // A fixed relay port when it is free keeps CEASELESS_RELAY_URL (compiled into the wasm tests) stable,
  // so reruns do not recompile the tests.
  runWithServer(command, args, Number(process.env.CEASELESS_RELAY_PORT ?? 38471)).then((code) => process.exit(code));
}
