// Story: a student walks the whole read() scenario with the keyboard, forward to the end and back to the start.
// At the first frame of each of the seven steps the page must show exactly what the model's trace says: every
// register (numerically), the CPL badge and the step title. The token's crossing is announced at the trap and at
// the return. Runs at 1280x800 (desktop) and 390x844 (phone); one screenshot per step and project.
import { expect, test } from '@playwright/test';
import { LEAN_TRACE, modelTrace, StoryPage, stepStarts } from './pages/story';

test.use({ trace: LEAN_TRACE });

test('walk read() forward and back with the keyboard; the registers match the model at every step', async ({
  page,
}, testInfo) => {
  // 170 key presses and seven full-page screenshots: about 15 s.
  test.setTimeout(60_000);
  const story = new StoryPage(page);
  const trace = modelTrace('read');
  const frames = trace.frames.length;
  const starts = stepStarts(trace);
  expect(starts.map(([step]) => step), 'read() goes through all seven steps in order').toEqual([1, 2, 3, 4, 5, 6, 7]);
  const startIndex = new Map(starts.map(([step, index]) => [index, step]));
  // The trap: the first kernel frame; the return: the first user frame after it.
  const trap = trace.frames.findIndex((frame) => frame.cpl === 0);
  const back = trace.frames.findIndex((frame, idx) => idx > trap && frame.cpl === 3);
  expect(trap).toBeGreaterThan(0);
  expect(back).toBeGreaterThan(trap);

  // Next and the arrows stop at every instruction (stops=all): the walk counts frames.
  await story.open('s=read&stops=all');
  await story.expectShowsTraceFrame(trace, 0);
  await expect(story.seedSteps.nth(0)).toHaveAttribute('aria-current', 'step');
  await story.shot('read-step-1', testInfo, { fullPage: true });

  // Frames where the page is checked; every key is pressed, and the frame counter at each check proves that none
  // was lost.
  const checked = new Set([...startIndex.keys(), trap, trap + 1, trap + 2, back, back + 1, back + 2, frames - 1]);

  // Forward: ArrowRight mostly, PageDown (what a presentation clicker sends) on every third frame.
  for (let index = 1; index < frames; index++) {
    await story.tap(index % 3 === 0 ? 'PageDown' : 'ArrowRight');
    if (!checked.has(index)) continue;
    await story.expectFrame(index + 1, frames);
    const step = startIndex.get(index);
    if (step !== undefined) {
      await story.expectShowsTraceFrame(trace, index);
      await expect(story.seedSteps.nth(step - 1)).toHaveAttribute('aria-current', 'step');
      await story.shot(`read-step-${step}`, testInfo, { fullPage: true });
    }
    if (index === trap) {
      await expect(story.crossing).toContainText('Just crossed into the kernel.');
      await expect(story.token).toHaveClass(/crossing-trap/);
    } else if (index === back) {
      await expect(story.crossing).toContainText('Just crossed back to user mode.');
      await expect(story.token).toHaveClass(/crossing-return/);
    } else if (index === trap + 1 || index === back + 1) {
      await expect(story.crossing).not.toContainText('Just crossed');
      // From here the same token element carries on: a step that crosses nothing does not rebuild it.
      await story.token.evaluate((token) => ((token as HTMLElement & { e2eKept?: boolean }).e2eKept = true));
    } else if (index === trap + 2 || index === back + 2) {
      const kept = await story.token.evaluate((token) => (token as HTMLElement & { e2eKept?: boolean }).e2eKept);
      expect(kept, `token element kept from frame ${index} to ${index + 1}`).toBe(true);
    }
  }
  await expect(story.stepForward).toBeDisabled();
  await expect(story.ending).toContainText('The call returned');

  // One more key at the end changes nothing.
  await page.keyboard.press('ArrowRight');
  await story.expectFrame(frames, frames);

  // Back: ArrowLeft mostly, PageUp on every third frame; each step's first frame shows the model's values again.
  for (let index = frames - 2; index >= 0; index--) {
    await story.tap(index % 3 === 0 ? 'PageUp' : 'ArrowLeft');
    if (!checked.has(index)) continue;
    await story.expectFrame(index + 1, frames);
    if (startIndex.has(index)) await story.expectShowsTraceFrame(trace, index);
    if (index === trap) await expect(story.crossing).toContainText('Just crossed into the kernel.');
    if (index === back) await expect(story.crossing).toContainText('Just crossed back to user mode.');
  }
  await expect(story.stepBack).toBeDisabled();
  await expect(story.ending).toHaveCount(0);
  await expect(story.seedSteps.nth(0)).toHaveAttribute('aria-current', 'step');

  await story.expectCleanConsole();
});
