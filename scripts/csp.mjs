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
// Trunk may minify index.html (Trunk.toml: minify on release), so attributes may come quoted or not: match both, and
// stop the build if a pattern finds nothing rather than ship a page without its policy.
function replaceOrFail(pattern, replacement, what) {
  if (!pattern.test(html)) {
    console.error(`csp.mjs: cannot find ${what} in ${file}`);
    process.exit(1);
  }
  html = html.replace(pattern, replacement);
}
// Let the browser paint the static first screen (ui/prerender.rs) before the WebAssembly is compiled and started:
// without this yield the main thread goes straight from parsing to instantiating, and the first paint waits for it.
const yieldToPaint = 'await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));\n';
if (!html.includes(yieldToPaint)) {
  replaceOrFail(/(<script type=["']?module["']?>\s*import init[^\n]*\n)/, `$1${yieldToPaint}`, "Trunk's loader script");
}
// The loader, trimmed: Trunk also hands its module to `window.wasmBindings` and its instance to a
// TrunkApplicationStarted event, which nothing here reads, and preloads the glue with a <link rel=modulepreload>
// placed after the loader, whose own import has already asked for it.
const announce = /\n*dispatchEvent\(new CustomEvent\("TrunkApplicationStarted", \{detail: \{wasm\}\}\)\);/;
if (announce.test(html)) {
  html = html.replace(announce, '').replace(/const wasm = await init\(/, 'await init(');
}
html = html
  .replace(/import init, \* as bindings from/, 'import init from')
  .replace(/\n*window\.wasmBindings = bindings;/, '');
html = html.replace(/<link\b(?=[^>]*\brel=["']?modulepreload\b)[^>]*>/g, '');
// No preload of the WebAssembly: fetched during parsing it competes with the stylesheet and the first screen's text
// on a slow link (Lighthouse's simulated mobile network counted it against the largest paint), and the loader above
// asks for it one frame later anyway, once the first screen is painted.
// Attributes come in any order (minified, Trunk writes href before rel), so the pattern looks ahead for each one.
// Afterwards no <link> may name a .wasm file at all: a preload this pattern missed (another spelling of rel, a new
// attribute order) fails the build instead of shipping.
html = html.replace(/<link\b(?=[^>]*\brel=["']?preload\b)(?=[^>]*\.wasm\b)[^>]*>/g, '');
if (/<link\b[^>]*\.wasm\b/.test(html)) {
  console.error(`csp.mjs: a <link> to the WebAssembly is still in ${file}`);
  process.exit(1);
}
const hashes = [];
for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash('sha256').update(match[1], 'utf8').digest('base64')}'`);
}
// Fonts and fetches fall back to default-src 'self'; the icon is a data: URL; the trace download is an <a> to a
// blob: URL, which is a navigation, not an image.
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
replaceOrFail(/(<meta charset=["']?utf-8["']?\s*\/?>)/i, `$1\n    ${meta}`, 'the charset meta');
writeFileSync(file, html);
console.log(`csp.mjs: Content-Security-Policy with ${hashes.length} script hash(es)`);
