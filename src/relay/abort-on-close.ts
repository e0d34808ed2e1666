import type { FastifyReply } from 'fastify';

/** An abort signal that fires when the client goes away before its response is complete. */
export function abortOnClientClose(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller;
}
