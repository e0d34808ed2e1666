import type { AuthenticatedKey } from '../catalog/catalog-cache.js';
import { GatewayError } from '../errors/gateway-error.js';
import { calendarPosition } from '../limits/calendar.js';
import {
  LimiterUnavailableError,
  type Limiter,
  type LimitName,
  type LimitSet,
} from '../limits/contract.js';
import { describeLimitForMessage, errorCodeFor, rateLimitHeaders } from '../limits/messages.js';
import type { KeyLimits } from '../store/records.js';

export interface LimitGateOptions {
  /** Without the limiter (Redis down): admit without limits (`open`) or refuse with 503 (`closed`). */
  failureMode: 'open' | 'closed';
  /** Days start at midnight of UTC+this many minutes. */
  dayOffsetMinutes: number;
  /** Tokens a key has used since `from` (its usage records), to rebuild a quota counter. */
  tokensUsedSince: (apiKeyId: number, from: number) => Promise<number>;
  /** Called on every limiter failure; the gateway logs it loudly. */
  onUnavailable: (error: unknown) => void;
  /** Called with the refusing limit of every request refused (the rejection metric). */
  onRejected?: (limit: LimitName) => void;
}

/** An admitted request, to be completed with its real usage. */
export interface LimitTicket {
  requestId: string;
  subject: string;
}

const limitNames = [
  'rpm',
  'tpm',
  'rpd',
  'dailySpend',
  'tokenQuota',
  'tokenQuotaPeriod',
  'maxConcurrency',
] as const;

/** Per limit: the key's own, else its account's default, else the gateway's. */
export function effectiveLimits(globalDefaults: KeyLimits, key: AuthenticatedKey): LimitSet {
  const limits: Record<string, unknown> = {};
  for (const name of limitNames) {
    const value = key.limits[name] ?? key.account.defaultLimits[name] ?? globalDefaults[name];
    if (value !== undefined) limits[name] = value;
  }
  return limits;
}

/**
 * The limits stage of the pipeline: admits a request against its key's limits (one atomic
 * step in the limiter), puts the rate-limit headers on every response the key gets, and
 * corrects the estimates with the real usage afterwards.
 */
export class LimitGate {
  private readonly seededQuotas = new Set<string>();

  constructor(
    private readonly limiter: Limiter,
    private readonly globalDefaults: KeyLimits,
    private readonly options: LimitGateOptions,
  ) {}

  /** Admits the request or throws 429 (or 503 when failing closed); returns its headers. */
  async admit(
    key: AuthenticatedKey,
    requestId: string,
    estimates: { tokens: number; spend: number },
    now: number,
  ): Promise<{ ticket: LimitTicket | undefined; headers: Record<string, string> }> {
    const subject = `key:${key.id}`;
    const limits = effectiveLimits(this.globalDefaults, key);
    try {
      await this.seedQuota(key, subject, limits, now);
      const result = await this.limiter.admit({
        requestId,
        subject,
        limits,
        estimatedTokens: estimates.tokens,
        estimatedSpend: estimates.spend,
        now,
      });
      const headers = rateLimitHeaders(result, now);
      if (result.admitted) return { ticket: { requestId, subject }, headers };
      this.options.onRejected?.(result.limit);
      throw new GatewayError(errorCodeFor(result.limit), describeLimitForMessage(result, limits), {
        headers,
      });
    } catch (error) {
      if (!(error instanceof LimiterUnavailableError)) throw error;
      return { ticket: undefined, headers: this.unavailable(error) };
    }
  }

  /** The headers for a response that never reached admission (a 400, 403 or 404 for the key). */
  async headers(key: AuthenticatedKey, now: number): Promise<Record<string, string>> {
    try {
      return rateLimitHeaders(
        await this.limiter.peek(`key:${key.id}`, effectiveLimits(this.globalDefaults, key), now),
        now,
      );
    } catch (error) {
      if (!(error instanceof LimiterUnavailableError)) throw error;
      this.options.onUnavailable(error);
      return {};
    }
  }

  /** Replaces the estimates with what the request really used; never throws. */
  complete(ticket: LimitTicket, actualTokens: number, actualSpend: number, now: number): void {
    this.limiter
      .complete({
        requestId: ticket.requestId,
        subject: ticket.subject,
        actualTokens,
        actualSpend,
        now,
      })
      .catch((error: unknown) => this.options.onUnavailable(error));
  }

  private unavailable(error: LimiterUnavailableError): Record<string, string> {
    // A Redis that comes back may have lost its counters: rebuild the quotas on next admission.
    this.seededQuotas.clear();
    this.options.onUnavailable(error);
    if (this.options.failureMode === 'open') return {};
    throw new GatewayError(
      'limits_unavailable',
      'The gateway cannot check rate limits right now, so it refuses requests until it can. Retry in a few seconds.',
      { headers: { 'retry-after': '5' } },
    );
  }

  /**
   * A quota counter lives in the limiter; after a restart (memory) or a lost Redis it is rebuilt
   * once from the usage records, so a quota can never be used twice over.
   */
  private async seedQuota(
    key: AuthenticatedKey,
    subject: string,
    limits: LimitSet,
    now: number,
  ): Promise<void> {
    if (limits.tokenQuota === undefined || this.seededQuotas.has(subject)) return;
    let from = 0;
    if (limits.tokenQuotaPeriod === 'month') {
      const position = calendarPosition(now, this.options.dayOffsetMinutes);
      const [year, month] = position.monthPeriod.split('-').map(Number) as [number, number];
      from = Date.UTC(year, month - 1, 1) - this.options.dayOffsetMinutes * 60_000;
    }
    const used = await this.options.tokensUsedSince(key.id, from);
    await this.limiter.seedTokenQuota(subject, limits, used, now);
    this.seededQuotas.add(subject);
  }
}
