// scripts/minify-imports.mjs: binaryen renames the WebAssembly side, renameGlue makes the glue follow, and every
// mismatch throws. The module is fixtures/tiny.wat; the glue strings have the shape terser gives wasm-bindgen's glue.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import binaryen from 'binaryen';
import { minifyWasm, parseMapping, renameGlue } from '../minify-imports.mjs';

const IMPORT = '__wbg_log_0123456789abcdef';
const EXPORT = '__wbindgen_malloc';

/** fixtures/tiny.wat as a binary, with a `producers` section appended (wasm-bindgen's output has one). */
function tinyWasm() {
  const module = binaryen.parseText(readFileSync(new URL('fixtures/tiny.wat', import.meta.url), 'utf8'));
  const binary = module.emitBinary();
  module.dispose();
  const name = Buffer.from('producers');
  const producers = [0x00, name.length + 2, name.length, ...name, 0x00]; // custom section: name, zero fields
  return Buffer.concat([binary, Buffer.from(producers)]);
}

/** The terser-minified shape of wasm-bindgen's glue: an import object keyed by module, exports used as properties. */
const glue = ({ key = IMPORT, module = '"./tiny_bg.js"', use = `A.${EXPORT}(n)` } = {}) =>
  `const log=[];function e(){const n={__proto__:null,${key}:function(n){log.push(n)}};` +
  `return{__proto__:null,${module}:n}}function n(A,n){return ${use}}`;

/** Runs wasm-opt on the tiny module in a temporary file; returns the mapping and the rewritten bytes. */
function minifyTiny() {
  const path = join(mkdtempSync(join(tmpdir(), 'minify-imports-')), 'tiny_bg.wasm');
  writeFileSync(path, tinyWasm());
  const mapping = minifyWasm(path);
  return { mapping, wasm: readFileSync(path) };
}

test('binaryen renames the imports, their module and the exports, and strips the producers section', () => {
  const { mapping, wasm } = minifyTiny();
  assert.equal(mapping.module, './tiny_bg.js');
  assert.deepEqual([...mapping.imports.keys()], [IMPORT]);
  assert.deepEqual([...mapping.exports.keys()].sort(), [EXPORT, 'memory']);
  const module = new WebAssembly.Module(wasm);
  assert.deepEqual(WebAssembly.Module.imports(module), [
    { module: 'a', name: mapping.imports.get(IMPORT), kind: 'function' },
  ]);
  assert.deepEqual(WebAssembly.Module.exports(module).map((e) => e.name).sort(), [...mapping.exports.values()].sort());
  for (const short of [...mapping.imports.values(), ...mapping.exports.values()]) assert.ok(short.length <= 2, short);
  assert.equal(WebAssembly.Module.customSections(module, 'producers').length, 0);
});

test('the renamed glue and the renamed module still link and run', () => {
  const { mapping, wasm } = minifyTiny();
  const js = renameGlue(glue(), mapping);
  assert.ok(!js.includes(IMPORT) && !js.includes(EXPORT) && !js.includes('tiny_bg'), js);
  const { imports, call, log } = new Function(`${js};return{imports:e(),call:n,log}`)();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), imports);
  assert.equal(call(instance.exports, 41), 42);
  assert.deepEqual(log, [41]);
});

const mapping = {
  module: './tiny_bg.js',
  imports: new Map([[IMPORT, 'a']]),
  exports: new Map([
    [EXPORT, 'b'],
    ['memory', 'c'],
  ]),
};

test('renameGlue renames keys, the module and properties, and leaves look-alikes alone', () => {
  const use = `A.${EXPORT}(n)+A.${EXPORT}_x+A.memory.buffer`;
  const js = renameGlue(glue({ module: "'./tiny_bg.js'", use }), mapping);
  assert.match(js, /\{__proto__:null,a:function\(n\)/);
  assert.match(js, /,a:n\}/);
  assert.match(js, /return A\.b\(n\)\+A\.__wbindgen_malloc_x\+A\.c\.buffer\}$/);
});

test('renameGlue throws on a glue it does not understand', () => {
  // The glue does not provide the import the module asks for.
  const otherImport = glue({ key: '__wbg_other_0123456789abcdef' });
  assert.throws(() => renameGlue(otherImport, mapping), /is a key of the glue 0 times/);
  // The glue names an export other than as a property, where a rename could miss it.
  assert.throws(() => renameGlue(glue({ use: `A["${EXPORT}"](n)` }), mapping), /other than as a property/);
  // The import object is not keyed by the module's name.
  const otherModule = glue({ module: '"./other_bg.js"' });
  assert.throws(() => renameGlue(otherModule, mapping), /names the module \.\/tiny_bg\.js 0 times/);
});

test('parseMapping takes what wasm-opt prints and nothing else', () => {
  const printed = '{\n "imports": [\n  ["./m_bg.js", "__wbg_x", "a"]\n ],\n"exports": [\n  ["memory", "b"]\n ]\n}\n';
  assert.deepEqual(parseMapping(printed), {
    module: './m_bg.js',
    imports: new Map([['__wbg_x', 'a']]),
    exports: new Map([['memory', 'b']]),
  });
  assert.throws(() => parseMapping(''), /printed no mapping/);
  assert.throws(() => parseMapping('{"imports": []}'), /not a mapping/);
  const twoModules = '{"imports": [["./m_bg.js", "x", "a"], ["env", "y", "b"]], "exports": []}';
  assert.throws(() => parseMapping(twoModules), /one import module/);
});

test('minifyWasm stops on a file that is not WebAssembly', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'minify-imports-')), 'broken_bg.wasm');
  writeFileSync(path, 'not wasm at all');
  assert.throws(() => minifyWasm(path), /wasm-opt failed on .*broken_bg\.wasm: .*unrecognized module field/);
});
