import { describe, expect, it } from 'vitest';
import type { Deployment, Model } from '../../api/api-types';
import type { DeploymentHealth } from './admin-types';
import { changedFields, describeAction } from './audit-diff';
import { deploymentRows, formatCountdown, formatErrorRate } from './deployment-rows';
import {
  parseInteger,
  parsePriceInput,
  parseSeconds,
  parseTokenCount,
  secondsText,
} from './input-parsing';
import {
  createProviderBody,
  newProviderDraft,
  parseHeaders,
  updateProviderBody,
} from './provider-form-logic';

describe('parsePriceInput', () => {
  it('accepts zero and decimals, refuses what the API would', () => {
    expect(parsePriceInput('0')).toEqual({ ok: true, price: '0' });
    expect(parsePriceInput(' 1,234.5 ')).toEqual({ ok: true, price: '1234.5' });
    expect(parsePriceInput('')).toEqual({ ok: true, price: '0' });
    expect(parsePriceInput('0.1234567').ok).toBe(false);
    expect(parsePriceInput('$1').ok).toBe(false);
    expect(parsePriceInput('-1').ok).toBe(false);
  });
});

describe('parseTokenCount', () => {
  it('treats empty as unset and checks the range', () => {
    expect(parseTokenCount('')).toEqual({ ok: true, tokens: null });
    expect(parseTokenCount('128,000')).toEqual({ ok: true, tokens: 128_000 });
    expect(parseTokenCount('0').ok).toBe(false);
    expect(parseTokenCount('100000001').ok).toBe(false);
  });
});

describe('provider bodies', () => {
  it('parses header lines and names the bad line', () => {
    expect(parseHeaders('X-Org: acme\n\nX-Team:  blue ')).toEqual({
      ok: true,
      value: { 'X-Org': 'acme', 'X-Team': 'blue' },
    });
    const bad = parseHeaders('X-Org acme');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/Line 1/);
  });

  it('sends only the settings the kind takes', () => {
    const draft = {
      ...newProviderDraft(),
      name: 'claude',
      kind: 'anthropic' as const,
      baseUrl: 'https://api.anthropic.com/v1',
      apiKey: 'secret',
      defaultMaxTokens: '8192',
      apiVersion: 'ignored',
    };
    expect(createProviderBody(draft)).toEqual({
      ok: true,
      value: {
        name: 'claude',
        kind: 'anthropic',
        baseUrl: 'https://api.anthropic.com/v1',
        headers: {},
        defaultMaxTokens: 8192,
        apiKey: 'secret',
      },
    });
  });

  it('keeps the stored key and headers unless asked, and removes the key with null', () => {
    const draft = { ...newProviderDraft(), baseUrl: 'https://x.example/v1', replaceHeaders: false };
    const kept = updateProviderBody(draft);
    expect(kept.ok && 'apiKey' in kept.value).toBe(false);
    expect(kept.ok && 'headers' in kept.value).toBe(false);
    const removed = updateProviderBody({ ...draft, removeApiKey: true, apiKey: 'typed' });
    expect(removed.ok && removed.value.apiKey).toBeNull();
  });
});

describe('deployment rows', () => {
  const deployment = (id: number, modelId: string, priority: number, weight = 1): Deployment => ({
    id,
    modelId,
    providerId: 1,
    providerName: 'p',
    upstreamModel: modelId,
    priority,
    weight,
    enabled: true,
    timeouts: { connectMilliseconds: 1, firstByteMilliseconds: 1, idleMilliseconds: 1 },
  });
  const model = (id: string, deployments: Deployment[]) =>
    ({ id, deployments }) as unknown as Model;

  it('joins health by id and orders as the router tries them', () => {
    const health = { deploymentId: 2, state: 'open' } as DeploymentHealth;
    const rows = deploymentRows(
      [
        model('b', [deployment(3, 'b', 0)]),
        model('a', [deployment(1, 'a', 5), deployment(2, 'a', 0)]),
      ],
      [health],
    );
    expect(rows.map((row) => row.deployment.id)).toEqual([2, 1, 3]);
    expect(rows[0]?.health).toBe(health);
    expect(rows[1]?.health).toBeUndefined();
  });

  it('counts down and stops at zero', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(formatCountdown('2026-01-01T00:00:42Z', now)).toBe('42 s');
    expect(formatCountdown('2026-01-01T00:03:05Z', now)).toBe('3 min 05 s');
    expect(formatCountdown('2026-01-01T01:02:00Z', now)).toBe('1 h 02 min');
    expect(formatCountdown('2025-12-31T23:59:59Z', now)).toBeNull();
  });

  it('formats error rates', () => {
    expect(formatErrorRate(null)).toBe('—');
    expect(formatErrorRate(0)).toBe('0 %');
    expect(formatErrorRate(0.034)).toBe('3.4 %');
    expect(formatErrorRate(0.5)).toBe('50 %');
  });
});

describe('audit diff', () => {
  it('lists only changed fields, ignoring key order', () => {
    expect(
      changedFields(
        { name: 'a', limits: { rpm: 1, tpm: 2 }, status: 'active' },
        { name: 'a', limits: { tpm: 2, rpm: 1 }, status: 'disabled' },
      ),
    ).toEqual([
      { field: 'status', before: 'active', after: 'disabled', added: false, removed: false },
    ]);
  });

  it('lists every field of a create as added', () => {
    expect(changedFields(null, { id: 1 })).toEqual([
      { field: 'id', before: undefined, after: 1, added: true, removed: false },
    ]);
  });

  it('describes actions in words', () => {
    expect(describeAction('api_key.update')).toBe('API key updated');
    expect(describeAction('session.sign_in')).toBe('Signed in');
    expect(describeAction('wallet.topup')).toBe('Wallet topped up');
  });
});

describe('deployment numbers', () => {
  it('parses integers in range and seconds into milliseconds', () => {
    expect(parseInteger('5', 0, 1000)).toEqual({ ok: true, value: 5 });
    expect(parseInteger('0', 1, 1000).ok).toBe(false);
    expect(parseSeconds('2.5', 600)).toEqual({ ok: true, milliseconds: 2500 });
    expect(parseSeconds('601', 600).ok).toBe(false);
    expect(parseSeconds('0', 600).ok).toBe(false);
    expect(secondsText(120_000)).toBe('120');
  });
});
