// axe-core violations in every mode: normal, ?mode=embed, ?mode=present, ?theme=dark, the phone viewport, and each
// scenario's first frame (?s=ID&f=1) and last frame (the same page after the End key). All of axe's default rules run (WCAG
// 2.0/2.1/2.2 A and AA and axe's best practices; not the experimental ones), so a best-practice finding counts too:
// each violation lists its tags so WCAG failures can be told apart.
import { AxeBuilder } from '@axe-core/playwright';
import { freshPage } from './lib.mjs';

export const SCENARIOS = [
  'read',
  'read-bad-fd',
  'read-bad-buffer',
  'unknown-number',
  'write',
  'openat-missing',
  'openat-forbidden',
  'close',
  'getpid',
  'exit-group',
  'int80-read',
  'vdso-clock-gettime',
  'raw-probe',
];

async function analyze(page) {
  // Let the wall's token animation and any transition finish so colour contrast is read on the final colours.
  await page.evaluate(() =>
    Promise.race([
      Promise.allSettled(document.getAnimations().map((animation) => animation.finished)),
      new Promise((done) => setTimeout(done, 2000)),
    ]),
  );
  const counter = await page.getByTestId('frame-counter').innerText();
  const results = await new AxeBuilder({ page }).analyze();
  return {
    counter,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      tags: v.tags.filter((t) => /^wcag|^best-practice$/.test(t)),
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary?.split('\n').slice(0, 3).join(' ') })),
    })),
  };
}

/** Scans one view; with `end`, also the last frame of the same page (the End key). Returns one result per view. */
async function scan(browser, appUrl, view) {
  const { page, close } = await freshPage(browser, view.viewport ? { viewport: view.viewport } : {});
  try {
    await page.goto(appUrl + view.query);
    await page.getByTestId('frame-counter').waitFor();
    const results = [{ view: view.name, url: view.query || '/', ...(await analyze(page)) }];
    if (view.end) {
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press('End');
      await page.waitForFunction(() => {
        const match = /Frame (\d+) of (\d+)/.exec(document.querySelector('[data-testid=frame-counter]')?.innerText ?? '');
        return match && match[1] === match[2];
      });
      results.push({ view: view.end, url: `${view.query}, then End`, ...(await analyze(page)) });
    }
    for (const result of results) process.stdout.write(result.violations.length ? 'x' : '.');
    return results;
  } finally {
    await close();
  }
}

export async function measureAxe(browser, { appUrl, parallel = 2 }) {
  // The scenario ids the page offers (the picker) are the truth; say so if they differ from the list above.
  const { page, close } = await freshPage(browser);
  let offered;
  try {
    await page.goto(appUrl);
    offered = await page
      .getByTestId('scenario-picker')
      .locator('option')
      .evaluateAll((options) => options.map((o) => o.value));
  } finally {
    await close();
  }
  const scenarios = offered.length ? offered : SCENARIOS;
  const listDrift = JSON.stringify([...offered].sort()) === JSON.stringify([...SCENARIOS].sort()) ? null : offered;

  const views = [
    { name: 'normal', query: '' },
    { name: 'embed', query: '?mode=embed' },
    { name: 'present', query: '?mode=present' },
    { name: 'dark', query: '?theme=dark' },
    { name: 'phone 390x844', query: '', viewport: { width: 390, height: 844 } },
  ];
  for (const id of scenarios) views.push({ name: `${id} first`, query: `?s=${id}&f=1`, end: `${id} last` });
  // Two scans at a time (axe's colour-contrast rule takes seconds per view on this page): one per core.
  const queue = [...views];
  const byView = new Map();
  await Promise.all(
    Array.from({ length: Math.max(1, parallel) }, async () => {
      while (queue.length) {
        const view = queue.shift();
        byView.set(view, await scan(browser, appUrl, view));
      }
    }),
  );
  const results = views.flatMap((view) => byView.get(view));
  process.stdout.write('\n');

  // Per rule: where it fails and on which elements (deduplicated across views).
  const byRule = {};
  for (const result of results) {
    for (const v of result.violations) {
      const rule = (byRule[v.id] ??= { id: v.id, impact: v.impact, tags: v.tags, help: v.help, views: [], elements: {} });
      rule.views.push(result.view);
      for (const node of v.nodes) rule.elements[node.target] ??= node.summary;
    }
  }
  const total = results.reduce((sum, r) => sum + r.violations.reduce((s, v) => s + v.nodes.length, 0), 0);
  return {
    rules: 'axe-core defaults (WCAG A/AA + best practices)',
    viewsScanned: results.length,
    viewsWithViolations: results.filter((r) => r.violations.length).length,
    violatingNodes: total,
    scenarioListDrift: listDrift,
    byRule: Object.values(byRule),
    views: results,
  };
}
