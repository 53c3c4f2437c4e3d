// Story: what the release build promises about its own files. The post-build steps (scripts/minify-js.mjs with
// scripts/minify-imports.mjs, scripts/csp.mjs) rewrite the glue, the WebAssembly and index.html after Trunk; every
// other spec runs the result, and this one checks the rewrites themselves: on a small hand-made module (including
// the mismatches that must stop a build) and on dist/ as built.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
// @ts-expect-error: a plain ES module without type declarations.
import { minifyImports } from '../scripts/minify-imports.mjs';

// Files only: one run is enough.
test.beforeEach(({}, testInfo) => test.skip(testInfo.project.name !== 'desktop', 'checks files, not a viewport'));

const name = (text: string) => [text.length, ...Buffer.from(text)];
const section = (id: number, body: number[]) => [id, body.length, ...body];

/** A module importing one glue function and exporting one function, as wasm-bindgen names them. */
function tinyModule(importName: string, exportName: string): Buffer {
  return Buffer.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]), // one type: () -> ()
    ...section(2, [1, ...name('./tiny_bg.js'), ...name(importName), 0, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(exportName), 0, 1]), // export function 1 (the module's own)
    ...section(10, [1, 2, 0, 0x0b]),
  ]);
}

const IMPORT = '__wbg_log_0123456789abcdef';
const EXPORT = '__wbindgen_malloc';
const glue = (importKey: string, exportUse: string) =>
  `function e(){const e={__proto__:null,${importKey}:function(n){console.log(n)}};return{__proto__:null,"./tiny_bg.js":e}}` +
  `function n(){${exportUse}}`;

test('the import minifier renames both sides and agrees with itself', () => {
  const result = minifyImports(tinyModule(IMPORT, EXPORT), glue(IMPORT, `A.${EXPORT}(4,1)`));
  const module = new WebAssembly.Module(result.wasm);
  expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'w', name: 'a', kind: 'function' }]);
  expect(WebAssembly.Module.exports(module)).toEqual([{ name: 'b', kind: 'function' }]);
  expect(result.js).toContain('a:function(n)');
  expect(result.js).toContain('w:e');
  expect(result.js).toContain('A.b(4,1)');
  expect(result.js).not.toContain(IMPORT);
  expect(result.js).not.toContain(EXPORT);
  expect(result.renamed).toBe(2);
});

test('the import minifier stops the build on a glue it does not understand', () => {
  // The glue does not provide the import the module asks for.
  expect(() => minifyImports(tinyModule(IMPORT, EXPORT), glue('__wbg_other_0123456789abcdef', ''))).toThrow(
    /is a key of the glue 0 times/,
  );
  // The glue names an export other than as a property, where a rename could miss it.
  expect(() => minifyImports(tinyModule(IMPORT, EXPORT), glue(IMPORT, `A["${EXPORT}"](4,1)`))).toThrow(
    /other than as a property/,
  );
  expect(() => minifyImports(Buffer.from('not wasm at all'), '')).toThrow(/not a WebAssembly module/);
});

test('dist/ ships short glue names, no wasm preload, a bare loader and a strict policy', () => {
  const files = readdirSync('dist');
  const wasmFile = files.find((file) => file.endsWith('_bg.wasm'))!;
  const jsFile = files.find((file) => file.endsWith('.js'))!;
  const module = new WebAssembly.Module(readFileSync(join('dist', wasmFile)));
  const imports = WebAssembly.Module.imports(module);
  expect(imports.length).toBeGreaterThan(50);
  for (const entry of imports) {
    expect(entry.module).toBe('w');
    expect(entry.name).toMatch(/^[A-Za-z][A-Za-z0-9]?$/);
  }
  const js = readFileSync(join('dist', jsFile), 'utf8');
  expect(js).not.toMatch(/__wbg_|__wbindgen_malloc/);
  // No metadata sections left for the browser to download.
  expect(WebAssembly.Module.customSections(module, 'producers')).toHaveLength(0);

  const html = readFileSync('dist/index.html', 'utf8');
  expect(html).not.toMatch(/<link\b(?=[^>]*\bpreload\b)(?=[^>]*\.wasm\b)[^>]*>/);
  // csp.mjs cut Trunk's loader to a bare init after the first paint: nothing exported to window, no event, no
  // modulepreload after the import that already asks for the glue (if Trunk's loader changes, this says so).
  const loader = /<script type=["']?module["']?>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  expect(loader).toContain('requestAnimationFrame');
  expect(loader).toMatch(/^import init from '[^']+\.js';\n/);
  expect(loader).toMatch(/\nawait init\(\{ module_or_path: '[^']+_bg\.wasm' \}\);$/);
  expect(html).not.toMatch(/wasmBindings|TrunkApplicationStarted|modulepreload/);
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  const sources = policy.split(/[;\s]+/);
  expect(sources).not.toContain("'unsafe-inline'");
  expect(sources).not.toContain("'unsafe-eval'");
});
