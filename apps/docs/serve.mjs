#!/usr/bin/env node
// Serves the built site (apps/docs/site) on http://127.0.0.1:<port>/ — `pnpm docs:serve [port]`.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const site = join(import.meta.dirname, 'site');
const port = Number(process.argv[2] ?? 8080);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`docs:serve: port must be an integer in 1…65535 (got ${process.argv[2]})\n`);
  process.exit(2);
}
if (!existsSync(join(site, 'index.html'))) {
  process.stderr.write('docs:serve: no site yet; run `pnpm docs:build` first\n');
  process.exit(1);
}
const types = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let file = normalize(join(site, path));
  if (file !== site && !file.startsWith(site + sep)) {
    res.writeHead(403).end();
    return;
  }
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`edmkit docs at http://127.0.0.1:${port}/ (Ctrl-C to stop)\n`);
});
