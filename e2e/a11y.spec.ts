// Accessibility: axe-core finds no serious or critical WCAG A/AA violations on the rendered page.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { ExplorerPage } from './pages/explorer';

test('no serious or critical accessibility violations', async ({ page }) => {
  const explorer = new ExplorerPage(page);
  await explorer.goto();

  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} [${violation.nodes.length} nodes]`);
  expect(severe).toEqual([]);
});
