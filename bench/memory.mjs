// JS heap and WebAssembly memory after 100 and after BENCH_MEMORY_STEPS (default 10,000) steps.
//
// A step is one of: ArrowRight (60 %), ArrowLeft (25 %), Home (4 %), End (4 %), or a scenario switch through
// [data-testid=scenario-picker] (7 %, a `change` event on the <select>), drawn from a fixed-seed generator so every
// run does the same steps. Keys are keydown events dispatched on the document (where the app listens); every 10 steps
// the page gets an animation frame to render. Before each reading the page is put back on the same view (scenario
// "read", frame 1) so the two readings compare like with like, then CDP's HeapProfiler.collectGarbage runs twice and
// Performance.getMetrics gives JSHeapUsedSize (plus DOM nodes and listeners); WebAssembly memory is
// memory.buffer.byteLength of the page's WebAssembly memory, caught as the instance is made (the page exposes nothing).
import { freshPage, sleep } from './lib.mjs';

const INIT = () => {
  // instantiate() resolves to an Instance (given a Module) or { module, instance } (given bytes), as does
  // instantiateStreaming(); the memory is the exported WebAssembly.Memory, whatever its (shortened) name.
  const remember = (result) => {
    const instance = result.instance ?? result;
    window.__wasmMemory = Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory);
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(remember);
  }
};

// Runs in the page: `count` steps from generator state `seed`; returns the new state and what was done.
const RUN_STEPS = async ({ count, seed }) => {
  const picker = document.querySelector('[data-testid=scenario-picker]');
  const scenarios = [...picker.options].map((o) => o.value);
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const key = (name) => document.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
  const done = { forward: 0, back: 0, home: 0, end: 0, switch: 0 };
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.6) {
      key('ArrowRight');
      done.forward++;
    } else if (r < 0.85) {
      key('ArrowLeft');
      done.back++;
    } else if (r < 0.89) {
      key('Home');
      done.home++;
    } else if (r < 0.93) {
      key('End');
      done.end++;
    } else {
      const picker = document.querySelector('[data-testid=scenario-picker]');
      picker.value = scenarios[Math.floor(random() * scenarios.length)];
      picker.dispatchEvent(new Event('change', { bubbles: true }));
      done.switch++;
    }
    if (i % 10 === 9) await new Promise((frame) => requestAnimationFrame(() => setTimeout(frame, 0)));
  }
  return { seed: state, done };
};

const SAME_VIEW = async () => {
  const picker = document.querySelector('[data-testid=scenario-picker]');
  picker.value = 'read';
  picker.dispatchEvent(new Event('change', { bubbles: true }));
  await new Promise((frame) => requestAnimationFrame(() => setTimeout(frame, 0)));
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true, cancelable: true }));
  await new Promise((frame) => requestAnimationFrame(() => setTimeout(frame, 0)));
  return document.querySelector('[data-testid=frame-counter]').innerText;
};

async function reading(page, cdp) {
  const view = await page.evaluate(SAME_VIEW);
  await sleep(300);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? null;
  const wasmBytes = await page.evaluate(() => window.__wasmMemory?.buffer?.byteLength ?? null);
  return {
    view,
    jsHeapUsed: metric('JSHeapUsedSize'),
    jsHeapTotal: metric('JSHeapTotalSize'),
    wasmMemory: wasmBytes,
    domNodes: metric('Nodes'),
    jsEventListeners: metric('JSEventListeners'),
  };
}

export async function measureMemory(browser, { appUrl, steps, rate = 1 }) {
  const { page, cdp, close } = await freshPage(browser, { rate, init: [INIT] });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(appUrl);
    await page.getByTestId('frame-counter').waitFor();
    await page.waitForFunction(() => window.__wasmMemory !== undefined, null, { timeout: 30_000 }).catch(() => {});
    await cdp.send('Performance.enable');
    const first = Math.min(100, steps);
    let run = await page.evaluate(RUN_STEPS, { count: first, seed: 20_241 });
    const done = { ...run.done };
    const after100 = await reading(page, cdp);
    const started = Date.now();
    // The rest in chunks, so a slow page does not hit Playwright's evaluate limits.
    let left = steps - first;
    while (left > 0) {
      const count = Math.min(1000, left);
      run = await page.evaluate(RUN_STEPS, { count, seed: run.seed });
      for (const [k, v] of Object.entries(run.done)) done[k] += v;
      left -= count;
      process.stdout.write('.');
    }
    process.stdout.write('\n');
    const seconds = (Date.now() - started) / 1000;
    const afterAll = await reading(page, cdp);
    const growth = {
      jsHeapUsed: afterAll.jsHeapUsed - after100.jsHeapUsed,
      wasmMemory: afterAll.wasmMemory === null ? null : afterAll.wasmMemory - after100.wasmMemory,
      domNodes: afterAll.domNodes - after100.domNodes,
      jsEventListeners: afterAll.jsEventListeners - after100.jsEventListeners,
    };
    growth.total = growth.jsHeapUsed + (growth.wasmMemory ?? 0);
    return {
      rate,
      steps,
      stepsDone: done,
      secondsFor9900: Math.round(seconds * 10) / 10,
      after100,
      afterAll,
      growth,
      errors,
    };
  } finally {
    await close();
  }
}
