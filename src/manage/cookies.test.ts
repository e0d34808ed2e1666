import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sessionCookie } from './cookies.js';

describe('session cookie', () => {
  it('reads one cookie out of a header', () => {
    expect(readCookie('a=1; switchyard_session=abc_-; b=2', 'switchyard_session')).toBe('abc_-');
    expect(readCookie('switchyard_session_x=1', 'switchyard_session')).toBe(undefined);
    expect(readCookie('switchyard_session=', 'switchyard_session')).toBe(undefined);
    expect(readCookie(undefined, 'switchyard_session')).toBe(undefined);
  });

  it('is HttpOnly, SameSite=Lax, for the whole site, and Secure over HTTPS', () => {
    expect(sessionCookie('t', { secure: false, maxAgeSeconds: 60 })).toBe(
      'switchyard_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
    );
    expect(sessionCookie('t', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
    expect(clearedSessionCookie({ secure: false })).toContain('Max-Age=0');
  });
});
