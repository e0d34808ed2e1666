import { planHold, type HoldPlanInput } from '../billing/hold-plan.js';
import type { PlacedHold } from '../billing/wallet-gate.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  AuthenticatedKey,
  ResolvedDeployment,
  ResolvedModel,
} from '../catalog/catalog-cache.js';
import type { UpstreamHttpRequest } from '../providers/contract.js';
import type { RelayRoute } from '../observability/metrics.js';
import { abortOnClientClose } from './abort-on-close.js';
import { authenticate } from './authenticate.js';
import { callUpstream, ClientGoneError, type UpstreamAttempt } from './call-upstream.js';
import { describeForRecord, toClientError } from './client-errors.js';
import type { RelayDependencies } from './relay-dependencies.js';
import { UsageTrace } from './usage-trace.js';

export interface RelayExchange {
  key: AuthenticatedKey;
  trace: UsageTrace;
  /** Fires when the client goes away before its response is complete. */
  signal: AbortSignal;
}

function modelNamed(body: unknown): string {
  const model = (body as { model?: unknown } | null | undefined)?.model;
  return typeof model === 'string' ? model.slice(0, 200) : '';
}

/**
 * The frame every relay request that uses a model runs in: authenticate, then follow the request
 * with a usage trace that is written exactly once, whichever way the request ends. A client that
 * went away is recorded as 499 whatever error its leaving caused. Requests that fail before the
 * trace exists (authentication) are counted by the route's error hook (`count-failures.ts`).
 */
export async function runRelayExchange(
  dependencies: RelayDependencies,
  route: RelayRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  handle: (exchange: RelayExchange) => Promise<void>,
): Promise<void> {
  const startedAt = performance.now();
  const finished = dependencies.inFlight.begin();
  try {
    await exchange(dependencies, route, request, reply, handle, startedAt);
  } finally {
    finished();
  }
}

async function exchange(
  dependencies: RelayDependencies,
  route: RelayRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  handle: (exchange: RelayExchange) => Promise<void>,
  startedAt: number,
): Promise<void> {
  const key = await authenticate(request.headers, dependencies.catalog, dependencies.now());
  const trace = new UsageTrace({
    settlements: dependencies.settlements,
    limits: dependencies.limits,
    metrics: dependencies.metrics,
    route,
    requestId: request.id,
    key,
    startedAt,
    createdAt: dependencies.now(),
  });
  trace.modelId = modelNamed(request.body);
  const abort = abortOnClientClose(reply);
  try {
    await handle({ key, trace, signal: abort.signal });
  } catch (error) {
    if (error instanceof ClientGoneError || abort.signal.aborted) {
      trace.finish(499, 'client_disconnected', undefined);
      return;
    }
    const clientError = toClientError(error, trace.modelId);
    const described = describeForRecord(clientError);
    trace.finish(described.status, described.code, undefined);
    dependencies.metrics.markRecorded(clientError);
    // Every response to a key carries its rate-limit state, errors before admission included.
    if (!trace.limitHeadersSet && !reply.sent) {
      void reply.headers(await dependencies.limits.headers(key, dependencies.now()));
    }
    throw clientError;
  }
}

/**
 * The limits and wallet stages, in the pipeline's order: admits the request against its key's
 * limits, putting the rate-limit headers on the response (a refusal's included: the 429 carries
 * them itself), then holds the most it can cost. The hold is planned once and serves both: its
 * amount is the spend the limiter reserves.
 */
export async function admitAndHold(
  dependencies: RelayDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  trace: UsageTrace,
  key: AuthenticatedKey,
  holdInput: HoldPlanInput,
  estimatedTokens: number,
): Promise<PlacedHold> {
  const plan = planHold(holdInput);
  trace.limitHeadersSet = true;
  const admission = await dependencies.limits.admit(
    key,
    request.id,
    { tokens: estimatedTokens, spend: plan.amount },
    dependencies.now(),
  );
  trace.limitTicket = admission.ticket;
  void reply.headers(admission.headers);
  trace.hold = await dependencies.wallets.hold(request.id, key.accountId, holdInput, plan);
  return trace.hold;
}

/**
 * The route and call-upstream stages: tries the model's deployments in routing order with this
 * gateway's client, circuit breakers and metrics until one answers.
 */
export function callModel(
  dependencies: RelayDependencies,
  model: ResolvedModel,
  signal: AbortSignal,
  build: (deployment: ResolvedDeployment) => UpstreamHttpRequest,
): Promise<UpstreamAttempt> {
  return callUpstream({
    client: dependencies.upstream,
    health: dependencies.health,
    model,
    signal,
    maxAttempts: dependencies.maxAttempts,
    metrics: dependencies.metrics,
    ...(dependencies.random === undefined ? {} : { random: dependencies.random }),
    build,
  });
}
