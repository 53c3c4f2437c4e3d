// Long tasks (over 50 ms, PerformanceObserver 'longtask') during BENCH_AUTOPLAY_SECONDS (default 120) of autoplay at
// speed "fast". Autoplay stops at a scenario's end; the harness then picks the next scenario in
// [data-testid=scenario-picker] and presses Play again, so the page animates for the whole time, scenario switches
// included (as a lecturer's projector would).
import { freshPage, round, sleep } from './lib.mjs';

const INIT = () => {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__longtasks.push({ startTime: entry.startTime, duration: entry.duration, name: entry.name });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    window.__noLongtask = true;
  }
};

export async function measureAutoplay(browser, { appUrl, seconds, rate }) {
  const { page, close } = await freshPage(browser, { rate, init: [INIT] });
  try {
    await page.goto(appUrl);
    await page.getByTestId('frame-counter').waitFor();
    const scenarios = await page
      .getByTestId('scenario-picker')
      .locator('option')
      .evaluateAll((options) => options.map((o) => o.value));
    await page.getByTestId('speed').selectOption('fast');
    await sleep(1000);
    const start = await page.evaluate(() => performance.now());
    const play = page.getByTestId('play');
    const deadline = Date.now() + seconds * 1000;
    await play.click();
    const switches = [];
    let scenarioIndex = 0;
    let restarts = 0;
    while (Date.now() < deadline) {
      await sleep(400);
      if ((await play.getAttribute('aria-pressed')) === 'true') continue;
      // Stopped at the end of the scenario: go on with the next one.
      scenarioIndex = (scenarioIndex + 1) % scenarios.length;
      const at = await page.evaluate(() => performance.now());
      await page.getByTestId('scenario-picker').selectOption(scenarios[scenarioIndex]);
      switches.push({ at, scenario: scenarios[scenarioIndex] });
      if ((await page.getByTestId('speed').inputValue()) !== 'fast') {
        await page.getByTestId('speed').selectOption('fast');
      }
      if ((await play.getAttribute('aria-pressed')) !== 'true') {
        await play.click();
        restarts += 1;
      }
    }
    const end = await page.evaluate(() => performance.now());
    if ((await play.getAttribute('aria-pressed')) === 'true') await play.click();
    await sleep(200);
    const { tasks, unsupported } = await page.evaluate(() => ({
      tasks: window.__longtasks,
      unsupported: !!window.__noLongtask,
    }));
    const during = tasks.filter((t) => t.startTime >= start && t.startTime <= end);
    const nearSwitch = during.filter((t) => switches.some((s) => t.startTime >= s.at - 50 && t.startTime <= s.at + 1000));
    return {
      rate,
      seconds: round((end - start) / 1000),
      speed: 'fast',
      longtaskSupported: !unsupported,
      count: during.length,
      totalMs: round(during.reduce((sum, t) => sum + t.duration, 0)),
      maxMs: during.length ? round(Math.max(...during.map((t) => t.duration))) : 0,
      withinOneSecondOfScenarioSwitch: nearSwitch.length,
      scenarioSwitches: switches.length,
      playRestarts: restarts,
      tasks: during.map((t) => ({ startTime: round(t.startTime - start), duration: round(t.duration) })),
    };
  } finally {
    await close();
  }
}
