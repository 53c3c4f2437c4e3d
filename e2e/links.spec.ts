// Story: links to an exact state. A student opens a link and sees exactly that view (scenario, edited arguments,
// frame, theme, mode, radix); after a step the page's own URL still holds the whole state (with no history entry per
// step), and opening it again restores the new frame. Malformed parameters each get a notice and the page still
// works. The Share popover gives a link that restores the same frame in a fresh page.
import { expect, test } from '@playwright/test';
import { modelTrace, StoryPage, stepStarts } from './pages/story';

interface LinkCase {
  name: string;
  preset: string;
  /** Edited fields, as the link gives them and as `trace --set` takes them. */
  sets: Record<string, string>;
  /** The editor field each edit shows in (data-testid=field-NAME) and the names the page may write it back as. */
  fields: Array<{ field: string; text: string; params: string[] }>;
  frame: number;
  theme?: 'light' | 'dark';
  mode?: 'embed' | 'present';
  radix?: 'dec';
}

const CASES: LinkCase[] = [
  {
    name: 'read, count edited, dark, decimal',
    preset: 'read',
    sets: { count: '5' },
    fields: [{ field: 'arg2', text: '5', params: ['count', 'arg2'] }],
    frame: 20,
    theme: 'dark',
    radix: 'dec',
  },
  {
    name: 'read-bad-fd in presentation mode, light',
    preset: 'read-bad-fd',
    sets: {},
    fields: [{ field: 'arg0', text: '9', params: [] }],
    frame: 7,
    theme: 'light',
    mode: 'present',
  },
  {
    name: 'write with its own text, embedded',
    preset: 'write',
    sets: { buffer_text: 'Hi class!' },
    fields: [{ field: 'buffer_text', text: 'Hi class!', params: ['buffer_text'] }],
    frame: 12,
    mode: 'embed',
  },
  {
    name: 'raw probe with a number past the table and RCX, decimal, dark',
    preset: 'raw-probe',
    sets: { nr: '500', probe_rcx: '0x1234' },
    fields: [
      { field: 'nr', text: '500', params: ['nr'] },
      { field: 'probe_rcx', text: '0x1234', params: ['probe_rcx'] },
    ],
    frame: 15,
    theme: 'dark',
    radix: 'dec',
  },
];

function queryOf(link: LinkCase): string {
  // Next and the arrows stop at every instruction (stops=all): the round trip counts frames.
  const params = new URLSearchParams({ s: link.preset, ...link.sets, f: String(link.frame), stops: 'all' });
  if (link.theme) params.set('theme', link.theme);
  if (link.mode) params.set('mode', link.mode);
  if (link.radix) params.set('radix', link.radix);
  return params.toString();
}

/** Asserts the page shows the case's state at frame `frame` (1-based). */
async function expectView(story: StoryPage, link: LinkCase, frame: number): Promise<void> {
  const trace = modelTrace(link.preset, link.sets);
  await story.expectShowsTraceFrame(trace, frame - 1);
  await expect(story.picker).toHaveValue(link.preset);
  const html = story.page.locator('html');
  if (link.theme) await expect(html).toHaveAttribute('data-theme', link.theme);
  else await expect(html).not.toHaveAttribute('data-theme', /./);
  await expect(story.app).toHaveAttribute('data-mode', `mode-${link.mode ?? 'normal'}`);
  const decimal = link.radix === 'dec';
  await expect(story.page.getByTestId('radix')).toHaveAttribute('aria-pressed', decimal ? 'true' : 'false');
  const rax = story.page.getByTestId('reg-rax').getByTestId('value');
  if (decimal) await expect(rax).not.toHaveText(/^0x/);
  else await expect(rax).toHaveText(/^0x[0-9a-f]{16}$/);
  for (const { field, text } of link.fields) await expect(story.page.getByTestId(`field-${field}`)).toHaveValue(text);
  await expect(story.notices).toHaveCount(0);
}

for (const link of CASES) {
  test(`deep link round trip: ${link.name}`, async ({ page, context }, testInfo) => {
    const story = new StoryPage(page);
    await story.open(queryOf(link));
    await expectView(story, link, link.frame);
    await story.shot(`links-${link.preset}-opened`, testInfo);

    // A step keeps the whole state in the URL and moves f on, replacing the history entry rather than adding one.
    const historyLength = await page.evaluate(() => history.length);
    const frames = modelTrace(link.preset, link.sets).frames.length;
    await story.press('ArrowRight', link.frame + 1, frames);
    await expect.poll(() => story.urlParams().get('f')).toBe(String(link.frame + 1));
    const params = story.urlParams();
    expect(params.get('s')).toBe(link.preset);
    expect(params.get('theme')).toBe(link.theme ?? null);
    expect(params.get('mode')).toBe(link.mode ?? null);
    expect(params.get('radix')).toBe(link.radix ?? null);
    expect(params.get('stops')).toBe('all');
    for (const { params: names, text } of link.fields) {
      if (names.length === 0) continue;
      const written = names.map((name) => params.get(name)).filter((value) => value !== null);
      expect(written, `${names.join(' or ')} in ${page.url()}`).toEqual([text]);
    }
    await story.press('ArrowRight', link.frame + 2, frames);
    expect(await page.evaluate(() => history.length), 'no history entry per step').toBe(historyLength);
    await story.press('ArrowLeft', link.frame + 1, frames);

    // The page's own URL (written once the state settles), opened fresh, restores that frame.
    await expect.poll(() => story.urlParams().get('f')).toBe(String(link.frame + 1));
    const again = new StoryPage(await context.newPage());
    await again.goto(page.url());
    await expectView(again, link, link.frame + 1);

    await story.expectCleanConsole();
    await again.expectCleanConsole();
  });
}

test('malformed parameters each get a notice, and the page still works', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  // stops=all, a good parameter among the bad: the steps below count frames.
  await story.open('s=nope&f=abc&theme=purple&count=lots&unknown=1&stops=all');
  await expect(story.notices).toBeVisible();
  expect((await story.noticeParams()).sort()).toEqual(['count', 'f', 's', 'theme', 'unknown']);
  await expect(story.notices).toContainText('nope');
  await expect(story.notices).toContainText('purple');
  await story.shot('links-malformed', testInfo, { fullPage: true });

  // The defaults: read(), frame 1, the system theme, the preset's count.
  const trace = modelTrace('read');
  await expect(story.picker).toHaveValue('read');
  await story.expectShowsTraceFrame(trace, 0);
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  // count is in RDX when the trap happens.
  const trap = trace.frames.find((frame) => frame.cpl === 0)!;
  await expect(page.getByTestId('field-arg2')).toHaveValue(BigInt(trap.regs.rdx).toString());

  // It still works, and the rewritten URL has only good parameters.
  await story.stepForward.click();
  await story.expectShowsTraceFrame(trace, 1);
  await story.press('ArrowRight', 3, trace.frames.length);
  await expect.poll(() => story.urlParams().get('f')).toBe('3');
  expect([...story.urlParams().keys()].sort()).toEqual(['f', 's', 'stops']);
  expect(story.urlParams().get('s')).toBe('read');
  expect(story.urlParams().get('stops')).toBe('all');
  await story.expectCleanConsole();
});

test('a frame past the end shows the last frame with a notice; stepping back works', async ({ page }) => {
  const story = new StoryPage(page);
  const trace = modelTrace('read');
  const frames = trace.frames.length;
  await story.open('s=read&f=99999&stops=all');
  expect(await story.noticeParams()).toEqual(['f']);
  await expect(story.notices).toContainText(`${frames} frames`);
  await story.expectShowsTraceFrame(trace, frames - 1);
  await expect(story.ending).toBeVisible();
  await story.press('ArrowLeft', frames - 1, frames);
  await story.expectShowsTraceFrame(trace, frames - 2);
  await expect.poll(() => story.urlParams().get('f')).toBe(String(frames - 1));
  await story.expectCleanConsole();
});

test('the Share popover gives a link that restores the same frame', async ({ page, context }, testInfo) => {
  const story = new StoryPage(page);
  const trace = modelTrace('openat-missing');
  const frames = trace.frames.length;
  await story.open('s=openat-missing&theme=dark&stops=all');
  for (let frame = 2; frame <= 9; frame++) await story.press('ArrowRight', frame, frames);

  await page.getByTestId('share').click();
  const shareLink = page.getByTestId('share-link');
  await expect(shareLink).toBeVisible();
  const link = await shareLink.inputValue();
  expect(new URL(link).origin).toBe(new URL(page.url()).origin);
  // Frame 9 by its number (f=9), or by its step (step=N) when it is the first frame of step N.
  const step = stepStarts(trace).find(([, index]) => index === 8)?.[0];
  const linkParams = new URL(link).searchParams;
  expect([linkParams.get('f'), linkParams.get('step')]).toEqual(step ? [null, String(step)] : ['9', null]);
  await story.shot('links-share-popover', testInfo);

  // Copy: either the clipboard or a visible fallback message, never an error.
  await page.getByTestId('copy-link').click();
  await expect(page.getByTestId('toolbar-status')).toBeVisible();

  const fresh = new StoryPage(await context.newPage());
  await fresh.goto(link);
  await fresh.expectShowsTraceFrame(trace, 8);
  await expect(fresh.picker).toHaveValue('openat-missing');
  await expect(fresh.page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await story.expectCleanConsole();
  await fresh.expectCleanConsole();
});
