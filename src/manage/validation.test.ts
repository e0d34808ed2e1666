import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import { amountInput, signedAmountInput } from './common-schemas.js';
import { parseInput } from './validation.js';

const schema = z
  .object({
    name: z.string().min(1),
    amount: amountInput,
    nested: z.object({ n: z.number() }).optional(),
  })
  .strict();

function failure(input: unknown, location: 'body' | 'query' = 'body'): GatewayError {
  try {
    parseInput(schema, input, location);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected validation to fail');
}

describe('parseInput', () => {
  it('parses money as exact micro-units', () => {
    expect(parseInput(schema, { name: 'x', amount: '12.50' }, 'body')).toEqual({
      name: 'x',
      amount: 12_500_000,
    });
    expect(signedAmountInput.parse('-0.000001')).toBe(-1);
  });

  it('names a missing field', () => {
    const error = failure({ amount: '1' });
    expect(error.code).toBe('missing_required_parameter');
    expect(error.param).toBe('name');
    expect(failure(undefined).code).toBe('missing_required_parameter');
  });

  it('names a bad or unknown field', () => {
    expect(failure({ name: 'x', amount: 12.5 })).toMatchObject({
      code: 'invalid_value',
      param: 'amount',
    });
    expect(failure({ name: 'x', amount: '0' }).message).toContain('must be more than 0');
    expect(failure({ name: 'x', amount: '1.1234567' }).param).toBe('amount');
    expect(failure({ name: 'x', amount: '1', nested: { n: 'a' } }).param).toBe('nested.n');
    const unknown = failure({ name: 'x', amount: '1', rol: 'admin' });
    expect(unknown).toMatchObject({ code: 'invalid_value', param: 'rol' });
    expect(unknown.message).toContain("Unknown body parameter: 'rol'");
  });

  it('wants a JSON object as a body', () => {
    expect(failure([1, 2]).code).toBe('invalid_json');
    expect(failure('text').code).toBe('invalid_json');
  });
});
