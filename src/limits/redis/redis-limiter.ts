import { Redis } from 'ioredis';
import { calendarPosition } from '../calendar.js';
import {
  LimiterUnavailableError,
  slidingWindowMs,
  type Admission,
  type AdmitResult,
  type Completion,
  type Limiter,
  type LimiterOptions,
  type LimitName,
  type LimitSet,
  type LimitState,
} from '../contract.js';
import {
  checkAdmission,
  checkCompletion,
  checkLimits,
  limitNames,
  resolveLimiterOptions,
  toAdmitResult,
  usesLog,
  windowStates,
  type ResolvedLimiterOptions,
} from '../core.js';
import { admitScript, completeScript, peekScript, seedScript } from './lua.js';

/** Options of the Redis limiter. */
export interface RedisLimiterOptions extends LimiterOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** Prepended to every key; default `switchyard:limits:`. */
  keyPrefix?: string;
  /** A command not answered within this fails with `LimiterUnavailableError`; default 500 ms. */
  commandTimeoutMs?: number;
  /** A connection attempt not done within this fails; default 2000 ms. */
  connectTimeoutMs?: number;
}

type ScriptArgument = string | number;

/** The commands `defineCommand` adds; ioredis cannot type them, so this names them. */
interface LimiterCommands {
  switchyardLimitsAdmit(...args: ScriptArgument[]): Promise<unknown>;
  switchyardLimitsComplete(...args: ScriptArgument[]): Promise<unknown>;
  switchyardLimitsPeek(...args: ScriptArgument[]): Promise<unknown>;
  switchyardLimitsSeed(...args: ScriptArgument[]): Promise<unknown>;
}

const knownLimits = new Set<string>(limitNames);

/**
 * The limiter shared by every instance: each admission is one round trip running one Lua script,
 * so checks and reservations are atomic across processes and a limit holds globally. Redis
 * failures never hang a request: the offline queue is off (a command while disconnected fails at
 * once), commands time out, and every failure surfaces as `LimiterUnavailableError`, leaving the
 * fail-open or fail-closed decision to the caller. ioredis keeps reconnecting in the background.
 */
export class RedisLimiter implements Limiter {
  private readonly options: ResolvedLimiterOptions;
  private readonly redis: Redis;
  private readonly commands: LimiterCommands;
  private readonly prefix: string;
  private readonly connectTimeoutMs: number;
  private lastError: unknown;

  constructor(options: RedisLimiterOptions) {
    this.options = resolveLimiterOptions(options);
    this.prefix = options.keyPrefix ?? 'switchyard:limits:';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.redis = new Redis(options.url, {
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: this.connectTimeoutMs,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis prints every failed reconnect; the error is reported per command.
    this.redis.on('error', (error: unknown) => {
      this.lastError = error;
    });
    this.redis.defineCommand('switchyardLimitsAdmit', { numberOfKeys: 5, lua: admitScript });
    this.redis.defineCommand('switchyardLimitsComplete', { numberOfKeys: 5, lua: completeScript });
    this.redis.defineCommand('switchyardLimitsPeek', { numberOfKeys: 3, lua: peekScript });
    this.redis.defineCommand('switchyardLimitsSeed', { numberOfKeys: 3, lua: seedScript });
    this.commands = this.redis as unknown as LimiterCommands;
  }

  /** Whether Redis answers a PING now (within the command timeout). */
  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Resolves once connected; rejects with `LimiterUnavailableError` if that fails or takes long. */
  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        this.redis.off('error', onError);
        if (error === undefined) resolve();
        else reject(unavailable(error));
      };
      const onReady = () => finish();
      const onError = (error: unknown) => finish(error);
      const timer = setTimeout(
        () => finish(this.lastError ?? new Error(`not ready after ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
      this.redis.on('ready', onReady);
      this.redis.on('error', onError);
    });
  }

  async admit(admission: Admission): Promise<AdmitResult> {
    checkAdmission(admission);
    const { limits, now } = admission;
    const calendar = calendarPosition(now, this.options.dayOffsetMinutes);
    const reply = await this.call(() =>
      this.commands.switchyardLimitsAdmit(
        ...this.keys(admission.subject, admission.requestId),
        now,
        slidingWindowMs,
        admission.requestId,
        admission.estimatedTokens,
        admission.estimatedSpend,
        limits.rpm ?? -1,
        limits.tpm ?? -1,
        limits.rpd ?? -1,
        limits.dailySpend ?? -1,
        limits.tokenQuota ?? -1,
        (limits.tokenQuotaPeriod ?? 'lifetime') === 'lifetime' ? 'life' : 'month',
        limits.maxConcurrency ?? -1,
        calendar.dayIndex,
        calendar.dayResetAt,
        calendar.monthPeriod,
        calendar.monthResetAt,
        this.options.slotTtlMs,
        this.options.reservationTtlMs,
      ),
    );
    const values = replyArray(reply, 9);
    const limit = text(values[1]);
    const resetAt = integer(values[5]);
    const newestAt = integer(values[8]);
    const verdict = {
      admitted: integer(values[0]) === 1,
      limit: knownLimits.has(limit) ? (limit as LimitName) : undefined,
      limitValue: integer(values[2]),
      used: integer(values[3]),
      requested: integer(values[4]),
      resetAt: resetAt < 0 ? null : resetAt,
      count: integer(values[6]),
      weight: integer(values[7]),
      newestAt: newestAt < 0 ? null : newestAt,
    };
    return toAdmitResult(verdict, limits, now);
  }

  async complete(completion: Completion): Promise<void> {
    checkCompletion(completion);
    await this.call(() =>
      this.commands.switchyardLimitsComplete(
        ...this.keys(completion.subject, completion.requestId),
        completion.now,
        completion.requestId,
        completion.actualTokens,
        completion.actualSpend,
      ),
    );
  }

  async peek(subject: string, limits: LimitSet, now: number): Promise<LimitState> {
    checkLimits(limits);
    // Without rpm or tpm there is no window to report, and no reason for a round trip.
    if (!usesLog(limits)) return windowStates(limits, 0, 0, null, now);
    const reply = await this.call(() =>
      this.commands.switchyardLimitsPeek(...this.keys(subject).slice(0, 3), now, slidingWindowMs),
    );
    const values = replyArray(reply, 3);
    const newestAt = integer(values[2]);
    return windowStates(
      limits,
      integer(values[0]),
      integer(values[1]),
      newestAt < 0 ? null : newestAt,
      now,
    );
  }

  async seedTokenQuota(
    subject: string,
    limits: LimitSet,
    used: number,
    now: number,
  ): Promise<boolean> {
    checkLimits(limits);
    if (!Number.isSafeInteger(used) || used < 0) throw new RangeError(`used must be >= 0: ${used}`);
    if (limits.tokenQuota === undefined) return false;
    const lifetime = (limits.tokenQuotaPeriod ?? 'lifetime') === 'lifetime';
    const calendar = calendarPosition(now, this.options.dayOffsetMinutes);
    const reply = await this.call(() =>
      this.commands.switchyardLimitsSeed(
        ...this.keys(subject).slice(0, 3),
        lifetime ? 'life' : 'month',
        used,
        calendar.monthPeriod,
        calendar.monthResetAt - now + 2 * slidingWindowMs,
      ),
    );
    return integer(reply) === 1;
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Quitting a connection that just broke is the same as dropping it.
      }
    }
    this.redis.disconnect();
  }

  /** The subject's keys in the scripts' order; one `{subject}` hash tag puts them in one slot. */
  private keys(subject: string, requestId = ''): string[] {
    const base = `${this.prefix}{${subject}}:`;
    return [`${base}log`, `${base}w`, `${base}n`, `${base}run`, `${base}res:${requestId}`];
  }

  private async call(command: () => Promise<unknown>): Promise<unknown> {
    try {
      return await command();
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): LimiterUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LimiterUnavailableError(`The Redis rate limiter is unavailable: ${reason}`, {
    cause: error,
  });
}

function replyArray(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) {
    throw new LimiterUnavailableError(`Unexpected reply from the limiter script: ${String(reply)}`);
  }
  return reply as unknown[];
}

function integer(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new LimiterUnavailableError(
    `Expected an integer from the limiter script: ${String(value)}`,
  );
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
