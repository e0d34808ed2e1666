import type { FastifyReply, FastifyRequest } from 'fastify';
import { readBodyText } from '../upstream/read-body.js';
import { abortOnClientClose } from './abort-on-close.js';
import { authenticate } from './authenticate.js';
import { authorizeModel } from './authorize-model.js';
import { callUpstream, ClientGoneError } from './call-upstream.js';
import { describeForRecord, toClientError } from './client-errors.js';
import { countTextTokens } from './count-tokens.js';
import type { RelayDependencies } from './relay-dependencies.js';
import { UsageTrace } from './usage-trace.js';
import { validateEmbeddingsRequest } from './validate-request.js';

function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (Array.isArray(input))
    return input.map((item) => (typeof item === 'string' ? item : '')).join('\n');
  return '';
}

/** POST /embeddings: the same pipeline as chat; embeddings are priced on their input tokens. */
export function embeddingsHandler(dependencies: RelayDependencies) {
  return async function handleEmbeddings(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const startedAt = performance.now();
    const key = await authenticate(request.headers, dependencies.catalog, dependencies.now());
    const trace = new UsageTrace(
      dependencies.usage,
      request.id,
      key,
      startedAt,
      dependencies.now(),
    );
    try {
      const body = validateEmbeddingsRequest(request.body);
      trace.modelId = body.model;
      const model = authorizeModel(key, body.model, 'embedding', dependencies.catalog);
      trace.prices = model.prices;
      const abort = abortOnClientClose(reply);
      const attempt = await callUpstream({
        client: dependencies.upstream,
        model,
        signal: abort.signal,
        maxAttempts: dependencies.maxAttempts,
        build: (deployment) =>
          deployment.adapter.embeddingsRequest({ body, target: deployment.target }),
      });
      trace.deploymentId = attempt.deployment.id;
      const text = await readBodyText(attempt.response);
      const translated = attempt.deployment.adapter.embeddingsResponse(text, body);
      const usage = translated.usage ?? {
        promptTokens: await countTextTokens(inputText(body.input)),
        completionTokens: 0,
        cachedTokens: 0,
      };
      trace.finish(200, null, usage);
      await reply.header('content-type', 'application/json').send(translated.body);
    } catch (error) {
      if (error instanceof ClientGoneError) {
        trace.finish(499, 'client_disconnected', undefined);
        return;
      }
      const clientError = toClientError(error, trace.modelId);
      const described = describeForRecord(clientError);
      trace.finish(described.status, described.code, undefined);
      throw clientError;
    }
  };
}
