import { describe, expect, it } from 'vitest';
import type { AdmitRefused } from './contract.js';
import {
  describeLimitForMessage,
  errorCodeFor,
  humanSeconds,
  isoSeconds,
  openAiDuration,
  rateLimitHeaders,
  retryAfterHeaderValue,
} from './messages.js';

const now = Date.UTC(2026, 10, 26, 10);

function refusal(overrides: Partial<AdmitRefused>): AdmitRefused {
  return {
    admitted: false,
    limit: 'rpm',
    limitValue: 30,
    used: 30,
    requested: 1,
    resetAt: now + 12_000,
    retryAfterSeconds: 12,
    ...overrides,
  };
}

describe('limit messages', () => {
  it('maps every limit to its catalogue code', () => {
    expect(errorCodeFor('rpm')).toBe('rate_limit_exceeded');
    expect(errorCodeFor('tpm')).toBe('rate_limit_exceeded');
    expect(errorCodeFor('maxConcurrency')).toBe('rate_limit_exceeded');
    expect(errorCodeFor('tokenQuota')).toBe('token_quota_exhausted');
    expect(errorCodeFor('rpd')).toBe('daily_limit_reached');
    expect(errorCodeFor('dailySpend')).toBe('daily_limit_reached');
  });

  it('names the limit and when it resets', () => {
    expect(describeLimitForMessage(refusal({}), { rpm: 30 })).toBe(
      'Rate limit reached: 30 requests per minute for this key. Retry after 12 s (at 2026-11-26T10:00:12Z).',
    );
    const daily = refusal({ limit: 'rpd', limitValue: 1000, resetAt: Date.UTC(2026, 10, 27) });
    expect(describeLimitForMessage({ ...daily, retryAfterSeconds: 50_400 }, {})).toBe(
      'Daily limit reached: 1,000 requests per day for this key. Retry after 14 h (at 2026-11-27T00:00:00Z).',
    );
    const spend = refusal({ limit: 'dailySpend', limitValue: 5_000_000, used: 4_900_000 });
    expect(describeLimitForMessage({ ...spend, requested: 200_000 }, {})).toContain(
      'may spend 5.000000 per day and has spent 4.900000 today; this request may cost up to 0.200000',
    );
    const monthly = refusal({ limit: 'tokenQuota', limitValue: 1_000_000, used: 999_000 });
    expect(
      describeLimitForMessage({ ...monthly, requested: 2_000 }, { tokenQuotaPeriod: 'month' }),
    ).toContain('1,000,000 tokens per month and has used 999,000 this month');
  });

  it('says so when no wait helps', () => {
    const lifetime = refusal({ limit: 'tokenQuota', resetAt: null, retryAfterSeconds: null });
    expect(describeLimitForMessage(lifetime, {})).toMatch(
      /tokens in total.*does not reset\. Waiting will not help; ask an administrator/,
    );
    const tooLarge = refusal({ limit: 'tpm', limitValue: 10_000, requested: 12_000 });
    expect(
      describeLimitForMessage({ ...tooLarge, resetAt: null, retryAfterSeconds: null }, {}),
    ).toMatch(
      /^Request too large: it needs about 12,000 tokens, more than this key's limit of 10,000/,
    );
  });

  it('builds the seed and OpenAI rate-limit headers and Retry-After', () => {
    const refused = refusal({
      requests: { limit: 30, remaining: 0, resetAt: now + 45_500 },
      tokens: { limit: 1000, remaining: 250, resetAt: now + 45_500 },
    });
    expect(rateLimitHeaders(refused, now)).toEqual({
      'X-RateLimit-Limit': '30',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '2026-11-26T10:00:46Z',
      'x-ratelimit-limit-requests': '30',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '45.5s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '250',
      'x-ratelimit-reset-tokens': '45.5s',
      'Retry-After': '12',
    });
    expect(rateLimitHeaders({ admitted: true }, now)).toEqual({});
    expect(retryAfterHeaderValue({ ...refused, retryAfterSeconds: null, resetAt: null })).toBe(
      undefined,
    );
  });

  it('formats durations without ever shortening them', () => {
    expect(humanSeconds(1)).toBe('1 s');
    expect(humanSeconds(245)).toBe('4 min 5 s');
    expect(humanSeconds(3 * 3600 + 1)).toBe('3 h 1 min');
    expect(humanSeconds(3 * 86_400 + 1)).toBe('3 d 1 h');
    expect(openAiDuration(0)).toBe('0s');
    expect(openAiDuration(20)).toBe('20ms');
    expect(openAiDuration(360_000)).toBe('6m0s');
    expect(openAiDuration(3_723_000)).toBe('1h2m3s');
    expect(isoSeconds(now + 1)).toBe('2026-11-26T10:00:01Z');
  });
});
