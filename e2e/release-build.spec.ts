// Story: what the release build promises about its own files. The post-build steps (scripts/minify-js.mjs with
// scripts/minify-imports.mjs, scripts/csp.mjs) and Trunk.toml's loader rewrite the glue, the WebAssembly and
// index.html after Trunk; their unit tests (`scripts/test.sh scripts`) run them on small fixtures, every other spec
// runs the result, and this one checks dist/ as built.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

// Files only: one run is enough.
test.beforeEach(({}, testInfo) => test.skip(testInfo.project.name !== 'desktop', 'checks files, not a viewport'));

test('dist/ ships short glue names, no preloads, a bare loader and a strict policy', () => {
  const files = readdirSync('dist');
  const wasmFile = files.find((file) => file.endsWith('_bg.wasm'))!;
  const jsFile = files.find((file) => file.endsWith('.js'))!;
  const module = new WebAssembly.Module(readFileSync(join('dist', wasmFile)));
  const imports = WebAssembly.Module.imports(module);
  expect(imports.length).toBeGreaterThan(50);
  for (const entry of [...imports, ...WebAssembly.Module.exports(module)]) {
    expect(entry.name).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]?$/);
  }
  expect(new Set(imports.map((entry) => entry.module))).toEqual(new Set(['a']));
  const js = readFileSync(join('dist', jsFile), 'utf8');
  expect(js).not.toMatch(/__wbg_|__wbindgen_malloc|_bg\.js/);
  // No metadata sections left for the browser to download.
  expect(WebAssembly.Module.customSections(module, 'producers')).toHaveLength(0);
  expect(WebAssembly.Module.customSections(module, 'target_features')).toHaveLength(0);

  // Trunk.toml's pattern_script and pattern_preload: a bare init after the first paint, nothing exported to window,
  // no event, no preload of the glue or the WebAssembly (if Trunk stops honouring them, this says so).
  const html = readFileSync('dist/index.html', 'utf8');
  expect(html).not.toMatch(/<link\b[^>]*(\.wasm\b|modulepreload)/);
  expect(html).not.toMatch(/wasmBindings|TrunkApplicationStarted/);
  const loaders = [...html.matchAll(/<script type=["']?module["']?>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
  expect(loaders).toEqual([
    `import init from'./${jsFile}';await new Promise(r=>requestAnimationFrame(()=>setTimeout(r)));` +
      `await init({module_or_path:'./${wasmFile}'})`,
  ]);
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(loaders[0], 'utf8').digest('base64');
  expect(policy).toContain(`script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}';`);
  const sources = policy.split(/[;\s]+/);
  expect(sources).not.toContain("'unsafe-inline'");
  expect(sources).not.toContain("'unsafe-eval'");
});
