import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { errorCatalogue } from '../errors/catalogue.js';
import type { LimitName } from '../limits/contract.js';
import { limitNames } from '../limits/core.js';
import type { DeploymentHealthRow } from '../routing/health-report.js';

/** The relay routes, as the `route` label names them (never the raw URL). */
export type RelayRoute = 'chat_completions' | 'embeddings' | 'models';

/** Why a request was refused before reaching an upstream: a key limit, or the wallet. */
export type RejectionReason = LimitName | 'insufficient_balance' | 'wallet_suspended';

/** How one upstream attempt ended: the status class of its answer, or the transport failure. */
export type UpstreamOutcome = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'connect_error';

/** What the gauges read at scrape time; nothing here is touched on the request path. */
export interface MetricSources {
  /** Every deployment in the catalog with its circuit, as this instance sees it. */
  deployments: () => readonly DeploymentHealthRow[];
  /** Settlements (usage records and charges) waiting to be written. */
  settlementQueueDepth: () => number;
  /** Holds placed and not yet settled or expired, over every instance (one store query). */
  openHolds: () => Promise<{ count: number; amount: number }>;
}

export interface GatewayMetricsOptions {
  /** Adds prom-client's process metrics (memory, CPU, event loop lag, GC) to this registry. */
  processMetrics: boolean;
}

/** The label `model` takes on requests that never reached a catalog model. */
export const noModel = 'none';

const rejectionReasons: readonly RejectionReason[] = [
  ...limitNames,
  'insufficient_balance',
  'wallet_suspended',
];

/**
 * Codes the label keeps as they are: the gateway's own. A code an upstream passed through could
 * be anything, so it is counted under one name and cannot grow the series without bound.
 */
const knownCodes = new Set<string>([...Object.keys(errorCatalogue), 'client_disconnected']);
const passedThroughCode = 'upstream_client_error';

const circuitStateValues = { closed: 0, 'half-open': 1, open: 2 } as const;

/** LLM requests run from milliseconds (embeddings, errors) to minutes (long generations). */
const requestBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600,
];
/** First tokens and upstream headers: sub-second when healthy, tens of seconds for reasoning. */
const firstTokenBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

/** The series of one route and model, resolved once so recording a request looks nothing up. */
interface RequestSeries {
  succeeded: Counter.Internal;
  /** Other outcomes by `status code`; few per model. */
  outcomes: Map<string, Counter.Internal>;
  duration: Histogram.Internal<string>;
  firstToken: Histogram.Internal<string>;
}

interface UsageSeries {
  promptTokens: Counter.Internal;
  completionTokens: Counter.Internal;
  cost: Counter.Internal;
}

/**
 * One gateway's Prometheus metrics, in a registry of its own: several gateways in one process
 * (the tests) never share a count, and nothing is registered globally. Request metrics are
 * recorded where a request ends; gauges are read from their sources when `/metrics` is scraped.
 * Labels carry routes, catalog models, deployments, statuses and codes, never keys, users or
 * request ids.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'model' | 'status' | 'code'>;
  private readonly requestDuration: Histogram<'route' | 'model'>;
  private readonly firstToken: Histogram<'route' | 'model'>;
  private readonly upstreamDuration: Histogram<'deployment' | 'provider' | 'model' | 'outcome'>;
  private readonly tokens: Counter<'model' | 'type'>;
  private readonly cost: Counter<'model'>;
  private readonly rejections = new Map<RejectionReason, Counter.Internal>();
  private readonly requestSeries: Record<RelayRoute, Map<string, RequestSeries>> = {
    chat_completions: new Map(),
    embeddings: new Map(),
    models: new Map(),
  };
  private readonly usageSeries = new Map<string, UsageSeries>();
  /** Per deployment object: a catalog reload makes new ones, so renamed providers relabel. */
  private readonly upstreamSeries = new WeakMap<
    object,
    Map<UpstreamOutcome, Histogram.Internal<string>>
  >();
  /** Errors whose request is already counted, so the route's error hook skips them. */
  private readonly recordedErrors = new WeakSet<object>();

  constructor(sources: MetricSources, options: GatewayMetricsOptions) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'switchyard_requests_total',
      help: 'Relay requests by route, catalog model (none before one was resolved), HTTP status and error code (none on success).',
      labelNames: ['route', 'model', 'status', 'code'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Time from the request reaching the relay to its last byte, by route and model.',
      labelNames: ['route', 'model'],
      buckets: requestBuckets,
      registers,
    });
    this.firstToken = new Histogram({
      name: 'switchyard_time_to_first_token_seconds',
      help: 'Time from the request reaching the relay to the first frame of a streamed answer, by route and model.',
      labelNames: ['route', 'model'],
      buckets: firstTokenBuckets,
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'switchyard_upstream_duration_seconds',
      help: 'Time from sending one upstream attempt to its response headers (or its failure), by deployment.',
      labelNames: ['deployment', 'provider', 'model', 'outcome'],
      buckets: firstTokenBuckets,
      registers,
    });
    this.tokens = new Counter({
      name: 'switchyard_tokens_total',
      help: 'Tokens billed, by model and type (prompt or completion).',
      labelNames: ['model', 'type'],
      registers,
    });
    this.cost = new Counter({
      name: 'switchyard_cost_micro_units_total',
      help: 'Cost of the requests, in micro-units of the wallet currency (1,000,000 = 1.00), by model.',
      labelNames: ['model'],
      registers,
    });
    const rejections = new Counter({
      name: 'switchyard_rejections_total',
      help: 'Requests refused before any upstream call, by the limit that refused them (or the wallet).',
      labelNames: ['limit'],
      registers,
    });
    // Every reason is listed from the start, so a rate() over it never begins with a gap.
    for (const reason of rejectionReasons) {
      const child = rejections.labels(reason);
      child.inc(0);
      this.rejections.set(reason, child);
    }
    this.registerGauges(sources, registers);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The text exposition of every metric, reading the gauges' sources first. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** The Content-Type of `exposition()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Counts one finished request. `model` must be a catalog model id or `none`, never what a client
   * sent; `firstTokenSeconds` is given for streamed answers only.
   */
  recordRequest(
    route: RelayRoute,
    model: string,
    status: number,
    code: string | null,
    seconds: number,
    firstTokenSeconds?: number,
  ): void {
    const series = this.seriesOf(route, model);
    if (status === 200 && code === null) {
      series.succeeded.inc();
    } else {
      const label = code === null ? 'none' : knownCodes.has(code) ? code : passedThroughCode;
      const key = `${status} ${label}`;
      let counter = series.outcomes.get(key);
      if (!counter) {
        counter = this.requests.labels(route, model, String(status), label);
        series.outcomes.set(key, counter);
      }
      counter.inc();
    }
    series.duration.observe(seconds);
    if (firstTokenSeconds !== undefined) series.firstToken.observe(firstTokenSeconds);
  }

  /** Counts what a request was billed; `cost` in micro-units. */
  recordUsage(model: string, promptTokens: number, completionTokens: number, cost: number): void {
    let series = this.usageSeries.get(model);
    if (!series) {
      series = {
        promptTokens: this.tokens.labels(model, 'prompt'),
        completionTokens: this.tokens.labels(model, 'completion'),
        cost: this.cost.labels(model),
      };
      this.usageSeries.set(model, series);
    }
    series.promptTokens.inc(promptTokens);
    series.completionTokens.inc(completionTokens);
    series.cost.inc(cost);
  }

  /** Times one upstream attempt of a deployment of `model`. */
  recordUpstream(
    model: string,
    deployment: { id: number; providerName: string },
    seconds: number,
    outcome: UpstreamOutcome,
  ): void {
    let byOutcome = this.upstreamSeries.get(deployment);
    if (!byOutcome) {
      byOutcome = new Map();
      this.upstreamSeries.set(deployment, byOutcome);
    }
    let histogram = byOutcome.get(outcome);
    if (!histogram) {
      histogram = this.upstreamDuration.labels(
        String(deployment.id),
        deployment.providerName,
        model,
        outcome,
      );
      byOutcome.set(outcome, histogram);
    }
    histogram.observe(seconds);
  }

  /** Counts a request a limit or the wallet refused. */
  recordRejection(reason: RejectionReason): void {
    this.rejections.get(reason)?.inc();
  }

  /** Notes that the request this error ends is counted already (by its usage trace). */
  markRecorded(error: unknown): void {
    if (typeof error === 'object' && error !== null) this.recordedErrors.add(error);
  }

  /** Whether `markRecorded` was called for this error. */
  wasRecorded(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.recordedErrors.has(error);
  }

  private seriesOf(route: RelayRoute, model: string): RequestSeries {
    const byModel = this.requestSeries[route];
    let series = byModel.get(model);
    if (!series) {
      series = {
        succeeded: this.requests.labels(route, model, '200', 'none'),
        outcomes: new Map(),
        duration: this.requestDuration.labels(route, model),
        firstToken: this.firstToken.labels(route, model),
      };
      byModel.set(model, series);
    }
    return series;
  }

  private registerGauges(sources: MetricSources, registers: Registry[]): void {
    // Two gauges read each source; within one scrape they share a single read.
    const deployments = sharedRead(async () => sources.deployments());
    const holds = sharedRead(sources.openHolds);
    const deploymentGauge = (
      name: string,
      help: string,
      value: (row: DeploymentHealthRow) => number,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['deployment', 'provider', 'model'],
        registers,
        async collect() {
          // Deployments that left the catalog leave the metric too.
          this.reset();
          for (const row of await deployments()) {
            this.labels(String(row.deploymentId), row.provider, row.model).set(value(row));
          }
        },
      });
    };
    deploymentGauge(
      'switchyard_deployment_circuit_state',
      "A deployment's circuit breaker on this instance: 0 closed, 1 half-open, 2 open.",
      (row) => circuitStateValues[row.state],
    );
    deploymentGauge(
      'switchyard_deployment_consecutive_failures',
      'Failed attempts in a row on a deployment, as this instance sees it.',
      (row) => row.consecutiveFailures,
    );
    const holdGauge = (
      name: string,
      help: string,
      value: (read: { count: number; amount: number }) => number,
    ): void => {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          // An unreachable database must not fail the scrape; NaN says "unknown", not zero.
          this.set(await holds().then(value, () => Number.NaN));
        },
      });
    };
    holdGauge(
      'switchyard_open_holds',
      'Wallet holds of requests in flight (or left by a dead process until they expire), over every instance sharing the database.',
      (read) => read.count,
    );
    holdGauge(
      'switchyard_open_hold_amount_micro_units',
      'Micro-units held on wallets by open holds, over every instance sharing the database.',
      (read) => read.amount,
    );
    new Gauge({
      name: 'switchyard_usage_queue_depth',
      help: 'Finished requests waiting to be settled and written as usage records on this instance.',
      registers,
      collect() {
        this.set(sources.settlementQueueDepth());
      },
    });
  }
}

/**
 * Wraps a read so that calls made while one is in flight share it: every gauge's collect() of a
 * scrape starts before any finishes, so they all get the same answer from one read.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () =>
    (current ??= read().finally(() => {
      current = undefined;
    }));
}
