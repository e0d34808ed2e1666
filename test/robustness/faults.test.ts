import { afterEach, describe, expect, it } from 'vitest';
import {
  chat,
  chatStream,
  closeRigs,
  deliveredCost,
  expectBooks,
  expectRefusal,
  messages,
  reportedCost,
  rig,
  type Answer,
} from './fault-rig.js';
import { completionBody, contentChunk, streamEnd, type Script } from './scripted-upstream.js';

// Issue 8, faults: upstreams that hang, reset, send garbage or fail in bursts. Before the first
// byte the client gets a 502 (upstream_timeout or upstream_unavailable) and pays nothing; after
// it, the stream ends with an OpenAI-style error event and the wallet pays for the prompt and the
// tokens delivered (docs/money.md). The ledger must agree with the usage records throughout.

afterEach(closeRigs);

const okBody = completionBody('Robust enough.', 12, 3);

describe('before the first byte: a 502 and nothing charged', () => {
  const cases: { name: string; scripts: Script[]; code: string }[] = [
    {
      name: 'an upstream that never answers',
      scripts: [{ kind: 'hang' }],
      code: 'upstream_timeout',
    },
    {
      name: 'a connection reset before any header',
      scripts: [{ kind: 'reset' }],
      code: 'upstream_unavailable',
    },
    {
      name: 'headers, then a body that stalls',
      scripts: [{ kind: 'respond', status: 200, body: okBody, ending: 'hang' }],
      code: 'upstream_timeout',
    },
    {
      name: 'a body cut off halfway',
      scripts: [{ kind: 'respond', status: 200, body: okBody, ending: 'reset' }],
      code: 'upstream_unavailable',
    },
    {
      name: 'an HTML error page with status 200',
      scripts: [
        {
          kind: 'respond',
          status: 200,
          body: '<html>Bad gateway</html>',
          contentType: 'text/html',
        },
      ],
      code: 'upstream_unavailable',
    },
    {
      name: 'JSON of the wrong shape',
      scripts: [{ kind: 'respond', status: 200, body: '{"choices":"none","usage":[1]}' }],
      code: 'upstream_unavailable',
    },
    {
      name: 'a 503 with an HTML body naming the upstream',
      scripts: [
        {
          kind: 'respond',
          status: 503,
          body: '<h1>503 at http://127.0.0.1 with key upstream-secret</h1>',
          contentType: 'text/html',
        },
      ],
      code: 'upstream_unavailable',
    },
  ];

  for (const { name, scripts, code } of cases) {
    it(`${name}: 502 ${code}`, async () => {
      const target = await rig();
      target.upstream.enqueue(...scripts);
      const answer = await chat(target, {});
      expectRefusal(answer, 502, code);
      await expectBooks(target, new Map([[answer.requestId, 0]]));
    });
  }

  it('a stream whose upstream never answers: 502 upstream_timeout, not a 200 stream', async () => {
    const target = await rig();
    target.upstream.enqueue({ kind: 'hang' });
    const answer = await chat(target, { stream: true });
    expectRefusal(answer, 502, 'upstream_timeout');
    await expectBooks(target, new Map([[answer.requestId, 0]]));
  });

  it('a stream whose connection resets before any header: 502 upstream_unavailable', async () => {
    const target = await rig();
    target.upstream.enqueue({ kind: 'reset' });
    const answer = await chat(target, { stream: true });
    expectRefusal(answer, 502, 'upstream_unavailable');
    await expectBooks(target, new Map([[answer.requestId, 0]]));
  });

  it('a client error from the upstream passes through scrubbed, and costs nothing', async () => {
    const target = await rig();
    const port = new URL(target.upstream.baseUrl).port;
    target.upstream.enqueue({
      kind: 'respond',
      status: 400,
      body: JSON.stringify({
        error: {
          message: `Invalid 'temperature' (sent to http://127.0.0.1:${port}/v1 with upstream-secret)`,
          type: 'invalid_request_error',
          param: 'temperature',
          code: 'invalid_value',
        },
      }),
    });
    const answer = await chat(target, {});
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Invalid 'temperature'");
    expect(answer.text).not.toContain('127.0.0.1');
    expect(answer.text).not.toContain('upstream-secret');
    await expectBooks(target, new Map([[answer.requestId, 0]]));
  });
});

describe('after the first byte: an error event, and only what was delivered is charged', () => {
  const firstChunks = [
    contentChunk('Robustness '),
    contentChunk('is the '),
    contentChunk('ability '),
  ];

  it('a stream that stalls after three chunks ends with upstream_timeout', async () => {
    const target = await rig();
    target.upstream.enqueue({ kind: 'stream', chunks: firstChunks, ending: 'hang' });
    const answer = await chatStream(target);
    expect(answer.status).toBe(200);
    expect(answer.content).toBe('Robustness is the ability ');
    expect(answer.error?.code).toBe('upstream_timeout');
    expect(answer.done).toBe(false);
    await expectBooks(
      target,
      new Map([[answer.requestId, await deliveredCost(target, answer.content)]]),
    );
  });

  it('a stream reset after three chunks ends with upstream_unavailable', async () => {
    const target = await rig();
    target.upstream.enqueue({ kind: 'stream', chunks: firstChunks, ending: 'reset' });
    const answer = await chatStream(target);
    expect(answer.status).toBe(200);
    expect(answer.content).toBe('Robustness is the ability ');
    expect(answer.error?.code).toBe('upstream_unavailable');
    await expectBooks(
      target,
      new Map([[answer.requestId, await deliveredCost(target, answer.content)]]),
    );
  });

  const garbage: { name: string; chunk: string | Buffer }[] = [
    { name: 'data that is not JSON', chunk: 'data: {not json}\n\n' },
    {
      name: 'a truncated JSON event',
      chunk: 'data: {"id":"x","choices":[{"delta":{"content":"y"\n\n',
    },
    {
      name: 'binary bytes',
      chunk: Buffer.concat([
        Buffer.from('data: '),
        Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]),
        Buffer.from('\n\n'),
      ]),
    },
    { name: 'an event of the wrong shape', chunk: 'data: {"choices":"nope","usage":"lots"}\n\n' },
    { name: 'a JSON array', chunk: 'data: [1,2,3]\n\n' },
  ];
  for (const { name, chunk } of garbage) {
    it(`garbage after two chunks (${name}) ends the stream with an error event`, async () => {
      const target = await rig();
      target.upstream.enqueue({
        kind: 'stream',
        chunks: [...firstChunks.slice(0, 2), chunk, contentChunk('never delivered')],
        ending: 'end',
      });
      const answer = await chatStream(target);
      expect(answer.status).toBe(200);
      expect(answer.content.startsWith('Robustness is the ')).toBe(true);
      expect(answer.content).not.toContain('never delivered');
      expect(answer.error?.code).toBe('upstream_unavailable');
      expect(answer.error?.message).toMatch(/could not read/);
      expect(answer.done).toBe(false);
      await expectBooks(
        target,
        new Map([[answer.requestId, await deliveredCost(target, answer.content)]]),
      );
    });
  }

  it('lines an SSE parser must ignore (comments, unknown fields, stray bytes) do not break a stream', async () => {
    const target = await rig();
    const ignorable = Buffer.concat([
      Buffer.from(': keep-alive comment\nretry: 10\nunknown-field: x\n'),
      Buffer.from([0xff, 0xfe, 0x0a, 0x0a]),
    ]);
    target.upstream.enqueue({
      kind: 'stream',
      chunks: [firstChunks[0] as string, ignorable, ...firstChunks.slice(1), ...streamEnd(14, 3)],
      ending: 'end',
    });
    const answer = await chatStream(target);
    expect(answer.content).toBe('Robustness is the ability ');
    expect(answer.error).toBeUndefined();
    expect(answer.done).toBe(true);
    await expectBooks(target, new Map([[answer.requestId, reportedCost(target, 14, 3)]]));
  });

  it('a stream without usage or [DONE] is closed properly and charged what was delivered', async () => {
    const target = await rig();
    target.upstream.enqueue({ kind: 'stream', chunks: firstChunks, ending: 'end' });
    const answer = await chatStream(target);
    expect(answer.content).toBe('Robustness is the ability ');
    expect(answer.status).toBe(200);
    await expectBooks(
      target,
      new Map([[answer.requestId, await deliveredCost(target, answer.content)]]),
    );
  });

  it('a complete stream is charged the usage the upstream reported', async () => {
    const target = await rig();
    target.upstream.enqueue({
      kind: 'stream',
      chunks: [...firstChunks, ...streamEnd(14, 3)],
      ending: 'end',
    });
    const answer = await chatStream(target);
    expect(answer.done).toBe(true);
    expect(answer.error).toBeUndefined();
    await expectBooks(target, new Map([[answer.requestId, reportedCost(target, 14, 3)]]));
  });
});

// KNOWN BUG (each `it.fails` passes while the bug is there; once fixed, make it a plain `it`).
// The upstream answered 200, so the gateway has already sent the client its own 200 and SSE
// headers (src/relay/relay-stream.ts writes them before the first upstream event), and then the
// upstream failed before a single token: the client receives nothing but an error event, yet it
// is charged for the whole prompt (chat-completions.ts finishes every failed stream with
// `usageOrCount(…)`), against docs/money.md ("upstream error, timeout or unreadable answer before
// anything was sent: nothing"). Sending the headers that early also rules out failing over to
// another deployment, which DESIGN.md §6 allows until the first byte.
describe('a stream that fails before its first token', () => {
  const cases: { name: string; script: Script; code: string }[] = [
    {
      name: 'stalls after its headers',
      script: { kind: 'stream', chunks: [], ending: 'hang' },
      code: 'upstream_timeout',
    },
    {
      name: 'resets after its headers',
      script: { kind: 'stream', chunks: [], ending: 'reset' },
      code: 'upstream_unavailable',
    },
    {
      name: 'sends garbage first',
      script: { kind: 'stream', chunks: ['data: {garbage\n\n'], ending: 'end' },
      code: 'upstream_unavailable',
    },
  ];
  for (const { name, script, code } of cases) {
    it(`${name}: the client gets ${code}`, async () => {
      const target = await rig();
      target.upstream.enqueue(script);
      const answer = await chatStream(target);
      expect(answer.content).toBe('');
      if (answer.status === 200) expect(answer.error?.code).toBe(code);
      else expectRefusal(answer, 502, code);
    });

    it(`${name}: and pays nothing`, async () => {
      const target = await rig();
      target.upstream.enqueue(script);
      const answer = await chatStream(target);
      await expectBooks(target, new Map([[answer.requestId, 0]]));
    });
  }

  it('an upstream error event before any token costs nothing either', async () => {
    const target = await rig();
    target.upstream.enqueue({
      kind: 'stream',
      chunks: ['data: {"error":{"message":"The server is overloaded","type":"server_error"}}\n\n'],
      ending: 'end',
    });
    const answer = await chatStream(target);
    expect(answer.content).toBe('');
    expect(answer.error).toBeDefined();
    await expectBooks(target, new Map([[answer.requestId, 0]]));
  });
});

describe('failures in bursts', () => {
  it('5 × 500 then OK, one deployment: each failure is a 502 for nothing, then service resumes', async () => {
    const target = await rig();
    const failure: Script = { kind: 'respond', status: 500, body: '{"error":{"message":"boom"}}' };
    target.upstream.enqueue(failure, failure, failure, failure, failure);
    const expected = new Map<string, number>();
    let served: Answer | undefined;
    // Bounded: a circuit breaker may hold the deployment back for a while after the burst.
    const deadline = Date.now() + 15_000;
    while (served === undefined && Date.now() < deadline) {
      target.upstream.enqueue({ kind: 'respond', status: 200, body: okBody });
      const answer = await chat(target, {});
      if (answer.status === 200) {
        served = answer;
        expected.set(answer.requestId, reportedCost(target, 12, 3));
      } else {
        expectRefusal(answer, 502, 'upstream_unavailable');
        expected.set(answer.requestId, 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(served, 'service resumed after the burst').toBeDefined();
    expect(expected.size).toBeGreaterThanOrEqual(2);
    await expectBooks(target, expected);
  });

  it('5 × 500 then OK, two deployments: failover inside a request, fewer failures reach clients', async () => {
    const target = await rig();
    const failure: Script = { kind: 'respond', status: 500, body: '{"error":{"message":"boom"}}' };
    target.upstream.enqueue(failure, failure, failure, failure, failure);
    for (let index = 0; index < 10; index += 1) {
      target.upstream.enqueue({ kind: 'respond', status: 200, body: okBody });
    }
    const expected = new Map<string, number>();
    const answers: Answer[] = [];
    for (let index = 0; index < 4; index += 1) {
      const response = await fetch(`${target.gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'failover-chat', messages }),
      });
      answers.push({
        status: response.status,
        requestId: response.headers.get('x-request-id') ?? '',
        text: await response.text(),
      });
    }
    for (const answer of answers) {
      if (answer.status === 200) expected.set(answer.requestId, reportedCost(target, 12, 3));
      else {
        expectRefusal(answer, 502, 'upstream_unavailable');
        expected.set(answer.requestId, 0);
      }
    }
    // Two attempts per request: at most the first two requests see only failures.
    expect(answers.filter((answer) => answer.status === 502).length).toBeLessThanOrEqual(2);
    expect(answers.at(-1)?.status).toBe(200);
    await expectBooks(target, expected);
  });

  it('a burst under concurrency: every client gets a 200 or a 502, and only 200s are paid', async () => {
    const target = await rig();
    const failure: Script = { kind: 'respond', status: 500, body: '{"error":{"message":"boom"}}' };
    target.upstream.enqueue(failure, failure, failure, failure, failure);
    for (let index = 0; index < 20; index += 1) {
      target.upstream.enqueue({ kind: 'respond', status: 200, body: okBody });
    }
    const answers = await Promise.all(Array.from({ length: 20 }, () => chat(target, {})));
    const expected = new Map<string, number>();
    for (const answer of answers) {
      if (answer.status === 200) expected.set(answer.requestId, reportedCost(target, 12, 3));
      else {
        expectRefusal(answer, 502, 'upstream_unavailable');
        expected.set(answer.requestId, 0);
      }
    }
    expect(answers.filter((answer) => answer.status === 502).length).toBeLessThanOrEqual(5);
    await expectBooks(target, expected);
  });
});
