/**
 * Browser tests in headless Chromium: find (or install) Chromium, launch it through
 * playwright-core, serve files from 127.0.0.1, and fail on anything a page reports as an
 * error. Nothing here downloads at run time except Chromium itself, and that only through
 * the system package manager when it is missing and the process runs as root (CI).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

const INSTALL_HINT =
  'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH ' +
  'to a Chromium or Chrome executable.';

function tail(text: unknown, lines = 20): string {
  const s = typeof text === 'string' ? text : Buffer.isBuffer(text) ? text.toString('utf8') : '';
  return s.trim().split('\n').slice(-lines).join('\n');
}

function aptGet(args: readonly string[]): void {
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * The path of a Chromium executable: `CHROMIUM_PATH` when set, else `/usr/bin/chromium`.
 * When that is missing and the process runs as root on a system with apt-get (CI), installs
 * Debian's `chromium` package first (with `apt-get update` and a second try when the first
 * fails, as on an image with empty package lists); otherwise throws an error saying how to
 * install it.
 */
export function ensureChromium(): string {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH is ${fromEnv}, which does not exist. ${INSTALL_HINT}`);
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`Chromium is not installed (no ${DEBIAN_CHROMIUM}). ${INSTALL_HINT}`);
  }
  try {
    try {
      aptGet(['install', '-y', 'chromium']);
    } catch {
      aptGet(['update']);
      aptGet(['install', '-y', 'chromium']);
    }
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: unknown; stdout?: unknown };
    throw new Error(
      `Installing Chromium with apt-get failed:\n${tail(stderr) || tail(stdout)}\n${INSTALL_HINT}`,
      { cause: error },
    );
  }
  if (!existsSync(DEBIAN_CHROMIUM)) {
    throw new Error(
      `apt-get installed chromium but there is no ${DEBIAN_CHROMIUM}. ${INSTALL_HINT}`,
    );
  }
  return DEBIAN_CHROMIUM;
}

/**
 * Headless Chromium (see {@link ensureChromium}) driven by playwright-core, which downloads
 * no browser of its own. `--no-sandbox` because CI runs as root. Close it in `afterAll`.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    args: ['--no-sandbox'],
  });
}

/** What {@link watchPage} records of a page. */
export interface PageWatch {
  /** Errors: console errors, uncaught exceptions, failed, refused or HTTP ≥ 400 requests. */
  readonly messages: readonly string[];
  /** The URL of every request the page made, in order. */
  readonly requests: readonly string[];
  /** Throws when there is any error message. */
  check(): void;
}

/**
 * Records everything `page` reports as an error — `console.error` (including the browser's
 * own "Failed to load resource"), uncaught exceptions, failed requests and HTTP ≥ 400
 * responses — and refuses every request that leaves 127.0.0.1 (recorded too), so a test
 * page cannot reach the network. Call it before `page.goto`.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const messages: string[] = [];
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') messages.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => messages.push(`uncaught: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) => {
    messages.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) messages.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.route(
    (url) =>
      (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '127.0.0.1',
    (route) => {
      messages.push(`refused a request off 127.0.0.1: ${route.request().url()}`);
      return route.abort('blockedbyclient');
    },
  );
  return {
    messages,
    requests,
    check() {
      if (messages.length > 0) {
        throw new Error(`The page reported ${messages.length} error(s):\n${messages.join('\n')}`);
      }
    },
  };
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The Content-Type of a file name (application/octet-stream when unknown, e.g. `.onnx`). */
export function mimeType(name: string): string {
  return MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * What a URL path serves: text or bytes (typed by the path's extension), a body with an
 * explicit Content-Type, or `{ path }` on disk — a directory mounted there when the URL path
 * ends in `/`, else one file.
 */
export type Route =
  | string
  | Uint8Array
  | { readonly body: string | Uint8Array; readonly type?: string }
  | { readonly path: string };

/** Options of {@link serveDirectory}. */
export interface ServeOptions {
  /**
   * Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
   * require-corp`, so pages are cross-origin isolated (SharedArrayBuffer, wasm threads).
   */
  readonly crossOriginIsolated?: boolean;
}

/** A running static server; `close()` it in `afterAll`. */
export interface StaticServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** Every path requested so far, in order. */
  readonly requests: readonly string[];
  /** Adds or replaces a route (see {@link Route}). */
  route(path: string, target: Route): void;
  close(): Promise<void>;
}

/** `file` when it lies inside `root`, else undefined. */
function inside(root: string, relative: string): string | undefined {
  const file = resolve(root, `.${relative}`);
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

/**
 * A static HTTP server for `dir` (at `/`) on 127.0.0.1 at a random free port, with `routes`
 * (URL path → {@link Route}) taking precedence; a directory answers with its `index.html`.
 * GET and HEAD only; no caching; paths cannot escape their directory; a missing
 * `/favicon.ico` (which Chromium asks for on every page) is an empty 204, not a 404.
 *
 * @example
 * const server = await serveDirectory(siteDir, {
 *   '/index.html': '<script type="module" src="/app.js"></script>',
 *   '/app.js': bundledBytes,
 *   '/vendor/': { path: vendorDir },
 * });
 * await page.goto(`${server.url}/index.html`);
 * await server.close();
 */
export async function serveDirectory(
  dir: string,
  routes: Readonly<Record<string, Route>> = {},
  options: ServeOptions = {},
): Promise<StaticServer> {
  const table = new Map<string, Route>(Object.entries(routes));
  const requests: string[] = [];

  /** The file or in-memory body a path maps to. */
  function lookup(path: string): { file: string } | { body: Uint8Array; type: string } | undefined {
    const exact = table.get(path);
    if (exact !== undefined && !path.endsWith('/')) {
      if (typeof exact === 'string') return { body: Buffer.from(exact), type: mimeType(path) };
      if (exact instanceof Uint8Array) return { body: exact, type: mimeType(path) };
      if ('path' in exact) return { file: resolve(exact.path) };
      const body = typeof exact.body === 'string' ? Buffer.from(exact.body) : exact.body;
      return { body, type: exact.type ?? mimeType(path) };
    }
    let mount = '/';
    let root = resolve(dir);
    for (const [key, target] of table) {
      if (key.endsWith('/') && key.length > mount.length && path.startsWith(key)) {
        if (typeof target === 'object' && 'path' in target) {
          mount = key;
          root = resolve(target.path);
        }
      }
    }
    const file = inside(root, path.slice(mount.length - 1));
    return file === undefined ? undefined : { file };
  }

  function respond(request: IncomingMessage, response: ServerResponse): void {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (options.crossOriginIsolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    const fail = (status: number, text: string) => {
      response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(text);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'GET or HEAD');
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return fail(400, 'bad path');
    }
    requests.push(path);
    let target = lookup(path);
    if (target && 'file' in target && existsSync(target.file)) {
      if (statSync(target.file).isDirectory())
        target = { file: resolve(target.file, 'index.html') };
    }
    let body: Uint8Array;
    let type: string;
    const missing = () => {
      if (path !== '/favicon.ico') return fail(404, `not found: ${path}`);
      response.writeHead(204, headers);
      response.end();
    };
    if (target === undefined) return missing();
    if ('file' in target) {
      if (!existsSync(target.file) || !statSync(target.file).isFile()) return missing();
      body = readFileSync(target.file);
      type = mimeType(target.file);
    } else {
      ({ body, type } = target);
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': type,
      'Content-Length': String(body.byteLength),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((request, response) => {
    try {
      respond(request, response);
    } catch (error) {
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(String(error));
    }
  });
  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(path, target) {
      table.set(path, target);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((done, reject) =>
        server.close((error) => (error ? reject(error) : done())),
      );
    },
  };
}
