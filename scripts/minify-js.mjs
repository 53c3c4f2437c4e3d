// Trunk post_build hook (release builds): minifies the wasm-bindgen glue with terser, then shortens the names between
// the glue and its WebAssembly (scripts/minify-imports.mjs). Trunk's own minifier cannot parse the glue (it warns
// "Failed to minify JS" and copies it as it is); terser takes it from 7.1 to 5.7 KB gzipped, the short names to 3.6.
// The loader imports the glue by name, and terser keeps the module's exports, so nothing else changes. A failure
// stops the build.
//
// minifyGlue is the transformation (unit-tested in scripts/test/); the hook below only reads and writes files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { minify } from 'terser';
import { minifyWasm, renameGlue } from './minify-imports.mjs';

/** The glue module `source`, minified; throws if terser cannot parse it. */
export async function minifyGlue(source) {
  const options = { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } };
  const result = await minify(source, options);
  if (!result.code) throw new Error('minify-js: terser returned nothing');
  return result.code;
}

/** Minifies every glue file in `dir` and shortens the names it shares with its `_bg.wasm`; returns log lines. */
export async function minifyDir(dir) {
  const names = readdirSync(dir).filter((file) => file.endsWith('.js'));
  if (names.length === 0) throw new Error(`minify-js: no .js file in ${dir}`);
  const log = [];
  for (const name of names) {
    const path = join(dir, name);
    const source = readFileSync(path, 'utf8');
    let js = await minifyGlue(source);
    log.push(`${name} ${source.length} -> ${js.length} bytes (terser)`);
    const wasmPath = path.replace(/\.js$/, '_bg.wasm');
    if (existsSync(wasmPath)) {
      const before = readFileSync(wasmPath).length;
      const mapping = minifyWasm(wasmPath);
      js = renameGlue(js, mapping);
      const renamed = mapping.imports.size + mapping.exports.size;
      const after = readFileSync(wasmPath).length;
      log.push(`${renamed} names shortened: ${name} -> ${js.length} bytes, the wasm ${before} -> ${after} bytes`);
    }
    writeFileSync(path, js);
  }
  return log;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('minify-js.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
    process.exit(1);
  }
  if (process.env.TRUNK_PROFILE !== 'release') {
    console.log('minify-js.mjs: not a release build, leaving the JavaScript as it is');
    process.exit(0);
  }
  try {
    for (const line of await minifyDir(dir)) console.log(`minify-js.mjs: ${line}`);
  } catch (error) {
    console.error(`minify-js.mjs: ${error.message}`);
    process.exit(1);
  }
}
