// Playwright end-to-end tests against the release build in dist/ (run `trunk build --release` first;
// scripts/test.sh does). Playwright starts scripts/static-server.mjs on 127.0.0.1 and stops it afterwards.
//
// The browser is Debian's /usr/bin/chromium (scripts/setup.sh --test installs it): never `npx playwright install`,
// which downloads a browser and fails on machines that reach only package registries.
import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const QUIET_FLAGS: string[] = JSON.parse(readFileSync('scripts/chromium-flags.json', 'utf8')).quiet;

const port = Number(process.env.E2E_PORT ?? 8099);
const baseURL = `http://127.0.0.1:${port}/`;

if (!existsSync('dist/index.html')) {
  throw new Error('dist/index.html is missing: run `trunk build --release` before the end-to-end tests');
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'artifacts/test-results',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Two cores: one browser per core.
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // Quiet on a closed network (scripts/chromium-flags.json, shared with the benchmark); Playwright adds
      // headless, no-sandbox and a fresh profile.
      args: QUIET_FLAGS,
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'desktop',
      use: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
    },
    {
      name: 'phone',
      use: {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 1,
        isMobile: true,
        hasTouch: true,
      },
    },
  ],
  webServer: {
    command: 'node scripts/static-server.mjs',
    env: { PORT: String(port), HOST: '127.0.0.1', SERVE_DIR: 'dist', QUIET: '1' },
    url: baseURL,
    // A server already on the port would be testing something else: fail instead of reusing it.
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
