// Story: a lecturer projects the explainer at 1920x1080 in presentation mode and drives it with a clicker
// (PageDown/PageUp). The text is readable from the back of the room (at least 28 px), the secondary panels are
// folded away, the registers stay. Desktop only (a projector is not a phone).
import { expect, test } from '@playwright/test';
import { modelTrace, StoryPage } from './pages/story';

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

// Projectors as schools have them, smallest first. One column once put every register below the fold at 1024x768,
// and at 1280x720 to 1600x900 the rows ended above RIP, RFLAGS, CS and SS: the registers the trap is about.
for (const [width, height] of [
  [1024, 768],
  [1280, 720],
  [1366, 768],
  [1600, 900],
] as const) {
  test.describe(`on a ${width}x${height} projector`, () => {
    test.use({ viewport: { width, height } });

    test('presentation mode: at the trap every register is on screen, beside the narration', async ({ page }, testInfo) => {
      const story = new StoryPage(page);
      const trace = modelTrace('read');
      await story.open('s=read&f=7&mode=present');
      await story.expectShowsTraceFrame(trace, 6);
      // The stage shows the wall at the trap: the whole register file is behind its view tab.
      await page.getByTestId('view-tab-registers').click();
      await expect(story.registers).toBeVisible();
      await expect(story.registers.locator('tr[data-changed="true"]')).toHaveCount(6);
      const rows = story.registers.locator('tr[data-testid^="reg-"]');
      expect(await rows.count()).toBeGreaterThanOrEqual(20);
      for (const row of await rows.all()) await expect(row).toBeInViewport({ ratio: 1 });
      const narration = await story.narration.boundingBox();
      const registers = await story.registers.boundingBox();
      expect(registers!.x, 'the registers are right of the narration').toBeGreaterThanOrEqual(narration!.x + narration!.width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling').toBeLessThanOrEqual(width);
      await story.shot(`present-${width}x${height}-trap`, testInfo);
      await story.expectCleanConsole();
    });
  });
}

test('presentation mode at 1920x1080: at the trap every register, the changed ones first of all, is on screen', async ({
  page,
}, testInfo) => {
  // The trap (frame 7 of read) changes RCX, R11, RIP, RFLAGS, CS and SS: CS and SS are the change that matters
  // most (the CPL), and a lecturer cannot scroll a projected page.
  const story = new StoryPage(page);
  await story.open('s=read&f=7&mode=present');
  await expect(story.cplBadge).toHaveText('CPL 0');
  // The stage shows the wall at the trap: the whole register file is behind its view tab.
  await page.getByTestId('view-tab-registers').click();
  await expect(story.registers).toBeVisible();
  const changed = story.registers.locator('tr[data-changed="true"]');
  await expect(changed).toHaveCount(6);
  const offScreen: string[] = [];
  for (const row of await story.registers.locator('tr[data-testid^="reg-"]').all()) {
    // On screen: inside the window and not cut off by a box that scrolls or clips (the register view scrolls).
    const shown = await row.evaluate((element) => {
      const rect = element.getBoundingClientRect();
      if (rect.height === 0 || rect.top < 0 || rect.bottom > window.innerHeight) return false;
      for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
        if (getComputedStyle(box).overflowY === 'visible') continue;
        const outer = box.getBoundingClientRect();
        const top = outer.top + box.clientTop;
        if (rect.top < top - 1 || rect.bottom > top + box.clientHeight + 1) return false;
      }
      return true;
    });
    if (!shown) {
      const changedMark = (await row.getAttribute('data-changed')) === 'true' ? ' (changed)' : '';
      offScreen.push(`${await row.getAttribute('data-testid')}${changedMark}`);
    }
  }
  await story.shot('present-1920x1080-trap', testInfo);
  expect(offScreen, 'register rows below the fold of a 1920x1080 screen').toEqual([]);
  await story.expectCleanConsole();
});
