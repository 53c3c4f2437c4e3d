// Story: a lecturer prints the read() handout. In print media the handout (one page per step: narration, wall,
// registers) is what shows and the controls are gone; printed to PDF it has a page per step, at least seven.
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

  // On screen the handout is in the page but not shown.
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

  await page.pdf({ path: PDF_PATH, format: 'A4', printBackground: true });
  await testInfo.attach('handout-read.pdf', { path: PDF_PATH, contentType: 'application/pdf' });
  const pdf = readFileSync(PDF_PATH).toString('latin1');
  // Page objects are "/Type /Page"; the page tree is "/Type /Pages".
  const pages = pdf.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? [];
  expect(pages.length, 'pages in the PDF').toBeGreaterThanOrEqual(7);

  await page.emulateMedia({ media: 'screen' });
  await expect(story.handout).toBeHidden();
  await expect(story.stepForward).toBeVisible();
  await story.expectCleanConsole();
});
