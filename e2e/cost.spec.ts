// Story: what did the crossing cost? At the last frame of every scenario the narration's ending offers "What did it
// cost?", which opens the Cost view: the run's instructions and C steps by phase, the same call with the kernel's
// mitigations switched, the vDSO and a plain function call, the expensive kinds among them (mode switches, CR3 writes,
// verw, serialising), three published figures with their sources, and the reader's own figures when the link carries
// `trace measure` medians. Every count must be the model's (e2e/fixtures/stage-frames.json, written by
// tests/stage_frames.rs), with the mitigations off and on.
// Then the view at the stage's sizes (heading and this run's bar in view without scrolling the page, nothing
// sideways); the Mitigations checkbox's story (CR3 switches to the kernel's page tables at `mov cr3, rsp`, the
// checkbox stays across scenarios); and links with measured figures, from the native `trace measure --quick` on this
// machine, and broken ones (a notice, and the page still steps).
import { expect, test } from '@playwright/test';
import {
  type CostCounts,
  LEAN_TRACE,
  modelTrace,
  pageFor,
  PRESENT_FLOOR_PX,
  runTrace,
  STAGE,
  STAGE_VIEWS,
  STOP_SUFFIX,
  StoryPage,
  viewName,
} from './pages/story';

test.use({ trace: LEAN_TRACE });

/** The phases of a run as the cost view words them, in the fixture's order. */
const PHASES = ['user mode', 'way in', 'kernel C steps', 'way out'] as const;
/** The expensive kinds as the cost view's table names them (each row starts so), in the fixture's order. */
const KINDS = ['mode switches', 'CR3 writes', 'verw', 'serialising'] as const;

/** A bar's words: "84: 10 user mode, 41 way in, 13 kernel C steps, 20 way out" (phases with nothing left out). */
function costWords(counts: CostCounts): string {
  const total = counts.phases.reduce((sum, count) => sum + count, 0);
  const parts = counts.phases.flatMap((count, idx) => (count > 0 ? [`${count} ${PHASES[idx]}`] : []));
  return `${total}: ${parts.join(', ')}`;
}

/**
 * The sentence the last frame's narration ends with, from the same counts: the way in, the C steps, the way out and
 * the mode switches (and the CR3 writes and verw when there are any), or, without a crossing, the user-mode count.
 */
function costSentence(counts: CostCounts): string {
  const [user, wayIn, kernelC, wayOut] = counts.phases;
  const [modes, cr3, verw] = counts.expensive;
  if (modes === 0) return `Cost: ${user} instructions and steps, all in user mode, and no crossing at all.`;
  const extra = cr3 > 0 ? `, ${cr3} CR3 writes and ${verw} verw` : '';
  return `Cost: ${wayIn} instructions on the way in, ${kernelC} kernel C steps, ${wayOut} on the way out, ${modes} mode switches${extra}.`;
}

/** The scenario the `int 0x80` entry runs: the model shows it unmitigated, so the page has no "other" bar for it. */
const UNMITIGATED = 'int80-read';
const VDSO = STAGE.find((entry) => entry.scenario === 'vdso-clock-gettime')!;

/** Opens `query` at its last frame (the fixture's frame count, as a link) and opens the cost view from the ending. */
async function openCostAtEnd(story: StoryPage, query: string, frames: number): Promise<void> {
  await story.open(`${query}&f=${frames}`);
  await story.expectFrame(frames, frames);
  const button = story.page.getByTestId('show-cost');
  await expect(story.ending.getByTestId('show-cost')).toHaveText('What did it cost?');
  await button.click();
  await expect(story.page.getByTestId('view-tab-cost')).toHaveAttribute('aria-selected', 'true');
  await expect(story.page.getByTestId('focus-view')).toHaveAttribute('data-shown', 'cost');
  await expect(story.page.getByTestId('cost')).toBeVisible();
}

/** A row's words (`.cost-words`). */
const words = (page: Page, testid: string) => page.getByTestId(testid).locator('.cost-words');

for (const mitigations of [false, true]) {
  test(`every scenario's cost view shows the model's counts at its last frame, mitigations ${mitigations ? 'on' : 'off'}`, async ({
    page,
  }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'counts do not depend on the screen: desktop only');
    // 13 scenarios, a navigation and a dozen checks each.
    test.setTimeout(120_000);
    const story = new StoryPage(page);
    const problems: string[] = [];
    const soft = async (what: string, check: () => Promise<void>) => {
      try {
        await check();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`);
      }
    };
    const vdso = mitigations ? VDSO.cost_mitigated : VDSO.cost;
    for (const entry of STAGE) {
      const { scenario } = entry;
      const counts = mitigations ? entry.cost_mitigated : entry.cost;
      const other = mitigations ? entry.cost : entry.cost_mitigated;
      const frames = mitigations ? entry.frames_mitigated : entry.frames;
      // The mitigated kernel runs only on the syscall path.
      const pti = mitigations && scenario !== UNMITIGATED;
      const at = `${scenario} (mitigations ${mitigations ? 'on' : 'off'}, f=${frames})`;
      await openCostAtEnd(story, `s=${scenario}${mitigations ? '&mitigations=on' : ''}`, frames);
      await expect(page.getByTestId('mitigations')).toBeChecked({ checked: mitigations });

      await soft(`${at} cost-this`, async () => {
        await expect(words(page, 'cost-this')).toHaveText(costWords(counts), { timeout: 2_000 });
        await expect(page.getByTestId('cost-this').locator('.cost-label')).toHaveText(
          pti ? 'this call, with mitigations' : 'this call',
          { timeout: 2_000 },
        );
      });
      await soft(`${at} cost-other`, async () => {
        if (scenario === UNMITIGATED) {
          await expect(page.getByTestId('cost-other'), 'int 0x80 runs unmitigated: no other bar').toHaveCount(0);
        } else {
          await expect(words(page, 'cost-other')).toHaveText(costWords(other), { timeout: 2_000 });
          await expect(page.getByTestId('cost-other').locator('.cost-label')).toHaveText(
            mitigations ? 'without mitigations' : 'with mitigations (PTI, verw)',
            { timeout: 2_000 },
          );
        }
      });
      await soft(`${at} cost-vdso, cost-call`, async () => {
        await expect(words(page, 'cost-vdso')).toHaveText(costWords(vdso), { timeout: 2_000 });
        // A plain function call: a call and a ret.
        await expect(words(page, 'cost-call')).toHaveText('2: 2 user mode', { timeout: 2_000 });
      });
      await soft(`${at} cost-kinds`, async () => {
        const rows = await page
          .getByTestId('cost-kinds')
          .locator('tbody tr')
          .evaluateAll((trs) =>
            trs.map((tr) => [tr.querySelector('th')?.textContent?.trim() ?? '', tr.querySelector('td')?.textContent?.trim() ?? '']),
          );
        expect(rows.map(([kind]) => KINDS.find((known) => kind.startsWith(known)) ?? kind)).toEqual([...KINDS]);
        expect(rows.map(([, count]) => Number(count))).toEqual(counts.expensive);
      });
      await soft(`${at} cost-cited`, async () => {
        const cited = await page
          .getByTestId('cost-cited')
          .locator('li')
          .evaluateAll((items) =>
            items.map((item) => {
              const link = item.querySelector('a');
              return {
                text: (item.textContent ?? '').trim(),
                href: link?.getAttribute('href') ?? '',
                name: (link?.textContent ?? '').trim(),
              };
            }),
          );
        expect(cited.length, 'published figures').toBe(3);
        for (const item of cited) {
          expect(item.href, `the source of "${item.text.slice(0, 60)}"`).toMatch(/^https:\/\/[^\s/]+\.[^\s/]+\//);
          expect(item.name, 'the link names its source').not.toBe('');
        }
        await expect(page.getByTestId('cost-measure-hint')).toBeVisible({ timeout: 2_000 });
        await expect(page.getByTestId('cost-measured')).toHaveCount(0, { timeout: 2_000 });
      });
      // The narration's ending sums up the same counts (a call that came back; exit_group never does).
      if (scenario !== 'exit-group') {
        await soft(`${at} narration`, async () => {
          await expect(story.narration).toContainText(costSentence(counts), { timeout: 2_000 });
        });
      }
    }
    expect(problems, 'cost views that differ from the model').toEqual([]);
    story.expectNoProblems();
  });
}

/** The stage story's sizes the cost view is checked at: an embed, the smallest projector, a laptop, a phone. */
const VIEWS = STAGE_VIEWS.filter((view) =>
  ['embed-640x400', 'present-1024x768', 'normal-1366x768', 'normal-390x844'].includes(viewName(view)),
);

interface CostLayout {
  problems: string[];
  /** The focus view's own scrolling: how far its content reaches below what it shows (0: it all fits). */
  scrollsInside: number;
  /** The smallest visible text in the cost view, in px, with where it is. */
  smallest: { px: number; text: string };
}

/**
 * Runs in the page: waits until the cost view stops moving, then checks that the document is unscrolled and does not
 * overflow sideways, that the heading and this run's bar (its label, bar and words) are inside the window and not cut
 * off by a box that clips or scrolls, that nothing in the cost view sticks out sideways or scrolls sideways, and
 * measures its smallest text.
 */
async function measureCost(args: { width: number; height: number; embed: boolean }): Promise<CostLayout> {
  const TOLERANCE = 1;
  const round = (value: number) => Math.round(value * 10) / 10;
  const panel = document.querySelector('[data-testid=cost]');
  const problems: string[] = [];
  if (!panel) return { problems: ['the cost view is missing'], scrollsInside: 0, smallest: { px: NaN, text: '' } };
  // An embed hides every view's heading (.mode-embed .view h2): there the selected tab alone names the view.
  const heading = document.getElementById('cost-heading');
  if (args.embed && heading && heading.checkVisibility({ checkVisibilityCSS: true })) {
    problems.push('cost heading: shown in an embed, where every other view hides its heading');
  }
  const checked: Array<[string, Element | null]> = [
    ...(args.embed ? [] : [['cost heading', heading] as [string, Element | null]]),
    ['view-tab-cost (the selected tab, naming the view shown)', document.querySelector('[data-testid=view-tab-cost]')],
    ['cost-this', panel.querySelector('[data-testid=cost-this]')],
    ['cost-this label', panel.querySelector('[data-testid=cost-this] .cost-label')],
    ['cost-this bar', panel.querySelector('[data-testid=cost-this] .cost-bar')],
    ['cost-this words', panel.querySelector('[data-testid=cost-this] .cost-words')],
  ];
  const signature = () =>
    checked
      .map(([, element]) => {
        const rect = element?.getBoundingClientRect();
        return rect ? `${rect.left},${rect.top},${rect.width},${rect.height}` : '-';
      })
      .join(';');
  let last = signature();
  for (let frame = 0, same = 0; frame < 60 && same < 2; frame++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = signature();
    same = now === last ? same + 1 : 0;
    last = now;
  }

  const width = Math.min(window.innerWidth, args.width);
  const height = Math.min(window.innerHeight, args.height);
  if (window.innerWidth !== args.width || window.innerHeight !== args.height) {
    problems.push(`the window is ${window.innerWidth}x${window.innerHeight}, not ${args.width}x${args.height}`);
  }
  const scroller = document.scrollingElement ?? document.documentElement;
  if (scroller.scrollTop !== 0 || scroller.scrollLeft !== 0) {
    problems.push(`the document is scrolled to ${scroller.scrollLeft},${scroller.scrollTop}`);
  }
  if (scroller.scrollWidth > scroller.clientWidth) {
    problems.push(
      `the document overflows sideways by ${scroller.scrollWidth - scroller.clientWidth} px ` +
        `(scrollWidth ${scroller.scrollWidth}, clientWidth ${scroller.clientWidth})`,
    );
  }
  for (const [what, element] of checked) {
    if (!element) {
      problems.push(`${what}: missing`);
      continue;
    }
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) {
      problems.push(`${what}: not visible`);
      continue;
    }
    const rect = element.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) {
      problems.push(`${what}: an empty box (${round(rect.width)}x${round(rect.height)})`);
      continue;
    }
    const box = `${round(rect.left)},${round(rect.top)} ${round(rect.width)}x${round(rect.height)} in ${width}x${height}`;
    const off = (kind: string, px: number) => {
      if (px > TOLERANCE) problems.push(`${what} (${box}): ${round(px)} px ${kind}`);
    };
    off('off the left edge', -rect.left);
    off('above the top edge', -rect.top);
    off('past the right edge', rect.right - width);
    off('below the bottom edge', rect.bottom - height);
    for (let clip = element.parentElement; clip && clip !== document.body; clip = clip.parentElement) {
      const style = getComputedStyle(clip);
      if (style.display === 'inline' || style.display === 'contents') continue;
      const clipsX = style.overflowX !== 'visible';
      const clipsY = style.overflowY !== 'visible';
      if (!clipsX && !clipsY) continue;
      const outer = clip.getBoundingClientRect();
      const top = outer.top + clip.clientTop;
      const left = outer.left + clip.clientLeft;
      const name = clip.getAttribute('data-testid') ?? `${clip.tagName.toLowerCase()}.${String(clip.className).split(' ')[0]}`;
      const by = `by ${name} (overflow ${style.overflowX} ${style.overflowY})`;
      if (clipsY) off(`cut off at the top ${by}`, top - rect.top);
      if (clipsY) off(`cut off at the bottom ${by}`, rect.bottom - top - clip.clientHeight);
      if (clipsX) off(`cut off at the left ${by}`, left - rect.left);
      if (clipsX) off(`cut off at the right ${by}`, rect.right - left - clip.clientWidth);
    }
  }
  // Nothing scrolls sideways: the panel, what is in it, and the boxes around it up to the page.
  const sideways = [...Array.from(panel.querySelectorAll('*')), panel];
  for (let box = panel.parentElement; box && box !== document.body; box = box.parentElement) sideways.push(box);
  const panelRect = panel.getBoundingClientRect();
  for (const element of sideways) {
    const style = getComputedStyle(element);
    const name =
      element.getAttribute('data-testid') ?? `${element.tagName.toLowerCase()}.${String(element.className).split(' ')[0]}`;
    if (/auto|scroll/.test(style.overflowX) && element.scrollWidth > element.clientWidth + TOLERANCE) {
      problems.push(`${name} scrolls sideways by ${element.scrollWidth - element.clientWidth} px`);
    }
    if (panel.contains(element) && element !== panel) {
      const rect = element.getBoundingClientRect();
      if (rect.width > 0 && (rect.right > panelRect.right + TOLERANCE || rect.left < panelRect.left - TOLERANCE)) {
        problems.push(
          `${name} ("${(element.textContent ?? '').trim().slice(0, 30)}") sticks out of the cost view sideways ` +
            `(${round(rect.left)} to ${round(rect.right)}, the view ${round(panelRect.left)} to ${round(panelRect.right)})`,
        );
      }
    }
  }
  // The focus view may scroll inside: how much is below its fold.
  let scrollsInside = 0;
  for (let box = panel as Element | null; box && box !== document.body; box = box.parentElement) {
    if (/auto|scroll/.test(getComputedStyle(box).overflowY)) {
      scrollsInside = Math.max(scrollsInside, box.scrollHeight - box.clientHeight);
    }
  }
  let smallest = { px: Infinity, text: '' };
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !(node.textContent ?? '').trim() || !parent.checkVisibility({ checkVisibilityCSS: true })) continue;
    const px = parseFloat(getComputedStyle(parent).fontSize);
    if (px < smallest.px) smallest = { px, text: (node.textContent ?? '').trim().slice(0, 40) };
  }
  return { problems, scrollsInside, smallest };
}

for (const view of VIEWS) {
  test(`the cost view at ${viewName(view)}: its heading and this run's bar in view without scrolling the page, nothing sideways`, async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'each test sets its own viewport: run once, in the desktop project');
    const read = STAGE.find((entry) => entry.scenario === 'read')!;
    const { target, context } = await pageFor(view, page, browser, baseURL);
    try {
      const story = new StoryPage(target);
      const mode = view.mode === 'normal' ? '' : `&mode=${view.mode}`;
      await story.open(`s=read${mode}&f=${read.frames}`);
      await story.settle();
      // The ending's button is on screen as it is: the reader does not scroll to find it.
      await expect(target.getByTestId('show-cost')).toBeInViewport({ ratio: 1 });
      await target.getByTestId('show-cost').click();
      await expect(target.getByTestId('cost')).toBeVisible();
      await story.settle();
      const layout = await target.evaluate(measureCost, {
        width: view.width,
        height: view.height,
        embed: view.mode === 'embed',
      });
      const shot = await story.shot(`cost-${viewName(view)}`, testInfo);
      testInfo.annotations.push({
        type: `cost view at ${viewName(view)}`,
        description:
          `${shot}; the focus view scrolls ${layout.scrollsInside} px inside; smallest text ${layout.smallest.px} px ` +
          `("${layout.smallest.text}")`,
      });
      expect.soft(layout.problems, `the cost view at ${viewName(view)}`).toEqual([]);
      if (view.mode === 'present' && view.width === 1024) {
        expect.soft(layout.smallest.px, `the smallest text of the cost view ("${layout.smallest.text}")`).toBeGreaterThanOrEqual(
          PRESENT_FLOOR_PX,
        );
      }
      story.expectNoProblems();
    } finally {
      await context?.close();
    }
  });
}

test('mitigations: CR3 switches to the kernel page tables at mov cr3, rsp; the checkbox stays across scenarios', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const story = new StoryPage(page);
  const read = STAGE.find((entry) => entry.scenario === 'read')!;
  const getpid = STAGE.find((entry) => entry.scenario === 'getpid')!;
  const checkbox = page.getByTestId('mitigations');
  /** The checkbox is in the Arguments panel, with the scenario's other settings: open it if it is closed. */
  const openArguments = async () => {
    const editor = page.getByTestId('editor');
    if (!(await editor.evaluate((details) => (details as HTMLDetailsElement).open))) {
      await editor.locator('summary').click();
    }
  };
  const cr3 = story.registers.getByTestId('reg-cr3');
  // The register file names both halves of the PGD: the one in CR3 first, then the other and its value.
  const cr3Role = cr3.locator('.role');
  const ON_USER_TABLES = 'user page tables; kernel page tables: 0x10a4e6000';
  const ON_KERNEL_TABLES = 'kernel page tables; user page tables: 0x10a4e7000';
  const tables = page.getByTestId('wall-tables');
  const counter = (frames: number) => new RegExp(`^Frame \\d+ of ${frames}(${STOP_SUFFIX})?$`);
  /** Shows a view by its tab (the frame stays). */
  const show = async (view: string) => {
    await page.getByTestId(`view-tab-${view}`).click();
    await expect(page.getByTestId(`view-tab-${view}`)).toHaveAttribute('aria-selected', 'true');
  };
  /** Next or Back (buttons: a focused view tab keeps the arrow keys for itself), then the frame it must reach. */
  const step = async (button: 'step-forward' | 'step-back' | 'end', to: number) => {
    await page.getByTestId(button).click();
    await story.expectFrame(to, read.frames_mitigated);
  };

  // Without the mitigations: one set of page tables, CR3 never written.
  await story.open('s=read&stops=all');
  await expect(checkbox).not.toBeChecked();
  await expect(story.frameCounter).toHaveText(counter(read.frames));
  await show('registers');
  await expect(cr3).toContainText('page tables (one set: no PTI)');
  await show('wall');
  await expect(tables).toContainText('no PTI');

  // The checkbox: the mitigated run, in the link.
  await openArguments();
  await checkbox.check();
  await expect(story.frameCounter).toHaveText(counter(read.frames_mitigated));
  await expect.poll(() => story.urlParams().get('mitigations')).toBe('on');

  // Step until the executed line is the switch to the kernel's page tables; the model's trace says where it is.
  const trace = modelTrace('read', { mitigations: 'on' });
  expect(trace.frames.length, "the trace's mitigated run").toBe(read.frames_mitigated);
  const switchAt = trace.frames.findIndex((frame) => frame.executed.includes('mov cr3, rsp')) + 1;
  expect(switchAt, 'the model writes CR3 on the way in').toBeGreaterThan(1);
  await story.open('s=read&stops=all&mitigations=on');
  await expect(checkbox).toBeChecked();
  const executed = page.getByTestId('executed');
  let frame = 1;
  for (; frame < read.frames_mitigated; frame++) {
    if ((await executed.textContent())?.includes('mov cr3, rsp')) break;
    await story.press('ArrowRight', frame + 1, read.frames_mitigated);
  }
  expect(frame, 'the frame whose executed line is mov cr3, rsp (stepping vs. the trace)').toBe(switchAt);

  // Before it: the user's page tables (the kernel is mapped only for its entry).
  await step('step-back', switchAt - 1);
  await show('registers');
  await expect(cr3Role).toHaveText(ON_USER_TABLES);
  await show('wall');
  await expect(tables).toContainText('the user page tables');
  const userTables = (await tables.textContent()) ?? '';

  // At it: the kernel's, marked changed in the register file and in the stage's changes list.
  await step('step-forward', switchAt);
  await expect(page.getByTestId('changes').getByTestId('change-cr3')).toBeVisible();
  await show('registers');
  await expect(cr3Role).toHaveText(ON_KERNEL_TABLES);
  await expect(cr3).toContainText('changed');
  await expect(cr3).toHaveAttribute('data-changed', 'true');
  await show('wall');
  await expect(tables).toContainText('the kernel page tables');
  expect((await tables.textContent()) ?? '', 'the wall says another CR3').not.toBe(userTables);

  // Back to the user's on the way out (mov cr3, rdi), and so at the end.
  const backAt = trace.frames.findIndex((frame) => frame.executed.includes('mov cr3, rdi')) + 1;
  expect(backAt, 'the model writes CR3 on the way out').toBeGreaterThan(switchAt);
  await story.open(`s=read&stops=all&mitigations=on&f=${backAt - 1}`);
  await show('registers');
  await expect(cr3Role).toHaveText(ON_KERNEL_TABLES);
  await step('step-forward', backAt);
  await show('registers');
  await expect(cr3Role).toHaveText(ON_USER_TABLES);
  await expect(cr3).toHaveAttribute('data-changed', 'true');
  await step('end', read.frames_mitigated);
  await show('registers');
  await expect(cr3Role).toHaveText(ON_USER_TABLES);

  // Another scenario: the checkbox stays on, the new scenario runs mitigated; off again gives the model's own count.
  await story.picker.selectOption('getpid');
  await expect(story.picker).toHaveValue('getpid');
  await expect(checkbox).toBeChecked();
  await expect(story.frameCounter).toHaveText(counter(getpid.frames_mitigated));
  await expect.poll(() => story.urlParams().get('mitigations')).toBe('on');
  await openArguments();
  await checkbox.uncheck();
  await expect(story.frameCounter).toHaveText(counter(getpid.frames));
  await expect.poll(() => story.urlParams().get('mitigations')).toBeNull();
  await show('registers');
  await expect(cr3).toContainText('page tables (one set: no PTI)');
  await story.expectCleanConsole();
});

/** The CPU or kernel text as the link carries it (trace measure's link_text): no control characters, 96 at most. */
function linkText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const short = [...text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim()].slice(0, 96).join('').trimEnd();
  return short || 'unknown';
}

interface Measured {
  cpu: string;
  kernel: string;
  operations: Array<{ id: string; median_ns: number }>;
  link: string;
}

test("a link from trace measure shows this machine's medians in the cost view", async ({ page, baseURL }, testInfo) => {
  // `trace measure --quick` times for a fraction of a second (cargo builds the trace binary first if it is stale).
  test.setTimeout(360_000);
  const measured = JSON.parse(runTrace(['measure', '--quick', '--json', '--link', baseURL!])) as Measured;
  expect(measured.operations.length, 'operations timed on this machine').toBeGreaterThan(0);
  expect(measured.link.startsWith(baseURL!), `the link (${measured.link}) points at this server`).toBe(true);
  const story = new StoryPage(page);
  await page.goto(measured.link);
  await expect(story.app).toBeVisible();
  await expect(story.notices).toHaveCount(0);
  // The figures stay in the page's own link.
  const sent = new URL(measured.link).searchParams;
  await expect.poll(() => story.urlParams().get('ns')).toBe(sent.get('ns'));

  await page.getByTestId('view-tab-cost').click();
  const shown = page.getByTestId('cost-measured');
  await expect(shown).toBeVisible();
  await expect(page.getByTestId('cost-measure-hint')).toHaveCount(0);
  // The heading right above the figures.
  await expect(shown.locator('xpath=preceding-sibling::h3[1]')).toHaveText(`Measured on ${linkText(measured.cpu)}, Linux ${linkText(measured.kernel)}`);
  const rows = await shown.locator('[data-testid^="cost-ns-"]').evaluateAll((items) =>
    items.map((item) => item.getAttribute('data-testid')),
  );
  expect(rows, 'one bar per timed operation, in the order trace measure times them').toEqual(
    measured.operations.map((operation) => `cost-ns-${operation.id}`),
  );
  for (const operation of measured.operations) {
    // The link carries a median to one decimal, from 0.1 ns.
    const ns = Math.max(operation.median_ns, 0.1).toFixed(1);
    await expect(shown.getByTestId(`cost-ns-${operation.id}`).locator('.cost-words')).toHaveText(`${ns} ns`);
  }
  // The figures are below the counts: scrolled into view inside the focus view for the picture.
  await shown.scrollIntoViewIfNeeded();
  await story.shot('cost-measured', testInfo);
  await story.expectCleanConsole();
});

test('a fixed measured link: the names as written (not as HTML), figures rounded to one decimal', async ({ page }) => {
  const story = new StoryPage(page);
  const cpu = 'Intel <b>Xeon</b> & "Co"';
  const query = new URLSearchParams({
    s: 'getpid',
    cpu,
    kernel: '6.12.0-<i>rc1</i>',
    ns: 'call:1.4,vdso:23.1,getpid:104.7,clock:172.4,read:227.25',
  });
  await story.open(query.toString());
  await expect(story.notices).toHaveCount(0);
  await page.getByTestId('view-tab-cost').click();
  await expect(page.getByTestId('cost-measured').locator('xpath=preceding-sibling::h3[1]')).toHaveText(
    `Measured on ${cpu}, Linux 6.12.0-<i>rc1</i>`,
  );
  await expect(page.getByTestId('cost').locator('b, i')).toHaveCount(0);
  const expected = { call: '1.4', vdso: '23.1', getpid: '104.7', clock: '172.4', read: '227.3' };
  for (const [id, ns] of Object.entries(expected)) {
    await expect(page.getByTestId(`cost-ns-${id}`).locator('.cost-words')).toHaveText(`${ns} ns`);
  }
  await story.expectCleanConsole();
});

test('bad measured figures in a link give a notice; the page still steps and the cost view shows the hint', async ({
  page,
}) => {
  const story = new StoryPage(page);
  const read = STAGE.find((entry) => entry.scenario === 'read')!;
  for (const [query, says] of [
    ['cpu=X&kernel=6.1&ns=getpid:abc', /measured figures.*"abc" for getpid/],
    ['ns=getpid:91.4', /measured figures need cpu, kernel and ns together/],
  ] as const) {
    await story.open(`s=read&stops=all&${query}`);
    await expect(story.notices).toBeVisible();
    expect(await story.noticeParams()).toContain('ns');
    await expect(story.notices).toContainText(says);
    await story.expectFrame(1, read.frames);
    await story.press('ArrowRight', 2, read.frames);
    await story.stepForward.click();
    await story.expectFrame(3, read.frames);
    await page.getByTestId('view-tab-cost').click();
    await expect(page.getByTestId('cost-measure-hint')).toBeVisible();
    await expect(page.getByTestId('cost-measured')).toHaveCount(0);
  }
  await story.expectCleanConsole();
});
