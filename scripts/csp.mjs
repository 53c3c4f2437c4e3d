// Trunk post_build hook: adds a strict Content-Security-Policy to the built index.html.
//
// Trunk writes one inline module script (the loader); the policy allows it by its sha256 hash, so neither
// 'unsafe-inline' nor 'unsafe-eval' is needed. 'wasm-unsafe-eval' lets the page compile its own WebAssembly.
// Styles come only from the stylesheet: the app sets no style attributes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(1);
}
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');
// Let the browser paint the static first screen (ui/prerender.rs) before the WebAssembly is compiled and started:
// without this yield the main thread goes straight from parsing to instantiating, and the first paint waits for it.
const yieldToPaint = 'await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));\n';
if (!html.includes(yieldToPaint)) {
  html = html.replace(/(<script type="module">\s*\n?import init[^\n]*\n)/, `$1${yieldToPaint}`);
}
const hashes = [];
for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash('sha256').update(match[1], 'utf8').digest('base64')}'`);
}
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
html = html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1\n    ${meta}`);
writeFileSync(file, html);
console.log(`csp.mjs: Content-Security-Policy with ${hashes.length} script hash(es)`);
