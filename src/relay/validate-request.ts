import { z } from 'zod';
import { formatIssuePath, valueAtIssuePath } from '../errors/issue-path.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatRequestBody, EmbeddingsRequestBody } from '../providers/contract.js';

// Loose objects: the fields the gateway relies on are checked, every other field passes through
// to the upstream as the client wrote it.
const chatSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string() })).min(1),
  stream: z.boolean().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  // No model writes ten million tokens; a larger cap is a mistake, and would overflow the hold.
  max_tokens: z.number().int().min(1).max(10_000_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(10_000_000).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

const embeddingsSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union(
    [
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1),
    ],
    {
      error:
        'expected a string, an array of strings, an array of token ids or an array of arrays of token ids',
    },
  ),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
});

function describeExpectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${String(issue.minimum)} item(s)`
        : issue.origin === 'string'
          ? 'must not be empty'
          : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** Turns the first validation issue into a 400 that names the parameter and what it must be. */
function toGatewayError(body: unknown, issue: z.core.$ZodIssue): GatewayError {
  const parameter = formatIssuePath(issue.path) || 'body';
  const received = valueAtIssuePath(body, issue.path);
  // A missing union-typed field (embeddings' `input`) fails as invalid_union, not invalid_type.
  if (received === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    return new GatewayError(
      'missing_required_parameter',
      `Missing required parameter: '${parameter}'.`,
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

function requireObject(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('invalid_json', 'The request body must be a JSON object.');
  }
}

/** Checks a chat completion body; the result is the client's own object, unknown fields kept. */
export function validateChatRequest(body: unknown): ChatRequestBody {
  requireObject(body);
  const result = chatSchema.safeParse(body);
  if (!result.success) throw toGatewayError(body, result.error.issues[0] as z.core.$ZodIssue);
  return body as ChatRequestBody;
}

/** Checks an embeddings body; the result is the client's own object, unknown fields kept. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequestBody {
  requireObject(body);
  const result = embeddingsSchema.safeParse(body);
  if (!result.success) throw toGatewayError(body, result.error.issues[0] as z.core.$ZodIssue);
  return body as EmbeddingsRequestBody;
}
