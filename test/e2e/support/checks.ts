// What every screen test checks the same way: WCAG 2.1 A/AA with axe-core (Deque's engine, the reference for
// automated accessibility checks), and the screenshots of docs/screens (written only with SCREENSHOTS=1, so a
// test run does not rewrite the docs' pictures).
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

// Evaluated, not added as a <script>: the screens' Content-Security-Policy rightly refuses inline scripts.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core finds against WCAG 2.1 A and AA on the page as it is now (contrast, names, roles…), one line
 * per rule broken with up to three of the elements that break it; [] when nothing.
 * @example expect(await wcagViolations(page)).toEqual([]);
 */
export async function wcagViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(o: unknown): Promise<{
            violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const r = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join('; ')}`,
    );
  });
}

/** Write to docs/screens when the run asks for screenshots (SCREENSHOTS=1). */
export const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const DIR = join(import.meta.dirname, '../../../docs/screens');

/**
 * Save docs/screens/<name>.png of the page, scrolled to the top, when SCREENSHOTS=1.
 * @example await screenshot(page, 'dock-360');
 */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(DIR, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage });
}
