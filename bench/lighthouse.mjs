// Lighthouse 12.2.3 (the exact devDependency; 13.x needs Node 22), its default mobile configuration (Moto G Power
// emulation, simulated slow 4G and 4x CPU), through its CLI with Debian's Chromium (CHROME_PATH). Writes the full
// reports (lighthouse-NAME.report.json and .html) next to report.json and returns the four scores plus every scored
// audit that lost points.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, QUIET_FLAGS, REPO, round } from './lib.mjs';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

function run(command, args, env) {
  return new Promise((done, reject) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? done(output) : reject(new Error(`lighthouse exited with ${code}:\n${output.slice(-3000)}`))));
  });
}

function weightOf(report, id) {
  return Object.values(report.categories).reduce(
    (sum, category) => sum + category.auditRefs.filter((ref) => ref.id === id).reduce((w, ref) => w + ref.weight, 0),
    0,
  );
}

export async function runLighthouse(url, name, outDir) {
  const base = join(outDir, `lighthouse-${name}`);
  await run(
    join(REPO, 'node_modules/.bin/lighthouse'),
    [
      url,
      '--quiet',
      '--output=json',
      '--output=html',
      `--output-path=${base}`,
      `--only-categories=${CATEGORIES.join(',')}`,
      `--chrome-flags=--headless --no-sandbox ${QUIET_FLAGS.join(' ')}`,
    ],
    { CHROME_PATH: CHROMIUM },
  );
  const report = JSON.parse(readFileSync(`${base}.report.json`, 'utf8'));
  const scores = {};
  const lost = [];
  for (const id of CATEGORIES) {
    const category = report.categories[id];
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
    for (const ref of category.auditRefs) {
      const audit = report.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative') {
        lost.push({
          category: id,
          audit: ref.id,
          title: audit.title,
          score: audit.score,
          weight: ref.weight,
          displayValue: audit.displayValue ?? null,
          items: (audit.details?.items ?? [])
            .slice(0, 5)
            .map((item) => item.node?.selector ?? item.node?.snippet ?? item.url ?? item.source?.url ?? item.description ?? null)
            .filter(Boolean),
        });
      }
    }
  }
  const metric = (id) => ({ ms: round(report.audits[id]?.numericValue), score: report.audits[id]?.score ?? null });
  return {
    url,
    lighthouseVersion: report.lighthouseVersion,
    userAgent: report.environment?.hostUserAgent,
    formFactor: report.configSettings?.formFactor,
    throttlingMethod: report.configSettings?.throttlingMethod,
    scores,
    metrics: {
      firstContentfulPaint: metric('first-contentful-paint'),
      largestContentfulPaint: metric('largest-contentful-paint'),
      totalBlockingTime: metric('total-blocking-time'),
      cumulativeLayoutShift: { value: round(report.audits['cumulative-layout-shift']?.numericValue, 3) },
      speedIndex: metric('speed-index'),
    },
    lostPoints: lost,
    // Lighthouse 12.2.3 predates this Chromium: a few unscored diagnostics (the LCP element, layout shifts) error out
    // on its newer trace format. None of them carries weight in a category score.
    erroredAudits: Object.values(report.audits)
      .filter((audit) => audit.scoreDisplayMode === 'error')
      .map((audit) => ({ audit: audit.id, weight: weightOf(report, audit.id), error: audit.errorMessage?.slice(0, 200) })),
    runWarnings: report.runWarnings ?? [],
    reports: [`${base}.report.json`, `${base}.report.html`],
  };
}
