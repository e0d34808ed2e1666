import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { denied } from './access.js';
import type { ManageDependencies } from './manage-dependencies.js';
import { authenticate, type Principal } from './principal.js';
import { parseInput } from './validation.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Who may call a route at all; finer rules (whose account) are checked by the handler. */
export type Access = 'public' | 'signed_in' | 'admin';

/** A registered route as the OpenAPI document describes it, from the schemas it validates with. */
export interface RouteDescription {
  method: HttpMethod;
  /** Relative to the management prefix, in Fastify's syntax (`/accounts/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  successStatus: number;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
}

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;
type Answer<S extends Schema> = S extends z.ZodType ? z.output<S> : void;

/** What a handler of a signed-in route gets: the caller and its validated input. */
export interface RouteContext<Params, Query, Body> {
  principal: Principal;
  params: Params;
  query: Query;
  body: Body;
  request: FastifyRequest;
  reply: FastifyReply;
}

export type PublicRouteContext<Params, Query, Body> = Omit<
  RouteContext<Params, Query, Body>,
  'principal'
>;

interface Definition<
  P extends Schema,
  Q extends Schema,
  B extends Schema,
  R extends Schema,
> extends Omit<
  RouteDescription,
  'params' | 'query' | 'body' | 'response' | 'access' | 'successStatus'
> {
  /** 200 unless given; a 204 route has no response schema. */
  successStatus?: number;
  params?: P;
  query?: Q;
  body?: B;
  response?: R;
}

/**
 * Registers management routes and remembers how each is described. Every route goes through
 * here, so none can skip authentication, its role check or input validation, and the OpenAPI
 * document lists exactly what is registered.
 */
export class ManageRouter {
  readonly routes: RouteDescription[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly dependencies: ManageDependencies,
  ) {}

  /** A route for signed-in callers (`signed_in`) or admins only (`admin`). */
  route<
    P extends Schema = undefined,
    Q extends Schema = undefined,
    B extends Schema = undefined,
    R extends Schema = undefined,
  >(
    definition: Definition<P, Q, B, R> & {
      access: 'signed_in' | 'admin';
      handler: (context: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>) => Promise<Answer<R>>;
    },
  ): void {
    const principals = new WeakMap<FastifyRequest, Principal>();
    const dependencies = this.dependencies;
    this.add(definition, {
      // Before the body is read: an anonymous caller never gets to make the server parse one.
      onRequest: async (request) => {
        const principal = await authenticate(request, dependencies);
        if (definition.access === 'admin' && principal.role !== 'admin') {
          throw denied(`Only an admin may ${definition.summary.toLowerCase()}.`);
        }
        principals.set(request, principal);
      },
      handle: (input) => {
        const principal = principals.get(input.request);
        if (!principal) throw new Error('a management route ran without authentication');
        return definition.handler({ ...input, principal });
      },
    });
  }

  /** A route anyone may call (signing in, the OpenAPI document). */
  publicRoute<
    P extends Schema = undefined,
    Q extends Schema = undefined,
    B extends Schema = undefined,
    R extends Schema = undefined,
  >(
    definition: Definition<P, Q, B, R> & {
      handler: (context: PublicRouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>) => Promise<Answer<R>>;
    },
  ): void {
    this.add({ ...definition, access: 'public' }, { handle: definition.handler });
  }

  private add<P extends Schema, Q extends Schema, B extends Schema, R extends Schema>(
    definition: Definition<P, Q, B, R> & { access: Access },
    hooks: {
      onRequest?: (request: FastifyRequest) => Promise<void>;
      handle: (input: PublicRouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>) => Promise<unknown>;
    },
  ): void {
    const successStatus = definition.successStatus ?? 200;
    this.routes.push({
      method: definition.method,
      path: definition.path,
      operationId: definition.operationId,
      summary: definition.summary,
      ...(definition.description === undefined ? {} : { description: definition.description }),
      tag: definition.tag,
      access: definition.access,
      successStatus,
      ...(definition.params ? { params: definition.params } : {}),
      ...(definition.query ? { query: definition.query } : {}),
      ...(definition.body ? { body: definition.body } : {}),
      ...(definition.response ? { response: definition.response } : {}),
    });
    const read = <S extends Schema>(
      schema: S,
      value: unknown,
      location: 'path' | 'query' | 'body',
    ): Parsed<S> =>
      (schema === undefined ? undefined : parseInput(schema, value, location)) as Parsed<S>;
    this.app.route({
      method: definition.method,
      url: definition.path,
      ...(hooks.onRequest ? { onRequest: hooks.onRequest } : {}),
      handler: async (request, reply) => {
        const answer = await hooks.handle({
          params: read(definition.params as P, request.params, 'path'),
          query: read(definition.query as Q, request.query, 'query'),
          body: read(definition.body as B, request.body, 'body'),
          request,
          reply,
        });
        if (successStatus === 204) return reply.code(204).send();
        return reply.code(successStatus).send(answer);
      },
    });
  }
}
