// Accessibility: axe-core finds no serious or critical violations on the rendered page, in every mode (normal,
// embed, presentation), in both themes, in the interactive states (editor open with a field error, Share and Embed
// popovers open, decimal registers, the Mitigations checkbox on, the cost view opened from the last frame with and
// without measured figures), and at each scenario's first and last frame. Moderate and minor findings do not
// fail the run; they are printed and attached to the report, so they can be fixed too.
// A failure names each rule and the first few elements that break it (CSS selectors), so it can be fixed directly.
// Any Content-Security-Policy violation is reported as a console error and fails the run as well.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, type Page, test, type TestInfo } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { ExplorerPage } from './pages/explorer';
import { STOP_SUFFIX, StoryPage } from './pages/story';

/** Every scenario of the picker, by its `s=` id. */
const PRESETS = [
  'read', 'read-bad-fd', 'read-bad-buffer', 'unknown-number', 'write', 'openat-missing', 'openat-forbidden',
  'close', 'getpid', 'exit-group', 'int80-read', 'vdso-clock-gettime', 'raw-probe',
] as const;

/** The WCAG 2.0/2.1/2.2 A and AA rules, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * axe-core itself (the copy @axe-core/playwright uses), added to every document the page loads as an init script.
 * AxeBuilder.analyze() would inject these 550 KB again and open a blank page for every scan: on this page (3,000+
 * nodes, two cores) that doubles the time of a scan. Init scripts and evaluate are not subject to the page's CSP.
 */
const AXE_SOURCE = readFileSync(
  createRequire(require.resolve('@axe-core/playwright')).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Adds axe to every document of the page; reports every CSP violation as a console error (ExplorerPage collects). */
async function prepare(page: Page): Promise<void> {
  await page.addInitScript({ content: AXE_SOURCE });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'}`);
    });
  });
}

interface Findings {
  /** Serious and critical violations: each fails the test. */
  severe: string[];
  /** Moderate and minor ones: reported. */
  other: string[];
}

/**
 * Runs axe on the page as it is now (or only on the element matching `within`); `where` names the state in every
 * line.
 */
async function scan(page: Page, where: string, within?: string): Promise<Findings> {
  const results = await page.evaluate(
    ([tags, within]) =>
      (window as unknown as { axe: { run: (context: Node, options: object) => Promise<AxeResults> } }).axe.run(
        within ? document.querySelector(within)! : document,
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
      ),
    [TAGS, within] as const,
  );
  const findings: Findings = { severe: [], other: [] };
  for (const violation of results.violations) {
    const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' '));
    const more = violation.nodes.length > 3 ? ` and ${violation.nodes.length - 3} more` : '';
    const line = `[${where}] ${violation.id} (${violation.impact}): ${violation.help}: ${targets.join(', ')}${more}`;
    if (violation.impact === 'serious' || violation.impact === 'critical') findings.severe.push(line);
    else findings.other.push(line);
  }
  return findings;
}

/** Prints and attaches the moderate and minor findings, then fails on any serious or critical one. */
function report(findings: Findings, testInfo: TestInfo): void {
  if (findings.other.length > 0) {
    console.log(`axe, moderate/minor (${testInfo.project.name}):\n  ${findings.other.join('\n  ')}`);
    testInfo.annotations.push({ type: 'axe moderate/minor', description: findings.other.join('\n') });
  }
  expect(findings.severe, 'serious or critical accessibility violations').toEqual([]);
}

function merge(into: Findings, from: Findings): void {
  into.severe.push(...from.severe);
  into.other.push(...from.other);
}

test.beforeEach(async ({ page }) => {
  await prepare(page);
});

test('no serious or critical accessibility violations', async ({ page }, testInfo) => {
  const explorer = new ExplorerPage(page);
  await explorer.goto();
  report(await scan(page, 'default'), testInfo);
  explorer.expectNoProblems();
});

test('no serious or critical violations in any mode or theme', async ({ page }, testInfo) => {
  // Nine scans of 2 to 10 s each (axe is CPU-bound: the slow end is a busy two-core machine).
  test.setTimeout(180_000);
  const story = new StoryPage(page);
  const all: Findings = { severe: [], other: [] };
  const views = [
    'mode=normal',
    'mode=embed',
    'mode=present',
    'theme=dark',
    'theme=light',
    'mode=embed&theme=dark',
    'mode=present&theme=dark',
    // The trap frame: the crossing note and Replay crossing, the kernel listing.
    's=read&f=7&theme=dark',
    's=read&f=7&theme=light',
  ];
  for (const view of views) {
    await story.open(view);
    await expect(story.frameCounter).toHaveText(new RegExp(`^Frame \\d+ of \\d+(${STOP_SUFFIX})?$`));
    merge(all, await scan(page, view));
    // The stage shows one view at a time: at the trap, each of the others in turn (axe checks only what is shown).
    if (view.startsWith('s=read&f=7')) {
      for (const tab of await page.locator('[data-testid^="view-tab-"]').all()) {
        const name = await tab.getAttribute('data-testid');
        await tab.click();
        await expect(tab).toHaveAttribute('aria-selected', 'true');
        merge(all, await scan(page, `${view}, ${name}`, '[data-testid=focus-view]'));
      }
    }
  }
  report(all, testInfo);
  story.expectNoProblems();
});

test('no serious or critical violations with the editor, a field error, the popovers and decimal registers', async ({
  page,
}, testInfo) => {
  // Six scans of 2 to 10 s each.
  test.setTimeout(120_000);
  const story = new StoryPage(page);
  const all: Findings = { severe: [], other: [] };
  for (const theme of ['light', 'dark']) {
    await story.open(`s=write&theme=${theme}`);
    await page.locator('[data-testid=editor] summary').click();
    await page.getByTestId('field-arg2').fill('12x');
    await expect(page.getByTestId('field-arg2-error')).toBeVisible();
    // Show decimal is in the register view, behind its tab.
    await page.getByTestId('view-tab-registers').click();
    await page.getByTestId('radix').click();
    await expect(page.getByTestId('radix')).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('share').click();
    await expect(page.getByTestId('share-popover')).toBeVisible();
    merge(all, await scan(page, `${theme}: editor open, field error, decimal, share popover`));
    await page.getByTestId('embed').click();
    await expect(page.getByTestId('embed-popover')).toBeVisible();
    merge(all, await scan(page, `${theme}: embed popover`));
    // A link with bad parameters: the notices box.
    await story.open(`s=nope&f=x&theme=${theme}`);
    await expect(story.notices).toBeVisible();
    merge(all, await scan(page, `${theme}: notices`));
  }
  report(all, testInfo);
  story.expectNoProblems();
});

test('no serious or critical violations with the mitigations on and the cost view open, with measured figures', async ({
  page,
}, testInfo) => {
  // Six scans of 2 to 10 s each.
  test.setTimeout(120_000);
  const story = new StoryPage(page);
  const all: Findings = { severe: [], other: [] };
  const measured = 'cpu=Intel%20Xeon&kernel=6.12.0&ns=call:1.4,vdso:23.1,getpid:104.7,clock:172.4,read:227.2';
  for (const theme of ['light', 'dark']) {
    // The whole page with the checkbox on, then the cost view the last frame's button opens (the counts with the
    // mitigations on beside those without, the cited sources, the reader's figures).
    await story.open(`s=read&mitigations=on&theme=${theme}&${measured}`);
    await expect(page.getByTestId('mitigations')).toBeChecked();
    const [, frames] = await story.frame();
    merge(all, await scan(page, `${theme}: mitigations on`));
    await story.press('End', frames, frames);
    await page.getByTestId('show-cost').click();
    await expect(page.getByTestId('cost-measured')).toBeVisible();
    merge(all, await scan(page, `${theme}: last frame, cost view with measured figures`));
    merge(all, await scan(page, `${theme}: the cost view`, '[data-testid=focus-view]'));
    // Without figures: the hint to measure one's own machine.
    await story.open(`s=getpid&theme=${theme}`);
    await page.getByTestId('view-tab-cost').click();
    await expect(page.getByTestId('cost-measure-hint')).toBeVisible();
    merge(all, await scan(page, `${theme}: the cost view, no figures`, '[data-testid=focus-view]'));
  }
  report(all, testInfo);
  story.expectNoProblems();
});

// Two halves, so the two workers share the 26 scans; each half reuses one page.
const HALVES = [PRESETS.slice(0, 7), PRESETS.slice(7)];
for (const [half, presets] of HALVES.entries()) {
  test(`no serious or critical violations at the first and last frame of every scenario (${half + 1} of 2)`, async ({
    page,
  }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'the scenario sweep runs once, on desktop');
    // 12 to 14 scans of 2 to 10 s each.
    test.setTimeout(240_000);
    const story = new StoryPage(page);
    const all: Findings = { severe: [], other: [] };
    for (const preset of presets) {
      await story.open(`s=${preset}`);
      await expect(story.picker).toHaveValue(preset);
      const [, frames] = await story.frame();
      await story.expectFrame(1, frames);
      merge(all, await scan(page, `${preset} first frame`));
      await story.press('End', frames, frames);
      merge(all, await scan(page, `${preset} last frame`));
    }
    report(all, testInfo);
    story.expectNoProblems();
  });
}
