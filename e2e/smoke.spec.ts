// The first story: a person opens the page and sees what the explainer is about and the seven steps.
import { expect, test } from '@playwright/test';
import { ExplorerPage } from './pages/explorer';

test('the page loads with its title and the seven steps, and a clean console', async ({ page }, testInfo) => {
  const explorer = new ExplorerPage(page);
  await explorer.goto();

  await expect(page).toHaveTitle('Syscall Explorer');
  await expect(explorer.heading).toHaveText('Syscall Explorer');
  await expect(explorer.seedSteps).toHaveCount(7);

  // Let late console messages (e.g. an unused preload warning) arrive before judging the console.
  await page.waitForLoadState('networkidle');
  await explorer.screenshot('smoke', testInfo);
  explorer.expectNoProblems();
});

// The page paints the app's own first render (ui/prerender.rs) before the WebAssembly arrives: the same layout with
// its controls disabled. Holding the WebAssembly back shows that picture; letting it go, the app takes over and
// nothing on the screen moves.
test('the pre-rendered first screen is the app: nothing moves when the WebAssembly takes over', async ({ page }) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/');
  const boxes = async () => {
    const out: Record<string, unknown> = {};
    for (const selector of ['header.top', '.toolbar', 'nav.steps', 'section.narration']) {
      out[selector] = await page.locator(selector).first().boundingBox();
    }
    return out;
  };
  await expect(page.locator('#prerender')).toHaveCount(1);
  await expect(page.locator('#prerender')).toContainText('Step 1 of 7: Call the library');
  await expect(page.locator('#prerender')).toContainText('Loading the interactive explainer');
  // A picture of the app: nothing in it takes a click, and tests find only the live app.
  expect(await page.locator('#prerender :is(button, select, input, textarea):not([disabled])').count()).toBe(0);
  expect(await page.locator('[data-testid]').count()).toBe(0);
  const before = await boxes();

  release();
  await expect(page.getByTestId('step-forward')).toBeEnabled();
  await expect(page.locator('#prerender')).toHaveCount(0);
  expect(await boxes()).toEqual(before);
});
