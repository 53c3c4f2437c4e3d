// Story: the stage. Whatever the screen (a 640x400 embed, a projector from 1024x768 to 1920x1080, a laptop, a
// phone), a frame's essentials are all in view at once, without scrolling: the narration, the controls (Next and the
// scrubber), the privilege strip, the registers the frame changed (old and new value) and the view the frame is about.
// Checked at the moments a lecture stops at (the trap, the table lookup, the kernel's work, the return, the result) of
// every scenario, taken from the model (e2e/fixtures/stage-frames.json, written by tests/stage_frames.rs), and at the
// two CR3 writes of read() with the mitigations on (the page-table switch on the way in and out, from the model's
// trace). In presentation mode the text is large enough for the back of the room.
// Then how far Next goes: key moments by default (a clicker crosses read() in a few presses), every instruction or
// every lesson step on request, kept in the link; and the scrubber's step labels.
// Desktop project only: each test sets its own viewport (the phone case makes a mobile context of its own).
import { expect, test, type TestInfo } from '@playwright/test';
import {
  LEAN_TRACE,
  type Moment,
  type Mode,
  modelTrace,
  pageFor,
  PRESENT_FLOOR_PX,
  REGISTERS,
  STAGE,
  STAGE_VIEWS,
  STEP_TITLES,
  StoryPage,
  stepStarts,
  viewName,
} from './pages/story';

test.describe.configure({ mode: 'parallel' });
// Hundreds of navigations: no DOM snapshot per action in the trace (a failure lists every problem it found).
test.use({ trace: LEAN_TRACE });
test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'each test sets its own viewports: run once, in the desktop project');
});

const VIEWS = STAGE_VIEWS;

/** In presentation mode no text is smaller than this share of the narration's size. */
const PRESENT_SHARE = 0.75;

const modeQuery = (mode: Mode) => (mode === 'normal' ? '' : `&mode=${mode}`);

interface StageArgs {
  width: number;
  height: number;
  changed: string[];
}

/** One thing out of place: the element, what is wrong, by how many px (0 when not a distance), the whole message. */
interface Problem {
  what: string;
  kind: string;
  px: number;
  text: string;
}

/** What the page showed at one moment, measured in one go. */
interface StageReport {
  /** Layout problems, each with the element and by how many px. */
  problems: Problem[];
  mode: string | null;
  /** focus-view's data-focus. */
  focus: string | null;
  /** The view tab that is aria-selected (its data-testid). */
  selectedTab: string | null;
  /** The registers in the changes list (change-REG rows), in order. */
  changes: string[];
  f: string | null;
  narrationPx: number;
  /** Every visible text's font size inside the stage and the controls: one entry per place and size. */
  texts: Array<{ where: string; px: number; text: string }>;
}

/**
 * Runs in the page: waits until the checked boxes stop moving, then measures. Every box must be visible and fully
 * inside the window (1 px tolerance) and not cut off by an ancestor that clips or scrolls; the document must be
 * unscrolled and must not overflow sideways.
 */
async function measureStage(args: StageArgs): Promise<StageReport> {
  const TOLERANCE = 1;
  const round = (value: number) => Math.round(value * 10) / 10;
  const visible = (element: Element) => element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const pick = (root: ParentNode | null, selector: string): Element | null => {
    if (!root) return null;
    const all = Array.from(root.querySelectorAll(selector));
    return all.find(visible) ?? all[0] ?? null;
  };
  const name = (element: Element) => {
    const testid = element.getAttribute('data-testid');
    if (testid) return testid;
    const className = typeof element.className === 'string' ? element.className.trim().split(/\s+/)[0] : '';
    return `${element.tagName.toLowerCase()}${className ? `.${className}` : ''}`;
  };
  const changes = pick(document, '[data-testid=changes]');
  const checked: Array<[string, Element | null]> = [
    ['narration box', pick(document, '[data-testid=narration-box]')],
    ['step title', pick(document, '[data-testid=step-title]')],
    ['executed instruction', pick(document, '[data-testid=executed]')],
    ['narration text', pick(document, '[data-testid=narration]')],
    ['Next', pick(document, '[data-testid=step-forward]')],
    ['scrubber', pick(document, '[data-testid=scrubber]')],
    ['CPL strip', pick(document, '[data-testid=cpl-strip]')],
    ...args.changed.flatMap((reg): Array<[string, Element | null]> => {
      const row = pick(changes, `[data-testid="change-${reg}"]`);
      return [
        [`change-${reg}`, row],
        [`change-${reg} old`, pick(row, '[data-testid=old]')],
        [`change-${reg} new`, pick(row, '[data-testid=new]')],
      ];
    }),
    ['focus view', pick(document, '[data-testid=focus-view]')],
  ];

  // Settle: the same boxes in three frames running (at most ~1 s).
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

  const problems: Problem[] = [];
  const fail = (what: string, kind: string, text: string, px = 0) => problems.push({ what, kind, px, text });
  const width = Math.min(window.innerWidth, args.width);
  const height = Math.min(window.innerHeight, args.height);
  if (window.innerWidth !== args.width || window.innerHeight !== args.height) {
    fail('window', 'wrong size', `the window is ${window.innerWidth}x${window.innerHeight}, not ${args.width}x${args.height}`);
  }
  const scroller = document.scrollingElement ?? document.documentElement;
  if (scroller.scrollTop !== 0 || scroller.scrollLeft !== 0) {
    fail('document', 'scrolled', `the document is scrolled to ${scroller.scrollLeft},${scroller.scrollTop}`);
  }
  if (scroller.scrollWidth > scroller.clientWidth) {
    const sideways = scroller.scrollWidth - scroller.clientWidth;
    fail(
      'document',
      'overflows sideways',
      `the document overflows sideways by ${sideways} px (scrollWidth ${scroller.scrollWidth}, clientWidth ${scroller.clientWidth})`,
      sideways,
    );
  }

  for (const [what, element] of checked) {
    if (!element) {
      fail(what, 'missing', `${what}: missing`);
      continue;
    }
    if (!visible(element)) {
      fail(what, 'not visible', `${what}: not visible`);
      continue;
    }
    const rect = element.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) {
      fail(what, 'an empty box', `${what}: an empty box (${round(rect.width)}x${round(rect.height)})`);
      continue;
    }
    const box = `${round(rect.left)},${round(rect.top)} ${round(rect.width)}x${round(rect.height)} in ${width}x${height}`;
    const off = (kind: string, px: number, detail = '') => {
      if (px > TOLERANCE) fail(what, kind, `${what} (${box}): ${round(px)} px ${kind}${detail}`, round(px));
    };
    off('off the left edge', -rect.left);
    off('above the top edge', -rect.top);
    off('past the right edge', rect.right - width, ` (right ${round(rect.right)} > ${width})`);
    off('below the bottom edge', rect.bottom - height, ` (bottom ${round(rect.bottom)} > ${height})`);
    // Inside the window but hidden by a box that clips or scrolls (the stage, a panel) is not in view either.
    for (let clip = element.parentElement; clip && clip !== document.body; clip = clip.parentElement) {
      const style = getComputedStyle(clip);
      if (style.display === 'inline' || style.display === 'contents') continue;
      const clipsX = style.overflowX !== 'visible';
      const clipsY = style.overflowY !== 'visible';
      if (!clipsX && !clipsY) continue;
      const outer = clip.getBoundingClientRect();
      const top = outer.top + clip.clientTop;
      const left = outer.left + clip.clientLeft;
      const by = `by ${name(clip)} (overflow ${style.overflowX} ${style.overflowY})`;
      if (clipsY) off(`cut off at the top ${by}`, top - rect.top);
      if (clipsY) off(`cut off at the bottom ${by}`, rect.bottom - top - clip.clientHeight);
      if (clipsX) off(`cut off at the left ${by}`, left - rect.left);
      if (clipsX) off(`cut off at the right ${by}`, rect.right - left - clip.clientWidth);
    }
  }
  // A register's old and new value: there, and shown whole (not cut short by its own box).
  for (const reg of args.changed) {
    const row = pick(changes, `[data-testid="change-${reg}"]`);
    for (const part of ['old', 'new']) {
      const value = pick(row, `[data-testid=${part}]`);
      if (!row || !value) continue;
      const what = `change-${reg} ${part}`;
      if (!value.textContent?.trim()) fail(what, 'empty', `${what}: empty`);
      const cut = value.scrollWidth - value.clientWidth;
      if (value.clientWidth > 0 && cut > TOLERANCE) {
        fail(what, 'value cut short', `${what} ("${value.textContent}"): ${cut} px of the value cut off`, cut);
      }
    }
  }

  // Font sizes of every visible text in the stage and the controls (visually hidden text aside).
  const visuallyHidden = (element: Element) => {
    for (let box: Element | null = element; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if ((style.position === 'absolute' || style.position === 'fixed') && style.clip !== 'auto') return true;
      if (/inset\(\s*(50|100)%/.test(style.clipPath)) return true;
    }
    return false;
  };
  const where = (element: Element) => {
    const owner = element.closest('[data-testid]');
    const own = name(element);
    return owner && owner !== element ? `${owner.getAttribute('data-testid')} ${own}` : own;
  };
  const texts = new Map<string, { where: string; px: number; text: string }>();
  const note = (element: Element, text: string) => {
    const px = parseFloat(getComputedStyle(element).fontSize);
    const place = where(element);
    const key = `${place}|${px}`;
    if (!texts.has(key)) texts.set(key, { where: place, px, text: text.trim().replace(/\s+/g, ' ').slice(0, 40) });
  };
  const roots = ['stage', 'controls'].map((id) => pick(document, `[data-testid=${id}]`)).filter((root) => root !== null);
  const seen = new Set<Node>();
  for (const root of roots) {
    const walker = document.createTreeWalker(root!, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen.has(node)) continue;
      seen.add(node);
      const text = node.textContent ?? '';
      const parent = node.parentElement;
      if (!text.trim() || !parent || parent.closest('option')) continue;
      if (!visible(parent) || visuallyHidden(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      if (box.width < 1 || box.height < 1) continue;
      note(parent, text);
    }
    // A select shows its chosen option in its own font.
    for (const select of Array.from(root!.querySelectorAll('select'))) {
      if (visible(select) && !visuallyHidden(select)) note(select, select.selectedOptions[0]?.textContent ?? '');
    }
  }

  const focusView = pick(document, '[data-testid=focus-view]');
  const narration = pick(document, '[data-testid=narration]');
  return {
    problems,
    mode: pick(document, '[data-testid=app]')?.getAttribute('data-mode') ?? null,
    focus: focusView?.getAttribute('data-focus') ?? null,
    selectedTab:
      pick(focusView, '[data-testid^="view-tab-"][aria-selected="true"]')?.getAttribute('data-testid') ?? null,
    changes: Array.from(changes?.querySelectorAll('[data-testid^="change-"]') ?? []).map((row) =>
      row.getAttribute('data-testid')!.slice('change-'.length),
    ),
    f: new URL(location.href).searchParams.get('f'),
    narrationPx: narration ? parseFloat(getComputedStyle(narration).fontSize) : NaN,
    texts: [...texts.values()],
  };
}

/** Text that breaks a size rule, gathered over all moments of a view: one line per place and size. */
class SmallText {
  private readonly found = new Map<string, { line: string; moments: string[] }>();
  add(rule: string, text: { where: string; px: number; text: string }, moment: string): void {
    const key = `${rule}|${text.where}|${text.px}`;
    const entry = this.found.get(key) ?? { line: `${rule}: ${text.where} is ${text.px} px ("${text.text}")`, moments: [] };
    entry.moments.push(moment);
    this.found.set(key, entry);
  }
  lines(total: number): string[] {
    return [...this.found.values()].map(
      ({ line, moments }) => `${line} at ${moments.length} of ${total} moments (first: ${moments[0]})`,
    );
  }
}

/**
 * The problems of a view, each with its moment; and a summary, one line per element and kind of problem: at how many
 * moments, and the worst distance (printed and attached, so a run's report can be read at a glance).
 */
class Findings {
  readonly lines: string[] = [];
  private readonly kinds = new Map<string, { count: number; worst: number; worstAt: string }>();
  add(at: string, problem: Problem): void {
    this.lines.push(`${at}: ${problem.text}`);
    const key = `${problem.what}: ${problem.kind}`;
    const entry = this.kinds.get(key) ?? { count: 0, worst: -1, worstAt: at };
    entry.count += 1;
    if (problem.px > entry.worst) Object.assign(entry, { worst: problem.px, worstAt: at });
    this.kinds.set(key, entry);
  }
  summary(total: number): string[] {
    return [...this.kinds.entries()].map(
      ([key, { count, worst, worstAt }]) =>
        `${key}: at ${count} of ${total} moments` + (worst > 0 ? `, worst ${worst} px at ${worstAt}` : `, e.g. ${worstAt}`),
    );
  }
}

/**
 * The moments of read() with the mitigations on where CR3 is written (`mov cr3, …`: to the kernel's page tables on
 * the way in, back to the user's on the way out), from the model's trace. The changed registers are those the trace
 * shows changing, and CR3 (which the trace does not carry; the instruction writes it). The focus is not in the trace:
 * the stage must show the tab of its own data-focus.
 */
function cr3Moments(): Array<Omit<Moment, 'focus'> & { focus?: string }> {
  const trace = modelTrace('read', { mitigations: 'on' });
  const moments = trace.frames.flatMap((frame, index) => {
    if (!/\bmov cr3, /.test(frame.executed)) return [];
    const before = trace.frames[index - 1];
    const changed = REGISTERS.filter((reg) => BigInt(before.regs[reg]) !== BigInt(frame.regs[reg]));
    return [{ label: frame.executed.match(/mov cr3, \w+/)![0], frame: index + 1, changed: [...changed, 'cr3'] }];
  });
  expect(moments.length, "read()'s mitigated run writes CR3 on the way in and on the way out").toBe(2);
  return moments;
}

for (const view of VIEWS) {
  test(`stage at ${viewName(view)}: narration, controls, CPL strip, changed registers and focus view all in view at every moment`, async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    // 60-odd navigations and measurements, 0.2 to 0.5 s each on a busy two-core machine.
    test.setTimeout(240_000);
    const { target, context } = await pageFor(view, page, browser, baseURL);
    const story = new StoryPage(target);
    const findings = new Findings();
    const small = new SmallText();
    const present = view.mode === 'present';
    const floor = present && view.width === 1024 && view.height === 768 ? PRESENT_FLOOR_PX : 0;
    let moments = 0;
    let smallestPx = Infinity;
    const narrationPx = new Set<number>();
    try {
      const runs = [
        ...STAGE.map(({ scenario, moments: list }) => ({ scenario, query: `s=${scenario}`, moments: list })),
        { scenario: 'read (mitigations on)', query: 's=read&mitigations=on', moments: cr3Moments() },
      ];
      for (const { scenario, query, moments: list } of runs) {
        for (const moment of list) {
          moments += 1;
          const at = `${scenario} ${moment.label} (f=${moment.frame})`;
          await story.open(`${query}&f=${moment.frame}${modeQuery(view.mode)}`);
          await story.settle();
          const report = await target.evaluate(measureStage, {
            width: view.width,
            height: view.height,
            changed: moment.changed,
          });
          const fail = (what: string, kind: string, text: string) => findings.add(at, { what, kind, px: 0, text });
          for (const problem of report.problems) findings.add(at, problem);
          if (report.mode !== `mode-${view.mode}`) fail('app', 'wrong mode', `data-mode is ${report.mode}`);
          if (report.f !== String(moment.frame)) fail('page', 'wrong frame', `the page is at f=${report.f}`);
          if (moment.focus !== undefined && report.focus !== moment.focus) {
            fail('focus view', 'wrong focus', `data-focus is "${report.focus}", the model says "${moment.focus}"`);
          }
          const focus = moment.focus ?? report.focus;
          if (report.selectedTab !== `view-tab-${focus}`) {
            fail('view tabs', 'focus not shown', `the selected tab is ${report.selectedTab}, not view-tab-${focus}`);
          }
          if ([...report.changes].sort().join(' ') !== [...moment.changed].sort().join(' ')) {
            fail('changes', 'other registers', `the list has [${report.changes}], the model changed [${moment.changed}]`);
          }
          narrationPx.add(report.narrationPx);
          for (const text of report.texts) {
            smallestPx = Math.min(smallestPx, text.px);
            if (floor && text.px < floor) small.add(`under ${floor} px`, text, at);
            if (present && text.px < PRESENT_SHARE * report.narrationPx) {
              small.add(`under ${PRESENT_SHARE} x the narration's ${report.narrationPx} px`, text, at);
            }
          }
          if (scenario === 'read' && (moment.label === 'trap' || moment.label === 'lookup')) {
            await story.shot(`stage-${viewName(view)}-read-${moment.label}`, testInfo);
          }
        }
      }
      testInfo.annotations.push({
        type: `text sizes at ${viewName(view)}`,
        description: `smallest ${smallestPx} px; narration ${[...narrationPx].join(', ')} px`,
      });
      const summary = findings.summary(moments);
      if (summary.length > 0) {
        console.log(`stage at ${viewName(view)}:\n  ${summary.join('\n  ')}`);
        await testInfo.attach(`stage-${viewName(view)}-summary.txt`, { body: summary.join('\n'), contentType: 'text/plain' });
      }
      expect(findings.lines, `stage problems at ${viewName(view)} (${moments} moments)`).toEqual([]);
      expect(small.lines(moments), `text too small at ${viewName(view)}`).toEqual([]);
      story.expectNoProblems();
    } finally {
      await context?.close();
    }
  });
}

/** The 1-based frame the page's URL holds (no f is frame 1). */
function urlFrame(story: StoryPage): number {
  return Number(story.urlParams().get('f') ?? '1');
}

/** Waits until the page is at this 1-based frame of `trace` (by its URL) and shows that frame's step title. */
async function expectAt(story: StoryPage, frame: number, trace: ReturnType<typeof modelTrace>): Promise<void> {
  await expect.poll(() => urlFrame(story), `the URL's f`).toBe(frame);
  const step = trace.frames[frame - 1].step;
  await expect(story.stepTitle).toHaveText(`Step ${step} of 7: ${STEP_TITLES[step - 1]}`);
}

test("key moments is the default: read's trap in at most 4 presses of Next from frame 1, the end of read in at most 25 presses", async ({
  page,
}) => {
  const story = new StoryPage(page);
  const read = STAGE.find((entry) => entry.scenario === 'read')!;
  const trap = read.moments.find((moment) => moment.label === 'trap')!.frame;
  await story.open('s=read');
  await expect(page.getByTestId('granularity')).toHaveValue('key');
  expect(story.urlParams().get('stops'), 'the default is not written into the link').toBeNull();

  // The clicker's key; after each press, the frame the URL says (each press must move forward).
  const visited = [1];
  let trapPress: number | null = null;
  for (let press = 1; press <= 25 && visited.at(-1) !== read.frames; press++) {
    const before = visited.at(-1)!;
    await page.keyboard.press('PageDown');
    await expect.poll(() => urlFrame(story), `press ${press} moves on from frame ${before}`).not.toBe(before);
    const now = urlFrame(story);
    visited.push(now);
    expect(now, `press ${press} went back (frames so far: ${visited.join(' ')})`).toBeGreaterThan(before);
    if (now === trap) {
      trapPress = press;
      await expect(story.stepTitle).toHaveText(`Step 3 of 7: ${STEP_TITLES[2]}`);
      await expect(story.cplBadge).toHaveText('CPL 0');
      await expect(page.getByTestId('focus-view')).toHaveAttribute('data-focus', 'wall');
    }
  }
  const path = `frames after each press: ${visited.join(' ')}`;
  expect(trapPress, `a press stops at the trap (frame ${trap}); ${path}`).not.toBeNull();
  expect(trapPress!, `presses to the trap; ${path}`).toBeLessThanOrEqual(4);
  expect(visited.at(-1), `the end of read (frame ${read.frames}) within 25 presses; ${path}`).toBe(read.frames);
  await expect(story.stepForward).toBeDisabled();
  await story.expectCleanConsole();
});

test('granularity every instruction: Next moves one frame; steps: Next goes to the next step\'s first frame; the choice survives a reload via the URL', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const story = new StoryPage(page);
  const trace = modelTrace('read');
  const frames = trace.frames.length;
  // 1-based first frames of the steps.
  const starts = stepStarts(trace).map(([, index]) => index + 1);
  const granularity = page.getByTestId('granularity');

  // Every instruction: Next, PageDown and Back move exactly one frame.
  await story.open('s=read');
  await granularity.selectOption('all');
  await expect.poll(() => story.urlParams().get('stops')).toBe('all');
  for (let frame = 2; frame <= 5; frame++) {
    await story.stepForward.click();
    await expectAt(story, frame, trace);
  }
  await page.keyboard.press('PageDown');
  await expectAt(story, 6, trace);
  await story.stepBack.click();
  await expectAt(story, 5, trace);
  // A reload keeps the choice (and the frame).
  await page.reload();
  await expect(story.app).toBeVisible();
  await expect(granularity).toHaveValue('all');
  expect(story.urlParams().get('stops')).toBe('all');
  await expectAt(story, 5, trace);
  await story.stepForward.click();
  await expectAt(story, 6, trace);

  // Lesson steps: Next goes to the first frame of the next step, to the end after the last.
  await granularity.selectOption('steps');
  await expect.poll(() => story.urlParams().get('stops')).toBe('steps');
  const ahead = [...starts.filter((start) => start > 6), frames];
  for (const start of ahead) {
    await story.stepForward.click();
    await expectAt(story, start, trace);
  }
  await expect(story.stepForward).toBeDisabled();
  await story.stepBack.click();
  await expectAt(story, starts.at(-1)!, trace);
  await page.reload();
  await expect(story.app).toBeVisible();
  await expect(granularity).toHaveValue('steps');
  expect(story.urlParams().get('stops')).toBe('steps');
  await expectAt(story, starts.at(-1)!, trace);
  await story.stepBack.click();
  await expectAt(story, starts.at(-2)!, trace);

  // A link to a frame opens exactly that frame whatever the granularity; Next goes on from there.
  const next = { all: 31, steps: starts.find((start) => start > 30) ?? frames } as const;
  for (const stops of ['all', 'key', 'steps'] as const) {
    await story.open(`s=read&f=30&stops=${stops}`);
    await expect(granularity).toHaveValue(stops);
    await expectAt(story, 30, trace);
    await page.keyboard.press('PageDown');
    if (stops === 'key') {
      await expect.poll(() => urlFrame(story), 'key moments: Next moves on from frame 30').toBeGreaterThan(30);
    } else {
      await expectAt(story, next[stops], trace);
    }
  }
  await story.expectCleanConsole();
});

test('the stage shows the focus view of each frame; a view tab shows another until the focus changes', async ({
  page,
}) => {
  const story = new StoryPage(page);
  const read = STAGE.find((entry) => entry.scenario === 'read')!;
  const lookup = read.moments.find((moment) => moment.label === 'lookup')!;
  const work = read.moments.find((moment) => moment.label === 'kernel-work')!;
  expect(work.frame, 'the kernel work follows the lookup').toBe(lookup.frame + 1);
  expect(work.focus).not.toBe(lookup.focus);
  const focusView = page.getByTestId('focus-view');
  const tab = (id: string) => page.getByTestId(`view-tab-${id}`);
  /** The tab is selected and the panel it controls is shown. */
  const expectShown = async (id: string) => {
    await expect(tab(id)).toHaveAttribute('aria-selected', 'true');
    await expect(tab(id)).toHaveAttribute('role', 'tab');
    const panel = await tab(id).getAttribute('aria-controls');
    expect(panel, `view-tab-${id} names its panel`).toBeTruthy();
    await expect(page.locator(`[id="${panel}"]`)).toBeVisible();
  };

  await story.open(`s=read&f=${lookup.frame}&stops=all`);
  await expect(focusView).toHaveAttribute('data-focus', lookup.focus);
  await expectShown(lookup.focus);
  await tab('registers').click();
  await expectShown('registers');
  await expect(tab(lookup.focus)).toHaveAttribute('aria-selected', 'false');
  await expect(story.registers).toBeVisible();
  // The next frame is about something else: the stage shows that.
  await story.stepForward.click();
  await expect.poll(() => urlFrame(story)).toBe(work.frame);
  await expect(focusView).toHaveAttribute('data-focus', work.focus);
  await expectShown(work.focus);
  await expect(tab('registers')).toHaveAttribute('aria-selected', 'false');
  await story.expectCleanConsole();
});

/** Checks the scrubber's step labels of every scenario on this page; returns the problems found. */
async function checkScrubberLabels(story: StoryPage, view: View, testInfo: TestInfo): Promise<string[]> {
  const problems: string[] = [];
  for (const { scenario } of STAGE) {
    const steps = [...new Set(modelTrace(scenario).frames.map((frame) => frame.step))].sort((a, b) => a - b);
    await story.open(`s=${scenario}`);
    await story.settle();
    const labels = await story.page.evaluate(() => {
      const scrubber = document.querySelector('[data-testid=scrubber]')?.getBoundingClientRect() ?? null;
      const found = [1, 2, 3, 4, 5, 6, 7].map((step) => {
        const element = document.querySelector(`[data-testid=scrubber-label-${step}]`);
        if (!element) return { step, present: false };
        const rect = element.getBoundingClientRect();
        return {
          step,
          present: true,
          visible: element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }),
          text: (element.textContent ?? '').trim(),
          rect: { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom },
        };
      });
      return { width: window.innerWidth, height: window.innerHeight, scrubber, found };
    });
    const at = `${scenario} at ${viewName(view)}`;
    const present = labels.found.filter((label) => label.present);
    const presentSteps = present.map((label) => label.step);
    if (presentSteps.join(' ') !== steps.join(' ')) {
      problems.push(`${at}: labels for steps [${presentSteps}], the scenario has steps [${steps}]`);
    }
    const round = (value: number) => Math.round(value * 10) / 10;
    const scrubber = labels.scrubber;
    for (const label of present) {
      const rect = label.rect!;
      const what = `${at}: scrubber-label-${label.step}`;
      if (!label.visible || rect.right - rect.left < 1 || rect.bottom - rect.top < 1) {
        problems.push(`${what} is not visible`);
        continue;
      }
      if (!label.text) problems.push(`${what} has no text`);
      const out: string[] = [];
      if (rect.left < -1) out.push(`${round(-rect.left)} px off the left edge`);
      if (rect.top < -1) out.push(`${round(-rect.top)} px above the top edge`);
      if (rect.right > labels.width + 1) out.push(`${round(rect.right - labels.width)} px past the right edge`);
      if (rect.bottom > labels.height + 1) out.push(`${round(rect.bottom - labels.height)} px below the bottom edge`);
      if (out.length > 0) problems.push(`${what}: ${out.join('; ')}`);
      // On the scrubber: within its width, and no further than 32 px above or below it.
      if (scrubber) {
        const centre = (rect.left + rect.right) / 2;
        const gap = Math.max(scrubber.top - rect.bottom, rect.top - scrubber.bottom, 0);
        if (centre < scrubber.left - 1 || centre > scrubber.right + 1 || gap > 32) {
          problems.push(
            `${what} is not on the scrubber (label centre x ${round(centre)}, scrubber ${round(scrubber.left)} to ` +
              `${round(scrubber.right)}; ${round(gap)} px away)`,
          );
        }
      }
    }
    for (let i = 0; i < present.length; i++) {
      for (let j = i + 1; j < present.length; j++) {
        const a = present[i].rect!;
        const b = present[j].rect!;
        const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (across > 0.5 && down > 0.5) {
          problems.push(
            `${at}: scrubber-label-${present[i].step} and scrubber-label-${present[j].step} overlap by ` +
              `${round(across)}x${round(down)} px`,
          );
        }
      }
    }
    if (scenario === 'read') await story.shot(`stage-scrubber-labels-${viewName(view)}-read`, testInfo);
  }
  return problems;
}

for (const view of [
  { mode: 'normal', width: 1366, height: 768 },
  { mode: 'normal', width: 390, height: 844, phone: true },
] as View[]) {
  test(`every lesson step has a visible label on the scrubber, at ${view.width}x${view.height}`, async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    // modelTrace builds the trace binary if the model is newer.
    test.setTimeout(360_000);
    const { target, context } = await pageFor(view, page, browser, baseURL);
    try {
      const story = new StoryPage(target);
      expect(await checkScrubberLabels(story, view, testInfo), 'scrubber labels').toEqual([]);
      story.expectNoProblems();
    } finally {
      await context?.close();
    }
  });
}
