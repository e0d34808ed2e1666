import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, onUnauthorized, readEarly, setCsrfToken } from './api-client';

interface Answer {
  status: number;
  body: unknown;
}

let answers: Answer[];
let asked: string[];

beforeEach(() => {
  answers = [];
  asked = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url);
    const answer = answers.shift() ?? { status: 200, body: { n: asked.length } };
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  onUnauthorized(null);
});

describe('early reads', () => {
  it("hand their answer to the page's identical GET once, then the page asks again", async () => {
    readEarly('/usage/summary', { groupBy: 'day', accountId: undefined });
    expect(asked).toEqual(['/api/manage/usage/summary?groupBy=day']);
    expect(await api.get('/usage/summary', { groupBy: 'day' })).toEqual({ n: 1 });
    expect(asked).toHaveLength(1);
    expect(await api.get('/usage/summary', { groupBy: 'day' })).toEqual({ n: 2 });
    expect(asked).toHaveLength(2);
  });

  it('are not used for a different query', async () => {
    readEarly('/usage/records', { limit: 50 });
    await api.get('/usage/records', { limit: 50, model: 'gpt-4o' });
    expect(asked).toEqual([
      '/api/manage/usage/records?limit=50',
      '/api/manage/usage/records?limit=50&model=gpt-4o',
    ]);
  });

  it('that failed are dropped quietly, and the page asks for itself', async () => {
    const signedOut = vi.fn();
    onUnauthorized(signedOut);
    answers.push({ status: 401, body: { error: { message: 'no session', code: 'unauthorized' } } });
    answers.push({ status: 200, body: { fresh: true } });
    readEarly('/session');
    expect(await api.get('/session')).toEqual({ fresh: true });
    expect(asked).toHaveLength(2);
    expect(signedOut).not.toHaveBeenCalled();
  });

  it('are forgotten when the session ends', async () => {
    readEarly('/keys');
    setCsrfToken(null);
    await api.get('/keys');
    expect(asked).toEqual(['/api/manage/keys', '/api/manage/keys']);
  });

  it('that are stale are not used', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    readEarly('/models');
    vi.advanceTimersByTime(6_000);
    await api.get('/models');
    expect(asked).toHaveLength(2);
  });

  it('a 401 on an ordinary read still signs the page out', async () => {
    const signedOut = vi.fn();
    onUnauthorized(signedOut);
    answers.push({ status: 401, body: { error: { message: 'ended', code: 'unauthorized' } } });
    await expect(api.get('/models')).rejects.toThrow('ended');
    expect(signedOut).toHaveBeenCalledOnce();
  });
});
