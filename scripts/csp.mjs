// Trunk post_build hook: adds a strict Content-Security-Policy to the built index.html.
//
// The page's only inline script is the loader that Trunk.toml's `pattern_script` writes; the policy allows it by its
// sha256 hash, so neither 'unsafe-inline' nor 'unsafe-eval' is needed. 'wasm-unsafe-eval' lets the page compile its
// own WebAssembly. Styles come only from the stylesheet: the app sets no style attributes.
//
// transformIndexHtml is the transformation (unit-tested in scripts/test/); the hook below only reads and writes the
// file. It throws rather than ship a page without its policy, or with a loader other than Trunk.toml's.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;
// Trunk minifies index.html on release builds (Trunk.toml), so attributes may come quoted or not.
const CHARSET = /<meta charset=["']?utf-8["']?\s*\/?>/gi;

/** `html` (Trunk's index.html) with the policy after its charset meta; throws when the page is not as expected. */
export function transformIndexHtml(html) {
  // What Trunk.toml's pattern_script and pattern_preload replace: if these are back, that configuration is lost.
  if (/wasmBindings|TrunkApplicationStarted/.test(html)) {
    throw new Error("csp: index.html has Trunk's default loader, not Trunk.toml's pattern_script");
  }
  if (/<link\b[^>]*\bmodulepreload\b/.test(html) || /<link\b[^>]*\.wasm\b/.test(html)) {
    throw new Error("csp: index.html preloads the glue or the WebAssembly (Trunk.toml's pattern_preload is lost)");
  }
  if (/http-equiv=["']?Content-Security-Policy/i.test(html)) {
    throw new Error('csp: index.html already has a Content-Security-Policy');
  }
  const hashes = [...html.matchAll(INLINE_SCRIPT)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
  );
  if (hashes.length === 0) throw new Error('csp: index.html has no inline loader script');
  // Fonts and fetches fall back to default-src 'self'; the icon is a data: URL; the trace download is an <a> to a
  // blob: URL, which is a navigation, not an image.
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const charsets = html.match(CHARSET)?.length ?? 0;
  if (charsets !== 1) throw new Error(`csp: index.html has ${charsets} <meta charset=utf-8>, not one`);
  return html.replace(CHARSET, (meta) => `${meta}<meta http-equiv="Content-Security-Policy" content="${policy}">`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
    process.exit(1);
  }
  const file = join(dir, 'index.html');
  try {
    writeFileSync(file, transformIndexHtml(readFileSync(file, 'utf8')));
  } catch (error) {
    console.error(`csp.mjs: ${error.message} (${file})`);
    process.exit(1);
  }
  console.log('csp.mjs: Content-Security-Policy added');
}
