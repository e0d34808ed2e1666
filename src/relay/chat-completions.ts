import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RelayRoute } from '../observability/metrics.js';
import { isJsonObject } from '../providers/json.js';
import { readBodyText } from '../upstream/read-body.js';
import { authorizeModel } from './authorize-model.js';
import { scrubUpstreamDetails, settleAttempt, settleStream } from './call-upstream.js';
import { usageOrCount } from './count-tokens.js';
import type { RelayDependencies } from './relay-dependencies.js';
import { admitAndHold, callModel, runRelayExchange } from './relay-exchange.js';
import { relayStream } from './relay-stream.js';
import { validateChatRequest } from './validate-request.js';

const route: RelayRoute = 'chat_completions';

/**
 * POST /chat/completions: parse → authenticate → validate → authorize model → route → call
 * upstream → stream or return → meter → record. Each stage lives in its own file.
 */
export function chatCompletionsHandler(dependencies: RelayDependencies) {
  return function handleChatCompletion(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    return runRelayExchange(dependencies, route, request, reply, async ({ key, trace, signal }) => {
      const body = validateChatRequest(request.body);
      trace.stream = body.stream === true;
      const model = authorizeModel(key, body.model, 'chat', dependencies.catalog);
      // Usage is recorded under the canonical id, whichever alias the client used.
      trace.modelId = model.id;
      trace.prices = model.prices;
      const requestedOutputTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
      const holdInput = {
        bodyBytes: request.bodyBytes,
        prices: model.prices,
        requestedOutputTokens,
        modelMaxOutputTokens: model.maxOutputTokens,
        producesOutput: true,
        choices: body.n ?? 1,
      };
      const hold = await admitAndHold(
        dependencies,
        request,
        reply,
        trace,
        key,
        holdInput,
        // About four bytes a token for the prompt, plus the output the client asked for.
        Math.ceil(request.bodyBytes / 4) + (requestedOutputTokens ?? 0) * (body.n ?? 1),
      );
      const context = {
        clientWantsUsage:
          isJsonObject(body.stream_options) && body.stream_options.include_usage === true,
        publicModel: model.id,
      };
      const attempt = await callModel(dependencies, model, signal, (deployment) =>
        deployment.adapter.chatRequest({
          body,
          target: deployment.target,
          // The hold paid for this many output tokens; the upstream must not produce more.
          maxOutputTokens: requestedOutputTokens === undefined ? hold.outputTokens : undefined,
        }),
      );
      trace.deploymentId = attempt.deployment.id;
      const adapter = attempt.deployment.adapter;

      if (trace.stream) {
        const translator = adapter.chatStream(context);
        const outcome = await relayStream({
          reply,
          response: attempt.response,
          translator,
          signal,
          modelId: model.id,
          onFirstFrame: () => trace.markFirstToken(),
          scrub: (text) => scrubUpstreamDetails(text, attempt.deployment),
        });
        settleStream(attempt.outcome, outcome);
        // Whatever reached the client is paid for: the prompt, plus the tokens delivered. A stream
        // that failed before any of the upstream's frames reached the client costs nothing.
        const usage = outcome.delivered
          ? await usageOrCount(translator.usage(), body, translator.deliveredText())
          : undefined;
        if (outcome.kind === 'completed') trace.finish(200, null, usage);
        else if (outcome.kind === 'client-gone') trace.finish(499, 'client_disconnected', usage);
        else trace.finish(200, outcome.error.code, usage);
        return;
      }

      const translated = await settleAttempt(attempt, async () =>
        adapter.chatResponse(await readBodyText(attempt.response), context),
      );
      const usage = await usageOrCount(translated.usage, body, translated.completionText);
      trace.markFirstToken();
      // Sent first, then settled: a crash in between loses a charge, never bills an answer the
      // client did not get.
      await reply.header('content-type', 'application/json').send(translated.body);
      trace.finish(200, null, usage);
    });
  };
}
