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
  out: resolve(REPO, process.env.BENCH_OUT ?? 'artifacts/bench'),
  loads: intEnv('BENCH_LOADS', 7),
  keySteps: intEnv('BENCH_KEY_STEPS', 200),
  autoplaySeconds: intEnv('BENCH_AUTOPLAY_SECONDS', 120),
  autoplayThrottle: intEnv('BENCH_AUTOPLAY_THROTTLE', 1),
  memorySteps: intEnv('BENCH_MEMORY_STEPS', 10_000),
  only: (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};

/** The viewport of every timed run and axe scan (Lighthouse uses its own mobile emulation). */
export const VIEWPORT = { width: 1280, height: 800 };

/** Chromium flags that keep it quiet on a closed network (shared/TOOLCHAIN.md). */
export const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
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
  return { total: busy + idle + iowait, busy };
}

/**
 * CPU ticks used by this process and everything it started (browsers, servers, Lighthouse): utime + stime + the
 * children it has reaped (cutime + cstime), over the live process tree.
 */
function ownTicks() {
  const parent = new Map();
  const ticks = new Map();
  const names = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is the state (field 3), so field N is fields[N - 3].
      parent.set(Number(pid), Number(fields[1]));
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
      names.set(Number(pid), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // the process ended meanwhile
    }
  }
  const mine = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  let own = 0;
  const foreign = new Set();
  // Per thread of this process tree: nanoseconds on a CPU and nanoseconds runnable but waiting for one.
  const threads = new Map();
  for (const [pid, t] of ticks) {
    if (mine(pid)) {
      own += t;
      try {
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          try {
            const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
            threads.set(Number(tid), [run, wait]);
          } catch {
            // the thread ended meanwhile
          }
        }
      } catch {
        // the process ended meanwhile
      }
    } else if (BUILD_TOOLS.has(names.get(pid)) || names.get(pid) === 'chromium' || names.get(pid) === 'chrome') foreign.add(names.get(pid));
  }
  return { own, foreign, threads };
}

const BUILD_TOOLS = new Set(['rustc', 'cargo', 'trunk', 'wasm-opt', 'wasm-bindgen', 'cc1', 'ld', 'rust-lld', 'clippy-driver']);

/** A snapshot for noiseBetween(). */
export function noiseSample() {
  const { own, foreign, threads } = ownTicks();
  return { at: Date.now(), machine: machineTicks(), own, foreign: [...foreign], threads, load1: loadavg()[0] };
}

/**
 * How much CPU other people's work took while a section ran: the machine's busy time minus this benchmark's own
 * process tree, as a share of all cores. Over a quarter of the machine (half a core of two) marks the figures noisy.
 */
export function noiseBetween(first, last, samples = [first, last]) {
  const total = last.machine.total - first.machine.total;
  const busy = last.machine.busy - first.machine.busy;
  const own = Math.max(0, last.own - first.own);
  const otherPercent = total > 0 ? Math.max(0, Math.round((100 * (busy - own)) / total)) : 0;
  // Waiting for a CPU, summed over every thread seen in any sample (a thread's growth from its first sighting).
  let ran = 0;
  let waited = 0;
  const seen = new Map();
  for (const sample of samples) {
    for (const [tid, [run, wait]] of sample.threads) {
      const before = seen.get(tid);
      if (before) {
        ran += Math.max(0, run - before[0]);
        waited += Math.max(0, wait - before[1]);
      }
      seen.set(tid, [run, wait]);
    }
  }
  const waitPercent = ran + waited > 0 ? Math.round((100 * waited) / (ran + waited)) : 0;
  return {
    otherCpuPercent: otherPercent,
    // Of the time the benchmark's threads (browser, page, servers) wanted a CPU, the share they waited for one.
    ownWaitPercent: waitPercent,
    ownCpuPercent: total > 0 ? Math.round((100 * own) / total) : 0,
    maxLoad1: round(Math.max(...samples.map((s) => s.load1)), 2),
    otherProcesses: [...new Set(samples.flatMap((s) => s.foreign))],
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
    return { value, noise: noiseBetween(samples[0], samples[samples.length - 1], samples) };
  } finally {
    clearInterval(timer);
  }
}

export function log(...args) {
  console.log(...args);
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
