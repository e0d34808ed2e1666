import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchChromium, signIn } from '../support/chromium.js';
import { describe } from 'vitest';

export { chromiumPath, launchChromium, signIn };

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
export const builtDashboardIndex = path.join(repositoryRoot, 'dist/web/index.html');
const artifactDirectory = path.join(repositoryRoot, 'test-artifacts/screenshots');
const documentedDirectory = path.join(repositoryRoot, 'docs/screenshots');

/**
 * `describe` when Chromium is installed, `describe.skip` otherwise; with
 * SWITCHYARD_REQUIRE_SERVICES=1 (as .ci/run sets) a missing browser fails instead of skipping,
 * the same rule test/support/services.ts applies to PostgreSQL and Redis.
 */
export function describeWithChromium(): typeof describe | typeof describe.skip {
  if (existsSync(chromiumPath)) return describe;
  if (process.env.SWITCHYARD_REQUIRE_SERVICES === '1') {
    throw new Error(
      `${chromiumPath} is missing, but SWITCHYARD_REQUIRE_SERVICES=1 forbids skipping the browser test: install chromium: apt-get install -y chromium`,
    );
  }
  console.warn(
    `Skipping the browser test: ${chromiumPath} is missing (apt-get install -y chromium).`,
  );
  return describe.skip;
}

/** Fails with what to do when the dashboard has not been built. */
export function requireBuiltDashboard(): void {
  if (!existsSync(builtDashboardIndex)) {
    throw new Error(
      `The dashboard is not built (${builtDashboardIndex} is missing): run npm run build first.`,
    );
  }
}

/** A page whose console errors and uncaught exceptions are collected, to fail the test on. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Every console error and page error so far, with where it came from. */
  problems: string[];
}

/** Opens a fresh context (its own cookies and storage, like another person's browser). */
export async function openWatchedPage(
  browser: Browser,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(
        `console error at ${page.url()}: ${message.text()} (${message.location().url})`,
      );
    }
  });
  page.on('pageerror', (error) => problems.push(`page error at ${page.url()}: ${error.message}`));
  return { context, page, problems };
}

/** The screenshots the README and docs/dashboard.md show; the rest stay in test-artifacts. */
const documentedScreenshots = new Set([
  'account',
  'key-created',
  'usage',
  'request-log',
  'user-overview',
  'phone-overview',
  'usage-dark',
  'admin-providers',
  'admin-deployments',
]);

/**
 * Saves a screenshot to test-artifacts/screenshots/; with UPDATE_SCREENSHOTS=1 the documented
 * ones also go to docs/screenshots/.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactDirectory, { recursive: true });
  const file = path.join(artifactDirectory, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  if (process.env.UPDATE_SCREENSHOTS === '1' && documentedScreenshots.has(name)) {
    mkdirSync(documentedDirectory, { recursive: true });
    copyFileSync(file, path.join(documentedDirectory, `${name}.png`));
  }
}

/** Follows a sidebar link (opening the phone menu first) and waits for the page's heading. */
export async function openFromNav(page: Page, label: string, heading = label): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
}
