import { createParser } from 'eventsource-parser';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import type { StreamTranslator } from '../providers/contract.js';
import { classifyTransportError, type UpstreamResponse } from '../upstream/upstream-client.js';
import { toClientError } from './client-errors.js';

export type StreamOutcome = (
  { kind: 'completed' } | { kind: 'client-gone' } | { kind: 'failed'; error: GatewayError }
) & {
  /** Whether any of the upstream's own frames reached the client before the stream ended. */
  delivered: boolean;
};

export interface RelayStreamOptions {
  reply: FastifyReply;
  response: UpstreamResponse;
  translator: StreamTranslator;
  signal: AbortSignal;
  modelId: string;
  onFirstFrame: () => void;
  /** Removes upstream addresses and secrets from text the upstream wrote (its error events). */
  scrub: (text: string) => string;
}

function waitForDrain(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

function errorFrame(error: GatewayError): string {
  return `data: ${JSON.stringify(error.toEnvelope())}\n\n`;
}

function asGatewayError(error: unknown, modelId: string): GatewayError {
  const mapped = toClientError(error, modelId, 'delivered');
  if (mapped instanceof GatewayError) return mapped;
  return toClientError(classifyTransportError(mapped), modelId, 'delivered') as GatewayError;
}

/**
 * Forwards an upstream event stream to the client as it arrives: each upstream read becomes at
 * most one socket write, nothing is buffered whole. Once the first byte has gone out nothing can
 * be retried, so a failure after it ends the stream with an OpenAI-style error event.
 */
export async function relayStream(options: RelayStreamOptions): Promise<StreamOutcome> {
  const { reply, response, translator, signal } = options;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();

  let frames: string[] = [];
  let failure: unknown;
  let upstreamDone = false;
  let upstreamFailed = false;
  // An error event the upstream sent first is not something the client was served.
  let sawUpstreamContent = false;
  const parser = createParser({
    onEvent(message) {
      if (failure !== undefined || upstreamDone) return;
      try {
        const step = translator.push({ event: message.event, data: message.data });
        if (!step.upstreamError && step.frames.length > 0) sawUpstreamContent = true;
        if (step.upstreamError) {
          upstreamFailed = true;
          frames.push(...step.frames.map(options.scrub));
        } else if (step.frames.length > 0) {
          frames.push(...step.frames);
        }
        upstreamDone = step.done;
      } catch (error) {
        failure = error;
      }
    },
  });
  let wroteFirst = false;
  const send = async (): Promise<void> => {
    if (frames.length === 0 || raw.destroyed) return;
    const text = frames.length === 1 ? (frames[0] as string) : frames.join('');
    frames = [];
    if (!wroteFirst) {
      wroteFirst = true;
      options.onFirstFrame();
    }
    if (!raw.write(text)) await waitForDrain(raw);
  };

  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      await send();
      if (failure !== undefined) break;
    }
    if (failure === undefined) {
      parser.reset({ consume: true });
      if (failure === undefined) frames.push(...translator.finish());
    }
  } catch (error) {
    failure ??= error;
  }

  if (signal.aborted || raw.destroyed) {
    response.body.destroy();
    return { kind: 'client-gone', delivered: wroteFirst && sawUpstreamContent };
  }
  if (failure !== undefined) {
    response.body.destroy();
    const error = asGatewayError(failure, options.modelId);
    const delivered = wroteFirst && sawUpstreamContent;
    frames.push(errorFrame(error));
    await send();
    raw.end();
    return { kind: 'failed', error, delivered };
  }
  const deliveredBefore = wroteFirst && sawUpstreamContent;
  await send();
  raw.end();
  if (upstreamFailed) {
    // The upstream's own error event already reached the client; the record says it failed.
    return {
      kind: 'failed',
      error: new GatewayError(
        'upstream_unavailable',
        `The upstream for the model '${options.modelId}' ended the stream with an error.`,
      ),
      delivered: deliveredBefore,
    };
  }
  return { kind: 'completed', delivered: true };
}
