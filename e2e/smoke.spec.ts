// The first story: a person opens the page and sees what the explainer is about and the seven steps.
import { expect, test } from '@playwright/test';
import { ExplorerPage } from './pages/explorer';

test('the page loads with its title and the seven steps, and a clean console', async ({ page }, testInfo) => {
  const explorer = new ExplorerPage(page);
  await explorer.goto();

  await expect(page).toHaveTitle('Syscall Explorer');
  await expect(explorer.heading).toHaveText('Syscall Explorer');
  await expect(explorer.seedSteps).toHaveCount(7);
  // The static first screen (index.html) is gone: Yew empties <body> as it mounts the app.
  await expect(page.locator('#prerender')).toHaveCount(0);

  // Let late console messages (e.g. an unused preload warning) arrive before judging the console.
  await page.waitForLoadState('networkidle');
  await explorer.screenshot('smoke', testInfo);
  explorer.expectNoProblems();
});
