// WebAssembly compiled on the page's main thread: how many functions, how many bytes of code, and how long (traced)
// before the app is ready, while the rest of the page arrives, and for the first click.
//
// V8 compiles a WebAssembly function lazily, on its first call, on the main thread (Chromium's default; no page can
// turn it off, and the "metadata.code.compilation_priority" hints that would let a module ask for eager compilation
// are ignored unless an experimental flag is on). So the code a page runs before it can respond is compiled while the
// reader waits, at 4x CPU four times as slowly. Unlike the cold-load timings, the counts hardly move between runs:
// they measure how much code the start-up and the first click touch, which is what a change to the start-up path
// can lower.
import { freshPage, median, round, sleep } from './lib.mjs';
import { READY } from './loads.mjs';

// Marks in the page's own timeline, which a trace shows on the same clock as V8's compile events: 'bench:ready' from
// the cold loads' READY, and here the click's arrival and the counter's move.
const MARKS = () => {
  const mark = (name) => {
    if (performance.getEntriesByName(name).length === 0) performance.mark(name);
  };
  new MutationObserver(() => {
    const counter = document.querySelector('[data-testid=frame-counter]');
    if (counter && /Frame \d+ of/.test(counter.textContent) && !/Frame 1 of/.test(counter.textContent)) mark('bench:change');
  }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
  addEventListener('pointerdown', () => mark('bench:input'), true);
};

const CATEGORIES = ['v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'blink.user_timing'];

/** One traced load: the page left alone until it is complete, then one click on Next. */
async function tracedLoad(browser, url, rate, settle) {
  const { page, close } = await freshPage(browser, { rate, init: [READY, MARKS] });
  let tracing = false;
  try {
    await browser.startTracing(page, { categories: CATEGORIES });
    tracing = true;
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName('bench:ready').length > 0, null, { polling: 20, timeout: 60_000 });
    // Let the rest of the page arrive (the app reveals its panels over a few frames after it is ready).
    await page.waitForFunction(() => !document.querySelector('[aria-busy]'), null, { polling: 50, timeout: 60_000 });
    await sleep(settle);
    await page.getByTestId('step-forward').click();
    await page.waitForFunction(() => performance.getEntriesByName('bench:change').length > 0, null, { polling: 20, timeout: 60_000 });
    await sleep(settle);
    tracing = false;
    const trace = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    const markAt = (name) => trace.find((e) => e.name === name && e.cat?.includes('user_timing'))?.ts;
    const [ready, input, change] = ['bench:ready', 'bench:input', 'bench:change'].map(markAt);
    if (ready === undefined || input === undefined || change === undefined) throw new Error(`${url}: the trace lacks the bench marks`);
    // wasm.CompileLazy (func_index) wraps the compile of one function; wasm.CompileBaseline inside it has its size.
    const baseline = trace.filter((e) => e.name === 'wasm.CompileBaseline');
    const lazy = trace
      .filter((e) => e.name === 'wasm.CompileLazy' && e.ph === 'X')
      .map((e) => {
        // The baseline compile nested in this lazy compile: same thread, inside its span.
        const inner = baseline.find((b) => b.pid === e.pid && b.tid === e.tid && b.ts >= e.ts && b.ts <= e.ts + e.dur);
        return { ts: e.ts, ms: e.dur / 1000, bytes: inner?.args?.bodySize ?? 0 };
      });
    const phase = (from, to) => {
      const list = lazy.filter((c) => c.ts >= from && c.ts < to);
      return { functions: list.length, bytes: list.reduce((sum, c) => sum + c.bytes, 0), ms: list.reduce((sum, c) => sum + c.ms, 0) };
    };
    return {
      beforeReady: phase(-Infinity, ready),
      untilClick: phase(ready, input),
      firstClick: phase(input, change),
      total: phase(-Infinity, Infinity),
    };
  } finally {
    if (tracing) await browser.stopTracing().catch(() => {});
    await close();
  }
}

/** Median over `loads` traced loads of each page (the counts are the same in every load; the times are not). */
export async function measureCompile(browser, { pages, loads = 3, rate = 1, settle = 400 }) {
  const result = {
    rate,
    loads,
    method: 'Chromium trace (v8.wasm): wasm.CompileLazy events on the main thread, split by performance marks when Next is first enabled, when the click on it arrives and when the frame counter moves; ms are traced times (tracing slows them)',
    pages: {},
  };
  for (const [name, url] of Object.entries(pages)) {
    if (!url) continue;
    const runs = [];
    for (let i = 0; i < loads; i++) runs.push(await tracedLoad(browser, url, rate, settle));
    const summary = {};
    for (const key of ['beforeReady', 'untilClick', 'firstClick', 'total']) {
      summary[key] = {
        functions: median(runs.map((r) => r[key].functions)),
        bytes: median(runs.map((r) => r[key].bytes)),
        ms: round(median(runs.map((r) => r[key].ms))),
      };
    }
    result.pages[name] = summary;
    process.stdout.write('.');
  }
  return result;
}
