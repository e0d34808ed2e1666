import { describe, expect, it } from 'vitest';
import { fillPath, matchPath } from './match-path';

describe('matchPath', () => {
  it('matches whole segments and decodes parameters', () => {
    expect(matchPath('/accounts/:id', '/accounts/42')).toEqual({ id: '42' });
    expect(matchPath('/requests/:requestId', '/requests/req%2F1')).toEqual({ requestId: 'req/1' });
    expect(matchPath('/keys', '/keys/')).toEqual({});
    expect(matchPath('/keys', '/keys/3')).toBeNull();
    expect(matchPath('/', '/usage')).toBeNull();
  });

  it('fills a pattern back in', () => {
    expect(fillPath('/accounts/:id', { id: 7 })).toBe('/accounts/7');
  });
});
