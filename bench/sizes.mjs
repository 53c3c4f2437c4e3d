// Transfer size of every file of the release build: raw, gzipped (zlib level 9, exactly what
// scripts/static-server.mjs sends when the browser accepts gzip) and the total. The bytes a real load moved over the
// wire (body and headers, from CDP) are added by bench/loads.mjs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

// The same rule as scripts/static-server.mjs: already-compressed formats and tiny files go as they are.
const INCOMPRESSIBLE = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.woff', '.woff2']);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export function measureSizes(dist) {
  const files = walk(dist)
    .map((path) => {
      const body = readFileSync(path);
      const gzip = gzipSync(body, { level: 9 }).length;
      const compressed = !INCOMPRESSIBLE.has(extname(path).toLowerCase()) && body.length > 256;
      return { file: relative(dist, path), raw: body.length, gzip, served: compressed ? gzip : body.length };
    })
    .sort((a, b) => b.served - a.served);
  const total = (key) => files.reduce((sum, file) => sum + file[key], 0);
  return { files, totalRaw: total('raw'), totalGzip: total('gzip'), totalServed: total('served') };
}
