// Records real server frames for the fuzz corpora: runs a real Centrifugo (the pinned .tools binary and
// tests/centrifugo.json), drives centrifuge-js over JSON and over Protobuf through a recording
// WebSocket (connect, subscribe with recovery and fossil delta, publications, history, presence, an
// RPC error, a server disconnect, a recovering resubscribe) and writes each frame received into
// fuzz/corpus/. Run once when the wire changes: `node fuzz/capture-seeds.mjs` (needs bench/peers/node's
// npm install, for centrifuge-js and ws). The corpora it writes are committed.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCentrifugo } from '../wasm/test/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'bench', 'peers', 'node', 'package.json'));
const WebSocket = require('ws');
const json = await import(require.resolve('centrifuge'));
const protobuf = await import(join(dirname(require.resolve('centrifuge')), 'protobuf', 'index.mjs'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function capture(server, Centrifuge, format) {
  const frames = [];
  class Recording extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.on('message', (data) => frames.push(Buffer.from(data)));
    }
  }
  const user = `fuzz-${format}`;
  const channel = `test:fuzz-${format}-${Date.now()}`;
  const client = new Centrifuge(server.ws, { websocket: Recording, token: server.token(user) });
  const sub = client.newSubscription(channel, { delta: 'fossil', joinLeave: true });
  client.connect();
  sub.subscribe();
  await sub.ready(5000);
  const text = 'the same long-ish text so that fossil delta has something to reuse, ';
  for (let n = 1; n <= 4; n++) {
    await server.api('publish', { channel, data: { n, text: text.repeat(2), tags: ['x'] }, delta: true });
  }
  const data = (value) => (format === 'json' ? value : new TextEncoder().encode(JSON.stringify(value)));
  await sub.publish(data({ from: 'client', n: 5 }));
  await sub.history({ limit: 10 });
  await sub.presence();
  await sub.presenceStats();
  await client.rpc('nope', data({})).catch(() => {});
  await sleep(200);
  await server.api('disconnect', { user, disconnect: { code: 4000, reason: 'fuzz seed' } });
  await sleep(100);
  await server.api('publish', { channel, data: { n: 6, text: text.repeat(2) }, delta: true });
  await sub.ready(10000);
  await sleep(300);
  client.disconnect();
  return frames;
}

function write(dir, name, bytes) {
  mkdirSync(join(here, 'corpus', dir), { recursive: true });
  writeFileSync(join(here, 'corpus', dir, name), bytes);
}

const u16 = (n) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const server = await startCentrifugo();
try {
  rmSync(join(here, 'corpus'), { recursive: true, force: true });
  let jsonFrames = [];
  for (const [format, lib, formatByte] of [['json', json, 0], ['protobuf', protobuf, 1]]) {
    const frames = await capture(server, lib.Centrifuge, format);
    if (format === 'json') jsonFrames = frames;
    frames.forEach((frame, i) => write(`decode_${format}`, `${format}-${String(i).padStart(2, '0')}`, frame));
    // The engine: the whole session as one input, frames with a 50 ms step between them.
    const steps = frames.flatMap((frame) => [Buffer.from([0]), u16(frame.length), frame, Buffer.from([4, 1])]);
    write('engine_frames', `${format}-session`, Buffer.concat([Buffer.from([formatByte]), ...steps]));
    // The stream decoders: the frames as an HTTP stream (JSON lines or Protobuf) and as SSE, in chunks.
    const separator = format === 'json' ? Buffer.from('\n') : Buffer.alloc(0);
    const stream = Buffer.concat(frames.flatMap((frame) => [frame, separator]));
    write('emulation_stream', `${format}-http-stream`, Buffer.concat([Buffer.from([formatByte, 37]), stream]));
    if (format === 'json') {
      const sse = Buffer.concat(frames.map((frame) => Buffer.from(`data: ${frame.toString('utf8').replaceAll('\n', '\ndata: ')}\n\n`)));
      write('emulation_stream', 'json-sse', Buffer.concat([Buffer.from([2, 53]), sse]));
    }
    console.log(`${format}: ${frames.length} frames`);
  }
  // Fossil delta: each delta publication the server sent over JSON, after the full publication it
  // applies to (first byte: the base's length).
  let previous = null;
  let deltas = 0;
  for (const frame of jsonFrames) {
    for (const line of frame.toString('utf8').split('\n')) {
      const pub = JSON.parse(line)?.push?.pub;
      if (!pub) continue;
      if (pub.delta && previous !== null && previous.length < 256) {
        write('fossil_delta', `server-${deltas++}`, Buffer.concat([Buffer.from([previous.length]), previous, Buffer.from(pub.data)]));
      } else if (!pub.delta) {
        previous = Buffer.from(JSON.stringify(pub.data));
      }
    }
  }
  console.log(`fossil: ${deltas} deltas`);
} finally {
  server.stop();
}
