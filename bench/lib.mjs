// Shared pieces of the benchmark (bench/bench.mjs): settings, statistics, the static servers, the browser, and the
// machine-noise probe. Nothing here measures; the bench/*.mjs sections do.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a whole number`);
  return value;
}

/** Every knob, from the environment (see scripts/bench.sh --help). */
export const SETTINGS = {
  dist: resolve(REPO, process.env.BENCH_DIST ?? 'artifacts/bench/dist'),
  baselineDir: resolve(REPO, process.env.BENCH_BASELINE_DIR ?? 'artifacts/bench/baseline'),
  // The framework floor (bench/floor/, a Yew counter built like the app), if bench.sh built it.
  floorDist: resolve(REPO, process.env.BENCH_FLOOR_DIST ?? 'artifacts/bench/floor'),
  startupFloorDist: resolve(REPO, process.env.BENCH_STARTUP_FLOOR_DIST ?? 'artifacts/bench/startup-floor'),
  out: resolve(REPO, process.env.BENCH_OUT ?? 'artifacts/bench'),
  // The issue asks for at least 7; medians of 7 moved by ±20% between quiet runs, 11 hold steadier.
  loads: intEnv('BENCH_LOADS', 11),
  keySteps: intEnv('BENCH_KEY_STEPS', 200),
  autoplaySeconds: intEnv('BENCH_AUTOPLAY_SECONDS', 120),
  autoplayThrottle: intEnv('BENCH_AUTOPLAY_THROTTLE', 1),
  memorySteps: intEnv('BENCH_MEMORY_STEPS', 10_000),
  only: (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};

/** The viewport of every timed run and axe scan (Lighthouse uses its own mobile emulation). */
export const VIEWPORT = { width: 1280, height: 800 };

/** Chromium flags that keep it quiet on a closed network (scripts/chromium-flags.json, shared with the tests). */
export const QUIET_FLAGS = [
  ...JSON.parse(readFileSync(resolve(REPO, 'scripts/chromium-flags.json'), 'utf8')).quiet,
  // A benchmark must not be slowed down because Chromium thinks the (headless) window is hidden.
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

export const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', ...QUIET_FLAGS] });
}

/**
 * A fresh context and page with the HTTP cache off and the CPU slowed `rate` times (CDP). `init` scripts run in every
 * document before the page's own scripts.
 */
export async function freshPage(browser, { rate = 1, init = [], viewport = VIEWPORT } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  for (const script of init) await context.addInitScript(script);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return { context, page, cdp, close: () => context.close() };
}

// --- statistics --------------------------------------------------------------------------------------------------

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of the numbers; null for none. */
export function percentile(values, p) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export const round = (value, digits = 1) =>
  value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits;

// --- servers -----------------------------------------------------------------------------------------------------

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// Every server this process started, so none outlives it (Ctrl-C, a crash).
const servers = new Set();
process.on('exit', () => {
  for (const child of servers) child.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

/** Starts scripts/static-server.mjs (gzip, as a static host would) on a free 127.0.0.1 port, serving `dir`. */
export async function startServer(dir) {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(REPO, 'scripts/static-server.mjs')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVE_DIR: dir, QUIET: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`static server for ${dir} did not start: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('serving')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`static server for ${dir} exited with ${code}: ${stderr}`));
    });
  });
  child.removeAllListeners('exit');
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

// --- noise -------------------------------------------------------------------------------------------------------

/** Total and busy CPU time of the machine (clock ticks, all cores), from /proc/stat. */
function machineTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { total: busy + idle + iowait, busy, steal };
}

/**
 * Every process's CPU ticks (utime + stime), its name, and whether it is this benchmark or something it started
 * (browsers, servers, Lighthouse).
 */
function processTicks() {
  const parent = new Map();
  const info = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is the state (field 3 of proc(5)), so field N is fields[N - 3]: ppid 4, utime 14, stime 15,
      // starttime 22 (which tells a reused pid from the process that had it before).
      parent.set(Number(pid), Number(fields[1]));
      info.set(Number(pid), {
        ticks: Number(fields[11]) + Number(fields[12]),
        started: fields[19],
        name: stat.slice(stat.indexOf('(') + 1, close),
      });
    } catch {
      // the process ended meanwhile
    }
  }
  const mine = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  for (const [pid, entry] of info) entry.mine = mine(pid);
  return info;
}

const BUSY_NAMES = new Set(['rustc', 'cargo', 'trunk', 'wasm-opt', 'wasm-bindgen', 'cc1', 'ld', 'rust-lld', 'clippy-driver', 'chromium', 'chrome', 'node']);

/** A snapshot for noiseBetween(). */
export function noiseSample() {
  return { at: Date.now(), machine: machineTicks(), processes: processTicks(), load1: loadavg()[0] };
}

/**
 * How much CPU other people's work took while a section ran, as a share of all cores: each process's growth in CPU
 * time between one-second samples, counted for this benchmark's process tree or for the others. (A process that
 * lives less than a second between two samples is missed on either side.) Over a quarter of the machine (half a
 * core of two) marks the section's timings noisy.
 */
export function noiseBetween(samples) {
  const total = samples[samples.length - 1].machine.total - samples[0].machine.total;
  let own = 0;
  let other = 0;
  const names = new Map();
  for (let i = 1; i < samples.length; i++) {
    for (const [pid, now] of samples[i].processes) {
      const before = samples[i - 1].processes.get(pid);
      const grown = Math.max(0, now.ticks - (before?.started === now.started ? before.ticks : 0));
      if (now.mine) own += grown;
      else {
        other += grown;
        if (grown > 0 && BUSY_NAMES.has(now.name)) names.set(now.name, (names.get(now.name) ?? 0) + grown);
      }
    }
  }
  const percent = (ticks) => (total > 0 ? Math.round((100 * ticks) / total) : 0);
  const otherPercent = percent(other);
  return {
    otherCpuPercent: otherPercent,
    ownCpuPercent: percent(own),
    // CPU the hypervisor gave to other virtual machines while this one wanted it (a VM's invisible neighbours).
    stealPercent: percent(samples[samples.length - 1].machine.steal - samples[0].machine.steal),
    maxLoad1: round(Math.max(...samples.map((s) => s.load1)), 2),
    // The busiest other programs first.
    otherProcesses: [...names].sort((a, b) => b[1] - a[1]).filter(([, t]) => percent(t) >= 1).map(([name]) => name),
    busy: otherPercent > 25,
  };
}

/** Runs `fn`, noting other processes every second; returns { value, noise }. */
export async function withNoise(fn) {
  const samples = [noiseSample()];
  const timer = setInterval(() => samples.push(noiseSample()), 1000);
  try {
    const value = await fn();
    samples.push(noiseSample());
    return { value, noise: noiseBetween(samples) };
  } finally {
    clearInterval(timer);
  }
}

export function log(...args) {
  console.log(...args);
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
