// scripts/csp.mjs on index.html as Trunk writes it (fixtures/, the <body> cut short): a release build (minified), a
// debug build (not minified) and, as a page that must stop the build, Trunk's default loader, which is what comes out
// if Trunk.toml loses its pattern_script and pattern_preload.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { transformIndexHtml } from '../csp.mjs';

const HOOK = fileURLToPath(new URL('../csp.mjs', import.meta.url));
const fixture = (name) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const policyOf = (html) => /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
const loaderOf = (html) => /<script type="?module"?>([\s\S]*?)<\/script>/.exec(html)?.[1];
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('base64');

for (const name of ['index.release.html', 'index.dev.html']) {
  test(`${name}: the policy follows the charset and allows the loader by its hash only`, () => {
    const html = fixture(name);
    const out = transformIndexHtml(html);
    assert.match(out, /<meta charset="?utf-8"?\s*\/?><meta http-equiv="Content-Security-Policy"/);
    const directives = policyOf(out).split('; ');
    assert.deepEqual(directives, [
      "default-src 'self'",
      `script-src 'self' 'wasm-unsafe-eval' 'sha256-${sha256(loaderOf(html))}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    // Nothing else changes: the loader is hashed exactly as it ships.
    assert.equal(out.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''), html);
  });
}

test("Trunk's default loader and its preloads stop the build", () => {
  assert.throws(() => transformIndexHtml(fixture('index.trunk-default.html')), /Trunk's default loader/);
  const release = fixture('index.release.html');
  const preload =
    '<link as=fetch crossorigin href=./syscall-explorer-0123456789abcdef_bg.wasm rel=preload type=application/wasm>';
  assert.throws(() => transformIndexHtml(release.replace('</head>', `${preload}</head>`)), /pattern_preload is lost/);
  const modulepreload = '<link crossorigin href=./syscall-explorer-0123456789abcdef.js rel=modulepreload>';
  const withModulepreload = release.replace('</head>', `${modulepreload}</head>`);
  assert.throws(() => transformIndexHtml(withModulepreload), /pattern_preload is lost/);
});

test('a page without a loader, without a charset or with a policy already stops the build', () => {
  const release = fixture('index.release.html');
  assert.throws(() => transformIndexHtml(release.replace(/<script[\s\S]*?<\/script>/, '')), /no inline loader script/);
  const noCharset = release.replace('<meta charset=utf-8>', '');
  assert.throws(() => transformIndexHtml(noCharset), /0 <meta charset=utf-8>, not one/);
  assert.throws(() => transformIndexHtml(transformIndexHtml(release)), /already has a Content-Security-Policy/);
});

test('the hook writes the policy into the staging index.html, or fails the build with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csp-'));
  const run = (html) => {
    writeFileSync(join(dir, 'index.html'), html);
    return spawnSync(process.execPath, [HOOK], { env: { ...process.env, TRUNK_STAGING_DIR: dir } });
  };
  assert.equal(run(fixture('index.release.html')).status, 0);
  assert.ok(policyOf(readFileSync(join(dir, 'index.html'), 'utf8')));
  const failed = run(fixture('index.trunk-default.html'));
  assert.equal(failed.status, 1);
  assert.match(failed.stderr.toString(), /^csp\.mjs: csp: index\.html has Trunk's default loader/);
});
