// Shortens the names that join the WebAssembly to its wasm-bindgen glue, in both files: the glue's import names
// (`__wbg_setAttribute_f75317b2b5cabfb4` and 142 more, each with a 16-hex-digit hash that gzip cannot compress, each
// written twice: in the wasm's import section and as a key in the glue), the import module name
// (`./syscall-explorer_bg.js`, once per import) and the exports (`__wbindgen_malloc`, closure invokers of up to 190
// characters). Measured (docs/post-build.md): -3.1 KB gzipped of WebAssembly and -2.1 KB of JavaScript.
//
// The WebAssembly side is binaryen's own pass (`wasm-opt --minify-imports-and-exports-and-modules`, which prints the
// old-to-new mapping); this file only parses that mapping and renames the glue to follow it. Every rename is checked:
// each import must be a key of the glue's import object exactly once, the module name too, and each renamed export
// may appear in the glue only as a property (`.name`). Anything else throws, and the build stops.
//
// Used by scripts/minify-js.mjs after terser, in the same hook: Trunk runs a stage's hooks at the same time, and both
// steps write the glue.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

// npm's binaryen, resolved from this repository's node_modules rather than PATH: the version Trunk.toml pins for -Oz.
const WASM_OPT = createRequire(import.meta.url).resolve('binaryen/bin/wasm-opt');

// --optimize-level/--shrink-level are those of -Oz (index.html's data-wasm-opt="z") without running its passes again:
// they only make wasm-opt write the code section the way -Oz wrote it (at level 0 it grows by ~390 bytes). The two
// strip passes drop metadata nobody reads at run time. Binaryen names every import's module "a".
export const WASM_OPT_ARGS = [
  '--optimize-level=2',
  '--shrink-level=2',
  '--minify-imports-and-exports-and-modules',
  '--strip-producers',
  '--strip-target-features',
];
const MODULE = 'a';

/** Runs binaryen's pass on the file at `wasmPath`, in place; returns the mapping it printed (see parseMapping). */
export function minifyWasm(wasmPath) {
  let stdout;
  try {
    stdout = execFileSync(process.execPath, [WASM_OPT, wasmPath, ...WASM_OPT_ARGS, '-o', wasmPath], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`minify-imports: wasm-opt failed on ${wasmPath}: ${error.stderr?.trim() || error.message}`);
  }
  return parseMapping(stdout);
}

/**
 * Parses what wasm-opt prints: `{"imports": [[module, name, short], …], "exports": [[name, short], …]}`. Returns
 * { module, imports: Map(name -> short), exports: Map(name -> short) }; throws on anything else, and on imports from
 * more than one module (wasm-bindgen's glue is one module).
 */
export function parseMapping(text) {
  let mapping;
  try {
    mapping = JSON.parse(text);
  } catch {
    throw new Error(`minify-imports: wasm-opt printed no mapping: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const pairs = (list, width) =>
    Array.isArray(list) && list.every((e) => e.length === width && e.every((s) => typeof s === 'string'));
  if (!pairs(mapping?.imports, 3) || !pairs(mapping?.exports, 2)) {
    throw new Error('minify-imports: not a mapping {"imports": [[module, name, short]], "exports": [[name, short]]}');
  }
  const modules = [...new Set(mapping.imports.map(([module]) => module))];
  if (modules.length !== 1) {
    throw new Error(`minify-imports: expected one import module, got ${JSON.stringify(modules)}`);
  }
  return {
    module: modules[0],
    imports: new Map(mapping.imports.map(([, name, short]) => [name, short])),
    exports: new Map(mapping.exports),
  };
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = (text, pattern) => (text.match(pattern) ?? []).length;

/** The glue `js` (minified by terser) with the names of `mapping` (from parseMapping); throws on any mismatch. */
export function renameGlue(js, mapping) {
  let out = js;
  // The import object: `{…,"./syscall-explorer_bg.js":e}` (terser may quote with either quote).
  const quoted = `${escape(JSON.stringify(mapping.module))}|'${escape(mapping.module)}'`;
  const moduleKey = new RegExp(`(?<=[{,])(${quoted}):`, 'g');
  const modules = count(out, moduleKey);
  if (modules !== 1) {
    throw new Error(`minify-imports: the glue names the module ${mapping.module} ${modules} times, not once`);
  }
  out = out.replace(moduleKey, `${MODULE}:`);
  // One pass per kind, so that a new short name can never be taken for an old one.
  const importNames = [...mapping.imports.keys()];
  if (importNames.length > 0) {
    const keys = new RegExp(`(?<=[{,])(${importNames.map(escape).join('|')})(?=:)`, 'g');
    const seen = new Map();
    out = out.replace(keys, (name) => {
      seen.set(name, (seen.get(name) ?? 0) + 1);
      return mapping.imports.get(name);
    });
    for (const name of importNames) {
      const found = seen.get(name) ?? 0;
      if (found !== 1) throw new Error(`minify-imports: import ${name} is a key of the glue ${found} times, not once`);
    }
  }
  const exportNames = [...mapping.exports.keys()];
  for (const name of exportNames) {
    const anywhere = count(out, new RegExp(`(?<![\\w$])${escape(name)}(?![\\w$])`, 'g'));
    const asProperty = count(out, new RegExp(`(?<=\\.)${escape(name)}(?![\\w$])`, 'g'));
    if (anywhere !== asProperty) {
      throw new Error(`minify-imports: export ${name} appears in the glue other than as a property`);
    }
  }
  if (exportNames.length > 0) {
    const properties = new RegExp(`(?<=\\.)(${exportNames.map(escape).join('|')})(?![\\w$])`, 'g');
    out = out.replace(properties, (name) => mapping.exports.get(name));
  }
  return out;
}
