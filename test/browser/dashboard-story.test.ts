import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/billing/money.js';
import { formatMicros } from '../../web/src/format/money.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import {
  describeWithChromium,
  launchChromium,
  openFromNav,
  openWatchedPage,
  requireBuiltDashboard,
  saveScreenshot,
  signIn,
  type WatchedPage,
} from './browser-harness.js';

/*
 * The dashboard's story from issue 6, driven through Chromium against a real gateway: the admin
 * funds an agent, the agent funds a user, the user makes a key, the key is used through the
 * OpenAI SDK, and the user sees the request, its cost in the chart and in the balance.
 * Every wait is for something to appear on the page; nothing is timed.
 */

const adminPassword = 'test-admin-password';
const agentPassword = 'agent-password-0123';
const userPassword = 'user-password-0123';

let upstream: MockUpstream;
let gateway: TestGateway;
let browser: Browser;
const pages: WatchedPage[] = [];

/** "1,234.567" → micro-units, exactly (the page shows money with all significant digits). */
function micros(text: string): number {
  return parseMoney(text.trim().replace(/,/g, ''));
}

async function balanceShown(page: Page): Promise<number> {
  const balance = page.getByTestId('wallet-balance');
  await balance.waitFor();
  return micros(await balance.innerText());
}

/** Waits until the page shows this balance (a wallet reloads after a change, not at once). */
async function waitForBalance(page: Page, expectedMicros: number): Promise<void> {
  const text = formatMicros(expectedMicros);
  await page.getByTestId('wallet-balance').filter({ hasText: text }).waitFor();
  expect(await balanceShown(page)).toBe(expectedMicros);
}

async function watched(options?: Parameters<typeof openWatchedPage>[1]): Promise<Page> {
  const opened = await openWatchedPage(browser, options);
  pages.push(opened);
  return opened.page;
}

async function createAccount(
  page: Page,
  username: string,
  password: string,
  role?: 'agent',
): Promise<void> {
  await page.getByRole('button', { name: 'New account' }).click();
  const dialog = page.getByRole('dialog', { name: 'New account' });
  await dialog.getByLabel('Username').fill(username);
  if (role) await dialog.getByLabel('Role').selectOption(role);
  await dialog.getByLabel('Password (optional)').fill(password);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  const created = page.getByRole('dialog', { name: `Account ${username} created` });
  await created.getByRole('button', { name: 'Done' }).click();
  await page
    .getByRole('table', { name: 'Accounts' })
    .getByRole('cell', { name: username })
    .waitFor();
}

async function moveMoney(page: Page, username: string, button: string, amount: string) {
  await page.getByRole('table', { name: 'Accounts' }).getByText(username, { exact: true }).click();
  await page.getByRole('heading', { level: 1, name: username, exact: true }).waitFor();
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Amount').fill(amount);
  await dialog
    .getByRole('button', { name: button === 'Transfer credit' ? 'Transfer' : button })
    .click();
  await dialog.waitFor({ state: 'detached' });
}

describeWithChromium()('the dashboard story', () => {
  beforeAll(async () => {
    requireBuiltDashboard();
    upstream = await startMockOpenAIUpstream();
    gateway = await startTestGateway({ upstreamBaseUrl: upstream.baseUrl });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await upstream?.close();
  });

  it(
    'admin funds an agent, the agent funds a user, whose key is used and billed',
    { timeout: 240_000 },
    async () => {
      const url = gateway.url;

      // 1. The admin signs in, creates an agent and tops it up.
      const admin = await watched();
      await signIn(admin, url, 'admin', adminPassword);
      await saveScreenshot(admin, 'overview');
      await openFromNav(admin, 'Accounts');
      await createAccount(admin, 'acme-agent', agentPassword, 'agent');
      await moveMoney(admin, 'acme-agent', 'Top up', '50');
      await waitForBalance(admin, 50_000_000);
      await admin.getByRole('table', { name: 'Ledger' }).getByText('Top-up').waitFor();
      await saveScreenshot(admin, 'account');

      // 2. The agent signs in, creates a user and transfers credit to it.
      const agent = await watched();
      await signIn(agent, url, 'acme-agent', agentPassword);
      await openFromNav(agent, 'Accounts', 'Your users');
      await createAccount(agent, 'acme-user', userPassword);
      await saveScreenshot(agent, 'accounts');
      await moveMoney(agent, 'acme-user', 'Transfer credit', '20');
      await waitForBalance(agent, 20_000_000);

      // 3. The user signs in and creates a key; the page shows the secret once.
      const user = await watched();
      await signIn(user, url, 'acme-user', userPassword);
      const balanceBefore = await balanceShown(user);
      expect(balanceBefore).toBe(20_000_000);
      await openFromNav(user, 'API keys');
      await user.getByRole('button', { name: 'Create key' }).click();
      const createDialog = user.getByRole('dialog', { name: 'New API key' });
      await createDialog.getByLabel('Name').fill('story-key');
      await createDialog.getByRole('button', { name: 'Create key' }).click();
      const secret = user.getByLabel('New API key', { exact: true });
      await secret.waitFor();
      const key = (await secret.innerText()).trim();
      expect(key.length).toBeGreaterThan(20);
      await saveScreenshot(user, 'key-created');
      await user.getByRole('button', { name: 'I have copied it' }).click();
      await user.getByRole('table', { name: 'API keys' }).getByText('story-key').waitFor();
      await saveScreenshot(user, 'keys');

      // 4. The key is used through the OpenAI SDK.
      const { response, data } = await gateway
        .client(key)
        .chat.completions.create({
          model: 'mock-chat',
          messages: [{ role: 'user', content: 'Hello from the dashboard story' }],
        })
        .withResponse();
      expect(data.choices[0]?.message.content).toBeTruthy();
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      await gateway.usageRecords(); // flushes the settlement queue

      // The record as the management API reports it to the user (the page's own session).
      const recordAnswer = await user.request.get(
        `${url}/api/manage/usage/records/${encodeURIComponent(requestId ?? '')}`,
      );
      expect(recordAnswer.status()).toBe(200);
      const record = (await recordAnswer.json()) as { cost: string; costMicros: number };
      expect(record.costMicros).toBeGreaterThan(0);

      // 5. The request is in the log, opens to its details, shows in the chart, and is paid for.
      await openFromNav(user, 'Request log');
      const log = user.getByRole('table', { name: 'Requests' });
      await log.getByText('mock-chat').waitFor();
      await saveScreenshot(user, 'request-log');
      await log.getByText('mock-chat').click();
      await user.getByRole('heading', { level: 1, name: 'Request', exact: true }).waitFor();
      await user
        .getByLabel('Request details')
        .getByText(requestId ?? '')
        .waitFor();
      await saveScreenshot(user, 'request');

      await openFromNav(user, 'Usage');
      expect(await user.getByTestId('usage-total-requests').innerText()).toBe('1');
      expect(micros(await user.getByTestId('usage-total-spend').innerText())).toBe(
        record.costMicros,
      );
      const spendChart = user.getByRole('figure', { name: 'Spend per day' });
      await spendChart.locator('canvas[data-drawn]').waitFor();
      // The chart's numbers, as screen readers get them: today's bar is the request's cost.
      const today = new Intl.DateTimeFormat('en-US', {
        month: 'short',
        day: 'numeric',
        timeZone: 'UTC',
      }).format(Date.now());
      const todayRow = spendChart
        .getByRole('table', { name: 'Spend per day, as a table' })
        .getByRole('row')
        .filter({ has: user.getByRole('rowheader', { name: today, exact: true }) });
      expect(micros(await todayRow.getByRole('cell').innerText())).toBe(record.costMicros);
      await user.getByRole('table', { name: 'Usage by model' }).getByText('mock-chat').waitFor();
      await saveScreenshot(user, 'usage');

      await openFromNav(user, 'Overview');
      await waitForBalance(user, balanceBefore - record.costMicros);
      await user.getByRole('table', { name: 'Ledger' }).getByText('Request charge').waitFor();
      await saveScreenshot(user, 'user-overview');

      await openFromNav(user, 'Models and prices');
      await user.getByRole('table', { name: 'Models' }).getByText('mock-chat').waitFor();
      await saveScreenshot(user, 'models');
      await openFromNav(user, 'API');
      await user.getByLabel('Python example', { exact: true }).waitFor();
      expect(await user.getByLabel('API base URL', { exact: true }).innerText()).toBe(
        `${url}/api/v1`,
      );
      await saveScreenshot(user, 'api');

      // The same session at phone width, and in the dark theme.
      await user.setViewportSize({ width: 375, height: 800 });
      await openFromNav(user, 'Overview');
      await saveScreenshot(user, 'phone-overview');
      await user.setViewportSize({ width: 1280, height: 800 });
      await user.getByRole('button', { name: 'Switch to dark theme' }).click();
      await openFromNav(user, 'Usage');
      await user.locator('html[data-theme="dark"]').waitFor();
      await saveScreenshot(user, 'usage-dark');

      const problems = pages.flatMap((watchedPage) => watchedPage.problems);
      expect(problems).toEqual([]);
    },
  );

  it(
    'the admin pages: providers with a connection test, deployments and health, models, audit, settings',
    { timeout: 120_000 },
    async () => {
      const admin = await watched();
      await signIn(admin, gateway.url, 'admin', adminPassword);

      await openFromNav(admin, 'Providers');
      await admin.getByRole('button', { name: 'Test connection to mock' }).click();
      await admin.getByRole('status').filter({ hasText: 'ok' }).waitFor();
      await saveScreenshot(admin, 'admin-providers');

      await openFromNav(admin, 'Deployments & health');
      await admin.getByRole('button', { name: 'Disable deployment mock-chat on mock' }).waitFor();
      await saveScreenshot(admin, 'admin-deployments');

      await openFromNav(admin, 'Model catalog');
      await admin.getByRole('button', { name: 'Edit model mock-chat' }).waitFor();
      await saveScreenshot(admin, 'admin-models');

      await openFromNav(admin, 'Audit log');
      // The story before this one created accounts and moved money: all of it is in the log.
      const events = admin.getByRole('list', { name: 'Audit events' });
      await events.locator('[aria-expanded]').first().click();
      await events.locator('[aria-expanded="true"]').waitFor();
      await saveScreenshot(admin, 'admin-audit');

      await openFromNav(admin, 'Settings');
      await admin.getByText('limits.defaults.rpm', { exact: true }).waitFor();
      await saveScreenshot(admin, 'admin-settings');

      await openFromNav(admin, 'Recharge codes');
      await saveScreenshot(admin, 'recharge-codes');

      const problems = pages.flatMap((watchedPage) => watchedPage.problems);
      expect(problems).toEqual([]);
    },
  );
});
