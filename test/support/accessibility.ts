// The automated accessibility check of the admin page's browser tests: axe-core (Deque's engine, the one browsers'
// own audits build on) run inside the page under test, failing on every violation of impact serious or critical.
// The page's CSP allows no inline script, so its source is not added as a <script>: playwright evaluates it through
// the DevTools protocol (Runtime.evaluate), which the page's CSP does not govern, and the page itself stays as served.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** The impacts that fail a check; moderate and minor ones are reported by axe but left to judgement. */
export const FAILING_IMPACTS: readonly string[] = ['serious', 'critical'];

let axeSource: Promise<string> | undefined;
const loadAxe = (): Promise<string> => (axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

export interface AccessibilityViolation {
  id: string;
  impact: string;
  help: string;
  /** The CSS selectors of the elements at fault (the first few). */
  targets: string[];
}

/** Runs axe on the page as it is now (open dialogs included); answers the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AccessibilityViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${await loadAxe()}\n;undefined`);
  // (A string: the test project has no DOM types.)
  const violations = await page.evaluate<AccessibilityViolation[]>(`window.axe.run(document, { resultTypes: ['violations'] }).then((results) => results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact ?? '',
    help: violation.help,
    targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
  })))`);
  return violations.filter((violation) => FAILING_IMPACTS.includes(violation.impact));
}
