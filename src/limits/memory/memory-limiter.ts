import { calendarPosition } from '../calendar.js';
import {
  slidingWindowMs,
  type Admission,
  type AdmitResult,
  type Completion,
  type Limiter,
  type LimiterOptions,
  type LimitSet,
  type LimitState,
} from '../contract.js';
import {
  checkAdmission,
  checkCompletion,
  checkLimits,
  concurrencyResetAt,
  resolveLimiterOptions,
  toAdmitResult,
  usesLog,
  windowStates,
  worstFailure,
  type Failure,
  type ResolvedLimiterOptions,
} from '../core.js';

/** One admitted request in the sliding window. */
interface LogEntry {
  at: number;
  /** Estimated tokens, replaced by the real ones on completion. */
  weight: number;
  /** False once evicted, so a late correction no longer touches the window's sum. */
  live: boolean;
}

/** What `complete()` needs to undo an admission's estimates. */
interface Reservation {
  expiresAt: number;
  tokens: number;
  spend: number;
  entry?: LogEntry;
  dayIndex?: number;
  monthPeriod?: string;
  lifetime: boolean;
  slot: boolean;
}

interface SubjectState {
  /** Sorted by `at`; entries before `head` are evicted and dropped in batches. */
  log: LogEntry[];
  head: number;
  /** Sum of the live entries' weights, kept as entries come and go. */
  weight: number;
  day?: { index: number; requests: number; spend: number };
  month?: { period: string; tokens: number };
  /** Request id → when the slot expires. */
  slots: Map<string, number>;
  reservations: Map<string, Reservation>;
}

/** How many subjects each call looks at to drop idle ones; any constant > 1 keeps up. */
const sweepPerCall = 2;

/**
 * The limiter of a single instance. Every method runs to completion without awaiting, so on
 * Node's one thread each is atomic, as the contract requires.
 *
 * Memory stays bounded: each call also examines the next two subjects in turn and drops one whose
 * windows are all empty (no live log entry, no counter of the current day or month, no slot or
 * reservation left). Lifetime token-quota counters are the exception: they never reset, so they
 * are kept, one number per subject that has such a quota. All of it is lost on restart; see
 * `seedTokenQuota`.
 */
export class MemoryLimiter implements Limiter {
  private readonly options: ResolvedLimiterOptions;
  private readonly subjects = new Map<string, SubjectState>();
  private readonly lifetimeTokens = new Map<string, number>();
  private sweepCursor: Iterator<[string, SubjectState]> | undefined;

  constructor(options: LimiterOptions = {}) {
    this.options = resolveLimiterOptions(options);
  }

  async admit(admission: Admission): Promise<AdmitResult> {
    checkAdmission(admission);
    const { subject, limits, now, requestId } = admission;
    const tokens = admission.estimatedTokens;
    const spend = admission.estimatedSpend;
    this.sweep(now);
    const state = this.subjects.get(subject);
    if (state !== undefined) this.evict(state, now);

    const existing = state?.reservations.get(requestId);
    if (state !== undefined && existing !== undefined && existing.expiresAt > now) {
      return toAdmitResult({ admitted: true, ...this.window(state), ...none }, limits, now);
    }

    const calendar = calendarPosition(now, this.options.dayOffsetMinutes);
    const failures: Failure[] = [];
    const lifetime = (limits.tokenQuotaPeriod ?? 'lifetime') === 'lifetime';
    if (limits.tokenQuota !== undefined) {
      const quota = limits.tokenQuota;
      const used = lifetime
        ? (this.lifetimeTokens.get(subject) ?? 0)
        : state?.month?.period === calendar.monthPeriod
          ? state.month.tokens
          : 0;
      if (used + tokens > quota) {
        const resetAt = lifetime || tokens > quota ? null : calendar.monthResetAt;
        failures.push({ limit: 'tokenQuota', limitValue: quota, used, requested: tokens, resetAt });
      }
    }
    const day = state?.day?.index === calendar.dayIndex ? state.day : undefined;
    if (limits.dailySpend !== undefined && (day?.spend ?? 0) + spend > limits.dailySpend) {
      failures.push({
        limit: 'dailySpend',
        limitValue: limits.dailySpend,
        used: day?.spend ?? 0,
        requested: spend,
        resetAt: spend > limits.dailySpend ? null : calendar.dayResetAt,
      });
    }
    if (limits.rpd !== undefined && (day?.requests ?? 0) + 1 > limits.rpd) {
      failures.push({
        limit: 'rpd',
        limitValue: limits.rpd,
        used: day?.requests ?? 0,
        requested: 1,
        resetAt: limits.rpd < 1 ? null : calendar.dayResetAt,
      });
    }
    const { count, weight } = state === undefined ? emptyWindow : this.window(state);
    if (limits.tpm !== undefined && weight + tokens > limits.tpm) {
      failures.push({
        limit: 'tpm',
        limitValue: limits.tpm,
        used: weight,
        requested: tokens,
        resetAt: tokens > limits.tpm ? null : tokensFitAt(state, tokens, limits.tpm),
      });
    }
    if (limits.rpm !== undefined && count + 1 > limits.rpm) {
      const blocking = state?.log[state.head + count - limits.rpm];
      failures.push({
        limit: 'rpm',
        limitValue: limits.rpm,
        used: count,
        requested: 1,
        resetAt: blocking === undefined ? null : blocking.at + slidingWindowMs,
      });
    }
    if (limits.maxConcurrency !== undefined) {
      if (state !== undefined) expireSlots(state, now);
      const inFlight = state?.slots.size ?? 0;
      if (inFlight + 1 > limits.maxConcurrency) {
        failures.push({
          limit: 'maxConcurrency',
          limitValue: limits.maxConcurrency,
          used: inFlight,
          requested: 1,
          resetAt: limits.maxConcurrency < 1 ? null : concurrencyResetAt(now),
        });
      }
    }

    const worst = worstFailure(failures);
    if (worst !== undefined) {
      const window = state === undefined ? emptyWindow : this.window(state);
      return toAdmitResult({ admitted: false, ...worst, ...window }, limits, now);
    }
    const dayCounted = limits.rpd !== undefined || limits.dailySpend !== undefined;
    const counted = usesLog(limits) || dayCounted || limits.tokenQuota !== undefined;
    if (!counted && limits.maxConcurrency === undefined) {
      // Nothing is limited, so nothing is kept: an unlimited key costs no memory.
      return toAdmitResult({ admitted: true, ...emptyWindow, ...none }, limits, now);
    }

    // Every check passed: reserve everything the limits count.
    const target = state ?? this.createState(subject);
    const reservation: Reservation = {
      expiresAt: now + this.options.reservationTtlMs,
      tokens,
      spend,
      lifetime: false,
      slot: false,
    };
    if (usesLog(limits)) {
      reservation.entry = { at: now, weight: tokens, live: true };
      insertSorted(target, reservation.entry);
      target.weight += tokens;
    }
    if (dayCounted) {
      if (target.day?.index !== calendar.dayIndex) {
        target.day = { index: calendar.dayIndex, requests: 0, spend: 0 };
      }
      target.day.requests += 1;
      target.day.spend += spend;
      reservation.dayIndex = calendar.dayIndex;
    }
    if (limits.tokenQuota !== undefined && lifetime) {
      this.lifetimeTokens.set(subject, (this.lifetimeTokens.get(subject) ?? 0) + tokens);
      reservation.lifetime = true;
    } else if (limits.tokenQuota !== undefined) {
      if (target.month?.period !== calendar.monthPeriod) {
        target.month = { period: calendar.monthPeriod, tokens: 0 };
      }
      target.month.tokens += tokens;
      reservation.monthPeriod = calendar.monthPeriod;
    }
    if (limits.maxConcurrency !== undefined) {
      target.slots.set(requestId, now + this.options.slotTtlMs);
      reservation.slot = true;
    }
    target.reservations.set(requestId, reservation);
    return toAdmitResult({ admitted: true, ...this.window(target), ...none }, limits, now);
  }

  async complete(completion: Completion): Promise<void> {
    checkCompletion(completion);
    this.sweep(completion.now);
    const state = this.subjects.get(completion.subject);
    const reservation = state?.reservations.get(completion.requestId);
    if (state === undefined || reservation === undefined) return;
    state.reservations.delete(completion.requestId);
    if (reservation.expiresAt <= completion.now) return;

    const tokenDelta = completion.actualTokens - reservation.tokens;
    const spendDelta = completion.actualSpend - reservation.spend;
    if (reservation.entry?.live === true) {
      reservation.entry.weight += tokenDelta;
      state.weight += tokenDelta;
    }
    if (reservation.dayIndex !== undefined && state.day?.index === reservation.dayIndex) {
      state.day.spend = Math.max(0, state.day.spend + spendDelta);
    }
    if (reservation.monthPeriod !== undefined && state.month?.period === reservation.monthPeriod) {
      state.month.tokens = Math.max(0, state.month.tokens + tokenDelta);
    }
    if (reservation.lifetime) {
      const used = this.lifetimeTokens.get(completion.subject) ?? 0;
      this.lifetimeTokens.set(completion.subject, Math.max(0, used + tokenDelta));
    }
    if (reservation.slot) state.slots.delete(completion.requestId);
  }

  async peek(subject: string, limits: LimitSet, now: number): Promise<LimitState> {
    checkLimits(limits);
    this.sweep(now);
    const state = this.subjects.get(subject);
    if (state === undefined || !usesLog(limits)) return windowStates(limits, 0, 0, null, now);
    this.evict(state, now);
    const { count, weight, newestAt } = this.window(state);
    return windowStates(limits, count, weight, newestAt, now);
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
    if ((limits.tokenQuotaPeriod ?? 'lifetime') === 'lifetime') {
      if (this.lifetimeTokens.has(subject)) return false;
      this.lifetimeTokens.set(subject, used);
      return true;
    }
    const period = calendarPosition(now, this.options.dayOffsetMinutes).monthPeriod;
    const state = this.subjects.get(subject) ?? this.createState(subject);
    if (state.month?.period === period) return false;
    state.month = { period, tokens: used };
    return true;
  }

  /** How much state is held: subjects with live windows, and lifetime quota counters. */
  stats(): { subjects: number; lifetimeCounters: number } {
    return { subjects: this.subjects.size, lifetimeCounters: this.lifetimeTokens.size };
  }

  async close(): Promise<void> {
    this.subjects.clear();
    this.lifetimeTokens.clear();
    this.sweepCursor = undefined;
  }

  private createState(subject: string): SubjectState {
    const state: SubjectState = {
      log: [],
      head: 0,
      weight: 0,
      slots: new Map(),
      reservations: new Map(),
    };
    this.subjects.set(subject, state);
    return state;
  }

  private window(state: SubjectState): { count: number; weight: number; newestAt: number | null } {
    const count = state.log.length - state.head;
    const newest = state.log[state.log.length - 1];
    return { count, weight: state.weight, newestAt: count > 0 && newest ? newest.at : null };
  }

  /** Drops the entries that left the window; amortised O(1) per entry. */
  private evict(state: SubjectState, now: number): void {
    const cutoff = now - slidingWindowMs;
    let entry = state.log[state.head];
    while (entry !== undefined && entry.at <= cutoff) {
      entry.live = false;
      state.weight -= entry.weight;
      state.head += 1;
      entry = state.log[state.head];
    }
    if (state.head === state.log.length) {
      state.log = [];
      state.head = 0;
      state.weight = 0;
    } else if (state.head > 1024 && state.head * 2 > state.log.length) {
      state.log = state.log.slice(state.head);
      state.head = 0;
    }
  }

  /** Looks at the next few subjects and drops those with nothing left to count. */
  private sweep(now: number): void {
    for (let step = 0; step < sweepPerCall && this.subjects.size > 0; step += 1) {
      this.sweepCursor ??= this.subjects.entries();
      const next = this.sweepCursor.next();
      if (next.done === true) {
        this.sweepCursor = undefined;
        continue;
      }
      const [subject, state] = next.value;
      if (this.isIdle(state, now)) this.subjects.delete(subject);
    }
  }

  private isIdle(state: SubjectState, now: number): boolean {
    this.evict(state, now);
    const calendar = calendarPosition(now, this.options.dayOffsetMinutes);
    if (state.day !== undefined && state.day.index < calendar.dayIndex) delete state.day;
    if (state.month !== undefined && state.month.period < calendar.monthPeriod) delete state.month;
    expireSlots(state, now);
    for (const [requestId, reservation] of state.reservations) {
      if (reservation.expiresAt > now) break;
      state.reservations.delete(requestId);
    }
    return (
      state.log.length === 0 &&
      state.day === undefined &&
      state.month === undefined &&
      state.slots.size === 0 &&
      state.reservations.size === 0
    );
  }
}

const emptyWindow = { count: 0, weight: 0, newestAt: null };
const none = { limitValue: 0, used: 0, requested: 0, resetAt: null };

/**
 * Maps keep insertion order, which is admission order, so expiry stops at the first live slot:
 * amortised O(1). A caller whose clock went backwards may keep a slot a few milliseconds long.
 */
function expireSlots(state: SubjectState, now: number): void {
  for (const [requestId, expiresAt] of state.slots) {
    if (expiresAt > now) break;
    state.slots.delete(requestId);
  }
}

/** Inserts in time order; callers' clocks rarely go backwards, so this is almost always a push. */
function insertSorted(state: SubjectState, entry: LogEntry): void {
  let index = state.log.length;
  while (index > state.head && (state.log[index - 1]?.at ?? 0) > entry.at) index -= 1;
  state.log.splice(index, 0, entry);
}

/** When enough of the oldest entries have left for `tokens` more to fit under `tpm`. */
function tokensFitAt(state: SubjectState | undefined, tokens: number, tpm: number): number | null {
  if (state === undefined) return null;
  let freed = 0;
  for (let index = state.head; index < state.log.length; index += 1) {
    const entry = state.log[index];
    if (entry === undefined) break;
    freed += entry.weight;
    if (state.weight - freed + tokens <= tpm) return entry.at + slidingWindowMs;
  }
  return null;
}
