// Story: an instructor embeds the explainer in a course page, in a sandboxed 640x400 iframe (allow-scripts only, so
// the frame has an opaque origin), and drives it by postMessage. The course page is served by page.route at
// http://course.example; the explainer comes from the test server (another origin). A page at http://evil.example
// hosting the same iframe, which allows only http://course.example, is ignored.
// Desktop only: the embed is a fixed 640x400 box whatever the device.
import { test as base, expect, type FrameLocator, type Page } from '@playwright/test';
import { modelTrace, StoryPage } from './pages/story';

// Chromium's Local Network Access checks block a page on a public origin (the fake course page) from framing
// 127.0.0.1, where the test server runs. A real course site frames a public host, so switch the check off here.
const test = base.extend({
  launchOptions: [
    async ({ launchOptions }, use) => {
      const args = [...(launchOptions.args ?? []), '--disable-features=LocalNetworkAccessChecks'];
      await use({ ...launchOptions, args });
    },
    { scope: 'worker' },
  ],
});

const COURSE = 'http://course.example';
const EVIL = 'http://evil.example';

interface Received {
  type: string;
  origin: string;
  scenario?: string;
  frame?: number;
  frames?: number;
  step?: number;
  cpl?: number;
  playing?: boolean;
  message?: string;
}

/** The course page: the iframe, a log of what it posts (window.received) and window.send(command). */
function coursePage(src: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>OS course, week 3</title><link rel="icon" href="data:,"></head>
<body style="margin:0;font-family:sans-serif">
<h1 style="font-size:16px;margin:4px">Week 3: system calls</h1>
<iframe id="explorer" title="Syscall Explorer" sandbox="allow-scripts" src="${src}" width="640" height="400"
  style="border:1px solid #888"></iframe>
<script>
  window.received = [];
  window.addEventListener('message', (event) => {
    const frame = document.getElementById('explorer');
    if (event.source !== frame.contentWindow) return;
    window.received.push(Object.assign({ origin: event.origin }, event.data));
  });
  // The sandboxed frame has an opaque origin, so the only target origin that reaches it is '*'.
  window.send = (command) => document.getElementById('explorer').contentWindow.postMessage(command, '*');
</script>
</body></html>`;
}

/** Serves the course page at `origin`/ (and nothing else there) and opens it. */
async function openCourse(page: Page, origin: string, src: string): Promise<FrameLocator> {
  await page.route(`${origin}/**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: coursePage(src) }),
  );
  await page.goto(`${origin}/week3.html`);
  return page.frameLocator('#explorer');
}

const received = (page: Page) => page.evaluate(() => (window as unknown as { received: Received[] }).received);
/** How many messages of this type the course page has received. */
const count = async (page: Page, type: string) => (await received(page)).filter((m) => m.type === type).length;
const send = (page: Page, command: Record<string, unknown>) =>
  page.evaluate((message) => (window as unknown as { send: (m: unknown) => void }).send(message), command);

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the embed is a fixed 640x400 box: desktop only');
});

test('embedded in a sandboxed iframe and driven by postMessage', async ({ page, baseURL }, testInfo) => {
  const story = new StoryPage(page);
  // Every instruction (stops=all): the checks below count frames.
  const src = `${baseURL}?s=read&mode=embed&stops=all&origins=${COURSE}`;
  const frame = await openCourse(page, COURSE, src);

  // It loads: no CSP, SRI or CORS failure inside the opaque-origin frame.
  const app = frame.getByTestId('app');
  await expect(app).toBeVisible();
  await expect(app).toHaveAttribute('data-mode', 'mode-embed');
  await expect(frame.getByTestId('frame-counter')).toHaveText(`Frame 1 of ${modelTrace('read').frames.length}`);
  // The first frame is announced to the parent, to its origin only.
  await expect.poll(() => count(page, 'syscall-explorer:frame')).toBeGreaterThan(0);
  const first = (await received(page)).find((m) => m.type === 'syscall-explorer:frame')!;
  expect(first).toMatchObject({ scenario: 'read', frame: 1, step: 1, cpl: 3, playing: false });
  expect(first.origin, 'a sandboxed frame posts from an opaque origin').toBe('null');

  // Fully usable at 640x400: the controls are inside the box, nothing scrolls sideways.
  const box = (await page.locator('#explorer').boundingBox())!;
  expect([Math.round(box.width), Math.round(box.height)]).toEqual([642, 402]);
  const forward = frame.getByTestId('step-forward');
  await expect(forward).toBeVisible();
  await expect(forward).toBeInViewport();
  const sideways = await frame.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
  expect(sideways, 'horizontal overflow inside the 640 px frame').toBeLessThanOrEqual(0);
  await forward.click();
  await expect(frame.getByTestId('frame-counter')).toHaveText(/^Frame 2 of/);
  await story.shot('embed-640x400', testInfo, { target: page.locator('#explorer') });

  // set: scenario and frame; the page answers with the new frame.
  const write = modelTrace('write');
  await page.evaluate(() => ((window as unknown as { received: Received[] }).received = []));
  await send(page, { type: 'syscall-explorer:set', scenario: 'write', frame: 10 });
  await expect(frame.getByTestId('frame-counter')).toHaveText(`Frame 10 of ${write.frames.length}`);
  await expect(frame.getByTestId('scenario-picker')).toHaveValue('write');
  await expect
    .poll(async () => (await received(page)).some((m) => m.type === 'syscall-explorer:frame' && m.frame === 10))
    .toBe(true);
  const tenth = (await received(page)).find((m) => m.type === 'syscall-explorer:frame' && m.frame === 10)!;
  expect(tenth).toMatchObject({
    scenario: 'write',
    frames: write.frames.length,
    step: write.frames[9].step,
    cpl: write.frames[9].cpl,
    playing: false,
  });
  await story.shot('embed-write-frame-10', testInfo, { target: page.locator('#explorer') });

  // get: the current frame again.
  await page.evaluate(() => ((window as unknown as { received: Received[] }).received = []));
  await send(page, { type: 'syscall-explorer:get' });
  await expect.poll(async () => (await received(page)).map((m) => [m.type, m.frame])).toContainEqual([
    'syscall-explorer:frame',
    10,
  ]);

  // playing: frames advance on their own, and each is reported.
  await send(page, { type: 'syscall-explorer:set', playing: true });
  await expect(frame.getByTestId('play')).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(async () => Math.max(0, ...(await received(page)).filter((m) => m.playing).map((m) => m.frame ?? 0)), {
      timeout: 10_000,
    })
    .toBeGreaterThan(11);
  await send(page, { type: 'syscall-explorer:set', playing: false });
  await expect(frame.getByTestId('play')).toHaveAttribute('aria-pressed', 'false');
  const counter = await frame.getByTestId('frame-counter').textContent();
  expect(Number(/Frame (\d+)/.exec(counter ?? '')?.[1])).toBeGreaterThan(11);

  // A malformed set is answered with an error and changes nothing.
  await page.evaluate(() => ((window as unknown as { received: Received[] }).received = []));
  await send(page, { type: 'syscall-explorer:set', frame: 'x' });
  await expect.poll(() => count(page, 'syscall-explorer:error')).toBe(1);
  const error = (await received(page)).find((m) => m.type === 'syscall-explorer:error')!;
  expect(error.message).toContain('frame');
  await expect(frame.getByTestId('frame-counter')).toHaveText(counter ?? '');
  for (const bad of [{ scenario: 'nope' }, { step: 9 }, { playing: 'yes' }, { colour: 'red' }]) {
    await send(page, { type: 'syscall-explorer:set', ...bad });
  }
  await expect.poll(() => count(page, 'syscall-explorer:error')).toBe(5);
  await expect(frame.getByTestId('frame-counter')).toHaveText(counter ?? '');
  await expect(frame.getByTestId('scenario-picker')).toHaveValue('write');

  await story.expectCleanConsole();
});

test('a page at another origin cannot drive an embed that allows only the course', async ({
  page,
  baseURL,
}, testInfo) => {
  const story = new StoryPage(page);
  const frame = await openCourse(page, EVIL, `${baseURL}?s=read&mode=embed&stops=all&origins=${COURSE}`);
  const counter = frame.getByTestId('frame-counter');
  await expect(frame.getByTestId('app')).toBeVisible();
  const frames = modelTrace('read').frames.length;
  await expect(counter).toHaveText(`Frame 1 of ${frames}`);

  // A listener of our own inside the frame, added after the app's, tells when the last command has been delivered
  // (and so seen by the app's listener first).
  const embedded = page.frames().find((candidate) => candidate.url().startsWith(baseURL!))!;
  await embedded.evaluate(() => {
    const probe = window as unknown as { delivered: Promise<number> };
    probe.delivered = new Promise<number>((resolve) => {
      let count = 0;
      window.addEventListener('message', (event) => {
        count += 1;
        if ((event.data as { type?: string })?.type === 'syscall-explorer:get') resolve(count);
      });
    });
  });
  const delivered = embedded.evaluate(() => (window as unknown as { delivered: Promise<number> }).delivered);
  await send(page, { type: 'syscall-explorer:set', scenario: 'write', frame: 10 });
  await send(page, { type: 'syscall-explorer:set', playing: true });
  await send(page, { type: 'syscall-explorer:set', frame: 'x' });
  await send(page, { type: 'syscall-explorer:get' });
  expect(await delivered, 'all four commands reached the frame').toBe(4);
  await expect(counter).toHaveText(`Frame 1 of ${frames}`);
  // The frame still works for a person.
  await frame.getByTestId('step-forward').click();
  await expect(counter).toHaveText(`Frame 2 of ${frames}`);
  await expect(frame.getByTestId('scenario-picker')).toHaveValue('read');
  await expect(frame.getByTestId('play')).toHaveAttribute('aria-pressed', 'false');
  // Nothing was posted to this page either: the embed addresses only http://course.example.
  expect(await received(page)).toEqual([]);
  await story.shot('embed-other-origin-ignored', testInfo, { target: page.locator('#explorer') });
  await story.expectCleanConsole();
});
