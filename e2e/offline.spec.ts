// Story: the request log of a whole session. Load the page, step through read() to the end, switch scenario, edit an
// argument, open Share and Embed, change theme and radix, present: every request the browser makes goes to the page's
// own origin (fonts, icons and styles are self-hosted; nothing from a CDN).
import { expect, test } from '@playwright/test';
import { LEAN_TRACE, modelTrace, StoryPage } from './pages/story';

test.use({ trace: LEAN_TRACE });

test('a whole story makes only same-origin requests', async ({ page, baseURL }, testInfo) => {
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  // Requests made by workers or the browser on the page's behalf are in the context's log too.
  page.context().on('request', (request) => {
    if (!requests.includes(request.url())) requests.push(request.url());
  });

  const story = new StoryPage(page);
  // Every instruction (stops=all): the walk below counts frames.
  await story.open('s=read&stops=all');
  const frames = modelTrace('read').frames.length;
  for (let frame = 2; frame <= frames; frame++) {
    await story.tap('ArrowRight');
    if (frame % 20 === 0) await story.expectFrame(frame, frames);
  }
  await story.expectFrame(frames, frames);
  await expect(story.ending).toBeVisible();

  await story.picker.selectOption('write');
  await expect(story.picker).toHaveValue('write');
  await story.expectFrame(1, modelTrace('write').frames.length);
  await page.getByTestId('editor').locator('summary').click();
  await page.getByTestId('field-buffer_text').fill('Hello, offline world');
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-link')).toBeVisible();
  await page.getByTestId('embed').click();
  await expect(page.getByTestId('embed-snippet')).toBeVisible();
  await page.getByTestId('theme').selectOption('dark');
  // Show decimal is in the register view, behind its tab.
  await page.getByTestId('view-tab-registers').click();
  await page.getByTestId('radix').click();
  // A phone has no End button (the End key goes there too).
  if (await page.getByTestId('end').isVisible()) await page.getByTestId('end').click();
  else await page.keyboard.press('End');
  // Print: the handout is built on demand (window.print itself is a no-op here; the handout spec prints to PDF).
  await page.evaluate(() => {
    window.print = () => {};
  });
  await page.getByTestId('print').click();
  await page.emulateMedia({ media: 'print' });
  await expect(story.handout).toBeVisible();
  await page.emulateMedia({ media: 'screen' });
  await page.getByTestId('present').click();
  await expect(story.app).toHaveAttribute('data-mode', 'mode-present');
  await page.waitForLoadState('networkidle');
  await story.shot('offline-end', testInfo);

  // The page itself, its script, its WebAssembly and its stylesheet, at least.
  expect(requests.length).toBeGreaterThanOrEqual(4);
  expect(requests.some((url) => url.endsWith('.wasm'))).toBe(true);
  expect(requests.some((url) => url.endsWith('.css'))).toBe(true);
  const elsewhere = requests.filter((url) => new URL(url).origin !== origin);
  expect(elsewhere, `requests to other origins than ${origin}`).toEqual([]);
  await testInfo.attach('request-log.txt', { body: requests.join('\n'), contentType: 'text/plain' });
  story.expectNoProblems();
});
