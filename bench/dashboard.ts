/**
 * The dashboard's reads on a large request log: `npm run bench:dashboard`. It starts a real
 * gateway on SQLite, writes 1,000,000 usage records (90 days, one agent with 40 users, an admin's
 * view of everything) through the store's own write path, then times what the dashboard asks for
 * over HTTP: the usage charts (by day and by model, 30 days) and the first page of the request
 * log, plain and filtered, as the admin, the agent and one user; then, when Chromium is installed,
 * the usage and request-log pages themselves, to the first chart bar and the first row. The
 * budget is 300 ms for each.
 *
 * Options: --records N (default 1000000), --runs N (default 15), --keep (leave the data directory).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueApiKey } from '../src/auth/api-keys.js';
import { createSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config/load.js';
import { startGateway } from '../src/main.js';
import type { UsageRecord } from '../src/store/records.js';
import { chromiumPath, launchChromium, signIn } from '../test/support/chromium.js';
import { repositoryRoot } from './gateway.js';

const budgetMilliseconds = 300;
const day = 86_400_000;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`--${name} takes a whole number above 0`);
  }
  return value;
}

const recordCount = option('records', 1_000_000);
const runs = option('runs', 15);
const keep = process.argv.includes('--keep');

interface Timing {
  viewer: string;
  read: string;
  path: string;
  medianMilliseconds: number;
  p95Milliseconds: number;
  maxMilliseconds: number;
  rows: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

/**
 * The two pages as a person sees them: from navigation to the first chart bar, and to the first
 * row of the request log, in Chromium, signed in as the admin (who sees all 1,000,000 records).
 * The browser's cache is warm after the first load, as it is for someone using the dashboard.
 */
async function timePages(url: string, adminPassword: string): Promise<Timing[]> {
  const browser = await launchChromium();
  try {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    await signIn(page, url, 'admin', adminPassword);
    // Measured inside the page, from the start of the navigation to the frame that first shows
    // the element, so the test driver's polling adds nothing.
    const pages = [
      {
        read: 'page: usage, to the first bar',
        path: '/usage',
        // Chart.js marks the canvas once it has drawn the bars.
        selector: 'figure[aria-label="Spend per day"] canvas[data-drawn]',
      },
      {
        read: 'page: request log, to the first row',
        path: '/requests',
        selector: 'table[aria-label="Requests"] tbody tr td',
      },
    ];
    const timings: Timing[] = [];
    for (const { read, path: pagePath, selector } of pages) {
      const samples: number[] = [];
      for (let run = 0; run < runs + 2; run += 1) {
        await page.goto(`${url}${pagePath}`, { waitUntil: 'commit' });
        const shown = await page.waitForFunction(
          (wanted) => {
            // Runs in the page; this file is compiled without the DOM's types.
            const { document } = globalThis as unknown as {
              document: {
                querySelector(
                  selector: string,
                ): { getBoundingClientRect(): { height: number } } | null;
              };
            };
            const element = document.querySelector(wanted);
            return element !== null && element.getBoundingClientRect().height > 0
              ? performance.now()
              : false;
          },
          selector,
          { polling: 'raf' },
        );
        const milliseconds = Number(await shown.jsonValue());
        if (run >= 2) samples.push(milliseconds);
      }
      samples.sort((left, right) => left - right);
      timings.push({
        viewer: 'admin, Chromium',
        read,
        path: pagePath,
        medianMilliseconds: percentile(samples, 0.5),
        p95Milliseconds: percentile(samples, 0.95),
        maxMilliseconds: samples.at(-1) ?? NaN,
        rows: 0,
      });
    }
    return timings;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-dashboard-bench-'));
  const adminToken = `bench-admin-token-${'0'.repeat(32)}`;
  const adminPassword = 'bench-admin-password';
  const loaded = loadConfig({
    environment: {
      SWITCHYARD_DATA_DIR: dataDirectory,
      SWITCHYARD_PORT: '0',
      SWITCHYARD_LOG_LEVEL: 'warn',
      SWITCHYARD_ADMIN_TOKEN: adminToken,
      SWITCHYARD_ADMIN_PASSWORD: adminPassword,
    },
    workingDirectory: dataDirectory,
  });
  const gateway = await startGateway(loaded, { logDestination: process.stderr });
  try {
    const { store } = gateway;
    const agent = await store.accounts.create({ username: 'bench-agent', role: 'agent' });
    const users = [];
    const keysOf = new Map<number, number[]>();
    for (let index = 0; index < 40; index += 1) {
      const user = await store.accounts.create({
        username: `bench-user-${index}`,
        role: 'user',
        parentId: agent.id,
      });
      users.push(user);
      const keys = [];
      for (let keyIndex = 0; keyIndex < 3; keyIndex += 1) {
        const { record: key } = await issueApiKey(store.apiKeys, {
          accountId: user.id,
          name: `key-${keyIndex}`,
        });
        keys.push(key.id);
      }
      keysOf.set(user.id, keys);
    }
    // Direct customers of the admin as well, so the agent's users are a part of the log only.
    const others = [];
    for (let index = 0; index < 60; index += 1) {
      const other = await store.accounts.create({ username: `bench-other-${index}`, role: 'user' });
      const { record: key } = await issueApiKey(store.apiKeys, {
        accountId: other.id,
        name: 'key',
      });
      others.push(other);
      keysOf.set(other.id, [key.id]);
    }
    const accounts = [...users, ...others];
    const models = ['gpt-4o-mini', 'gpt-4o', 'deepseek-chat', 'claude-sonnet', 'gemini-flash'];

    const now = Date.now();
    const seedStarted = performance.now();
    const batch = 10_000;
    for (let start = 0; start < recordCount; start += batch) {
      const records: UsageRecord[] = [];
      for (let index = start; index < Math.min(recordCount, start + batch); index += 1) {
        const account = accounts[(index * 7919) % accounts.length];
        if (!account) continue;
        const keys = keysOf.get(account.id) ?? [0];
        records.push({
          requestId: `req_bench_${index.toString(36).padStart(8, '0')}`,
          accountId: account.id,
          apiKeyId: keys[index % keys.length] ?? 0,
          modelId: models[index % 97 === 0 ? 4 : index % 4] ?? 'gpt-4o-mini',
          deploymentId: null,
          promptTokens: 100 + (index % 900),
          completionTokens: 20 + (index % 300),
          cachedTokens: 0,
          cost: 150 + (index % 4000),
          status: index % 41 === 0 ? 502 : 200,
          errorCode: index % 41 === 0 ? 'upstream_error' : null,
          latencyMilliseconds: 200 + (index % 800),
          firstTokenMilliseconds: 80 + (index % 200),
          stream: index % 2 === 0,
          // Spread evenly over the last 90 days, newest last.
          createdAt: now - 90 * day + Math.floor((index / recordCount) * 90 * day),
        });
      }
      await store.usage.insertMany(records);
      if ((start / batch) % 20 === 0) log(`  wrote ${start + records.length} records`);
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`Wrote ${recordCount} usage records in ${seedSeconds.toFixed(1)} s.`);

    const sessionHeaders = async (accountId: number): Promise<Record<string, string>> => {
      const { token } = await createSession(store.sessions, accountId, Date.now());
      return { cookie: `switchyard_session=${token}` };
    };
    const user = users[0];
    if (!user) throw new Error('no user was created');
    const userKey = keysOf.get(user.id)?.[0] ?? 0;
    const viewers: Array<{ name: string; headers: Record<string, string> }> = [
      { name: 'admin', headers: { authorization: `Bearer ${adminToken}` } },
      { name: 'agent (40 users)', headers: await sessionHeaders(agent.id) },
      { name: 'user', headers: await sessionHeaders(user.id) },
    ];
    const reads: Array<{ read: string; path: string }> = [
      { read: 'usage chart by day, 30 days', path: '/usage/summary?groupBy=day' },
      { read: 'usage chart by model, 30 days', path: '/usage/summary?groupBy=model' },
      { read: 'request log, first page', path: '/usage/records?limit=50' },
      { read: 'request log, errors only', path: '/usage/records?limit=50&outcome=error' },
      { read: 'request log, one rare model', path: '/usage/records?limit=50&model=gemini-flash' },
    ];

    const timings: Timing[] = [];
    for (const viewer of viewers) {
      const viewerReads =
        viewer.name === 'user'
          ? [
              ...reads,
              { read: 'request log, one key', path: `/usage/records?limit=50&keyId=${userKey}` },
            ]
          : reads;
      for (const { read, path: readPath } of viewerReads) {
        const url = `${gateway.url}/api/manage${readPath}`;
        const samples: number[] = [];
        let rows = 0;
        for (let run = 0; run < runs + 2; run += 1) {
          const started = performance.now();
          const response = await fetch(url, { headers: viewer.headers });
          const body = (await response.json()) as { data?: unknown[] };
          const elapsed = performance.now() - started;
          if (response.status !== 200) {
            throw new Error(`${readPath} as ${viewer.name} answered ${response.status}`);
          }
          rows = body.data?.length ?? 0;
          // The first two warm the caches, as a dashboard in use has them warm.
          if (run >= 2) samples.push(elapsed);
        }
        samples.sort((left, right) => left - right);
        timings.push({
          viewer: viewer.name,
          read,
          path: readPath,
          medianMilliseconds: percentile(samples, 0.5),
          p95Milliseconds: percentile(samples, 0.95),
          maxMilliseconds: samples.at(-1) ?? NaN,
          rows,
        });
      }
    }

    const pageTimings = existsSync(chromiumPath)
      ? await timePages(gateway.url, adminPassword)
      : (log(`No Chromium at ${chromiumPath}: page loads not measured.`), []);
    timings.push(...pageTimings);

    log('');
    log(`Dashboard reads over HTTP, ${recordCount} usage records in SQLite, ${runs} runs each`);
    log(
      `${'viewer'.padEnd(18)} ${'read'.padEnd(32)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'rows'.padStart(5)}`,
    );
    for (const timing of timings) {
      log(
        `${timing.viewer.padEnd(18)} ${timing.read.padEnd(32)} ${timing.medianMilliseconds.toFixed(1).padStart(6)}ms ${timing.p95Milliseconds.toFixed(1).padStart(6)}ms ${timing.maxMilliseconds.toFixed(1).padStart(6)}ms ${String(timing.rows).padStart(5)}`,
      );
    }
    const worst = Math.max(...timings.map((timing) => timing.maxMilliseconds));
    const verdict = worst < budgetMilliseconds ? 'within' : 'OVER';
    log('');
    log(
      `Slowest single read: ${worst.toFixed(1)} ms, ${verdict} the ${budgetMilliseconds} ms budget.`,
    );

    const resultsDirectory = path.join(repositoryRoot, 'bench', 'results');
    mkdirSync(resultsDirectory, { recursive: true });
    const file = path.join(
      resultsDirectory,
      `dashboard-${new Date().toISOString().replaceAll(':', '-')}.json`,
    );
    writeFileSync(
      file,
      `${JSON.stringify({ recordCount, runs, seedSeconds, budgetMilliseconds, timings }, null, 2)}\n`,
    );
    log(`Report: ${path.relative(repositoryRoot, file)}`);
    if (worst >= budgetMilliseconds) process.exitCode = 1;
  } finally {
    await gateway.close();
    if (keep) log(`Data kept in ${dataDirectory}`);
    else rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
