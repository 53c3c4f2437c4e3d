// Cold loads: first contentful paint and "controls respond", app and baseline interleaved, at 1x and 4x CPU.
//
// Every load is a fresh browser context (empty HTTP cache, no compiled-wasm cache) with CDP's cache disabled.
//
// "Controls respond" is the same probe on both pages: from navigation start (performance.timeOrigin), the harness
// looks for [data-testid=step-forward] every few milliseconds; once it is laid out and the page has had its first
// contentful paint, it clicks the button's centre with a real (CDP) mouse click, and again every 50 ms (a click before
// the page listens is lost) until the visible text of [data-testid=frame-counter] has left "Frame 1 of" for a later
// frame. The figure is performance.now() in the page when the harness first reads the new frame (after the click's
// handlers and the render ran; one CDP round trip, ~1-2 ms, late on both pages). On the baseline "Next" is a plain
// link whose CSS :target swaps the counter to "Frame 2 of", so it responds as soon as the browser has parsed, laid
// out and painted it: the best any page with this text can do.
import { VIEWPORT, freshPage, median, round, sleep } from './lib.mjs';

const PROBE = () => {
  const counter = document.querySelector('[data-testid=frame-counter]');
  // Past frame 1 (a second click that landed before the render shows may have moved it further).
  if (counter && /Frame \d+ of/.test(counter.innerText) && !/Frame 1 of/.test(counter.innerText)) {
    return { done: performance.now() };
  }
  const next = document.querySelector('[data-testid=step-forward]');
  if (!next || next.disabled) return null;
  // Nobody presses a button they cannot see yet: wait for the first contentful paint, so a click never adds its work
  // to the first frame (it did on the baseline at 4x and delayed its first paint).
  if (performance.getEntriesByName('first-contentful-paint').length === 0) return null;
  let rect = next.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) return null;
  if (rect.bottom > innerHeight || rect.top < 0) {
    next.scrollIntoView({ block: 'center' });
    rect = next.getBoundingClientRect();
  }
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
};

// When the Next button first exists and is enabled, from navigation start: a MutationObserver marks it
// (performance.mark 'bench:ready') in the DOM change's own task, even while the main thread is too busy to run the
// probe. No click can show its result before this, so on the app it is the floor under "controls respond" that no
// handling of the click can go below: the app's start-up (fetch, compile, model, first render). On the baseline the
// button is there as soon as it is parsed. bench/compile.mjs splits its trace at the same mark.
export const READY = () => {
  const ready = () => {
    const next = document.querySelector('[data-testid=step-forward]');
    if (!next || next.disabled) return false;
    performance.mark('bench:ready');
    return true;
  };
  const observer = new MutationObserver(() => {
    if (ready()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
};

const TEXT = () => ({
  h1: document.querySelector('h1')?.textContent.trim(),
  tagline: document.querySelector('.tagline')?.textContent.trim(),
  steps: [...document.querySelectorAll('.step-name')].map((e) => e.textContent.trim()),
  stepTitle: document.querySelector('[data-testid=step-title]')?.textContent.trim(),
  narration: document.querySelector('[data-testid=narration]')?.textContent.trim(),
  counter: document.querySelector('[data-testid=frame-counter]')?.innerText.trim(),
});

async function evaluate(page, fn) {
  // Right after the commit the document may still be swapping in: retry instead of failing.
  for (;;) {
    try {
      return await page.evaluate(fn);
    } catch (error) {
      if (!/context|navigat|Target/i.test(String(error))) throw error;
      await sleep(2);
    }
  }
}

/** One cold load; returns the timings (ms from navigation start) and, if asked, bytes per URL and the visible text. */
async function coldLoad(browser, url, rate, { wire = false, text = false } = {}) {
  const { page, cdp, close } = await freshPage(browser, { rate, init: [READY] });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const urls = new Map();
  const bytes = {};
  if (wire) {
    cdp.on('Network.responseReceived', (event) => urls.set(event.requestId, event.response));
    cdp.on('Network.loadingFinished', (event) => {
      const response = urls.get(event.requestId);
      if (!response) return;
      const path = new URL(response.url).pathname.replace(/^\//, '') || 'index.html';
      bytes[path] = {
        wire: event.encodedDataLength,
        encoding: response.headers['Content-Encoding'] ?? response.headers['content-encoding'] ?? 'identity',
      };
    });
  }
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const deadline = Date.now() + 60_000;
    let respond = null;
    let lastClick = -Infinity;
    let visible = null;
    while (respond === null) {
      if (Date.now() > deadline) throw new Error(`${url}: the Next button never moved the counter to frame 2`);
      const probe = await evaluate(page, PROBE);
      if (probe?.done !== undefined) {
        respond = probe.done;
      } else if (probe && Date.now() - lastClick >= 50) {
        // The first screen's text, for the baseline check, before the first click changes it.
        if (text && visible === null) visible = await evaluate(page, TEXT);
        lastClick = Date.now();
        await page.mouse.click(probe.x, probe.y);
      } else {
        await sleep(3);
      }
    }
    const ready = await evaluate(page, () => performance.getEntriesByName('bench:ready')[0]?.startTime ?? null);
    await page.waitForLoadState('load');
    const timing = await page.evaluate(async () => {
      const nav = performance.getEntriesByType('navigation')[0];
      // The paint entry arrives once the frame has been presented, which can be after 'load': wait for it (5 s).
      const fcp = await new Promise((done) => {
        const found = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
        if (found() !== undefined) return done(found());
        const observer = new PerformanceObserver(() => {
          if (found() !== undefined) {
            observer.disconnect();
            done(found());
          }
        });
        observer.observe({ type: 'paint', buffered: true });
        setTimeout(() => done(found() ?? null), 5000);
      });
      return {
        fcp,
        domContentLoaded: nav?.domContentLoadedEventEnd ?? null,
        load: nav?.loadEventEnd ?? null,
      };
    });
    // Let the last responses finish so their sizes are counted.
    if (wire) await sleep(200);
    return { respond, ready, ...timing, errors, bytes: wire ? bytes : null, text: visible };
  } finally {
    await close();
  }
}

function compareText(app, baseline) {
  const drift = [];
  for (const key of ['h1', 'tagline', 'stepTitle', 'narration']) {
    if (app[key] !== baseline[key]) drift.push(`${key}: app "${app[key]}" vs baseline "${baseline[key]}"`);
  }
  if (JSON.stringify(app.steps) !== JSON.stringify(baseline.steps)) drift.push('the seven step names differ');
  // The counter text differs only in the total ("Frame 1 of N").
  return drift;
}

/**
 * Cold loads of the app and the baseline, and, when their URLs are given, of two floors: the framework floor
 * (bench/floor, a Yew counter with the same Next button and counter: what any page built with these tools needs before
 * a click counts) and the start-up floor (the app built with `--features startup-floor`: its whole start-up, the
 * model included, with only the controls on the page: what this app needs before a click counts, whatever else it
 * shows).
 */
export async function measureLoads(browser, { appUrl, baselineUrl, floorUrl = null, startupFloorUrl = null, loads }) {
  const pages = {
    app: appUrl,
    baseline: baselineUrl,
    ...(floorUrl ? { floor: floorUrl } : {}),
    ...(startupFloorUrl ? { startupFloor: startupFloorUrl } : {}),
  };
  const result = { viewport: VIEWPORT, loadsPerFigure: loads, rates: {}, wire: null, textDrift: [], errors: [] };
  // One warm-up load of each (discarded): fills the server's gzip cache and the OS file cache.
  const warmApp = await coldLoad(browser, appUrl, 1, { wire: true, text: true });
  const warmBaseline = await coldLoad(browser, baselineUrl, 1, { text: true });
  if (floorUrl) await coldLoad(browser, floorUrl, 1);
  if (startupFloorUrl) await coldLoad(browser, startupFloorUrl, 1);
  result.wire = warmApp.bytes;
  result.textDrift = compareText(warmApp.text, warmBaseline.text);
  for (const rate of [1, 4]) {
    const runs = Object.fromEntries(Object.keys(pages).map((which) => [which, []]));
    for (let i = 0; i < loads; i++) {
      // Rotate the order so a slow phase of the machine does not fall on one page only.
      const names = Object.keys(pages);
      const order = names.map((_, k) => names[(i + k) % names.length]);
      for (const which of order) {
        const run = await coldLoad(browser, pages[which], rate);
        runs[which].push(run);
        for (const error of run.errors) result.errors.push(`${which} at ${rate}x: ${error}`);
      }
      process.stdout.write('.');
    }
    const summary = (list) => ({
      fcp: round(median(list.map((r) => r.fcp))),
      respond: round(median(list.map((r) => r.respond))),
      ready: round(median(list.map((r) => r.ready))),
      domContentLoaded: round(median(list.map((r) => r.domContentLoaded))),
      load: round(median(list.map((r) => r.load))),
      samples: {
        fcp: list.map((r) => round(r.fcp)),
        respond: list.map((r) => round(r.respond)),
        ready: list.map((r) => round(r.ready)),
      },
    });
    const app = summary(runs.app);
    const baseline = summary(runs.baseline);
    const floor = runs.floor ? summary(runs.floor) : null;
    const startupFloor = runs.startupFloor ? summary(runs.startupFloor) : null;
    result.rates[`${rate}x`] = {
      app,
      baseline,
      fcpRatio: round(app.fcp / baseline.fcp, 3),
      respondRatio: round(app.respond / baseline.respond, 3),
      // The app's start-up alone (its Next button ready, no click yet) against the baseline's whole response.
      readyRatio: round(app.ready / baseline.respond, 3),
      ...(floor ? { floor, floorRespondRatio: round(floor.respond / baseline.respond, 3) } : {}),
      ...(startupFloor
        ? {
            startupFloor,
            startupFloorRespondRatio: round(startupFloor.respond / baseline.respond, 3),
            startupFloorReadyRatio: round(startupFloor.ready / baseline.respond, 3),
          }
        : {}),
    };
  }
  process.stdout.write('\n');
  return result;
}
