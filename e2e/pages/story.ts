// The page object for the story specs: ExplorerPage (console watch, screenshots) plus what a student, a lecturer or a
// course page does with the explainer: step with keys, read the registers, the wall, the link, the notices.
// It also reads the model's own trace (`trace <preset> --json`), the reference the page is checked against.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { ExplorerPage, SCREENSHOT_DIR } from './explorer';

/**
 * The trace setting for specs that press many keys: still kept on failure, with the action log and sources, but
 * without a DOM snapshot and screenshot per action (this page has thousands of nodes: with them, a walk through one
 * scenario takes three times as long). Those specs save their own screenshots.
 * Use as `test.use({ trace: LEAN_TRACE })`.
 */
export const LEAN_TRACE = { mode: 'retain-on-failure', snapshots: false, screenshots: false, sources: true } as const;

/** The register rows the page shows, in the trace JSON's names (each row is data-testid=reg-NAME). */
export const REGISTERS = [
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip', 'rflags', 'cs', 'ss',
] as const;
export type RegName = (typeof REGISTERS)[number];
export type Regs = Record<RegName, bigint>;

/**
 * The rows of the register file (Registers view), in order: the trace JSON's registers, then GS.base and CR3, which
 * the trace does not carry.
 */
export const REGISTER_ROWS = [...REGISTERS, 'gs_base', 'cr3'] as const;

/** One frame of the stage fixture: a moment of the lesson, the view it is about, the registers it changed. */
export interface Moment {
  label: string;
  /** 1-based, as links count. */
  frame: number;
  focus: string;
  changed: string[];
}

/**
 * The cost view's counts of one run: instructions and C steps by phase (user mode, way in, kernel C steps, way out),
 * and the expensive kinds (mode switches, CR3 writes, verw, serialising).
 */
export interface CostCounts {
  phases: [number, number, number, number];
  expensive: [number, number, number, number];
}

/** One scenario of the stage fixture, with and without the kernel's mitigations (PTI and verw). */
export interface ScenarioFrames {
  scenario: string;
  frames: number;
  frames_mitigated: number;
  cost: CostCounts;
  cost_mitigated: CostCounts;
  moments: Moment[];
}

/**
 * Every scenario of the picker as the model runs it (e2e/fixtures/stage-frames.json, written by
 * tests/stage_frames.rs), so a spec never guesses a frame number or a count.
 */
export const STAGE: ScenarioFrames[] = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'stage-frames.json'), 'utf8'),
).scenarios;

/** The frame counter's tail when Next stops at steps or key moments: " · stop N of M" (a regular expression). */
export const STOP_SUFFIX = ' · stop \\d+ of \\d+';

/** The seven steps of the lesson, as the step title names them ("Step N of 7: TITLE"). */
export const STEP_TITLES = [
  'Call the library',
  'Number and arguments into registers',
  'Trap into the kernel',
  'Look up the table',
  'Do the privileged work',
  'Return to user mode',
  'Resume with the result',
] as const;

/** One frame of the model's trace JSON; register values are "0x…" hex without leading zeros. */
export interface TraceFrame {
  index: number;
  step: number;
  cpl: number;
  executed: string;
  regs: Record<RegName, string>;
}
export interface Trace {
  scenario: string;
  ending: string;
  frames: TraceFrame[];
}

const traceCache = new Map<string, Trace>();

/** The newest modification time (ms) of the files under `dir`. */
function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** What `target/debug/trace` is built from: the model, the binary's own folder (main.rs, measure.rs), the link. */
const TRACE_SOURCES = ['src/model', 'src/bin/trace', 'src/link.rs'];

/** Whether `target/debug/trace` is built and newer than every file it is built from. */
function traceBinaryFresh(binary: string): boolean {
  if (!existsSync(binary)) return false;
  const built = statSync(binary).mtimeMs;
  return TRACE_SOURCES.every((source) =>
    built >= (statSync(source).isDirectory() ? newestUnder(source) : statSync(source).mtimeMs),
  );
}

/**
 * Runs the native `trace` command with these arguments and returns what it printed: `target/debug/trace` if it is
 * built and newer than its sources, else `cargo run -q --bin trace --` (which builds it first).
 */
export function runTrace(args: string[]): string {
  const binary = 'target/debug/trace';
  return traceBinaryFresh(binary)
    ? execFileSync(binary, args, { encoding: 'utf8' })
    : execFileSync('cargo', ['run', '-q', '--bin', 'trace', '--', ...args], { encoding: 'utf8', timeout: 300_000 });
}

/**
 * The model's trace of a preset, with optional field overrides (`{count: '5'}` is `--set count=5`), by
 * {@link runTrace}.
 */
export function modelTrace(preset: string, sets: Record<string, string> = {}): Trace {
  const args = [preset, '--json', ...Object.entries(sets).flatMap(([name, value]) => ['--set', `${name}=${value}`])];
  const key = args.join('\0');
  const cached = traceCache.get(key);
  if (cached) return cached;
  const trace = JSON.parse(runTrace(args)) as Trace;
  traceCache.set(key, trace);
  return trace;
}

/** Register values of a trace frame as numbers. */
export function traceRegs(frame: TraceFrame): Regs {
  return Object.fromEntries(REGISTERS.map((name) => [name, BigInt(frame.regs[name])])) as Regs;
}

/** Index of the first frame of each step, in order: [[step, index], …]. */
export function stepStarts(trace: Trace): Array<[number, number]> {
  const starts: Array<[number, number]> = [];
  trace.frames.forEach((frame, idx) => {
    if (idx === 0 || trace.frames[idx - 1].step !== frame.step) starts.push([frame.step, idx]);
  });
  return starts;
}

/** Renders numbers as hex for readable failure messages. */
export function hexRegs(regs: Partial<Regs>): Record<string, string> {
  return Object.fromEntries(Object.entries(regs).map(([name, value]) => [name, `0x${(value as bigint).toString(16)}`]));
}

export class StoryPage extends ExplorerPage {
  readonly stepTitle: Locator;
  readonly narration: Locator;
  readonly ending: Locator;
  readonly frameCounter: Locator;
  readonly stepForward: Locator;
  readonly stepBack: Locator;
  readonly play: Locator;
  readonly cplBadge: Locator;
  readonly cplText: Locator;
  readonly token: Locator;
  readonly crossing: Locator;
  readonly registers: Locator;
  readonly notices: Locator;
  readonly picker: Locator;
  readonly handout: Locator;

  constructor(page: Page) {
    super(page);
    this.stepTitle = page.getByTestId('step-title');
    this.narration = page.getByTestId('narration');
    this.ending = page.getByTestId('ending');
    this.frameCounter = page.getByTestId('frame-counter');
    this.stepForward = page.getByTestId('step-forward');
    this.stepBack = page.getByTestId('step-back');
    this.play = page.getByTestId('play');
    this.cplBadge = page.getByTestId('cpl-badge');
    this.cplText = page.getByTestId('cpl-text');
    this.token = page.getByTestId('token');
    this.crossing = page.getByTestId('crossing');
    this.registers = page.getByTestId('registers');
    this.notices = page.getByTestId('notices');
    this.picker = page.getByTestId('scenario-picker');
    this.handout = page.getByTestId('handout');
  }

  /** Opens the page with these query parameters (e.g. "s=read&f=7") and waits for the app. */
  async open(query = ''): Promise<void> {
    await this.goto(query ? `./?${query}` : './');
  }

  /** Presses a key and waits until the frame counter shows frame `frame` (1-based) of `frames`. */
  async press(key: string, frame: number, frames: number): Promise<void> {
    await this.page.keyboard.press(key);
    await this.expectFrame(frame, frames);
  }

  /**
   * Presses a key without waiting for the page to render: the keydown listener dispatches to the reducer at once,
   * so a later `expectFrame` proves that every key before it was handled. For long walks (each awaited check is an
   * action in the Playwright trace, with a DOM snapshot of a large page).
   */
  async tap(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /**
   * Waits until the frame counter shows frame `frame` (1-based) of `frames`. Unless Next stops at every instruction
   * (`stops=all`), the counter also says which of Next's stops this is ("Frame 7 of 85 · stop 5 of 24").
   */
  async expectFrame(frame: number, frames: number): Promise<void> {
    await expect(this.frameCounter).toHaveText(new RegExp(`^Frame ${frame} of ${frames}(${STOP_SUFFIX})?$`));
  }

  /** The frame counter as numbers: [frame (1-based), frames]. */
  async frame(): Promise<[number, number]> {
    const text = (await this.frameCounter.textContent()) ?? '';
    const match = new RegExp(`^Frame (\\d+) of (\\d+)(${STOP_SUFFIX})?$`).exec(text.trim());
    expect(match, `frame counter text "${text}"`).not.toBeNull();
    return [Number(match![1]), Number(match![2])];
  }

  /** The register values the page shows, read in one go (hex "0x%016x" or decimal, both parse with BigInt). */
  async shownRegs(): Promise<Regs> {
    const texts = await this.registers.evaluate((panel, names) => {
      const out: Record<string, string> = {};
      for (const name of names) {
        const code = panel.querySelector(`[data-testid="reg-${name}"] [data-testid="value"]`);
        out[name] = code?.textContent?.trim() ?? '';
      }
      return out;
    }, [...REGISTERS]);
    const regs: Partial<Regs> = {};
    for (const name of REGISTERS) {
      const text = texts[name];
      expect(text, `register ${name} is shown`).not.toBe('');
      // Decimal values are signed; map negatives to their 64-bit pattern.
      let value = BigInt(text);
      if (value < 0n) value += 1n << 64n;
      regs[name] = value;
    }
    return regs as Regs;
  }

  /** Asserts the page shows exactly this trace frame: registers (numerically), CPL badge and step title. */
  async expectShowsTraceFrame(trace: Trace, index: number): Promise<void> {
    const frame = trace.frames[index];
    await this.expectFrame(index + 1, trace.frames.length);
    await expect(this.stepTitle).toHaveText(`Step ${frame.step} of 7: ${STEP_TITLES[frame.step - 1]}`);
    await expect(this.cplBadge).toHaveText(`CPL ${frame.cpl}`);
    const shown = hexRegs(await this.shownRegs());
    expect(shown, `registers at ${trace.scenario} frame ${index + 1} (${frame.executed})`).toEqual(
      hexRegs(traceRegs(frame)),
    );
  }

  /** The parameters of the page's current URL. */
  urlParams(): URLSearchParams {
    return new URL(this.page.url()).searchParams;
  }

  /** The parameter names listed in the notices box, in order. */
  async noticeParams(): Promise<string[]> {
    return this.notices.locator('li code').allTextContents();
  }

  /** Lets late console messages arrive, then fails on any console error/warning, page error or failed request. */
  async expectCleanConsole(): Promise<void> {
    await this.page.waitForLoadState('networkidle');
    this.expectNoProblems();
  }

  /** Saves a screenshot as artifacts/screenshots/NAME-PROJECT.png (the viewport only unless fullPage). */
  async shot(
    name: string,
    testInfo: TestInfo,
    options: { fullPage?: boolean; target?: Locator } = {},
  ): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = `${SCREENSHOT_DIR}/${name}-${testInfo.project.name}.png`;
    if (options.target) await options.target.screenshot({ path });
    else await this.page.screenshot({ path, fullPage: options.fullPage ?? false });
    await testInfo.attach(name, { path, contentType: 'image/png' });
    return path;
  }
}

/** The page's modes, as the `mode` parameter names them (`normal` is none). */
export type Mode = 'embed' | 'present' | 'normal';
/** A size the stage must work at, in a mode. */
export interface View {
  mode: Mode;
  width: number;
  height: number;
  /** A phone: a context of its own with isMobile and hasTouch. */
  phone?: boolean;
}
/** The sizes people use: a course page's frame, projectors, a laptop, a phone. */
export const STAGE_VIEWS: View[] = [
  { mode: 'embed', width: 640, height: 400 },
  { mode: 'present', width: 1024, height: 768 },
  { mode: 'present', width: 1280, height: 720 },
  { mode: 'present', width: 1366, height: 768 },
  { mode: 'present', width: 1920, height: 1080 },
  { mode: 'normal', width: 1366, height: 768 },
  { mode: 'normal', width: 390, height: 844, phone: true },
];
export const viewName = (view: View) => `${view.mode}-${view.width}x${view.height}`;
/** The smallest text in presentation mode at 1024x768, in px. */
export const PRESENT_FLOOR_PX = 18;

/**
 * A page of the view's size: the test's own page resized, or for a phone a new mobile context (closed by the
 * caller). A context made here does not get the config's baseURL by itself.
 */
export async function pageFor(
  view: View,
  page: Page,
  browser: Browser,
  baseURL: string | undefined,
): Promise<{ target: Page; context?: BrowserContext }> {
  const viewport = { width: view.width, height: view.height };
  if (!view.phone) {
    await page.setViewportSize(viewport);
    return { target: page };
  }
  const context = await browser.newContext({ baseURL, viewport, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  return { target: await context.newPage(), context };
}
