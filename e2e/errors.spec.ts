// Story: the error paths and the contrasts. Each error preset ends with its errno in words; exit_group never
// returns; the vDSO call never leaves ring 3; int 0x80 hands back every register but RAX.
import { expect, test } from '@playwright/test';
import { hexRegs, modelTrace, REGISTERS, type RegName, StoryPage } from './pages/story';

const ERRNOS: Array<{ preset: string; shows: RegExp }> = [
  { preset: 'read-bad-fd', shows: /\bEBADF\b/ },
  { preset: 'read-bad-buffer', shows: /\bEFAULT\b/ },
  { preset: 'unknown-number', shows: /-38\b[\s\S]*ENOSYS|ENOSYS[\s\S]*-38\b/ },
  { preset: 'openat-missing', shows: /\bENOENT\b/ },
  { preset: 'openat-forbidden', shows: /\bEACCES\b/ },
];

test('each error scenario shows its errno at the end', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  for (const { preset, shows } of ERRNOS) {
    const frames = modelTrace(preset).frames.length;
    await story.open(`s=${preset}`);
    await expect(story.picker).toHaveValue(preset);
    await expect(story.ending, 'no ending before the last frame').toHaveCount(0);
    await story.press('End', frames, frames);
    await expect(story.ending, preset).toHaveText(shows);
    await expect(story.cplBadge).toHaveText('CPL 3');
    await story.shot(`errors-${preset}-end`, testInfo);
  }
  await story.expectCleanConsole();
});

test('exit_group says it never returns', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  const frames = modelTrace('exit-group').frames.length;
  await story.open('s=exit-group');
  await story.press('End', frames, frames);
  await expect(story.ending).toContainText('never returns');
  // The process ends inside the kernel: the last frame is still ring 0, no step 6 or 7.
  await expect(story.cplBadge).toHaveText('CPL 0');
  await story.shot('errors-exit-group-end', testInfo);
  await story.expectCleanConsole();
});

test('the vDSO call stays in ring 3 all the way', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  const trace = modelTrace('vdso-clock-gettime');
  const frames = trace.frames.length;
  expect(trace.frames.every((frame) => frame.cpl === 3), 'the model never enters the kernel').toBe(true);
  // Every instruction (stops=all): the walk below counts frames.
  await story.open('s=vdso-clock-gettime&stops=all');
  const check = [0, 1, Math.floor(frames / 2), frames - 2, frames - 1];
  for (let index = 0; index < frames; index++) {
    if (index > 0) await story.press('ArrowRight', index + 1, frames);
    if (check.includes(index)) {
      await expect(story.cplBadge).toHaveText('CPL 3');
      await expect(story.cplText).toContainText('ring 3');
      await expect(story.crossing).not.toContainText('Just crossed');
    }
  }
  await expect(story.ending).toBeVisible();
  await story.shot('errors-vdso-end', testInfo);
  await story.expectCleanConsole();
});

test('int 0x80: after the return only RAX differs from before the trap', async ({ page }, testInfo) => {
  const story = new StoryPage(page);
  const trace = modelTrace('int80-read');
  const frames = trace.frames.length;
  const trap = trace.frames.findIndex((frame) => frame.cpl === 0);
  const before = trap - 1;
  const back = trace.frames.findIndex((frame, idx) => idx > trap && frame.cpl === 3);
  expect(trace.frames[trap].executed).toContain('int 0x80');

  // Just before the trap (the page's own values, not the model's).
  await story.open(`s=int80-read&f=${before + 1}`);
  await story.expectFrame(before + 1, frames);
  const beforeRegs = await story.shownRegs();
  await story.press('ArrowRight', trap + 1, frames);
  await expect(story.cplBadge).toHaveText('CPL 0');

  // Right after iret: the instruction after `int 0x80` (two bytes, cd 80), every other register as it was but RAX.
  await story.open(`s=int80-read&f=${back + 1}`);
  await expect(story.cplBadge).toHaveText('CPL 3');
  const returned = await story.shownRegs();
  const { rax: raxBack, rip: ripBack, ...restBack } = returned;
  const { rax: raxBefore, rip: ripBefore, ...restBefore } = beforeRegs;
  expect(hexRegs(restBack), 'only RAX (and RIP, past int 0x80) changed across the call').toEqual(hexRegs(restBefore));
  expect(ripBack).toBe(ripBefore + 2n);
  expect(raxBack).not.toBe(raxBefore);

  // At the end (End key): every register but RAX is still what the program had before the trap; RIP moved on.
  await story.press('End', frames, frames);
  const atEnd = await story.shownRegs();
  const differs = REGISTERS.filter((name: RegName) => name !== 'rip' && atEnd[name] !== beforeRegs[name]);
  expect(differs, 'registers that differ at the end from before the trap (RIP aside)').toEqual(['rax']);
  expect(atEnd.rax).toBe(BigInt(trace.frames[frames - 1].regs.rax));
  await expect(story.ending).toContainText('The call returned');
  await story.shot('errors-int80-end', testInfo);
  await story.expectCleanConsole();
});
