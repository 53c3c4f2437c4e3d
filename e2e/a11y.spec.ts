// Accessibility: axe-core finds no serious or critical WCAG 2.1 A/AA violations on the rendered page.
// A failure names each rule and the first few elements that break it (CSS selectors), so it can be fixed directly.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { ExplorerPage } from './pages/explorer';

test('no serious or critical accessibility violations', async ({ page }) => {
  const explorer = new ExplorerPage(page);
  await explorer.goto();

  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => {
      const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' '));
      const more = violation.nodes.length > 3 ? ` and ${violation.nodes.length - 3} more` : '';
      return `${violation.id} (${violation.impact}): ${violation.help}: ${targets.join(', ')}${more}`;
    });
  expect(severe).toEqual([]);
});
