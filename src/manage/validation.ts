import type { z } from 'zod';
import { formatIssuePath, valueAtIssuePath } from '../errors/issue-path.js';
import { GatewayError } from '../errors/gateway-error.js';

/** Where a value came from; named in messages so the caller knows what to fix. */
export type InputLocation = 'body' | 'query' | 'path';

function describeExpectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${String(issue.minimum)} item(s)`
        : issue.origin === 'string'
          ? `must be at least ${String(issue.minimum)} character(s)`
          : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `expected at most ${String(issue.maximum)} item(s)`
        : issue.origin === 'string'
          ? `must be at most ${String(issue.maximum)} characters`
          : `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** The first validation problem as a 400 naming the parameter, in the gateway's envelope. */
function toGatewayError(
  input: unknown,
  issue: z.core.$ZodIssue,
  location: InputLocation,
): GatewayError {
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((key) => formatIssuePath([...issue.path, key]));
    return new GatewayError(
      'invalid_value',
      `Unknown ${location} parameter${names.length > 1 ? 's' : ''}: ${names.map((name) => `'${name}'`).join(', ')}. See /api/manage/openapi.json for what this route accepts.`,
      { param: names[0] ?? null },
    );
  }
  const parameter = formatIssuePath(issue.path) || location;
  const received = valueAtIssuePath(input, issue.path);
  if (received === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    return new GatewayError(
      'missing_required_parameter',
      `Missing required ${location} parameter: '${parameter}'.`,
      { param: parameter },
    );
  }
  const shown = JSON.stringify(received);
  const excerpt = shown !== undefined && shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  return new GatewayError(
    'invalid_value',
    `Invalid value for '${parameter}': ${describeExpectation(issue)}, got ${excerpt ?? 'nothing'}.`,
    { param: parameter },
  );
}

/**
 * Validates a request's body, query or path parameters with a zod schema; the first problem
 * becomes a 400 (`missing_required_parameter` or `invalid_value`) that names the field.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  location: InputLocation,
): z.output<Schema> {
  // A route whose fields are all optional may be called without a body at all.
  const value = location === 'body' && input === undefined ? {} : input;
  if (
    location === 'body' &&
    (typeof value !== 'object' || value === null || Array.isArray(value))
  ) {
    throw new GatewayError('invalid_json', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw toGatewayError(value, result.error.issues[0] as z.core.$ZodIssue, location);
  }
  return result.data;
}
