import type { BenchOptions } from './options.js';
import type { SoakResult } from './soak.js';
import {
  budgetTable,
  firstTokenTable,
  floorTable,
  scenarioTable,
  unbufferedTable,
  type BenchReport,
} from './report.js';

const megabyte = 1024 * 1024;

function printSoak(soak: SoakResult, log: (line: string) => void): void {
  const first = soak.samples[0];
  const last = soak.samples.at(-1);
  const megabytes = (bytes: number | undefined) =>
    bytes === undefined ? '?' : `${(bytes / megabyte).toFixed(1)} MB`;
  log(
    `Soak: ${soak.minutes} min at ${soak.requestsPerSecond} requests/s; ${soak.samples.reduce((sum, item) => sum + item.responses, 0)} responses, ${soak.samples.reduce((sum, item) => sum + item.failures, 0)} failed.`,
  );
  log(
    `RSS ${megabytes(first?.rssBytes)} after the first slice, ${megabytes(last?.rssBytes)} at the end; heap ${megabytes(first?.heapUsedBytes)} → ${megabytes(last?.heapUsedBytes)}.`,
  );
  log(
    `After the ${soak.warmupSeconds} s warm-up: RSS grows ${soak.rssGrowthMegabytesPerTenMinutes.toFixed(1)} MB per 10 min, heap ${soak.heapGrowthMegabytesPerTenMinutes?.toFixed(1) ?? '?'} MB per 10 min: ${soak.flat ? 'flat' : 'NOT flat'} (flat: at most 10 MB per 10 min each).`,
  );
  const accounting = soak.accounting;
  if (accounting !== undefined)
    log(
      `After a graceful stop: ${accounting.answered} answered, ${accounting.recorded} recorded; cost recorded ${accounting.recordedCostMicros} µ, charged ${accounting.chargedMicros} µ; held ${accounting.heldMicros} µ; ledger verify ${accounting.ledgerVerified ? 'passes' : 'FAILS'}: ${accounting.consistent ? 'nothing lost or charged twice' : 'INCONSISTENT'}.\n`,
    );
}

/** Prints the tables, the budget verdicts and the profile summary of one run. */
export function printReport(
  report: BenchReport,
  options: BenchOptions,
  log: (line: string) => void,
): void {
  log('');
  if (report.scenarios.length > 0) {
    log(scenarioTable(report.scenarios));
    log(
      "\nCPU µs/req and RSS MB are the proxy process's own (/proc utime+stime per response, peak VmRSS).",
    );
    log(
      `+p50 = p50 − direct p50. Mock: latency ${options.latency} ms, ${options.chunks} chunks, ${options.chunkDelay} ms apart.\n`,
    );
    const floor = floorTable(report.scenarios);
    if (floor !== undefined) {
      log(floor);
      log(
        '\nnode = node:http in, undici out, bytes copied through (bench/node-floor-process.ts): the floor under any Node.js gateway.\n',
      );
    }
    log(firstTokenTable(report.timeToFirstToken));
    log('');
    log(unbufferedTable(report.unbuffered));
    log('');
  }
  if ('skipped' in report.nginx) log(`nginx: ${report.nginx.skipped}\n`);
  const streams = report.openStreams;
  if (streams !== undefined) {
    log(
      `Open streams: ${streams.openAtMeasurement} of ${streams.requested} open after ${(streams.openingMilliseconds / 1000).toFixed(1)} s ` +
        `(${streams.failed} failed, ${streams.endedEarly} ended early${streams.firstError === undefined ? '' : `, first error: ${streams.firstError}`}; ${streams.origins} mock origins).\n` +
        `Gateway RSS: ${(streams.rssBeforeBytes / megabyte).toFixed(1)} MB before, ${(streams.rssOpenBytes / megabyte).toFixed(1)} MB with the streams open, ` +
        `${(streams.rssAfterBytes / megabyte).toFixed(1)} MB 5 s after aborting them; ${streams.unsettledAfterAbort} client requests unsettled.\n` +
        `The gateway held ${streams.gatewayOpenFiles} file descriptors with the streams open (limit: ${String(report.meta.openFileLimit)}).\n`,
    );
  }
  if (report.soak !== undefined) printSoak(report.soak, log);
  if (report.budget.length > 0) log(budgetTable(report.budget));
  if (report.profile !== undefined) {
    log(
      `\nCPU profile: ${report.profile.file} (open it in Chrome DevTools › Performance, or speedscope).`,
    );
    log(
      `Top self time (of ${report.profile.busyMilliseconds.toFixed(0)} ms busy; profiling slows the gateway, so this run's figures are not comparable):`,
    );
    for (const entry of report.profile.top)
      log(
        `  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.selfMilliseconds.toFixed(0).padStart(6)} ms  ${entry.functionName}  ${entry.location}`,
      );
    log('Self time by module:');
    for (const entry of report.profile.modules)
      log(
        `  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.selfMilliseconds.toFixed(0).padStart(6)} ms  ${entry.module}`,
      );
  }
}
