import { Pool } from 'undici';
import { errorCatalogue } from '../../src/errors/catalogue.js';

/** One generated request and what, beyond the common rules, may come back for it. */
export interface FuzzCase {
  /** What kind of abuse this is, for the report. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
  /** A model whose upstream is deliberately unreachable: 502 upstream_* is the right answer. */
  upstreamMayFail?: boolean;
  /**
   * Refused by Node's HTTP parser before Fastify sees it (unknown method, oversize headers): the
   * connection may simply be closed, and the answer, if any, is Node's, not the gateway's.
   */
  belowTheGateway?: boolean;
}

export interface FuzzOutcome {
  fuzzCase: FuzzCase;
  index: number;
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** A transport error (connection closed, timeout) instead of a response. */
  error: string | undefined;
  milliseconds: number;
}

const perRequestTimeoutMilliseconds = 15_000;

/**
 * Sends every case with at most `concurrency` in flight, each with its own timeout, through one
 * pool to one origin (127.0.0.1). Never throws: transport errors become outcomes.
 */
export async function sendAll(
  origin: string,
  cases: readonly FuzzCase[],
  concurrency: number,
): Promise<FuzzOutcome[]> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const outcomes: FuzzOutcome[] = new Array<FuzzOutcome>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      outcomes[index] = await sendOne(pool, cases[index] as FuzzCase, index);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.destroy();
  }
  return outcomes;
}

async function sendOne(pool: Pool, fuzzCase: FuzzCase, index: number): Promise<FuzzOutcome> {
  const startedAt = performance.now();
  const base = { fuzzCase, index, headers: {}, text: '' };
  try {
    const response = await pool.request({
      method: fuzzCase.method,
      path: fuzzCase.path,
      headers: fuzzCase.headers,
      ...(fuzzCase.body === undefined ? {} : { body: fuzzCase.body }),
      headersTimeout: perRequestTimeoutMilliseconds,
      bodyTimeout: perRequestTimeoutMilliseconds,
      signal: AbortSignal.timeout(perRequestTimeoutMilliseconds + 1_000),
    });
    const text = await response.body.text();
    return {
      ...base,
      status: response.statusCode,
      headers: response.headers,
      text,
      error: undefined,
      milliseconds: performance.now() - startedAt,
    };
  } catch (error) {
    const described =
      error instanceof Error
        ? `${error.name}${'code' in error ? ` ${String(error.code)}` : ''}: ${error.message}`
        : String(error);
    return {
      ...base,
      status: undefined,
      error: described,
      milliseconds: performance.now() - startedAt,
    };
  }
}

const upstreamCodes = new Set(['upstream_unavailable', 'upstream_timeout']);

function header(outcome: FuzzOutcome, name: string): string | undefined {
  const value = outcome.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The error envelope's problems, if any: OpenAI's shape with a code from the catalogue. */
export function envelopeProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return 'no `error` object';
  const { message, type, param, code } = error as Record<string, unknown>;
  if (typeof message !== 'string' || message.length === 0) return 'no message';
  if (typeof type !== 'string') return 'no type';
  if (!(param === null || typeof param === 'string')) return '`param` is neither null nor a string';
  if (typeof code !== 'string' || !(code in errorCatalogue)) {
    return `code ${JSON.stringify(code)} is not in src/errors/catalogue.ts`;
  }
  const entry = errorCatalogue[code as keyof typeof errorCatalogue];
  if (entry.type !== type) return `type ${type} does not match the catalogue's ${entry.type}`;
  return undefined;
}

/**
 * Bugs this suite found that are not fixed yet, each with a test that shows it on its own
 * (`it.fails` in known-bugs.test.ts). The fuzz run counts their outcomes apart instead of
 * failing on them, so that it keeps catching everything else. Delete an entry once its bug is
 * fixed.
 */
export const knownBugs: Record<string, (outcome: FuzzOutcome) => boolean> = {
  // Fixed, with their tests in known-bugs.test.ts now plain `it`s: deep nesting (a 400 from the
  // body parsers), Fastify framework errors (frameworkErrors handler), huge max_tokens (a 400).
};

export type KnownBug = string;

/** The deepest nesting of arrays and objects in a body (outside strings), for the bug filter. */
export function nestingDepth(body: string | Buffer | undefined): number {
  if (body === undefined) return 0;
  const text = body.toString();
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '[' || character === '{') deepest = Math.max(deepest, ++depth);
    else if (character === ']' || character === '}') depth -= 1;
  }
  return deepest;
}

/** The known bug an outcome shows, if any. */
export function knownBugOf(outcome: FuzzOutcome): KnownBug | undefined {
  for (const [name, matches] of Object.entries(knownBugs)) {
    if (matches(outcome)) return name;
  }
  return undefined;
}

/** What is wrong with one outcome by the fuzz rules; undefined when it is acceptable. */
export function judge(outcome: FuzzOutcome): string | undefined {
  const { fuzzCase, status } = outcome;
  if (status === undefined) {
    // Node may hang up on what it cannot parse; anything else must be answered.
    return fuzzCase.belowTheGateway ? undefined : `no response: ${outcome.error ?? '?'}`;
  }
  if (fuzzCase.belowTheGateway) return status >= 500 ? `status ${status}` : undefined;
  if (status >= 500) {
    const code = (() => {
      try {
        return (JSON.parse(outcome.text) as { error?: { code?: unknown } }).error?.code;
      } catch {
        return undefined;
      }
    })();
    if (!(fuzzCase.upstreamMayFail && status === 502 && upstreamCodes.has(String(code)))) {
      return `status ${status}: ${outcome.text.slice(0, 300)}`;
    }
  }
  if (status >= 400) {
    if (fuzzCase.method === 'HEAD') return undefined;
    const problem = envelopeProblem(outcome.text);
    if (problem !== undefined) return `status ${status}, ${problem}: ${outcome.text.slice(0, 300)}`;
    const code = (JSON.parse(outcome.text) as { error: { code: keyof typeof errorCatalogue } })
      .error.code;
    if (errorCatalogue[code].status !== status) {
      return `status ${status} but the catalogue gives ${code} status ${errorCatalogue[code].status}`;
    }
    const contentType = header(outcome, 'content-type') ?? '';
    if (!contentType.startsWith('application/json')) return `content-type ${contentType}`;
  }
  if (header(outcome, 'x-request-id') === undefined) return 'no x-request-id header';
  return undefined;
}

/** A short, replayable description of a case for failure messages. */
export function describeCase(outcome: FuzzOutcome): string {
  const { fuzzCase } = outcome;
  const body =
    fuzzCase.body === undefined
      ? ''
      : ` body(${fuzzCase.body.length})=${JSON.stringify(fuzzCase.body.toString().slice(0, 160))}`;
  return `#${outcome.index} [${fuzzCase.kind}] ${fuzzCase.method} ${fuzzCase.path.slice(0, 160)}${body}`;
}
