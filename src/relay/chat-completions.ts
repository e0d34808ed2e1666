import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonObject } from '../providers/json.js';
import { readBodyText } from '../upstream/read-body.js';
import { abortOnClientClose } from './abort-on-close.js';
import { authenticate } from './authenticate.js';
import { authorizeModel } from './authorize-model.js';
import { callUpstream, ClientGoneError } from './call-upstream.js';
import { describeForRecord, toClientError } from './client-errors.js';
import { usageOrCount } from './count-tokens.js';
import type { RelayDependencies } from './relay-dependencies.js';
import { relayStream } from './relay-stream.js';
import { UsageTrace } from './usage-trace.js';
import { validateChatRequest } from './validate-request.js';

/**
 * POST /chat/completions: parse → authenticate → validate → authorize model → route → call
 * upstream → stream or return → meter → record. Each stage lives in its own file.
 */
export function chatCompletionsHandler(dependencies: RelayDependencies) {
  return async function handleChatCompletion(
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
      const body = validateChatRequest(request.body);
      trace.modelId = body.model;
      trace.stream = body.stream === true;
      const model = authorizeModel(key, body.model, 'chat', dependencies.catalog);
      trace.prices = model.prices;
      const context = {
        clientWantsUsage:
          isJsonObject(body.stream_options) && body.stream_options.include_usage === true,
        publicModel: model.id,
      };
      const abort = abortOnClientClose(reply);
      const attempt = await callUpstream({
        client: dependencies.upstream,
        model,
        signal: abort.signal,
        maxAttempts: dependencies.maxAttempts,
        build: (deployment) =>
          deployment.adapter.chatRequest({
            body,
            target: deployment.target,
            maxOutputTokens: undefined,
          }),
      });
      trace.deploymentId = attempt.deployment.id;
      const adapter = attempt.deployment.adapter;

      if (trace.stream) {
        const translator = adapter.chatStream(context);
        const outcome = await relayStream({
          reply,
          response: attempt.response,
          translator,
          signal: abort.signal,
          modelId: model.id,
          onFirstFrame: () => trace.markFirstToken(),
        });
        // Whatever reached the client is paid for: the prompt, plus the tokens delivered.
        const usage = await usageOrCount(
          translator.usage(),
          body.messages,
          translator.deliveredText(),
        );
        if (outcome.kind === 'completed') trace.finish(200, null, usage);
        else if (outcome.kind === 'client-gone') trace.finish(499, 'client_disconnected', usage);
        else trace.finish(200, outcome.error.code, usage);
        return;
      }

      const text = await readBodyText(attempt.response);
      const translated = adapter.chatResponse(text, context);
      const usage = await usageOrCount(translated.usage, body.messages, translated.completionText);
      trace.markFirstToken();
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
