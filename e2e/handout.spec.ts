// Story: a lecturer prints the read() handout. In print media the handout (one page per step: narration, wall,
// registers) is what shows and the controls are gone; printed to PDF it has a page per step, at least seven.
// The handout is built only when a print is announced: the browser's own print (Ctrl+P, its menu, and page.pdf()
// here) fires `beforeprint`, and the Print button builds it before it calls window.print().
// Desktop only (printing does not depend on the viewport).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { StoryPage, STEP_TITLES } from './pages/story';

const PDF_PATH = 'artifacts/handout-read.pdf';

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'printing does not depend on the viewport: desktop only');
});

test('the read() handout prints one step per page', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  await story.open('s=read&f=30');

  // Until a print is announced there is no handout in the page (it would be ~600 elements nobody sees).
  await expect(story.handout).not.toBeAttached();
  // The browser's own print: the handout is built in `beforeprint` and is what the PDF holds.
  await page.pdf({ path: PDF_PATH, format: 'A4', printBackground: true });
  await testInfo.attach('handout-read.pdf', { path: PDF_PATH, contentType: 'application/pdf' });
  const pdf = readFileSync(PDF_PATH).toString('latin1');
  // Page objects are "/Type /Page"; the page tree is "/Type /Pages".
  const pages = pdf.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? [];
  expect(pages.length, 'pages in the PDF').toBeGreaterThanOrEqual(7);
  // On screen it is in the page now, but not shown.
  await expect(story.handout).toBeAttached();
  await expect(story.handout).toBeHidden();

  await page.emulateMedia({ media: 'print' });
  await expect(story.handout).toBeVisible();
  const sections = story.handout.locator('.handout-page');
  await expect(sections).toHaveCount(7);
  for (const [idx, title] of STEP_TITLES.entries()) {
    const section = sections.nth(idx);
    await expect(section.locator('h2')).toHaveText(`Step ${idx + 1} of 7: ${title}`);
    await expect(section.locator('.handout-wall')).toHaveText(/The CPU is in .* \(CPL [03]\)\./);
    await expect(section.locator('.handout-narration')).not.toBeEmpty();
    await expect(section.locator('.handout-regs th', { hasText: /^RAX$/ })).toBeVisible();
  }
  // The controls and the interactive panels are gone.
  for (const testid of ['step-forward', 'step-back', 'play', 'scrubber', 'share', 'scenario-picker', 'registers']) {
    await expect(page.getByTestId(testid), `${testid} in print`).toBeHidden();
  }
  await story.shot('handout-print', testInfo, { fullPage: true });

  await page.emulateMedia({ media: 'screen' });
  await expect(story.handout).toBeHidden();
  await expect(story.stepForward).toBeVisible();
  await story.expectCleanConsole();
});

test('the Print button builds the handout, then prints', async ({ page }) => {
  await page.addInitScript(() => {
    const counted = window as Window & { e2ePrints?: number; e2eHandoutAtPrint?: boolean };
    counted.e2ePrints = 0;
    window.print = () => {
      counted.e2ePrints! += 1;
      counted.e2eHandoutAtPrint = document.querySelectorAll('[data-testid=handout] .handout-page').length === 7;
    };
  });
  const story = new StoryPage(page);
  await story.open('s=write');
  await expect(story.handout).not.toBeAttached();
  await page.getByTestId('print').click();
  await expect.poll(() => page.evaluate(() => (window as Window & { e2ePrints?: number }).e2ePrints)).toBe(1);
  // window.print() ran after the handout was in the page, not before.
  expect(await page.evaluate(() => (window as Window & { e2eHandoutAtPrint?: boolean }).e2eHandoutAtPrint)).toBe(true);
  await expect(story.handout).toBeAttached();
  await expect(story.handout).toBeHidden();
  // Stepping does not print again.
  await story.tap('ArrowRight');
  expect(await page.evaluate(() => (window as Window & { e2ePrints?: number }).e2ePrints)).toBe(1);
  await story.expectCleanConsole();
});
