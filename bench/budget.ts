import { isUnbuffered, type BenchReport, type BudgetLine } from './report.js';

const megabyte = 1024 * 1024;

function line(
  name: string,
  budget: number,
  measured: number | undefined,
  unit: string,
  digits: number,
): BudgetLine {
  const budgetText = `≤ ${budget} ${unit}`;
  if (measured === undefined || !Number.isFinite(measured))
    return { line: name, budget: budgetText, measured: '–', verdict: 'not measured', margin: '' };
  const meets = measured <= budget;
  const difference = Math.abs(budget - measured);
  const margin = meets
    ? `${difference.toFixed(digits)} ${unit} under (${((100 * measured) / budget).toFixed(0)}% of budget)`
    : `${difference.toFixed(digits)} ${unit} over (${(measured / budget).toFixed(2)}× budget)`;
  return {
    line: name,
    budget: budgetText,
    measured: `${measured.toFixed(digits)} ${unit}`,
    verdict: meets ? 'meets' : 'misses',
    margin,
  };
}

/** Judges a report against DESIGN.md §8. */
export function evaluateBudget(report: BenchReport, database: string): BudgetLine[] {
  const lines: BudgetLine[] = [];
  const scenario = (target: string, name: string, connections: number) =>
    report.scenarios.find(
      (item) =>
        item.target === target && item.scenario === name && item.connections === connections,
    );
  const many = Math.max(1, ...report.scenarios.map((item) => item.connections));
  for (const connections of many > 1 ? [1, many] : [1]) {
    lines.push(
      line(
        `gateway CPU per non-streaming request, ${database}, c=${connections}`,
        100,
        scenario('gateway', 'non-stream', connections)?.cpuMicrosecondsPerRequest,
        'µs',
        1,
      ),
    );
  }
  const gateway = scenario('gateway', 'non-stream', 1);
  const direct = scenario('direct', 'non-stream', 1);
  lines.push(
    line(
      'added p50 latency, non-streaming, c=1',
      0.25,
      gateway && direct ? gateway.load.latency.p50 - direct.load.latency.p50 : undefined,
      'ms',
      3,
    ),
  );
  const firstToken = (target: string) =>
    report.timeToFirstToken.find((item) => item.target === target && item.connections === 1);
  const gatewayToken = firstToken('gateway');
  const directToken = firstToken('direct');
  lines.push(
    line(
      'added time to first token (p50), c=1',
      0.5,
      gatewayToken && directToken
        ? gatewayToken.probe.timeToFirstToken.p50 - directToken.probe.timeToFirstToken.p50
        : undefined,
      'ms',
      3,
    ),
  );
  const paced = report.unbuffered.find((item) => item.target === 'gateway');
  lines.push(
    paced === undefined
      ? {
          line: 'stream chunks forwarded unbuffered',
          budget: 'yes',
          measured: '–',
          verdict: 'not measured',
          margin: '',
        }
      : {
          line: 'stream chunks forwarded unbuffered',
          budget: 'yes',
          measured: `${paced.probe.medianDataReads} reads over ${paced.probe.medianSpreadMilliseconds.toFixed(1)} ms`,
          verdict: isUnbuffered(paced) ? 'meets' : 'misses',
          margin: `mock wrote ${paced.eventsPerStream} events over ${paced.expectedSpreadMilliseconds.toFixed(1)} ms`,
        },
  );
  const idle = Math.max(report.gateway.idleRssBytes, report.gateway.idleRssAfterLoadBytes ?? 0);
  lines.push(line('gateway RSS idle (larger of before/after load)', 150, idle / megabyte, 'MB', 1));
  const streams = report.openStreams;
  lines.push(
    line(
      `gateway RSS with ${streams?.openAtMeasurement ?? 2000} open streams`,
      400,
      streams === undefined ? undefined : streams.rssOpenBytes / megabyte,
      'MB',
      1,
    ),
  );
  if (streams !== undefined && streams.openAtMeasurement < 2000) {
    const last = lines[lines.length - 1] as BudgetLine;
    last.verdict = 'not measured';
    last.margin = `only ${streams.openAtMeasurement} of ${streams.requested} streams were open; the budget is for 2,000`;
  }
  return lines;
}
