import { describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/providers/anthropic/adapter.js';
import { createGeminiAdapter } from '../../src/providers/gemini/adapter.js';
import {
  failureCategoryOf,
  retryAfterMilliseconds,
  statusCategory,
} from '../../src/routing/failure-category.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { MalformedUpstreamError } from '../../src/providers/contract.js';
import { UpstreamTransportError } from '../../src/upstream/upstream-client.js';

/** Which upstream errors are the deployment's fault, and how failures are categorised. */
const gemini = createGeminiAdapter();
const anthropic = createAnthropicAdapter();

function googleError(status: string, reason?: string) {
  return JSON.stringify({
    error: {
      code: 400,
      message: 'm',
      status,
      ...(reason
        ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason }] }
        : {}),
    },
  });
}

describe('Gemini errors flagged as the upstream’s fault', () => {
  it.each([
    ['API_KEY_INVALID', 'INVALID_ARGUMENT'],
    ['API_KEY_EXPIRED', 'INVALID_ARGUMENT'],
    ['API_KEY_SERVICE_BLOCKED', 'PERMISSION_DENIED'],
    ['BILLING_DISABLED', 'PERMISSION_DENIED'],
    ['SERVICE_DISABLED', 'PERMISSION_DENIED'],
    [undefined, 'FAILED_PRECONDITION'],
  ])('%s (%s) is the deployment’s fault', (reason, status) => {
    expect(gemini.errorResponse(400, googleError(status, reason)).upstreamFault).toBe(true);
  });

  it('a bad argument is the client’s', () => {
    expect(
      gemini.errorResponse(400, googleError('INVALID_ARGUMENT')).upstreamFault,
    ).toBeUndefined();
  });
});

describe('Anthropic errors flagged as the upstream’s fault', () => {
  const body = (type: string, message: string) =>
    JSON.stringify({ type: 'error', error: { type, message } });

  it('billing_error is the deployment’s fault', () => {
    expect(anthropic.errorResponse(402, body('billing_error', 'pay up')).upstreamFault).toBe(true);
  });

  it('a 400 for a credit balance too low is the deployment’s fault', () => {
    const error = anthropic.errorResponse(
      400,
      body(
        'invalid_request_error',
        'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
      ),
    );
    expect(error).toMatchObject({ status: 400, upstreamFault: true });
  });

  it('any other invalid request is the client’s', () => {
    const error = anthropic.errorResponse(
      400,
      body('invalid_request_error', 'max_tokens: too big'),
    );
    expect(error.upstreamFault).toBeUndefined();
  });
});

describe('failure categories', () => {
  it('names statuses', () => {
    expect([429, 500, 503, 529, 401, 403, 404].map(statusCategory)).toEqual([
      'rate_limited',
      'server_error',
      'server_error',
      'server_error',
      'rejected',
      'rejected',
      'rejected',
    ]);
  });

  it('looks through errors wrapped for the client to their cause', () => {
    const malformed = new MalformedUpstreamError('bad');
    expect(failureCategoryOf(malformed)).toBe('malformed_output');
    expect(
      failureCategoryOf(new GatewayError('upstream_unavailable', 'x', { cause: malformed })),
    ).toBe('malformed_output');
    expect(failureCategoryOf(new UpstreamTransportError('timeout', 'slow'))).toBe('timeout');
    expect(failureCategoryOf(new UpstreamTransportError('unavailable', 'reset'))).toBe(
      'connect_error',
    );
    // A client that left, or a bug, says nothing about the upstream.
    expect(failureCategoryOf(new UpstreamTransportError('aborted', 'gone'))).toBeUndefined();
    expect(failureCategoryOf(new Error('bug'))).toBeUndefined();
  });

  it('reads Retry-After in milliseconds, seconds or as a date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMilliseconds({ 'retry-after-ms': '1500' }, now)).toBe(1_500);
    expect(retryAfterMilliseconds({ 'retry-after': '20' }, now)).toBe(20_000);
    expect(retryAfterMilliseconds({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(
      30_000,
    );
    expect(retryAfterMilliseconds({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMilliseconds({}, now)).toBeUndefined();
  });
});
