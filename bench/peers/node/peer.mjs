// centrifuge-js peer of the ceaseless benchmark: follows the protocol in bench/PEERS.md.
import { createInterface } from 'node:readline';
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const scenario = env('BENCH_SCENARIO');
const url = env('BENCH_URL');
const token = env('BENCH_TOKEN');
const channel = env('BENCH_CHANNEL');
const count = Number(process.env.BENCH_COUNT || 0);

// Wall-clock nanoseconds (as a Number: microsecond precision is what we need).
const nowNs = () => (performance.timeOrigin + performance.now()) * 1e6;
const emit = (value) => process.stdout.write(JSON.stringify(value) + '\n');

// Standard input: each line is "go on"; the end of input means "exit now".
const waiting = [];
const input = createInterface({ input: process.stdin });
input.on('line', () => { const next = waiting.shift(); if (next) next(); else onLine(); });
input.on('close', () => process.exit(0));
let onLine = () => {};
const step = () => new Promise((resolve) => waiting.push(resolve));

const client = () => new Centrifuge(url, { token, websocket: WebSocket, name: 'bench' });

async function subscribed(recover, onPublication) {
  const c = client();
  const sub = c.newSubscription(channel, recover ? { recoverable: true, positioned: true } : {});
  sub.on('publication', onPublication);
  c.connect();
  sub.subscribe();
  await sub.ready();
  return c;
}

async function main() {
  if (scenario === 'throughput' || scenario === 'latency') {
    let received = 0;
    let first = 0;
    const lat = [];
    await subscribed(false, (ctx) => {
      const now = nowNs();
      const body = ctx.data;
      received += 1;
      if (received === 1) first = now;
      if (scenario === 'latency') lat.push(Math.round((now - body.t) / 1000));
      if (received === count) {
        if (scenario === 'latency') emit({ event: 'done', lat_us: lat });
        else emit({ event: 'done', received, first_ns: Math.round(first), last_ns: Math.round(now), i: body.i });
      }
    });
    emit({ event: 'ready' });
  } else if (scenario === 'fleet') {
    const n = Number(env('BENCH_CLIENTS'));
    emit({ event: 'baseline' });
    await step();
    const clients = [];
    for (let k = 0; k < n; k++) {
      const c = client();
      c.connect();
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.ready(60000)));
    emit({ event: 'connected' });
    await step();
    const subs = clients.map((c, k) => c.newSubscription(channel + k));
    subs.forEach((s) => s.subscribe());
    await Promise.all(subs.map((s) => s.ready(60000)));
    emit({ event: 'subscribed' });
  } else if (scenario === 'recovery') {
    const seen = new Set();
    let dups = 0;
    let last = 0;
    let done = false;
    const status = (event) => ({ event, unique: seen.size, dups, last_ns: Math.round(last) });
    onLine = () => emit(status('status'));
    await subscribed(true, (ctx) => {
      if (seen.has(ctx.data.i)) dups += 1; else seen.add(ctx.data.i);
      last = nowNs();
      if (!done && seen.size >= count) { done = true; emit(status('done')); }
    });
    emit({ event: 'ready' });
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
