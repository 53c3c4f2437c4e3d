// The page object for Syscall Explorer: specs say what a person does and sees; the selectors live here.
// Every element a test reads has a data-testid (see the Rust components).
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

/** Where specs save full-page screenshots for a person to look at (git-ignored). */
export const SCREENSHOT_DIR = 'artifacts/screenshots';

export class ExplorerPage {
  readonly page: Page;
  readonly app: Locator;
  readonly heading: Locator;
  readonly seedSteps: Locator;
  /** Console errors and warnings, uncaught exceptions and failed requests, in the order they happened. */
  readonly problems: string[] = [];

  constructor(page: Page) {
    this.page = page;
    this.app = page.getByTestId('app');
    this.heading = page.getByRole('heading', { level: 1 });
    this.seedSteps = page.getByTestId('lesson-steps').locator('li');

    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        this.problems.push(`console.${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught: ${error.message}`));
    page.on('requestfailed', (request) =>
      this.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) this.problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }

  /** Opens the page and waits until the WebAssembly app has rendered. */
  async goto(path = './'): Promise<void> {
    await this.page.goto(path);
    await expect(this.app).toBeVisible();
  }

  /**
   * Waits until the page's layout is final: the stage has built all its panels (it is aria-busy until then), the
   * web fonts are loaded, and two more frames have been painted. For specs that measure where things are.
   */
  async settle(): Promise<void> {
    await expect(this.page.locator('[data-testid=stage][aria-busy="true"]')).toHaveCount(0);
    await this.page.evaluate(async () => {
      await document.fonts.ready;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    });
  }

  /** Fails the test if anything went wrong in the console or on the network so far. */
  expectNoProblems(): void {
    expect(this.problems, 'console errors/warnings, page errors or failed requests').toEqual([]);
  }

  /** Saves a full-page screenshot as artifacts/screenshots/NAME-PROJECT.png and returns its path. */
  async screenshot(name: string, testInfo: TestInfo): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = `${SCREENSHOT_DIR}/${name}-${testInfo.project.name}.png`;
    await this.page.screenshot({ path, fullPage: true });
    await testInfo.attach(name, { path, contentType: 'image/png' });
    return path;
  }
}
