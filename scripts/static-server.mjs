#!/usr/bin/env node
// A small static file server for the release build (dist/), in plain Node with no dependencies.
//
// Playwright's `webServer` starts it for the end-to-end tests; `npm run serve-dist` starts it by hand.
// - serves SERVE_DIR (default: dist/) on HOST:PORT (default 127.0.0.1:8081), `/` and folders give their index.html;
// - correct MIME types, including application/wasm, which WebAssembly.instantiateStreaming requires;
// - gzip (level 9, cached in memory) when the client accepts it, as a real static host would;
// - `Access-Control-Allow-Origin: *` and `Cache-Control: no-cache`, so a rebuilt dist/ is always fetched fresh;
// - never serves a file outside SERVE_DIR.
//
// Environment: PORT, HOST, SERVE_DIR (relative to the repository root unless absolute), QUIET=1 to log nothing.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const root = resolve(repoRoot, process.env.SERVE_DIR ?? 'dist');
const host = process.env.HOST ?? '127.0.0.1';
const port = Number.parseInt(process.env.PORT ?? '8081', 10);
const quiet = process.env.QUIET === '1';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

// Already-compressed formats gain nothing from gzip.
const INCOMPRESSIBLE = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.woff', '.woff2']);

// path + mtime -> gzipped body, so each file is compressed once per build.
const gzipCache = new Map();

function log(...args) {
  if (!quiet) console.log(...args);
}

async function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  try {
    const info = await stat(candidate);
    if (info.isDirectory()) {
      const index = join(candidate, 'index.html');
      const indexInfo = await stat(index);
      return { path: index, info: indexInfo };
    }
    return { path: candidate, info };
  } catch {
    return null;
  }
}

const server = createServer(async (req, res) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' });
    res.end();
    return;
  }

  const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
  const found = await resolveFile(urlPath);
  if (!found) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : `404 Not Found: ${urlPath}\n`);
    log(`404 ${req.method} ${urlPath}`);
    return;
  }

  const ext = extname(found.path).toLowerCase();
  const headers = {
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Last-Modified': found.info.mtime.toUTCString(),
    Vary: 'Accept-Encoding',
  };

  let body = await readFile(found.path);
  const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (acceptsGzip && !INCOMPRESSIBLE.has(ext) && body.length > 256) {
    const key = `${found.path}:${found.info.mtimeMs}`;
    let gz = gzipCache.get(key);
    if (!gz) {
      gz = gzipSync(body, { level: 9 });
      gzipCache.set(key, gz);
    }
    body = gz;
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);

  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  log(`200 ${req.method} ${urlPath} ${body.length} B${headers['Content-Encoding'] ? ' gzip' : ''}`);
});

server.on('error', (err) => {
  console.error(`static-server: ${err.message}`);
  process.exit(1);
});

server.listen(port, host, () => {
  console.log(`static-server: serving ${root} on http://${host}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
