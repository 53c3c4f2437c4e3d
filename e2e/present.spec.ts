// Story: a lecturer projects the explainer at 1920x1080 in presentation mode and drives it with a clicker
// (PageDown/PageUp). The text is readable from the back of the room (at least 28 px), the secondary panels are
// folded away, the registers stay. Desktop only (a projector is not a phone).
import { expect, test } from '@playwright/test';
import { modelTrace, REGISTER_ROWS, StoryPage } from './pages/story';

test.use({ viewport: { width: 1920, height: 1080 } });
test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'presentation mode is for a projector: desktop only');
});

/** The computed font size of the first element matching `selector`, in px. */
async function fontSize(story: StoryPage, selector: string): Promise<number> {
  return story.page.locator(selector).first().evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
}

test('presentation mode at 1920x1080: large type, folded panels, clicker keys', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  const trace = modelTrace('read');
  const frames = trace.frames.length;
  // Next and the clicker stop at every instruction (stops=all): the clicker's checks below count frames.
  await story.open('s=read&f=7&mode=present&stops=all');
  await expect(story.app).toHaveAttribute('data-mode', 'mode-present');
  await story.expectShowsTraceFrame(trace, 6);

  // Large type: the narration and the page's body text (each size is reported; the rest of the story goes on).
  const sizes = {
    narration: await fontSize(story, '[data-testid=narration]'),
    page: await fontSize(story, '.page'),
    stepTitle: await fontSize(story, '[data-testid=step-title]'),
    cplText: await fontSize(story, '[data-testid=cpl-text]'),
  };
  for (const [what, px] of Object.entries(sizes)) {
    expect.soft(px, `font-size of ${what} (px)`).toBeGreaterThanOrEqual(28);
  }

  // Secondary panels folded away (the editor; the syscall table and memory each behind its view tab); the wall (the
  // trap's focus view) and the registers the trap changed stay on the stage, the whole register file one tab away.
  await expect(page.getByTestId('syscall-table')).toBeHidden();
  await expect(page.getByTestId('memory')).toBeHidden();
  await expect(page.getByTestId('editor')).toBeHidden();
  await expect(page.getByTestId('focus-view')).toHaveAttribute('data-focus', 'wall');
  await expect(page.getByTestId('wall')).toBeVisible();
  await expect(page.getByTestId('changes').getByTestId('change-cs')).toBeInViewport();
  await page.getByTestId('view-tab-registers').click();
  await expect(story.registers).toBeVisible();
  await expect(story.registers.getByTestId('reg-rax')).toBeInViewport();
  await expect(story.cplBadge).toBeVisible();
  await expect(story.narration).toBeVisible();
  await expect(page.getByTestId('present')).toHaveText('Exit presentation');
  await story.shot('present-1920x1080', testInfo);

  // The clicker: PageDown forward, PageUp back; the registers follow the model.
  await story.press('PageDown', 8, frames);
  await story.press('PageDown', 9, frames);
  await story.expectShowsTraceFrame(trace, 8);
  await story.press('PageUp', 8, frames);
  await story.expectShowsTraceFrame(trace, 7);
  await expect.poll(() => story.urlParams().get('f')).toBe('8');
  expect(story.urlParams().get('mode')).toBe('present');

  // Leaving presentation mode brings the panels back: the editor, and the syscall table behind its view tab.
  await page.getByTestId('present').click();
  await expect(story.app).toHaveAttribute('data-mode', 'mode-normal');
  await expect(page.getByTestId('editor')).toBeVisible();
  await page.getByTestId('view-tab-syscall-table').click();
  await expect(page.getByTestId('syscall-table')).toBeVisible();
  await story.expectCleanConsole();
});

test.describe('on a 1280x720 projector', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('presentation mode: the executed instruction wraps inside the narration, never past its edge', async ({
    page,
  }, testInfo) => {
    // In this narrow column the trace's fixed-column line ("0x…  45 31 e4", padding, "xor r12d, r12d") once put the
    // instruction itself out of sight. Checked on the longest lines the model executes and on that frame (40).
    const story = new StoryPage(page);
    const trace = modelTrace('read');
    const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
    const insnFrames = trace.frames.filter((frame) => frame.executed.startsWith('0x'));
    const longest = [...insnFrames].sort((a, b) => collapse(b.executed).length - collapse(a.executed).length).slice(0, 2);
    for (const frame of [...longest, trace.frames[39]]) {
      await story.open(`s=read&f=${frame.index + 1}&mode=present`);
      await story.expectFrame(frame.index + 1, trace.frames.length);
      const executed = page.getByTestId('executed');
      expect(collapse((await executed.textContent()) ?? ''), `frame ${frame.index + 1}`).toBe(collapse(frame.executed));
      const fits = await executed.evaluate((element) => {
        const own = element.getBoundingClientRect();
        const column = element.closest('section')!.getBoundingClientRect();
        return { overflow: element.scrollWidth - element.clientWidth, right: own.right, columnRight: column.right };
      });
      expect(fits.overflow, `frame ${frame.index + 1}: the line scrolls sideways`).toBeLessThanOrEqual(0);
      expect(fits.right, `frame ${frame.index + 1}: the line ends past the narration`).toBeLessThanOrEqual(fits.columnRight);
    }
    await story.shot('present-1280x720-executed', testInfo);
    await story.expectCleanConsole();
  });
});

// Projectors as schools have them, smallest first. A lecturer cannot scroll a projected page: at the trap the six
// registers SYSCALL changes (RCX, R11, RIP, RFLAGS, CS, SS: CS and SS are the CPL) are on the stage with their old
// and new values, beside the narration, and the whole register file is one tab away. (The stage story checks every
// scenario's moments at these sizes; this one looks at the register file too.)
for (const [width, height] of [
  [1024, 768],
  [1280, 720],
  [1366, 768],
  [1600, 900],
  [1920, 1080],
] as const) {
  test.describe(`on a ${width}x${height} projector`, () => {
    test.use({ viewport: { width, height } });

    test('presentation mode: at the trap the changed registers are on screen beside the narration, the rest one tab away', async ({ page }, testInfo) => {
      const story = new StoryPage(page);
      const trace = modelTrace('read');
      await story.open('s=read&f=7&mode=present');
      await story.expectShowsTraceFrame(trace, 6);
      const changes = page.getByTestId('changes');
      for (const reg of ['rcx', 'r11', 'rip', 'rflags', 'cs', 'ss']) {
        await expect(changes.getByTestId(`change-${reg}`)).toBeInViewport({ ratio: 1 });
      }
      const narration = await story.narration.boundingBox();
      const box = await changes.boundingBox();
      expect(box!.x, 'the changes are right of the narration').toBeGreaterThanOrEqual(narration!.x + narration!.width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling').toBeLessThanOrEqual(width);
      await story.shot(`present-${width}x${height}-trap`, testInfo);
      // The whole register file, one tab away, marks the same six.
      await page.getByTestId('view-tab-registers').click();
      await expect(story.registers).toBeVisible();
      await expect(story.registers.locator('tr[data-changed="true"]')).toHaveCount(6);
      // Every row of the register file, CR3 (the page tables: one set without the mitigations) last.
      const rows = await story.registers.locator('tr[data-testid^="reg-"]').evaluateAll((trs) =>
        trs.map((tr) => tr.getAttribute('data-testid')),
      );
      expect(rows, 'the register file').toEqual(REGISTER_ROWS.map((name) => `reg-${name}`));
      await expect(story.registers.getByTestId('reg-cr3')).toContainText('page tables (one set: no PTI)');
      await story.expectCleanConsole();
    });
  });
}
