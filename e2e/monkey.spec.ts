// Robustness: a "monkey" makes at least 2,000 random actions, chosen by a seeded PRNG, across every mode: keys
// (arrows, PageUp/PageDown, Home/End, Space), clicks on random visible enabled buttons (never Print), scenario
// switches, random values typed into the argument fields (numbers, garbage, huge, negative, unicode), viewport
// resizes from 360 to 1920 px wide, theme changes, scrubber jumps, and navigations to ?mode=embed|present|normal with
// random (sometimes malformed) s, f and other parameters. Afterwards: no console error or warning, no uncaught
// exception (a Rust panic is both), no failed request, no CSP violation, the app still shown and still stepping.
//
// The seed is printed; replay a run with MONKEY_SEED=<seed> (MONKEY_ACTIONS=<n> changes the count, MONKEY_LOG=1
// prints every action).
// Desktop runs the full 2,000 actions (about a minute); phone runs a shorter variant.
import { expect, type Page, test } from '@playwright/test';
import { STOP_SUFFIX, StoryPage } from './pages/story';

// No Playwright trace: it would record thousands of actions (and more than double the run time); the seed replays
// a run exactly, and a failure prints the actions that led to each problem.
test.use({ trace: 'off' });

const PRESETS = [
  'read', 'read-bad-fd', 'read-bad-buffer', 'unknown-number', 'write', 'openat-missing', 'openat-forbidden',
  'close', 'getpid', 'exit-group', 'int80-read', 'vdso-clock-gettime', 'raw-probe',
] as const;
const KEYS = ['ArrowRight', 'ArrowLeft', 'ArrowUp', 'ArrowDown', 'PageDown', 'PageUp', 'Home', 'End', 'Space'] as const;

/** Mulberry32: a small, fast, seeded PRNG; `next()` is uniform in [0, 1). */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Values typed into the argument fields, by kind. */
const FIELD_VALUES = {
  negative: ['-1', '-4096', '-9223372036854775808', '-9223372036854775809', '-0', '-0x1'],
  huge: [
    '18446744073709551615', '18446744073709551616', '0xffffffffffffffff', '0x1ffffffffffffffff',
    '99999999999999999999999999999999', '1e308', 'Infinity', 'NaN',
  ],
  garbage: [
    '', ' ', 'abc', '12x', '0x', '0xg1', '--1', '+5', ' 42 ', '1_000', '0b101', '0o17', '1.5', ',', '%00',
    '<b>x</b>', "'; DROP TABLE", '${x}', '\\n',
  ],
  unicode: ['٣', '１２', '🙂', '日本語', '\u0000', 'e\u0301', '\u202eabc', '\ud83d', 'Ⅻ', '𝟙𝟚', 'ß', '\t\n'],
  text: ['notes.txt', '/etc/shadow', '/', '', '../../../../etc/passwd', 'a'.repeat(300), 'Hello\nworld\n', '\0\0\0'],
} as const;

/** A value for an argument field: a number, garbage, huge, negative, unicode, or long. */
function fieldValue(rng: Rng): string {
  switch (rng.int(0, 7)) {
    case 0:
      return String(rng.int(0, 4096));
    case 1:
      return `0x${rng.int(0, 0x7fffffff).toString(16)}`;
    case 2:
      return rng.chance(0.8) ? rng.pick(FIELD_VALUES.negative) : `-${rng.int(1, 1e9)}`;
    case 3:
      return rng.pick(FIELD_VALUES.huge);
    case 4:
      return rng.pick(FIELD_VALUES.garbage);
    case 5:
      return rng.pick(FIELD_VALUES.unicode);
    case 6:
      return rng.pick(['A', '7', '/', 'é', '🙂']).repeat(rng.int(100, 5000));
    default:
      return rng.pick(FIELD_VALUES.text);
  }
}

/** Parameter values that a link should never carry; the page must replace each with a default and say so. */
const BAD = {
  s: ['nope', 'READ', '', 'read%00', '%E0%A4%A', 'read;write', '🙂', 'x'.repeat(2000)],
  f: ['0', '-3', 'abc', '1e3', '99999999999999999999', '', '7.5', '0x10', '%20'],
  mode: ['PRESENT', 'kiosk', '', 'embed%'],
  theme: ['purple', '', 'DARK'],
  extra: [
    'step=0', 'step=9', 'step=x', 'step=-1', 'step=3', 'speed=warp', 'speed=', 'radix=oct', 'radix=',
    'origins=garbage', 'origins=javascript:alert(1)', 'origins=https://a.b,,http://c', 'zzz=1', '&&&', 'f=2&f=3', '=',
  ],
} as const;

/** A query string for a navigation: valid most of the time, malformed every so often. */
function randomQuery(rng: Rng): string {
  const malformed = rng.chance(0.25);
  const bad = () => malformed && rng.chance(0.5);
  const parts = [`s=${bad() ? rng.pick(BAD.s) : rng.pick(PRESETS)}`];
  if (rng.chance(0.8)) parts.push(`f=${bad() ? rng.pick(BAD.f) : rng.int(1, 120)}`);
  parts.push(`mode=${bad() ? rng.pick(BAD.mode) : rng.pick(['normal', 'embed', 'present'])}`);
  if (rng.chance(0.4)) parts.push(`theme=${bad() ? rng.pick(BAD.theme) : rng.pick(['light', 'dark', 'auto'])}`);
  if (malformed) parts.push(rng.pick(BAD.extra));
  return parts.join('&');
}

/** What one action did, for the log printed with a failure. */
type Logged = string;

/** Clicks a random visible, enabled button inside the app (never Print) where it is on screen; returns its name. */
async function clickRandomButton(page: Page, r: number): Promise<string> {
  const target = await page.evaluate((r) => {
    const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-testid=app] button')).filter(
      (button) =>
        !button.disabled &&
        button.getAttribute('data-testid') !== 'print' &&
        button.checkVisibility({ checkVisibilityCSS: true }),
    );
    if (buttons.length === 0) return null;
    const button = buttons[Math.floor(r * buttons.length)];
    button.scrollIntoView({ block: 'center', inline: 'center' });
    const rect = button.getBoundingClientRect();
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const name = button.getAttribute('data-testid') ?? (button.textContent ?? '').trim().slice(0, 30);
    // Only click where the button itself is hit (a sticky bar might cover it); never anything that is Print.
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === button || button.contains(hit))) return { name: `${name} (covered)`, x: -1, y: -1 };
    return { name, x, y };
  }, r);
  if (!target) return 'click: no button';
  if (target.x < 0) return `click skipped: ${target.name}`;
  await page.mouse.click(target.x, target.y);
  return `click ${target.name}`;
}

/** Picks an option of a visible <select> with selectOption; returns the value, or says the select is hidden. */
async function select(page: Page, testid: string, value: string): Promise<string> {
  const element = page.getByTestId(testid);
  if (!(await element.isVisible())) return `${value}: hidden`;
  await element.selectOption(value, { timeout: 5_000 });
  return value;
}

/** Closes any open Share/Embed popover by clicking its toggle. */
async function closePopovers(page: Page): Promise<void> {
  for (const testid of ['share', 'embed']) {
    const toggle = page.getByTestId(testid);
    if ((await toggle.getAttribute('aria-expanded').catch(() => null)) === 'true' && (await toggle.isVisible())) {
      await toggle.click({ timeout: 5_000 });
    }
  }
}

test('monkey: thousands of random actions across modes leave a clean console and a working page', async ({
  page,
}, testInfo) => {
  const phone = testInfo.project.name === 'phone';
  const actions = Number(process.env.MONKEY_ACTIONS ?? (phone ? 400 : 2000));
  const seed = process.env.MONKEY_SEED ? Number(process.env.MONKEY_SEED) : Math.floor(Math.random() * 2 ** 32);
  // About 60 s on desktop and 20 s on phone on an idle two-core machine; the timeouts leave room for a busy one.
  test.setTimeout(phone ? 120_000 : 240_000);
  console.log(`monkey (${testInfo.project.name}): seed ${seed}, ${actions} actions; replay with MONKEY_SEED=${seed}`);
  testInfo.annotations.push({ type: 'seed', description: `MONKEY_SEED=${seed} MONKEY_ACTIONS=${actions}` });
  const rng = new Rng(seed);

  // Every CSP violation becomes a console error (the browser also logs one), which the page object collects.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'}`);
    });
  });
  const story = new StoryPage(page);
  const log: Logged[] = [];
  /** Console problems with the actions just before them: [problem, the last actions]. */
  const firstSeen: string[] = [];
  let seen = 0;
  const counts: Record<string, number> = {};
  const millis: Record<string, number> = {};
  const started = Date.now();

  await story.open(randomQuery(rng));

  for (let index = 0; index < actions; index++) {
    const roll = rng.next();
    let did: Logged;
    const kind =
      roll < 0.42 ? 'key'
      : roll < 0.6 ? 'click'
      : roll < 0.67 ? 'scenario'
      : roll < 0.75 ? 'field'
      : roll < 0.8 ? 'scrub'
      : roll < 0.87 ? 'resize'
      : roll < 0.92 ? 'theme'
      : roll < 0.935 ? 'navigate'
      : roll < 0.965 ? 'blur'
      : 'popovers';
    counts[kind] = (counts[kind] ?? 0) + 1;
    const actionStart = Date.now();
    switch (kind) {
      case 'key': {
        if (rng.chance(0.4)) {
          // One real key press (keydown and keyup through the browser's input pipeline).
          const key = rng.pick(KEYS);
          await page.keyboard.press(key);
          did = `key ${key}`;
        } else {
          // A burst, as someone holding an arrow down or mashing the clicker: keydown events dispatched in one go
          // at the focused element (a real press costs a round trip of ~20 ms; the page's listener treats both alike).
          const keys = Array.from({ length: rng.int(2, 10) }, () => rng.pick(KEYS));
          await page.evaluate((keys) => {
            for (const key of keys) {
              const target = document.activeElement ?? document.body;
              const init = { key: key === 'Space' ? ' ' : key, code: key, bubbles: true, cancelable: true };
              target.dispatchEvent(new KeyboardEvent('keydown', init));
              target.dispatchEvent(new KeyboardEvent('keyup', init));
            }
          }, keys);
          did = `key burst ${keys.join(' ')}`;
        }
        break;
      }
      case 'click':
        did = await clickRandomButton(page, rng.next());
        break;
      case 'scenario':
        did = `scenario ${await select(page, 'scenario-picker', rng.pick(PRESETS))}`;
        break;
      case 'field': {
        // Opens the editor (a click on its summary) if it is closed, then types a value into a random field.
        const value = fieldValue(rng);
        const name = await page.evaluate((r) => {
          const editor = document.querySelector<HTMLDetailsElement>('[data-testid=editor]');
          if (!editor || !editor.checkVisibility()) return null;
          if (!editor.open) editor.querySelector('summary')!.click();
          const fields = Array.from(editor.querySelectorAll('[data-testid^="field-"]:is(input, textarea)'));
          return fields.length === 0 ? null : fields[Math.floor(r * fields.length)].getAttribute('data-testid');
        }, rng.next());
        if (name === null) {
          did = 'fill: editor hidden';
          break;
        }
        // Typed or pasted in one go: the value is inserted as text, then the field gets an input event.
        await page.getByTestId(name).fill(value, { timeout: 5_000 });
        const shown = value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value;
        did = `fill ${name} = ${JSON.stringify(shown)}`;
        break;
      }
      case 'scrub': {
        if (rng.chance(0.5)) {
          // A jump: set the range and fire input, as dragging the thumb does.
          const to = rng.next();
          did = await page.evaluate((to) => {
            const range = document.querySelector<HTMLInputElement>('[data-testid=scrubber]');
            if (!range || !range.checkVisibility()) return 'scrub: hidden';
            const value = Math.round(to * Number(range.max));
            range.value = String(value);
            range.dispatchEvent(new Event('input', { bubbles: true }));
            range.dispatchEvent(new Event('change', { bubbles: true }));
            return `scrub to ${value}`;
          }, to);
        } else {
          // Keys on the focused range.
          const keys = Array.from({ length: rng.int(1, 3) }, () =>
            rng.pick(['ArrowRight', 'ArrowLeft', 'Home', 'End', 'PageUp', 'PageDown'] as const),
          );
          const focused = await page.evaluate(() => {
            const range = document.querySelector<HTMLInputElement>('[data-testid=scrubber]');
            if (!range || !range.checkVisibility()) return false;
            range.focus();
            return true;
          });
          if (focused) for (const key of keys) await page.keyboard.press(key);
          did = focused ? `scrubber keys ${keys.join(' ')}` : 'scrub: hidden';
        }
        break;
      }
      case 'resize': {
        const size = { width: rng.int(360, 1920), height: rng.int(480, 1200) };
        await page.setViewportSize(size);
        did = `resize ${size.width}x${size.height}`;
        break;
      }
      case 'theme':
        did = `theme ${await select(page, 'theme', rng.pick(['auto', 'light', 'dark']))}`;
        break;
      case 'navigate': {
        const query = randomQuery(rng);
        await story.open(query);
        did = `goto ?${query.length > 120 ? `${query.slice(0, 120)}…` : query}`;
        break;
      }
      case 'blur':
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        did = 'blur';
        break;
      default:
        await closePopovers(page);
        did = 'close popovers';
    }
    log.push(`#${index} ${did}`);
    millis[kind] = (millis[kind] ?? 0) + Date.now() - actionStart;

    if (story.problems.length > seen) {
      for (const problem of story.problems.slice(seen)) {
        firstSeen.push(`${problem}\n    after: ${log.slice(-6).join(' | ')}`);
      }
      seen = story.problems.length;
    }
    // Every 100 actions: the app is still there and its frame counter makes sense.
    if (index % 100 === 99) {
      const counter = await page.evaluate(() => ({
        app: !!document.querySelector('[data-testid=app]'),
        text: document.querySelector('[data-testid=frame-counter]')?.textContent ?? '',
      }));
      // "Frame 7 of 85", with " · stop 5 of 24" unless Next stops at every instruction.
      const match = new RegExp(`^Frame (\\d+) of (\\d+)(${STOP_SUFFIX})?$`).exec(counter.text.trim());
      expect(
        counter.app && !!match && Number(match[1]) >= 1 && Number(match[1]) <= Number(match[2]),
        `after action #${index} the app is shown with a sane frame counter ("${counter.text}"); ` +
          `last actions: ${log.slice(-10).join(' | ')}`,
      ).toBe(true);
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  console.log(
    `monkey (${testInfo.project.name}): ${actions} actions in ${elapsed.toFixed(1)} s ` +
      `(${(actions / elapsed).toFixed(0)}/s): ${JSON.stringify(counts)}`,
  );
  if (process.env.MONKEY_LOG) console.log(log.join('\n'));
  console.log(
    `monkey: milliseconds per kind ${JSON.stringify(millis)}`,
  );
  testInfo.annotations.push({ type: 'actions', description: JSON.stringify(counts) });

  // The end: popovers closed, Next at every instruction (so one key is one frame), focus out of any field, playback
  // stopped at frame 1; then ArrowRight steps.
  await closePopovers(page);
  await page.getByTestId('granularity').selectOption('all');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await expect(story.app).toBeVisible();
  await page.keyboard.press('Home');
  const [, frames] = await story.frame();
  await story.expectFrame(1, frames);
  await page.keyboard.press('ArrowRight');
  await story.expectFrame(2, frames);
  await page.keyboard.press('ArrowLeft');
  await story.expectFrame(1, frames);
  await story.shot('monkey-end', testInfo);

  // Late console messages: a short wait, not network idle.
  await page.waitForTimeout(300);
  if (story.problems.length > seen) firstSeen.push(...story.problems.slice(seen).map((p) => `${p}\n    at the end`));
  expect(firstSeen, `console errors/warnings, page errors or failed requests (MONKEY_SEED=${seed})`).toEqual([]);
});
