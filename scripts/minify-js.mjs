// Trunk post_build hook: minifies the wasm-bindgen glue with terser. Trunk's own minifier cannot parse it (it warns
// "Failed to minify JS" and copies it as it is), and minified it is ~1.8 KB smaller gzipped. The loader in index.html
// imports it by name, and terser keeps the module's exports, so nothing else changes. Then the names that join the
// glue to its WebAssembly are shortened in both (scripts/minify-imports.mjs). A failure stops the build.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';
import { minifyImports } from './minify-imports.mjs';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('minify-js.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(1);
}
if (process.env.TRUNK_PROFILE !== 'release') {
  console.log('minify-js.mjs: not a release build, leaving the JavaScript as it is');
  process.exit(0);
}
for (const name of readdirSync(dir).filter((file) => file.endsWith('.js'))) {
  const path = join(dir, name);
  const source = readFileSync(path, 'utf8');
  const result = await minify(source, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  if (!result.code) {
    console.error(`minify-js.mjs: terser returned nothing for ${name}`);
    process.exit(1);
  }
  console.log(`minify-js.mjs: ${name} ${source.length} -> ${result.code.length} bytes`);
  const wasmPath = path.replace(/\.js$/, '_bg.wasm');
  if (!existsSync(wasmPath)) {
    writeFileSync(path, result.code);
    continue;
  }
  const wasm = readFileSync(wasmPath);
  const shrunk = minifyImports(wasm, result.code);
  writeFileSync(path, shrunk.js);
  writeFileSync(wasmPath, shrunk.wasm);
  console.log(
    `minify-js.mjs: ${shrunk.renamed} import and export names shortened: ${name} -> ${shrunk.js.length} bytes, ` +
      `the wasm ${wasm.length} -> ${shrunk.wasm.length} bytes`,
  );
}
