import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RelayRoute } from '../observability/metrics.js';
import { readBodyText } from '../upstream/read-body.js';
import { authorizeModel } from './authorize-model.js';
import { settleAttempt } from './call-upstream.js';
import { countInputTokens } from './count-tokens.js';
import type { RelayDependencies } from './relay-dependencies.js';
import { admitAndHold, callModel, runRelayExchange } from './relay-exchange.js';
import { validateEmbeddingsRequest } from './validate-request.js';

const route: RelayRoute = 'embeddings';

/** POST /embeddings: the same pipeline as chat; embeddings are priced on their input tokens. */
export function embeddingsHandler(dependencies: RelayDependencies) {
  return function handleEmbeddings(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return runRelayExchange(dependencies, route, request, reply, async ({ key, trace, signal }) => {
      const body = validateEmbeddingsRequest(request.body);
      const model = authorizeModel(key, body.model, 'embedding', dependencies.catalog);
      // Usage is recorded under the canonical id, whichever alias the client used.
      trace.modelId = model.id;
      trace.prices = model.prices;
      const holdInput = {
        bodyBytes: request.bodyBytes,
        prices: model.prices,
        requestedOutputTokens: undefined,
        modelMaxOutputTokens: null,
        producesOutput: false,
        choices: 1,
      };
      await admitAndHold(
        dependencies,
        request,
        reply,
        trace,
        key,
        holdInput,
        Math.ceil(request.bodyBytes / 4),
      );
      const attempt = await callModel(dependencies, model, signal, (deployment) =>
        deployment.adapter.embeddingsRequest({ body, target: deployment.target }),
      );
      trace.deploymentId = attempt.deployment.id;
      const translated = await settleAttempt(attempt, async () =>
        attempt.deployment.adapter.embeddingsResponse(await readBodyText(attempt.response), body),
      );
      const usage = translated.usage ?? {
        promptTokens: await countInputTokens(body.input),
        completionTokens: 0,
        cachedTokens: 0,
      };
      // Sent first, then settled: a crash in between loses a charge, never bills an answer the
      // client did not get.
      await reply.header('content-type', 'application/json').send(translated.body);
      trace.finish(200, null, usage);
    });
  };
}
