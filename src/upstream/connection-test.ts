import type { DeploymentTimeouts } from '../config/schema.js';
import type {
  ProviderAdapter,
  UpstreamHttpRequest,
  UpstreamTarget,
} from '../providers/contract.js';
import { UpstreamTransportError, type UpstreamResponse } from './upstream-client.js';

/** What sends a request upstream: the relay's pooled client, or a test double. */
export interface UpstreamSender {
  send(
    request: UpstreamHttpRequest,
    timeouts: DeploymentTimeouts,
    signal: AbortSignal,
  ): Promise<UpstreamResponse>;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** The provider's HTTP status; null when no answer arrived. */
  status: number | null;
  latencyMilliseconds: number;
  /** How many models the provider listed; null when it did not answer with a list. */
  models: number | null;
  /** What happened, for a person to act on. Never holds the provider's key. */
  message: string;
}

/** An operator is waiting on the answer: a dead host should not hold the page for long. */
const testTimeouts: DeploymentTimeouts = {
  connectMilliseconds: 5_000,
  firstByteMilliseconds: 10_000,
  idleMilliseconds: 10_000,
};
/** A model list is a few kilobytes; anything far larger is not one, and is not kept whole. */
const maximumBodyBytes = 4 * 1024 * 1024;
const maximumMessageLength = 500;

async function readCapped(response: UpstreamResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maximumBodyBytes) {
      response.body.destroy();
      break;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** OpenAI, Anthropic and Azure list models under `data`, Gemini under `models`. */
function countListedModels(body: string): number | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const list =
      (parsed as { data?: unknown; models?: unknown }).data ??
      (parsed as { models?: unknown }).models;
    return Array.isArray(list) ? list.length : null;
  } catch {
    return null;
  }
}

function shorten(text: string): string {
  return text.length > maximumMessageLength ? `${text.slice(0, maximumMessageLength)}…` : text;
}

function adviceFor(status: number): string {
  if (status === 401 || status === 403) return ' Check the provider’s API key.';
  if (status === 404) return ' Check the base URL: the model list is not where it points.';
  if (status === 429) return ' The provider is rate limiting this key; try again shortly.';
  if (status >= 500) return ' The provider is failing; try again later.';
  return '';
}

function transportMessage(error: UpstreamTransportError): string {
  if (error.kind === 'timeout') {
    return 'The provider did not answer in time. Check the base URL, and that the gateway can reach that host.';
  }
  return `Could not connect to the provider (${shorten(error.message)}). Check the base URL, and that the gateway can reach that host.`;
}

/**
 * Calls the provider's model list with its stored key: it proves the address, the network path
 * and the key at once, and costs nothing. Failures are answers, not errors, so the caller can
 * show them.
 */
export async function testConnection(
  upstream: UpstreamSender,
  adapter: ProviderAdapter,
  target: UpstreamTarget,
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(
    testTimeouts.connectMilliseconds + testTimeouts.firstByteMilliseconds,
  );
  let response: UpstreamResponse;
  try {
    response = await upstream.send(adapter.modelsRequest(target), testTimeouts, signal);
  } catch (error) {
    if (!(error instanceof UpstreamTransportError)) throw error;
    return {
      ok: false,
      status: null,
      latencyMilliseconds: elapsed(),
      models: null,
      message: transportMessage(error),
    };
  }
  const latencyMilliseconds = elapsed();
  let body: string;
  try {
    body = await readCapped(response);
  } catch {
    return {
      ok: false,
      status: response.statusCode,
      latencyMilliseconds,
      models: null,
      message: 'The provider answered, then broke off the answer. Try again.',
    };
  }
  if (response.statusCode >= 400) {
    const error = adapter.errorResponse(response.statusCode, body);
    return {
      ok: false,
      status: response.statusCode,
      latencyMilliseconds,
      models: null,
      message: `The provider answered ${response.statusCode}: ${shorten(error.message)}${adviceFor(response.statusCode)}`,
    };
  }
  const models = countListedModels(body);
  return {
    ok: true,
    status: response.statusCode,
    latencyMilliseconds,
    models,
    message:
      models === null
        ? `The provider answered ${response.statusCode}, and accepted the key.`
        : `The provider answered ${response.statusCode}, accepted the key and lists ${models} model${models === 1 ? '' : 's'}.`,
  };
}
