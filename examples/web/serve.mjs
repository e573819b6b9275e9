// Serves the chat demo: this folder at /, the built npm package (wasm/npm) at /pkg/, and a tiny app
// backend: GET /config (the server's WebSocket URL) and GET /token?user= (an HS256 connection JWT).
//
//   node examples/web/serve.mjs            # starts a local Centrifugo too; open the printed URL
//   (build the package first: wasm/build.sh, or wasm/run-tests.sh which builds and tests everything)
//
// The end-to-end test imports startDemoServer() and points it at its own Centrifugo.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..', 'wasm', 'npm');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** Maps a request path to a file under this folder or the package, or null. */
function resolve(path) {
  const [base, rest] = path.startsWith('/pkg/') ? [pkg, path.slice(5)] : [here, path.slice(1) || 'index.html'];
  const file = normalize(join(base, rest));
  if (!file.startsWith(base)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Serves the demo for `server` ({ws, token(user)}, as from wasm/test/harness.mjs startCentrifugo) on
 * 127.0.0.1:`port` (0: a free port). Resolves with {url, stop()}.
 */
export async function startDemoServer(server, port = 0) {
  const http = createServer((req, res) => {
    const url = new URL(req.url, 'http://demo');
    if (url.pathname === '/config') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ ws: server.ws }));
    }
    if (url.pathname === '/token') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return res.end(server.token(url.searchParams.get('user') || 'guest'));
    }
    const file = resolve(decodeURIComponent(url.pathname));
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise((done) => http.listen(port, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${http.address().port}/`, stop: () => http.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { startCentrifugo } = await import('../../wasm/test/harness.mjs');
  const server = await startCentrifugo();
  const demo = await startDemoServer(server, Number(process.env.PORT ?? 8080));
  console.log(`chat demo: ${demo.url}  (Centrifugo ${server.base}); Ctrl-C stops both`);
  const stop = () => { demo.stop(); server.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
