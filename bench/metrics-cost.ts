/**
 * What the metrics add to each request: `npm run bench:metrics`. One successful streamed chat
 * request records, in this order: one upstream attempt, the request (counter, latency and time
 * to first token) and its usage (two token counters and the cost). Printed, not asserted: the
 * machine is shared. Bounded: a fixed count of simulated requests after a warm-up.
 */
import { GatewayMetrics } from '../src/observability/metrics.js';

const requests = 1_000_000;
const warmUp = 100_000;
const models = ['model-a', 'model-b', 'model-c', 'model-d'];
const deployments = models.map((_, index) => ({
  id: index + 1,
  providerName: `provider-${index}`,
}));

function recordRequests(metrics: GatewayMetrics, count: number): void {
  for (let index = 0; index < count; index++) {
    const which = index % models.length;
    const model = models[which] as string;
    const seconds = (index % 1000) / 100;
    metrics.recordUpstream(
      model,
      deployments[which] as (typeof deployments)[number],
      seconds / 4,
      '2xx',
    );
    metrics.recordRequest('chat_completions', model, 200, null, seconds, seconds / 3);
    metrics.recordUsage(model, 120, 300, 1_250);
  }
}

const metrics = new GatewayMetrics(
  {
    deployments: () => [],
    settlementQueueDepth: () => 0,
    openHolds: async () => ({ count: 0, amount: 0 }),
  },
  { processMetrics: false },
);
recordRequests(metrics, warmUp);
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
recordRequests(metrics, requests);
const elapsedNanoseconds = Number(process.hrtime.bigint() - started);
const cpu = process.cpuUsage(cpuBefore);

const scrapeStarted = process.hrtime.bigint();
const text = await metrics.exposition();
const scrapeMilliseconds = Number(process.hrtime.bigint() - scrapeStarted) / 1e6;

console.log(
  `requests recorded:      ${requests.toLocaleString('en')} (after ${warmUp.toLocaleString('en')} warm-up)`,
);
console.log(`wall time per request:  ${(elapsedNanoseconds / requests / 1000).toFixed(3)} µs`);
console.log(
  `CPU per request:        ${((cpu.user + cpu.system) / requests).toFixed(3)} µs (user + system)`,
);
console.log(`scrape of the result:   ${scrapeMilliseconds.toFixed(2)} ms, ${text.length} bytes`);
