// scripts/minify-js.mjs: terser keeps the glue's exports, the whole step (terser, then the short names on both sides)
// leaves a glue and a module that still work together, and the hook stops the build on a glue it cannot read.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import binaryen from 'binaryen';
import { minifyDir, minifyGlue } from '../minify-js.mjs';

const HOOK = fileURLToPath(new URL('../minify-js.mjs', import.meta.url));

// wasm-bindgen's glue for fixtures/tiny.wat, cut down to the parts the renaming touches: the import object keyed by
// the module's name, exports used as properties of the instance's exports, and the module's own exports.
const GLUE = `let wasm;
export const logged = [];

function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function(arg0) {
            logged.push(arg0);
        },
    };
    return {
        __proto__: null,
        "./tiny_bg.js": import0,
    };
}

/** Asks the module for \`size\` bytes. */
export function alloc(size) {
    const ptr = wasm.__wbindgen_malloc(size);
    return ptr;
}

export function pages() {
    return wasm.memory.buffer.byteLength / 65536;
}

export function initSync(module) {
    const instance = new WebAssembly.Instance(module, __wbg_get_imports());
    wasm = instance.exports;
    return wasm;
}

export default initSync;
`;

const tinyWasm = () => {
  const module = binaryen.parseText(readFileSync(new URL('fixtures/tiny.wat', import.meta.url), 'utf8'));
  const binary = module.emitBinary();
  module.dispose();
  return binary;
};

/** A staging folder like Trunk's: the glue and its WebAssembly. */
function stagingDir(glue = GLUE) {
  const dir = mkdtempSync(join(tmpdir(), 'minify-js-'));
  writeFileSync(join(dir, 'tiny.js'), glue);
  writeFileSync(join(dir, 'tiny_bg.wasm'), tinyWasm());
  return dir;
}

test('minifyGlue shrinks the glue and keeps its exports', async () => {
  const code = await minifyGlue(GLUE);
  assert.ok(code.length < GLUE.length * 0.75, `${code.length} of ${GLUE.length} bytes`);
  assert.ok(!code.includes('Asks the module'), 'comments are dropped');
  const glue = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  assert.deepEqual(Object.keys(glue).sort(), ['alloc', 'default', 'initSync', 'logged', 'pages']);
});

test('minifyGlue throws on a glue terser cannot parse', async () => {
  await assert.rejects(minifyGlue('export function (') /* a syntax error */);
});

test('after the whole step the glue and the module still work together', async () => {
  const dir = stagingDir();
  const log = await minifyDir(dir);
  assert.match(log.join('\n'), /3 names shortened/);
  const js = readFileSync(join(dir, 'tiny.js'), 'utf8');
  assert.ok(!/__wbg_|__wbindgen_|tiny_bg/.test(js), js);
  const glue = await import(pathToFileURL(join(dir, 'tiny.js')).href);
  glue.initSync(new WebAssembly.Module(readFileSync(join(dir, 'tiny_bg.wasm'))));
  assert.equal(glue.alloc(41), 42);
  assert.deepEqual(glue.logged, [41]);
  assert.equal(glue.pages(), 1);
});

test('the hook stops the build when the glue does not provide what the module imports', () => {
  const dir = stagingDir(GLUE.replace('__wbg_log_0123456789abcdef', '__wbg_warn_0123456789abcdef'));
  const env = { ...process.env, TRUNK_STAGING_DIR: dir, TRUNK_PROFILE: 'release' };
  const run = spawnSync(process.execPath, [HOOK], { env });
  assert.equal(run.status, 1);
  const reason = /minify-js\.mjs: minify-imports: import __wbg_log_0123456789abcdef is a key of the glue 0 times/;
  assert.match(run.stderr.toString(), reason);
});

test('the hook leaves a debug build alone, and refuses to run outside Trunk', () => {
  const dir = stagingDir();
  execFileSync(process.execPath, [HOOK], { env: { ...process.env, TRUNK_STAGING_DIR: dir, TRUNK_PROFILE: 'debug' } });
  assert.equal(readFileSync(join(dir, 'tiny.js'), 'utf8'), GLUE);
  const env = { ...process.env };
  delete env.TRUNK_STAGING_DIR;
  const run = spawnSync(process.execPath, [HOOK], { env });
  assert.equal(run.status, 1);
  assert.match(run.stderr.toString(), /TRUNK_STAGING_DIR is not set/);
});
