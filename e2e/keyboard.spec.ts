// Story: a student who uses only the keyboard (no mouse, no touch). Starting at the top of the page and pressing Tab,
// every interactive control is reached (the scenario picker, the Arguments summary and every field inside it once it
// is opened with Enter, the Mitigations checkbox, the toolbar, the seven step buttons, the playback controls and the
// scrubber, Show decimal, Replay crossing, the scrollable regions, the cost view's source links) and the focused
// element always shows a visible focus indicator. Then the controls are used with the keyboard alone: Enter and Space
// on buttons, arrows on the scrubber, the picker and the theme select, a bad number typed into a field, Space on the
// Mitigations checkbox. Any CSP violation is a console error (see prepare), and the console
// must stay clean.
import { mkdirSync } from 'node:fs';
import { expect, type Page, test, type TestInfo } from '@playwright/test';
import { SCREENSHOT_DIR } from './pages/explorer';
import { LEAN_TRACE, modelTrace, STAGE, STOP_SUFFIX, StoryPage } from './pages/story';

test.use({ trace: LEAN_TRACE });

/**
 * Before the page's own scripts: reports every Content-Security-Policy violation as a console error (ExplorerPage
 * collects those), and defines `window.e2eName(element)`, the short stable name a focus stop is reported by: its
 * data-testid, else "summary" and its text, "lesson-step-N button", or tag.class and its accessible label.
 */
async function prepare(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ` +
          `${event.sourceFile}:${event.lineNumber}`,
      );
    });
    (window as unknown as { e2eName: (element: Element) => string }).e2eName = (element: Element): string => {
      const testid = element.getAttribute('data-testid');
      if (testid) return testid;
      const tag = element.tagName.toLowerCase();
      if (tag === 'summary') return `summary "${(element.textContent ?? '').trim().slice(0, 40)}"`;
      const step = element.closest('[data-testid^="lesson-step-"]');
      if (step) return `${step.getAttribute('data-testid')} button`;
      const label =
        element.getAttribute('aria-label') ??
        (element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null) ??
        element.textContent ??
        '';
      const className = typeof element.className === 'string' ? element.className.split(' ')[0] : '';
      return `${tag}${className ? `.${className}` : ''} "${label.trim().slice(0, 40)}"`;
    };
  });
}

type Named = Window & { e2eName: (element: Element) => string };

/** The focused element's name, and a failure message if its focus indicator is not visible (else ''). */
interface Focused {
  name: string;
  problem: string;
}

/**
 * Describes document.activeElement and checks its focus indicator: an outline (style not none, width > 0, colour not
 * transparent) or a box-shadow, :focus-visible matching, and the element on screen (at least partly in the viewport).
 */
async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body || element === document.documentElement) return null;
    const name = (window as unknown as Named).e2eName(element);
    const style = getComputedStyle(element);
    const outlineOn =
      style.outlineStyle !== 'none' &&
      parseFloat(style.outlineWidth) > 0 &&
      style.outlineColor !== 'transparent' &&
      !/rgba\([^)]*,\s*0\)$/.test(style.outlineColor);
    const shadowOn = style.boxShadow !== 'none' && style.boxShadow !== '';
    const rect = element.getBoundingClientRect();
    const onScreen =
      rect.width > 0 &&
      rect.height > 0 &&
      rect.bottom > 0 &&
      rect.right > 0 &&
      rect.top < window.innerHeight &&
      rect.left < window.innerWidth;
    const problems: string[] = [];
    if (!outlineOn && !shadowOn) {
      problems.push(
        `no focus indicator (outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; ` +
          `box-shadow: ${style.boxShadow})`,
      );
    }
    if (!element.matches(':focus-visible')) problems.push('does not match :focus-visible');
    if (!onScreen) {
      problems.push(
        `not on screen (rect ${Math.round(rect.left)},${Math.round(rect.top)} ${Math.round(rect.width)}x` +
          `${Math.round(rect.height)} in ${window.innerWidth}x${window.innerHeight})`,
      );
    } else {
      // Not entirely hidden by other content (WCAG 2.4.11), such as the sticky playback bar: at least one of nine
      // points spread over the element (inside the viewport) hits the element itself.
      const left = Math.max(rect.left, 0);
      const right = Math.min(rect.right, window.innerWidth);
      const top = Math.max(rect.top, 0);
      const bottom = Math.min(rect.bottom, window.innerHeight);
      let covering: Element | null = null;
      let seen = false;
      for (const fx of [0.1, 0.5, 0.9]) {
        for (const fy of [0.1, 0.5, 0.9]) {
          const hit = document.elementFromPoint(left + (right - left) * fx, top + (bottom - top) * fy);
          if (hit && (hit === element || element.contains(hit))) seen = true;
          else covering ??= hit;
        }
      }
      if (!seen && covering) {
        const hitName = covering.getAttribute('data-testid') ?? covering.tagName.toLowerCase();
        const box = covering.closest('section, header, nav, main, footer, aside');
        const style = box ? getComputedStyle(box) : null;
        const coverName = box
          ? `${hitName} in ${box.tagName.toLowerCase()}.${box.className.split(' ')[0]} (position: ${style!.position})`
          : hitName;
        problems.push(
          `entirely covered by ${coverName} (element at ${Math.round(rect.left)},${Math.round(rect.top)} ` +
            `${Math.round(rect.width)}x${Math.round(rect.height)})`,
        );
      }
    }
    return { name, problem: problems.join('; ') };
  });
}

/** Every visible, enabled, keyboard-focusable element in the page, named as `focused` names them. */
async function focusables(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = [
      'a[href]',
      'button:not([disabled])',
      'input:not([disabled]):not([type="hidden"])',
      'select:not([disabled])',
      'textarea:not([disabled])',
      'summary',
      '[tabindex]:not([tabindex="-1"])',
    ].join(',');
    return Array.from(document.querySelectorAll<HTMLElement>(selector))
      .filter((element) => {
        if (element.tabIndex < 0) return false;
        if (!element.checkVisibility({ checkVisibilityCSS: true })) return false;
        // Content of a closed <details> (other than its summary) is not rendered.
        const details = element.closest('details');
        return !details || details.open || element.parentElement === details;
      })
      .map((element) => (window as unknown as Named).e2eName(element));
  });
}

interface Walk {
  /** Focus stops in Tab order. */
  order: string[];
  /** One line per focus stop whose indicator is not visible. */
  failures: string[];
}

/**
 * Presses Tab (or `key`) from where the focus is until focus leaves the page or comes back to the first stop. When
 * focus lands on a stop listed in `open` (a <summary>), presses Enter there, so what it discloses is walked too.
 * With `shots`, saves a screenshot of every stop with a problem (the viewport, so what covers it is in the picture).
 */
async function tabWalk(
  page: Page,
  { open = [] as string[], key = 'Tab', limit = 150, shots = undefined as TestInfo | undefined } = {},
): Promise<Walk> {
  const order: string[] = [];
  const failures: string[] = [];
  const opened = new Set<string>();
  for (let press = 0; press < limit; press++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    if (!now) {
      if (order.length > 0) break;
      continue;
    }
    if (order.length > 0 && now.name === order[0] && order.length > 2) break;
    order.push(now.name);
    if (now.problem) {
      failures.push(`${now.name}: ${now.problem}`);
      if (shots) await focusShot(page, `problem-${key === 'Tab' ? 'tab' : 'back'}-${failures.length}`, shots, true);
    }
    if (open.includes(now.name) && !opened.has(now.name)) {
      opened.add(now.name);
      await page.keyboard.press('Enter');
    }
  }
  return { order, failures };
}

/** Presses Tab (or Shift+Tab) until the element with this test id has the focus; fails after `limit` presses. */
async function tabTo(page: Page, testid: string, { back = false, limit = 120 } = {}): Promise<void> {
  for (let press = 0; press < limit; press++) {
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    if (at === testid) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${testid} not reached with ${back ? 'Shift+Tab' : 'Tab'} in ${limit} presses`);
}

/**
 * Screenshot of the focused element with a margin, so its outline (outside the box) is in the picture; of the whole
 * viewport with `whole` (or if the element is off screen).
 */
async function focusShot(page: Page, name: string, testInfo: TestInfo, whole = false): Promise<void> {
  const box = await page.evaluate(() => {
    const rect = document.activeElement!.getBoundingClientRect();
    return { x: rect.left, y: rect.top, width: rect.width, height: rect.height };
  });
  const margin = 16;
  const viewport = page.viewportSize()!;
  const x = Math.max(0, box.x - margin);
  const y = Math.max(0, box.y - margin);
  const clip = {
    x,
    y,
    width: Math.min(viewport.width - x, box.x + box.width + margin - x),
    height: Math.min(viewport.height - y, box.y + box.height + margin - y),
  };
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}/keyboard-focus-${name}-${testInfo.project.name}.png`;
  await page.screenshot(whole || clip.width <= 0 || clip.height <= 0 ? { path } : { path, clip });
  await testInfo.attach(`focus-${name}`, { path, contentType: 'image/png' });
}

/**
 * What must be reachable with Tab on the read() scenario at its trap frame (frame 7), in normal mode. The stage shows
 * one view at a time (the wall at the trap); each view's own controls are in VIEW_CONTROLS.
 */
const REQUIRED_NORMAL = [
  'scenario-picker',
  'summary "Arguments: ',
  'mitigations',
  'field-arg0',
  'field-arg1',
  'field-arg2',
  'field-file_text',
  'share',
  'embed',
  'present',
  'download',
  'print',
  'theme',
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => `lesson-step-${n} button`),
  'restart',
  'step-back',
  'play',
  'step-forward',
  'end',
  'speed',
  'scrubber',
  'replay',
  'view-tab-wall',
  'summary "What this model leaves out"',
];

/** The stage's views in the order of their tabs, and the controls each view has, reached with Tab once it shows. */
const VIEW_CONTROLS: Array<[string, string[]]> = [
  ['wall', []],
  ['registers', ['radix']],
  ['code', ['div.listing-scroll "User space"', 'div.listing-scroll "Kernel entry (ring 0)"']],
  ['syscall-table', ['div.table-scroll "Syscall table entries"']],
  ['kernel-work', ['ol.c-steps "Kernel steps of this run"']],
  ['memory', ['div.hexdump-scroll "User buffer bytes"', 'div.ptregs-scroll "pt_regs"']],
  // The sources of the three published figures (a link's name is its text: these prefixes end in a space).
  ['cost', ['a "Phoronix, ', 'a "Linux documentation, ', 'a "Brendan Gregg, ']],
];

/** The focused element's test id, the selected view tab's, and the frame counter. */
async function viewState(page: Page): Promise<{ focused: string | null; selected: string | null; counter: string }> {
  return page.evaluate(() => ({
    focused: document.activeElement?.getAttribute('data-testid') ?? null,
    selected: document.querySelector('[role=tab][aria-selected="true"]')?.getAttribute('data-testid') ?? null,
    counter: document.querySelector('[data-testid=frame-counter]')?.textContent?.trim() ?? '',
  }));
}

/**
 * Shows view `id` with the keyboard alone, as the tabs pattern has it: Tab to the selected view tab (the only one in
 * the Tab order), then the arrow keys to the wanted tab, which takes the focus and is selected, the frame staying
 * where it is. Returns what went wrong, or null.
 */
async function keyboardView(page: Page, id: string): Promise<string | null> {
  const selected = (await viewState(page)).selected;
  if (!selected) return 'no view tab is selected';
  await tabTo(page, selected);
  const order = VIEW_CONTROLS.map(([view]) => `view-tab-${view}`);
  const from = order.indexOf(selected);
  const to = order.indexOf(`view-tab-${id}`);
  const before = (await viewState(page)).counter;
  for (let press = 1; press <= Math.abs(to - from); press++) {
    await page.keyboard.press(to > from ? 'ArrowRight' : 'ArrowLeft');
    const want = order[from + (to > from ? press : -press)];
    const now = await viewState(page);
    if (now.focused !== want || now.selected !== want || now.counter !== before) {
      return (
        `${to > from ? 'ArrowRight' : 'ArrowLeft'} on ${order[from + (to > from ? press - 1 : 1 - press)]} ` +
        `left the focus on ${now.focused} with ${now.selected} selected (wanted ${want}); ` +
        `the frame counter went from "${before}" to "${now.counter}"`
      );
    }
  }
  return null;
}

/** Fails with the missing names: `required` entries ending in a space or quote match by prefix. */
function missing(required: string[], reached: string[]): string[] {
  const prefix = (want: string) => /[ "]$/.test(want);
  return required.filter((want) => !reached.some((got) => got === want || (prefix(want) && got.startsWith(want))));
}

test.describe('keyboard only', () => {
  test.beforeEach(async ({ page }) => {
    await prepare(page);
  });

  test('Tab reaches every control from the top of the page, and focus is always visible', async ({
    page,
  }, testInfo) => {
    test.setTimeout(60_000);
    const story = new StoryPage(page);
    // The trap frame: Restart and Back are enabled and Replay crossing has a crossing to replay.
    await story.open('s=read&f=7');
    await expect(story.frameCounter).toHaveText(new RegExp(`^Frame 7 of \\d+(${STOP_SUFFIX})?$`));
    await expect(page.getByTestId('replay')).toBeEnabled();

    const walk = await tabWalk(page, { open: ['summary "Arguments: read(fd, buf, count)"'], shots: testInfo });
    // The editor was opened with Enter on its summary.
    await expect(page.getByTestId('editor')).toHaveJSProperty('open', true);
    testInfo.annotations.push({ type: 'tab order', description: walk.order.join(' → ') });

    // Everything the page offers (visible, enabled, focusable, now that the editor is open) was reached.
    const offered = await focusables(page);
    expect.soft(missing(offered, walk.order), 'focusable controls that Tab never reached').toEqual([]);
    // A phone has no autoplay speed select (the controls keep to two rows there).
    const required = REQUIRED_NORMAL.filter((want) => want !== 'speed' || testInfo.project.name !== 'phone');
    expect.soft(missing(required, walk.order), 'required controls that Tab never reached').toEqual([]);
    expect.soft(walk.failures, 'focus stops without a visible focus indicator').toEqual([]);

    // Shift+Tab walks back through the same stops, in reverse, with the focus just as visible (scrolling up, the
    // browser brings each stop to the top edge, where the sticky playback bar is).
    const back = await tabWalk(page, { key: 'Shift+Tab', shots: testInfo });
    expect.soft(back.order, 'Shift+Tab visits the same stops in reverse').toEqual([...walk.order].reverse());
    expect.soft(back.failures, 'focus stops (Shift+Tab) without a visible focus indicator').toEqual([]);
    await story.expectCleanConsole();
  });

  test('every view of the stage and its controls are reached with the keyboard, and focus is always visible', async ({
    page,
  }, testInfo) => {
    // The stage shows one view at a time (the wall at the trap); the others are behind their tabs.
    test.setTimeout(60_000);
    const story = new StoryPage(page);
    const problems: string[] = [];
    for (const [view, controls] of VIEW_CONTROLS.slice(1)) {
      await story.open('s=read&f=7');
      await expect(page.getByTestId('view-tab-wall')).toHaveAttribute('aria-selected', 'true');
      const problem = await keyboardView(page, view);
      if (problem) {
        problems.push(`${view}: ${problem}`);
        continue;
      }
      const tab = await focused(page);
      if (tab?.problem) problems.push(`${view}: ${tab.name}: ${tab.problem}`);
      await focusShot(page, `view-tab-${view}`, testInfo);
      // Tab from the tab into the view: its controls, each with a visible focus.
      const reached: string[] = [];
      for (let press = 0; press < 10 && missing(controls, reached).length > 0; press++) {
        await page.keyboard.press('Tab');
        const now = await focused(page);
        if (!now) break;
        reached.push(now.name);
        if (now.problem) problems.push(`${view}: ${now.name}: ${now.problem}`);
      }
      const lost = missing(controls, reached);
      if (lost.length > 0) problems.push(`${view}: Tab from its tab never reached ${lost.join(', ')} (reached ${reached.join(', ')})`);
    }
    expect(problems, 'views or their controls out of the keyboard’s reach').toEqual([]);
    await story.expectCleanConsole();
  });

  for (const mode of ['embed', 'present'] as const) {
    test(`Tab reaches every control in ${mode} mode, and focus is always visible`, async ({
      page,
    }, testInfo) => {
      test.skip(testInfo.project.name !== 'desktop' && mode === 'present', 'presentation mode is for a projector');
      if (mode === 'present') await page.setViewportSize({ width: 1920, height: 1080 });
      if (mode === 'embed') await page.setViewportSize({ width: 640, height: 400 });
      const story = new StoryPage(page);
      await story.open(`s=read&f=7&mode=${mode}`);
      await expect(story.app).toHaveAttribute('data-mode', `mode-${mode}`);
      const walk = await tabWalk(page, { shots: testInfo });
      testInfo.annotations.push({ type: `tab order (${mode})`, description: walk.order.join(' → ') });
      const offered = await focusables(page);
      expect(offered.length, 'the page offers controls').toBeGreaterThan(10);
      expect.soft(missing(offered, walk.order), 'focusable controls that Tab never reached').toEqual([]);
      const required = ['scenario-picker', 'play', 'step-forward', 'step-back', 'scrubber', 'lesson-step-4 button'];
      required.push(mode === 'present' ? 'present' : 'share');
      expect.soft(missing(required, walk.order), 'required controls that Tab never reached').toEqual([]);
      expect.soft(walk.failures, 'focus stops without a visible focus indicator').toEqual([]);
      const back = await tabWalk(page, { key: 'Shift+Tab', shots: testInfo });
      expect.soft(back.order, 'Shift+Tab visits the same stops in reverse').toEqual([...walk.order].reverse());
      expect.soft(back.failures, 'focus stops (Shift+Tab) without a visible focus indicator').toEqual([]);
      await story.expectCleanConsole();
    });
  }

  test('use every kind of control with the keyboard alone', async ({ page }, testInfo) => {
    test.setTimeout(60_000);
    const story = new StoryPage(page);
    // Every instruction (stops=all): Next, Back and the scrubber's arrows below count frames.
    await story.open('s=read&stops=all');
    const [, frames] = await story.frame();
    await expect(story.frameCounter).toHaveText(`Frame 1 of ${frames}`);

    // Enter on Next advances one frame; Space on Next too (and does not also start playing).
    await tabTo(page, 'step-forward');
    await focusShot(page, 'next', testInfo);
    await page.keyboard.press('Enter');
    await story.expectFrame(2, frames);
    await page.keyboard.press('Space');
    await story.expectFrame(3, frames);
    await expect(story.play).toHaveAttribute('aria-pressed', 'false');

    // Back is reached with Shift+Tab; Enter steps back.
    await tabTo(page, 'step-back', { back: true });
    await page.keyboard.press('Enter');
    await story.expectFrame(2, frames);

    // Space on Play toggles aria-pressed (and playing), Space again pauses; Enter works too.
    await tabTo(page, 'play');
    await focusShot(page, 'play', testInfo);
    await page.keyboard.press('Space');
    await expect(story.play).toHaveAttribute('aria-pressed', 'true');
    await expect(story.play).toHaveText(/Pause/);
    await page.keyboard.press('Space');
    await expect(story.play).toHaveAttribute('aria-pressed', 'false');
    await page.keyboard.press('Enter');
    await expect(story.play).toHaveAttribute('aria-pressed', 'true');
    await page.keyboard.press('Enter');
    await expect(story.play).toHaveAttribute('aria-pressed', 'false');

    // End and Restart with Enter.
    await tabTo(page, 'end');
    await page.keyboard.press('Enter');
    await story.expectFrame(frames, frames);
    await expect(story.stepForward).toBeDisabled();
    // Focus must not be lost when the focused button becomes disabled: Tab still moves on from the controls.
    await tabTo(page, 'restart', { back: true });
    await page.keyboard.press('Enter');
    await story.expectFrame(1, frames);

    // The scrubber: arrows move one frame, End/Home jump to the ends (the range's own keys).
    await tabTo(page, 'scrubber');
    await focusShot(page, 'scrubber', testInfo);
    await page.keyboard.press('ArrowRight');
    await story.expectFrame(2, frames);
    await page.keyboard.press('ArrowRight');
    await story.expectFrame(3, frames);
    await page.keyboard.press('ArrowLeft');
    await story.expectFrame(2, frames);
    await page.keyboard.press('ArrowUp');
    await story.expectFrame(3, frames);
    await page.keyboard.press('End');
    await story.expectFrame(frames, frames);
    await page.keyboard.press('Home');
    await story.expectFrame(1, frames);

    // The seven step buttons: Enter on step 4 jumps to its first frame.
    await tabTo(page, 'step-forward', { back: true });
    for (let press = 0; press < 40; press++) {
      const at = await focused(page);
      if (at?.name === 'lesson-step-4 button') break;
      await page.keyboard.press('Shift+Tab');
    }
    expect((await focused(page))?.name).toBe('lesson-step-4 button');
    await focusShot(page, 'step-4', testInfo);
    await page.keyboard.press('Enter');
    await expect(story.stepTitle).toHaveText(/^Step 4 of 7:/);
    await expect(story.seedSteps.nth(3)).toHaveAttribute('aria-current', 'step');

    // The speed select (not on a phone): an arrow key changes the speed (shown in the link).
    if (testInfo.project.name !== 'phone') {
      await tabTo(page, 'speed');
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => story.urlParams().get('speed')).toBe('fast');
    }

    // Show decimal, in the Registers view (chosen with the keyboard; if that fails, a click lets the story go on):
    // Enter toggles aria-pressed and the registers' radix.
    const noRegisters = await keyboardView(page, 'registers');
    expect.soft(noRegisters, 'the Registers view chosen with the keyboard').toBeNull();
    if (noRegisters) await page.getByTestId('view-tab-registers').click();
    await tabTo(page, 'radix');
    await focusShot(page, 'radix', testInfo);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('radix')).toHaveAttribute('aria-pressed', 'true');
    await expect(story.registers.getByTestId('reg-rax').getByTestId('value')).not.toHaveText(/^0x/);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('radix')).toHaveAttribute('aria-pressed', 'false');
    await expect(story.registers.getByTestId('reg-rax').getByTestId('value')).toHaveText(/^0x/);

    // The theme select: an arrow key picks the next theme.
    await tabTo(page, 'theme', { back: true });
    await focusShot(page, 'theme', testInfo);
    const themeBefore = await page.getByTestId('theme').inputValue();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('theme')).not.toHaveValue(themeBefore);
    const theme = await page.getByTestId('theme').inputValue();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);

    // Share: Enter opens the popover, Tab reaches its link and copy button, Enter on Share closes it again.
    await tabTo(page, 'share', { back: true });
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('share')).toHaveAttribute('aria-expanded', 'true');
    await tabTo(page, 'share-link', { limit: 10 });
    await tabTo(page, 'copy-link', { limit: 3 });
    await tabTo(page, 'share', { back: true, limit: 10 });
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('share-popover')).toHaveCount(0);
    // Embed: the same, with the snippet.
    await tabTo(page, 'embed');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('embed-popover')).toBeVisible();
    await tabTo(page, 'embed-snippet', { limit: 10 });
    await tabTo(page, 'embed', { back: true, limit: 10 });
    await page.keyboard.press('Space');
    await expect(page.getByTestId('embed-popover')).toHaveCount(0);

    // The picker: focused, ArrowDown picks the next scenario (read → read-bad-fd); the page follows.
    await tabTo(page, 'scenario-picker', { back: true });
    await focusShot(page, 'picker', testInfo);
    await page.keyboard.press('ArrowDown');
    await expect(story.picker).toHaveValue('read-bad-fd');
    await expect.poll(() => story.urlParams().get('s')).toBe('read-bad-fd');
    await story.expectFrame(1, (await story.frame())[1]);
    // Type-ahead: "w" picks write().
    await page.keyboard.type('w');
    await expect(story.picker).toHaveValue('write');
    await expect(page.locator('summary', { hasText: 'Arguments:' })).toHaveText(/write\(/);
    const [, writeFrames] = await story.frame();

    // The editor: Enter on its summary opens it; a bad number in count shows the field's error, the page keeps
    // showing (and stepping) the last good scenario; a good number clears the error.
    await page.keyboard.press('Tab');
    expect((await focused(page))?.name).toMatch(/^summary "Arguments: write/);
    await focusShot(page, 'arguments', testInfo);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('editor')).toHaveJSProperty('open', true);
    await tabTo(page, 'field-arg2', { limit: 6 });
    await focusShot(page, 'field', testInfo);
    const count = page.getByTestId('field-arg2');
    const good = await count.inputValue();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('12x');
    const error = page.getByTestId('field-arg2-error');
    await expect(error).toBeVisible();
    await expect(error).not.toBeEmpty();
    await expect(count).toHaveAttribute('aria-invalid', 'true');
    await expect(count).toHaveAttribute('aria-describedby', 'field-arg2-error');
    await story.shot('keyboard-field-error', testInfo);
    // The arrow keys stay in the field while it is focused...
    await page.keyboard.press('ArrowLeft');
    await story.expectFrame(1, writeFrames);
    // ...and once focus moves on (Tab to Next), the page still steps.
    await tabTo(page, 'step-forward');
    await page.keyboard.press('Enter');
    await story.expectFrame(2, writeFrames);
    await page.keyboard.press('ArrowRight');
    await story.expectFrame(3, writeFrames);
    // Back to the field: a good value removes the error.
    await tabTo(page, 'field-arg2', { back: true });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(good);
    await expect(error).toHaveCount(0);
    await expect(count).toHaveAttribute('aria-invalid', 'false');

    // The Mitigations checkbox: Space switches the kernel's mitigations on (write() runs the longer, mitigated entry
    // and exit: the model's frame count for it) and off again; Enter does not toggle a checkbox.
    const write = STAGE.find((entry) => entry.scenario === 'write')!;
    expect(writeFrames, "write()'s frames without the mitigations").toBe(write.frames);
    const mitigations = page.getByTestId('mitigations');
    await tabTo(page, 'mitigations', { back: true });
    await focusShot(page, 'mitigations', testInfo);
    await expect(mitigations).not.toBeChecked();
    await page.keyboard.press('Space');
    await expect(mitigations).toBeChecked();
    await expect(story.frameCounter).toHaveText(new RegExp(`^Frame \\d+ of ${write.frames_mitigated}(${STOP_SUFFIX})?$`));
    await expect.poll(() => story.urlParams().get('mitigations')).toBe('on');
    await page.keyboard.press('Space');
    await expect(mitigations).not.toBeChecked();
    await expect(story.frameCounter).toHaveText(new RegExp(`^Frame \\d+ of ${write.frames}(${STOP_SUFFIX})?$`));
    await expect.poll(() => story.urlParams().get('mitigations')).toBeNull();

    // Replay crossing at the trap frame: enabled and usable with Enter.
    await page.keyboard.press('Escape');
    await tabTo(page, 'restart');
    await page.keyboard.press('Enter');
    await story.expectFrame(1, writeFrames);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let press = 0; press < writeFrames; press++) {
      if ((await story.crossing.textContent())?.includes('Just crossed into the kernel')) break;
      await page.keyboard.press('ArrowRight');
    }
    await expect(story.crossing).toContainText('Just crossed into the kernel');
    await tabTo(page, 'replay');
    await focusShot(page, 'replay', testInfo);
    // Replaying re-creates the token (a new element, so its animation runs again).
    await story.token.evaluate((token) => ((token as HTMLElement & { e2eOld?: boolean }).e2eOld = true));
    await page.keyboard.press('Enter');
    await expect
      .poll(() => story.token.evaluate((token) => (token as HTMLElement & { e2eOld?: boolean }).e2eOld ?? false))
      .toBe(false);
    await expect(story.token).toHaveClass(/crossing-trap/);
    await expect(page.getByTestId('replay')).toBeFocused();

    // The scrollable regions take the focus and scroll with the arrow keys (the page does not step meanwhile): the
    // syscall table's, in its view (chosen with the keyboard; if that fails, a click lets the story go on).
    const noTable = await keyboardView(page, 'syscall-table');
    expect.soft(noTable, 'the Table view chosen with the keyboard').toBeNull();
    if (noTable) await page.getByTestId('view-tab-syscall-table').click();
    const [frameBefore] = await story.frame();
    await tabTo(page, 'step-forward', { back: true });
    const region = page.locator('.table-scroll');
    for (let press = 0; press < 60; press++) {
      if (await region.evaluate((element) => element === document.activeElement)) break;
      await page.keyboard.press('Tab');
    }
    await expect(region).toBeFocused();
    await focusShot(page, 'table-region', testInfo);

    expect((await story.frame())[0], 'Tab and Enter on regions do not step').toBe(frameBefore);
    await story.expectCleanConsole();
  });
});

// A lecturer's clicker on a busy school laptop: the first keys arrive as soon as the page shows. Yew's scheduler
// yields to the browser when a render runs past its 16 ms slice, and runs the effects in a zero-delay timeout; on a
// busy machine input is handled before that timeout, so a listener added by an effect would miss those keys. Here
// the CPU runs 4x slower (the first render overruns the slice) and every zero-delay timeout waits 300 ms, which opens
// that gap wide.
test('keys pressed as soon as the page shows are not lost while timers run late', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.addInitScript(() => {
    const original = window.setTimeout;
    window.setTimeout = ((handler: TimerHandler, timeout?: number, ...args: unknown[]) =>
      original(handler, timeout ? timeout : 300, ...args)) as typeof window.setTimeout;
  });
  const story = new StoryPage(page);
  // Every instruction (stops=all): five keys are five frames.
  await story.open('s=read&stops=all');
  for (let i = 0; i < 5; i++) await story.tap('ArrowRight');
  await story.expectFrame(6, modelTrace('read').frames.length);
});
